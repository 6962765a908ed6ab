// Register-based invalidation (VT-d spec 6.5.1, 11.4.4 CCMD, 11.4.8 IVA/IOTLB_REG; digest 1.7, 1.8, 6.3):
// given the value software wrote, perform the invalidation and return the register value hardware leaves
// (ICC / IVT cleared, CAIG / IAIG set to the granularity actually performed, 00 when refused).
#pragma once
#include <cstdint>

#include "model/core/invalidation/invalidation_ops.hpp"

namespace vtd::core {

// CCMD fields: 63 ICC, 62:61 CIRG, 60:59 CAIG, 33:32 FM, 31:16 SID, 15:0 DID.
namespace ccmd {
constexpr uint64_t ICC = uint64_t{1} << 63;
inline uint64_t make(cc_granularity g, uint16_t did, uint16_t sid = 0, unsigned fm = 0) {
  return ICC | uint64_t(g) << 61 | uint64_t(fm & 3) << 32 | uint64_t(sid) << 16 | did;
}
inline unsigned caig(uint64_t v) {
  return unsigned(spec::get_bits(v, 60, 59));
}
}  // namespace ccmd

// IOTLB_REG fields: 63 IVT, 61:60 IIRG, 58:57 IAIG, 49 DR, 48 DW, 47:32 DID. IVA: 63:12 ADDR, 6 IH, 5:0 AM.
namespace iotlb_reg {
constexpr uint64_t IVT = uint64_t{1} << 63;
inline uint64_t make(iotlb_granularity g, uint16_t did) {
  return IVT | uint64_t(g) << 60 | uint64_t(did) << 32;
}
inline uint64_t make_iva(uint64_t addr, unsigned am, bool ih) {
  return (addr & spec::field_mask(63, 12)) | (ih ? 1u << 6 : 0u) | (am & 0x3F);
}
inline unsigned iaig(uint64_t v) {
  return unsigned(spec::get_bits(v, 58, 57));
}
}  // namespace iotlb_reg

// Why a request was refused or coarsened, for logs and tests.
enum class register_inv_note : uint8_t {
  done,              // performed as requested
  not_started,       // ICC / IVT was 0: nothing to do
  reserved_request,  // CIRG / IIRG = 00
  wrong_mode,        // TTM != legacy, VER major >= 6, or queued invalidation enabled
  am_unsupported,    // page-selective with AM > CAP.MAMV (spec: "incorrect request", IAIG = 00)
  coarsened,         // page-selective without CAP.PSI: performed domain-selective (IAIG = 10)
};

struct register_inv_result {
  uint64_t value = 0;  // new CCMD / IOTLB_REG value
  register_inv_note note = register_inv_note::done;
  invalidation_outcome outcome;
};

struct register_inv_state {
  spec::reg::ttm ttm = spec::reg::ttm::legacy;
  bool qi_enabled = false;  // GSTS.QIES
};

register_inv_result execute_ccmd(translation_caches& c, const invalidation_caps& caps,
                                 const register_inv_state& s, uint64_t ccmd_value);
register_inv_result execute_iotlb(translation_caches& c, const invalidation_caps& caps,
                                  const register_inv_state& s, uint64_t iotlb_value, uint64_t iva_value);

}  // namespace vtd::core
