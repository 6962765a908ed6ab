// TLM-2.0 extension carried by every upstream request (VCML tlm_sbi-style: each field says who writes it).
#pragma once
#include <tlm>

#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/timing/latency_model.hpp"

namespace vtd::sysc {

struct request_extension : tlm::tlm_extension<request_extension> {
  // Written by the initiator (the device). Defaults describe an untranslated request without PASID.
  uint16_t source_id = 0;                                    // requester id bb:dd.f
  bool has_pasid = false;                                    // PASID TLP prefix present
  uint32_t pasid = 0;                                        // valid when has_pasid
  core::address_type at = core::address_type::untranslated;  // PCIe AT field
  bool atomic = false;                                       // AtomicOp (needs R and W)

  // Written by the remapping unit on completion.
  core::dma_status status = core::dma_status::fault;
  spec::fault_reason fault = spec::fault_reason::none;
  uint64_t hpa = 0;
  bool iotlb_hit = false;
  core::translation_result translation;  // the core's full result (permissions, page size, domain)
  timing::request_timing timing;         // arrival, walk start, translation and access completion (ps)
  core::interrupt_result interrupt;      // for MSI writes (status == interrupt)

  tlm::tlm_extension_base* clone() const override { return new request_extension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const request_extension&>(other);
  }
};

}  // namespace vtd::sysc
