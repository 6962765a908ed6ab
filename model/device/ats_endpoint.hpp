// One ATS-capable endpoint's side of Address Translation Services (VT-d spec 4, "Support For Device-TLBs";
// PCIe ATS), free of time: for each untranslated DMA it asks its device-TLB; a hit gives the translated
// address of a translated request (AT=10b), a miss needs a translation request (AT=01b) whose answer (the
// unit's translation_result) it caches, or refuses when the answer grants no access (R=0 for a read, W=0 for
// a write: the device would then send a Page Request, which is not modelled). It receives the unit's ATS
// Invalidate Requests and answers them, or ignores them (a device that never sends the Invalidate
// Completion, to provoke the unit's invalidation time-out).
#pragma once
#include <cstdint>
#include <optional>

#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/device/device_tlb.hpp"

namespace vtd::device {

struct ats_params {
  core::cache_config tlb{64, 4, core::replacement_policy::lru, 1, false};
  bool answers_invalidations = true;
};

struct ats_counters {
  uint64_t translation_requests = 0;  // AT=01b requests sent (one per device-TLB miss)
  uint64_t translated_requests = 0;   // AT=10b requests sent
  uint64_t denied = 0;                // DMAs the answer gave no right for (no access made)
  uint64_t failed = 0;                // translation requests the unit refused (UR / CA completion)
  uint64_t invalidation_requests = 0, entries_invalidated = 0;
  uint64_t invalidations_ignored = 0;  // requests left without an Invalidate Completion
};

// What the unit answered to a translation request, as the device takes it.
enum class ats_answer {
  granted,  // the access is allowed: the entry is cached (when it grants any right) and the DMA goes on
  denied,   // success, but without the right the DMA needs: no access
  failed,   // the unit refused the request (a fault: Unsupported Request or Completer Abort)
};

class ats_endpoint {
 public:
  // Throws std::invalid_argument for a device-TLB geometry core::validate refuses.
  ats_endpoint(uint16_t sid, const ats_params& params);

  uint16_t sid() const { return m_sid; }
  const ats_params& params() const { return m_params; }

  // The device-TLB key of a request (its PASID prefix).
  static dtlb_key key_of(const core::dma_request& q) {
    return q.has_pasid ? dtlb_key{true, q.pasid, q.privileged} : dtlb_key{};
  }
  // An untranslated DMA: the entry that covers it with the rights it needs (counted lookup), or null (a miss:
  // send translation_request(q)). An entry without the needed right counts as a miss: the device asks again.
  dtlb_entry* lookup(const core::dma_request& q);
  // The AT=01b request for q's page (same requester, PASID prefix and operation).
  core::dma_request translation_request(const core::dma_request& q);
  // Takes the unit's answer to translation_request(q); on `granted` fills the device-TLB with the
  // completion (stamped with `domain` and `generation` for the caller) and copies the translation it
  // granted into `granted` (also when a device-TLB of another page size could not hold it).
  ats_answer complete(const core::dma_request& q, const core::translation_result& answer, uint16_t domain,
                      uint64_t generation, dtlb_entry* granted = nullptr);
  // The AT=10b request for q through entry `e`.
  core::dma_request translated_request(const core::dma_request& q, const dtlb_entry& e);

  // An ATS Invalidate Request from the unit: drops what it covers and answers (true), or, configured not to
  // answer, does nothing and returns false (no Invalidate Completion: the entries stay).
  bool invalidate(const core::dev_tlb_invalidation& request);

  const device_tlb& tlb() const { return m_tlb; }
  const ats_counters& counters() const { return m_counters; }
  void reset_stats() {
    m_counters = {};
    m_tlb.reset_stats();
  }

 private:
  uint16_t m_sid;
  ats_params m_params;
  device_tlb m_tlb;
  ats_counters m_counters;
};

// Whether `e` grants what q needs: reads need R, writes need W, AtomicOps both; an execute request needs X.
bool grants(const dtlb_entry& e, const core::dma_request& q);

}  // namespace vtd::device
