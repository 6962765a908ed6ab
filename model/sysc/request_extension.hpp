// The TLM-2.0 extension every upstream request carries to the remapping unit: the request itself and, once
// the unit has completed it, its result. Like VCML's sideband, each field says who writes it and who reads
// it.
//
// The generic payload is the bus view of the same request: its command (read for a DMA read, write for a
// write, an AtomicOp or an interrupt request), address and data length equal request.dma's, and its data
// pointer points to `length` bytes the initiator owns (request_initiator keeps one array for reads and
// one for writes, model/sysc/payload_data.hpp; DMI is never granted). The unit answers
// TLM_GENERIC_ERROR_RESPONSE to a payload without this extension or one that disagrees with it;
// TLM_ADDRESS_ERROR_RESPONSE to a request it blocked (result says why); TLM_OK_RESPONSE otherwise.
#pragma once
#include <tlm>

#include "model/timing/upstream.hpp"

namespace vtd::sysc {

struct request_extension : tlm::tlm_extension<request_extension> {
  // Written by the initiator (the device, or the replay's root port) before b_transport; read by the unit.
  //   request.dma.source_id  requester id bb:dd.f of the TLP
  //   request.dma.address    input address (IOVA, or the MSI address), as in the payload
  //   request.dma.length     bytes, as in the payload (4 for an interrupt request)
  //   request.dma.access     read / write / AtomicOp (an AtomicOp needs read and write permission)
  //   request.dma.at         PCIe AT field: untranslated, translation request (ATS), translated
  //   request.dma.has_pasid, request.dma.pasid   PASID TLP prefix
  //   request.data           first data DWORD of a write (the MSI data of an interrupt request), also at
  //                          the start of the payload's data array
  timing::upstream_request request;

  // Written by the unit during b_transport; read by the initiator after it returns.
  //   result.translation     the core's translation outcome (status, fault, HPA, permissions, page size,
  //                          domain); status == interrupt for a write to the interrupt range
  //   result.interrupt       the interrupt remapping outcome (interrupt requests only)
  //   result.walk            the walk record of the request (what the timing was priced from)
  //   result.iotlb_hit, result.context_hit, result.memory_reads   facts of the walk
  //   result.timed, result.timing   arrival, lookup, walk start and completion times in ps (timed = true)
  timing::upstream_result result;

  tlm::tlm_extension_base* clone() const override { return new request_extension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const request_extension&>(other);
  }
};

}  // namespace vtd::sysc
