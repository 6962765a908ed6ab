// Register-based context-cache and IOTLB invalidation (VT-d spec 6.5.1, 11.4.4, 11.4.8; digest 1.7 / 1.8).
#include "model/core/invalidation/register_invalidation.hpp"

namespace vtd::core {
namespace {
// Register-based invalidation exists only in legacy mode, on major versions below 6, while QI is off (6.3).
bool usable(const invalidation_caps& caps, const register_inv_state& s) {
  return s.ttm == spec::reg::ttm::legacy && caps.ver_major < 6 && !s.qi_enabled;
}
}  // namespace

register_inv_result execute_ccmd(translation_caches& c, const invalidation_caps& caps,
                                 const register_inv_state& s, uint64_t v) {
  register_inv_result r;
  r.value = v;
  if (!(v & ccmd::ICC)) {
    r.note = register_inv_note::not_started;
    return r;
  }
  auto g = static_cast<cc_granularity>(spec::get_bits(v, 62, 61));
  if (!usable(caps, s))
    r.note = register_inv_note::wrong_mode;
  else if (g == cc_granularity::none)
    r.note = register_inv_note::reserved_request;
  else {
    cc_request req{g, caps.mask_did(uint16_t(spec::get_bits(v, 15, 0))), uint16_t(spec::get_bits(v, 31, 16)),
                   unsigned(spec::get_bits(v, 33, 32))};
    r.outcome = invalidate_context(c, req);
  }
  r.value = spec::set_bits(v & ~ccmd::ICC, 60, 59, r.outcome.performed);  // CAIG
  return r;
}

register_inv_result execute_iotlb(translation_caches& c, const invalidation_caps& caps,
                                  const register_inv_state& s, uint64_t v, uint64_t iva) {
  register_inv_result r;
  r.value = v;
  if (!(v & iotlb_reg::IVT)) {
    r.note = register_inv_note::not_started;
    return r;
  }
  auto g = static_cast<iotlb_granularity>(spec::get_bits(v, 61, 60));
  iotlb_request req{g, caps.mask_did(uint16_t(spec::get_bits(v, 47, 32))), 0, 0, false};
  if (!usable(caps, s)) {
    r.note = register_inv_note::wrong_mode;
  } else if (g == iotlb_granularity::none) {
    r.note = register_inv_note::reserved_request;
  } else if (g == iotlb_granularity::page && !caps.psi) {
    // The spec lets hardware invalidate at a coarser granularity than requested; domain-selective is the
    // next coarser scope and keeps software's view coherent.
    req.g = iotlb_granularity::domain;
    r.note = register_inv_note::coarsened;
    r.outcome = invalidate_iotlb(c, req);
  } else if (g == iotlb_granularity::page && spec::get_bits(iva, 5, 0) > caps.mamv) {
    r.note = register_inv_note::am_unsupported;  // "unsupported address mask value": IAIG = 00, ignored
  } else {
    if (g == iotlb_granularity::page) {
      uint64_t addr = iva & spec::field_mask(63, 12);
      if (caps.mgaw < 64) addr &= (uint64_t{1} << caps.mgaw) - 1;  // ADDR bits above MGAW are ignored
      req.addr = addr;
      req.am = unsigned(spec::get_bits(iva, 5, 0));
      req.ih = spec::get_bit(iva, 6);
    }
    r.outcome = invalidate_iotlb(c, req);
  }
  r.value = spec::set_bits(v & ~iotlb_reg::IVT, 58, 57, r.outcome.performed);  // IAIG
  return r;
}

}  // namespace vtd::core
