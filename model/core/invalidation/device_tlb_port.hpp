// Where the unit's device-TLB invalidations go (VT-d spec 6.5.2.5 dev_tlb_inv_dsc, 6.5.2.6
// p_dev_tlb_inv_dsc): device-TLBs live in the endpoints, so the unit turns each descriptor into a PCIe ATS
// Invalidate Request to the endpoint named by the descriptor's SID and waits for its Invalidate Completion.
// Whoever models the endpoints (the replay's ATS devices) implements this port; with no port attached every
// request is answered at once.
#pragma once
#include <cstdint>

namespace vtd::core {

// One ATS Invalidate Request as the unit sends it, decoded from the descriptor.
struct dev_tlb_invalidation {
  uint16_t sid = 0;        // the endpoint's requester ID (SID)
  uint16_t pfsid = 0;      // the physical function's SID (PFSID, used with ECAP.DIT throttling)
  unsigned mip = 0;        // MIP: the endpoint's maximum invalidations pending
  bool has_pasid = false;  // p_dev_tlb_inv_dsc: a PASID-based request
  uint32_t pasid = 0;
  bool global = false;  // p_dev_tlb_inv_dsc G: every PASID's translations, global ones included
  // The range from the S bit and ADDR (PCIe ATS size encoding, spec 6.5.2.5): a naturally aligned block;
  // `all` when S=1 and ADDR[63:12] is all ones (every translation of the endpoint, or of the PASID).
  uint64_t address = 0;
  uint64_t size = 0x1000;
  bool all = false;
};

class device_tlb_port {
 public:
  virtual ~device_tlb_port() = default;
  // Delivers the request to its endpoint, which drops what it covers. Returns false when no Invalidate
  // Completion comes back (the endpoint is absent, hung, or does not answer): the unit then reports an
  // Invalidation Time-out Error (FSTS.ITE, IQERCD.ITESID = sid).
  virtual bool invalidate(const dev_tlb_invalidation& request) = 0;
};

}  // namespace vtd::core
