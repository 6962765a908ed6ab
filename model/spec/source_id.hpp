// Source-id (requester id) masks (VT-d spec 11.4.4 CCMD_REG.FM, cc_inv_dsc FM, 9.10 IRTE SQ): the
// function-mask field FM and the source-id qualifier SQ share one 2-bit encoding: 00 compare all 16 bits,
// 01 ignore SID[2], 10 ignore SID[2:1], 11 ignore SID[2:0].
#pragma once
#include <cstdint>

namespace vtd::spec {

// The 16-bit AND mask over a source-id for an FM / SQ value.
constexpr uint16_t sid_function_mask(unsigned fm_or_sq) {
  constexpr uint16_t masks[4] = {0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8};
  return masks[fm_or_sq & 3];
}

}  // namespace vtd::spec
