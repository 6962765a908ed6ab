// Register-based invalidation (VT-d spec "Register-based Invalidation Interface": CCMD_REG, IVA_REG,
// IOTLB_REG): given the value software wrote, perform the invalidation and return the register value hardware
// leaves (ICC / IVT cleared, CAIG / IAIG set to the granularity actually performed, 00 when refused).
#pragma once
#include <cstdint>

#include "model/core/invalidation/invalidation_ops.hpp"

namespace vtd::core {

// The register layouts live in model/spec/inv_registers.hpp; these names keep the core's spelling.
namespace ccmd {
constexpr uint64_t ICC = spec::ccmd::ICC.place(1);
using spec::ccmd::caig;
using spec::ccmd::make;
}  // namespace ccmd
namespace iotlb_reg {
constexpr uint64_t IVT = spec::iotlb_reg::IVT.place(1);
using spec::iotlb_reg::iaig;
using spec::iotlb_reg::make;
inline uint64_t make_iva(uint64_t addr, unsigned am, bool ih) {
  return spec::iva_reg::make(addr, am, ih);
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
