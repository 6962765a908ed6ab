// Invalidation scopes over the translation caches (VT-d spec, register-based and queued invalidation).
#include "model/core/invalidation/invalidation_ops.hpp"

namespace vtd::core {

invalidation_caps invalidation_caps::from(const spec::caps& k) {
  invalidation_caps c;
  c.psi = k.psi;
  c.mamv = k.mamv;
  c.mhmv = k.mhmv;
  c.did_bits = k.did_bits;
  c.mgaw = k.mgaw;
  c.haw = k.haw;
  c.dt = k.dt;
  c.ir = k.ir;
  c.pds = k.pds;
  c.wide_ok = k.wide_descriptors();
  c.smts = k.smts;
  c.ver_major = k.ver_major;
  return c;
}

page_block psi_block(uint64_t addr, unsigned am) {
  if (am >= 52) return {0, 0};  // 2^52 pages of 4 KiB: the whole 64-bit space
  uint64_t length = spec::kPageSize << am;
  return {addr & ~(length - 1), length};
}

invalidation_outcome invalidate_context(translation_caches& c, const cc_request& r) {
  invalidation_outcome o;
  o.performed = uint8_t(r.g);
  switch (r.g) {
    case cc_granularity::global:
      o.removed = c.context().invalidate_global();
      break;
    case cc_granularity::domain:
      if (r.scalable) {  // no DID tag to select by: the whole context-cache goes
        o.performed = uint8_t(cc_granularity::global);
        o.removed = c.context().invalidate_global();
      } else {
        o.removed = c.context().invalidate_domain(r.did);
      }
      break;
    case cc_granularity::device:
      // A scalable-mode entry matches by SID+FM whatever the DID (context_cache::invalidate_device).
      o.removed = c.context().invalidate_device(r.sid, r.fm, r.did);
      break;
    case cc_granularity::none:
      break;
  }
  return o;
}

// iotlb_inv_dsc and IOTLB_REG. In scalable mode the IOTLB also holds first-stage, nested and PASID-tagged
// entries and the unit has first-stage paging-structure caches; the scopes below name them by DID alone, so
// the same code serves both modes (legacy mode never has first-stage entries). Page-selective: the address
// is a second-stage input, so every first-stage and nested entry of the DID goes whatever its address, the
// first-stage paging-structure entries included (a nested one holds a table address the second stage
// translated), and IH keeps only the second-stage paging-structure entries.
invalidation_outcome invalidate_iotlb(translation_caches& c, const iotlb_request& r) {
  invalidation_outcome o;
  o.performed = uint8_t(r.g);
  switch (r.g) {
    case iotlb_granularity::global:  // all IOTLB and paging-structure entries
      o.removed =
          c.tlb().invalidate_global() + c.paging().invalidate_global() + c.fs_paging().invalidate_global();
      break;
    case iotlb_granularity::domain:  // everything tagged with DID, every PASID and stage
      o.removed = c.tlb().invalidate_domain(r.did) + c.paging().invalidate_domain(r.did) +
                  c.fs_paging().invalidate_domain(r.did);
      break;
    case iotlb_granularity::page: {  // DID + block; paging-structure entries over the block only when IH=0
      page_block b = psi_block(r.addr, r.am);
      if (b.length == 0) {
        o.removed = c.tlb().invalidate_domain(r.did) + (r.ih ? 0 : c.paging().invalidate_domain(r.did));
      } else {
        o.removed = c.tlb().invalidate_page_selective(r.did, b.base, b.length);
        if (!r.ih) o.removed += c.paging().invalidate_range(r.did, b.base, b.length);
      }
      o.removed += c.fs_paging().invalidate_domain(r.did);
      break;
    }
    case iotlb_granularity::none:
      break;
  }
  return o;
}

invalidation_outcome invalidate_iec(translation_caches& c, const iec_request& r) {
  invalidation_outcome o;
  o.performed = r.index_selective ? 2 : 1;
  o.removed =
      r.index_selective ? c.interrupt().invalidate_index(r.index, r.im) : c.interrupt().invalidate_global();
  return o;
}

invalidation_outcome invalidate_pasid_cache(translation_caches& c, const pc_request& r) {
  invalidation_outcome o;
  o.performed = uint8_t(r.g);
  switch (r.g) {
    case pc_granularity::global:
      o.removed = c.pasid().invalidate_global();
      break;
    case pc_granularity::domain:
      o.removed = c.pasid().invalidate_domain(r.did);
      break;
    case pc_granularity::pasid:
      o.removed = c.pasid().invalidate_pasid(r.did, r.pasid);
      break;
    case pc_granularity::reserved:
      o.performed = 0;  // not an invalidation (the queue refuses it with IQE)
      break;
  }
  return o;
}

invalidation_outcome invalidate_piotlb(translation_caches& c, const piotlb_request& r) {
  invalidation_outcome o;
  o.performed = uint8_t(r.g);
  switch (r.g) {
    case piotlb_granularity::pasid:
      o.removed = c.tlb().invalidate_pasid(r.did, r.pasid) + c.fs_paging().invalidate_pasid(r.did, r.pasid);
      break;
    case piotlb_granularity::page: {
      page_block b = psi_block(r.addr, r.am);
      if (b.length == 0) {  // the whole address space: every first-stage and nested entry of the PASID
        o.removed = c.tlb().invalidate_pasid_range(r.did, r.pasid, 0, ~uint64_t{0}) +
                    (r.ih ? 0 : c.fs_paging().invalidate_pasid(r.did, r.pasid));
      } else {
        o.removed = c.tlb().invalidate_pasid_range(r.did, r.pasid, b.base, b.length);
        if (!r.ih) o.removed += c.fs_paging().invalidate_pasid_range(r.did, r.pasid, b.base, b.length);
      }
      break;
    }
    case piotlb_granularity::reserved0:
    case piotlb_granularity::reserved1:
      o.performed = 0;  // not an invalidation (the queue refuses it with IQE)
      break;
  }
  return o;
}

}  // namespace vtd::core
