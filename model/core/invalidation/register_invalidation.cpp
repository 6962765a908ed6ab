// Register-based context-cache and IOTLB invalidation (VT-d spec CCMD_REG, IVA_REG, IOTLB_REG).
#include "model/core/invalidation/register_invalidation.hpp"

namespace vtd::core {
namespace {
// Register-based invalidation exists only in legacy mode, on major versions below 6, while QI is off.
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
  namespace f = spec::ccmd;
  const cc_granularity g = f::cirg(v);
  if (!usable(caps, s))
    r.note = register_inv_note::wrong_mode;
  else if (g == cc_granularity::none)
    r.note = register_inv_note::reserved_request;
  else {
    cc_request req{g, caps.mask_did(uint16_t(f::DID.get(v))), uint16_t(f::SID.get(v)),
                   unsigned(f::FM.get(v))};
    r.outcome = invalidate_context(c, req);
  }
  r.value = (v & ~ccmd::ICC & ~f::CAIG.place(3)) | f::CAIG.place(r.outcome.performed);
  return r;
}

register_inv_result execute_iotlb(translation_caches& c, const invalidation_caps& caps,
                                  const register_inv_state& s, uint64_t v, uint64_t iva_value) {
  register_inv_result r;
  r.value = v;
  if (!(v & iotlb_reg::IVT)) {
    r.note = register_inv_note::not_started;
    return r;
  }
  namespace f = spec::iotlb_reg;
  namespace iva = spec::iva_reg;
  const iotlb_granularity g = f::iirg(v);
  iotlb_request req{g, caps.mask_did(uint16_t(f::DID.get(v))), 0, 0, false};
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
  } else if (g == iotlb_granularity::page && iva::AM.get(iva_value) > caps.mamv) {
    r.note = register_inv_note::am_unsupported;  // "unsupported address mask value": IAIG = 00, ignored
  } else {
    if (g == iotlb_granularity::page) {
      uint64_t addr = iva::ADDR.in_place(iva_value);
      if (caps.mgaw < 64) addr &= (uint64_t{1} << caps.mgaw) - 1;  // ADDR bits above MGAW are ignored
      req.addr = addr;
      req.am = unsigned(iva::AM.get(iva_value));
      req.ih = iva::IH.get(iva_value);
    }
    r.outcome = invalidate_iotlb(c, req);
  }
  r.value = (v & ~iotlb_reg::IVT & ~f::IAIG.place(3)) | f::IAIG.place(r.outcome.performed);
  return r;
}

}  // namespace vtd::core
