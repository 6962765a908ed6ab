// What each invalidation scope removes from the translation caches (VT-d spec 6.5 "Invalidation of
// Translation Caches": CCMD_REG, IOTLB_REG, cc_inv_dsc, iotlb_inv_dsc, iec_inv_dsc, and in scalable mode
// pc_inv_dsc and p_iotlb_inv_dsc): context-cache global / domain / device(+FM), IOTLB global / domain /
// page-selective (AM, IH) with the paging-structure caches, interrupt entry cache global / index(+IM),
// PASID-cache global / domain / PASID, PASID-based IOTLB PASID / page-selective. Each removes exactly the
// entries whose tags (spec Table "Caches and their tags") the scope names. Shared by the register-based and
// the queued interface, and callable by a replay directly.
#pragma once
#include <cstdint>

#include "model/core/cache/translation_caches.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/inv_descriptor.hpp"
#include "model/spec/inv_registers.hpp"
#include "model/spec/registers.hpp"

namespace vtd::core {

// Encodings are the CIRG/CAIG and IIRG/IAIG values (00 = not performed / error), defined with the register
// layouts in model/spec/inv_registers.hpp.
using spec::cc_granularity;
using spec::iotlb_granularity;
using spec::pc_granularity;
using spec::piotlb_granularity;

// The capability bits invalidation depends on: a projection of the unit's spec::caps (decoded once), which
// tests may also set field by field.
struct invalidation_caps {
  bool psi = true;         // CAP.PSI
  unsigned mamv = 18;      // CAP.MAMV
  unsigned mhmv = 15;      // ECAP.MHMV
  unsigned did_bits = 16;  // 4 + 2 * CAP.ND
  unsigned mgaw = 48;      // CAP.MGAW (bits above it in ADDR are ignored)
  unsigned haw = 46;       // status-write address bits above HAW are ignored
  bool dt = false;         // ECAP.DT: dev_tlb_inv_dsc accepted
  bool ir = false;         // ECAP.IR: iec_inv_dsc accepted
  bool pds = false;        // ECAP.PDS (bit 42): inv_wait PD accepted
  bool wide_ok = false;    // ECAP.SMTS or ECAP.ADMS: DW=1 queues accepted
  bool smts = false;       // ECAP.SMTS: the scalable-mode descriptors (pc, p_iotlb, p_dev_tlb) exist
  unsigned ver_major = 1;  // VER 7:4: register-based invalidation is rejected from 6 on

  static invalidation_caps from(const spec::caps& c);
  uint16_t mask_did(uint16_t did) const {
    return did_bits >= 16 ? did : uint16_t(did & ((1u << did_bits) - 1));
  }
};

struct cc_request {
  cc_granularity g = cc_granularity::global;
  uint16_t did = 0;
  uint16_t sid = 0;
  unsigned fm = 0;
  // Scalable mode (RTADDR.TTM=01b): the context-cache is not tagged by DID, so domain-selective is performed
  // as global and device-selective selects by SID+FM alone.
  bool scalable = false;
};
struct iotlb_request {
  iotlb_granularity g = iotlb_granularity::global;
  uint16_t did = 0;
  uint64_t addr = 0;  // page-selective: any address inside the 2^AM-page block
  unsigned am = 0;
  bool ih = false;  // 1: only leaf entries changed, keep the paging-structure caches
};
// pc_inv_dsc: PASID-cache entries only (software follows with p_iotlb / iotlb invalidations).
struct pc_request {
  pc_granularity g = pc_granularity::global;
  uint16_t did = 0;
  uint32_t pasid = 0;
};
// p_iotlb_inv_dsc: IOTLB entries tagged with DID and PASID (any stage, nested-combined included) and the
// first-stage paging-structure entries of DID and PASID; page-selective keeps the second-stage and
// pass-through entries (their address is not a first-stage input) and, with IH=1, the paging-structure
// entries. The second-stage paging-structure caches carry no PASID tag and are never touched.
struct piotlb_request {
  piotlb_granularity g = piotlb_granularity::pasid;
  uint16_t did = 0;
  uint32_t pasid = 0;
  uint64_t addr = 0;  // page-selective: any address inside the 2^AM-page block
  unsigned am = 0;
  bool ih = false;
};
struct iec_request {
  bool index_selective = false;
  uint32_t index = 0;
  unsigned im = 0;
};

struct invalidation_outcome {
  uint8_t performed = 0;  // CAIG / IAIG encoding actually performed (0: nothing done); pc / p_iotlb: G
  uint64_t removed = 0;   // entries removed (IOTLB + paging-structure caches for IOTLB requests)
};

// The naturally aligned block of 2^am 4 KiB pages holding addr: [base, base + length); length 0 = everything.
struct page_block {
  uint64_t base = 0;
  uint64_t length = 0;
};
page_block psi_block(uint64_t addr, unsigned am);

// These perform exactly the requested scope (the register / queue layers decide when to coarsen or refuse).
invalidation_outcome invalidate_context(translation_caches& c, const cc_request& r);
invalidation_outcome invalidate_iotlb(translation_caches& c, const iotlb_request& r);
invalidation_outcome invalidate_iec(translation_caches& c, const iec_request& r);
invalidation_outcome invalidate_pasid_cache(translation_caches& c, const pc_request& r);
invalidation_outcome invalidate_piotlb(translation_caches& c, const piotlb_request& r);

}  // namespace vtd::core
