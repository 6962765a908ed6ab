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
      o.removed = c.context().invalidate_domain(r.did);
      break;
    case cc_granularity::device:
      o.removed = c.context().invalidate_device(r.sid, r.fm, r.did);
      break;
    case cc_granularity::none:
      break;
  }
  return o;
}

invalidation_outcome invalidate_iotlb(translation_caches& c, const iotlb_request& r) {
  invalidation_outcome o;
  o.performed = uint8_t(r.g);
  switch (r.g) {
    case iotlb_granularity::global:  // all IOTLB and paging-structure entries
      o.removed = c.tlb().invalidate_global() + c.paging().invalidate_global();
      break;
    case iotlb_granularity::domain:  // everything tagged with DID
      o.removed = c.tlb().invalidate_domain(r.did) + c.paging().invalidate_domain(r.did);
      break;
    case iotlb_granularity::page: {  // DID + block; paging-structure entries over the block only when IH=0
      page_block b = psi_block(r.addr, r.am);
      if (b.length == 0) {
        o.removed = c.tlb().invalidate_domain(r.did) + (r.ih ? 0 : c.paging().invalidate_domain(r.did));
      } else {
        o.removed = c.tlb().invalidate_range(r.did, b.base, b.length);
        if (!r.ih) o.removed += c.paging().invalidate_range(r.did, b.base, b.length);
      }
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

}  // namespace vtd::core
