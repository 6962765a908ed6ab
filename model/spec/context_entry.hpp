// Legacy-mode context entry (VT-d spec 9.3, digest section 2): 128 bits, 256 per context table, indexed by
// devfn.
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"

namespace vtd::spec {

// TT (bits 3:2): translation type.
enum class translation_type : uint8_t {
  untranslated_only = 0,  // 00b: untranslated requests walk SL tables; ATS requests blocked
  device_tlb = 1,         // 01b: untranslated, translation and translated requests (needs ECAP.DT)
  pass_through = 2,       // 10b: untranslated requests pass through (needs ECAP.PT)
  reserved = 3,           // 11b
};

const char* to_string(translation_type tt);

// AW (bits 66:64): adjusted guest address width. 1 -> 39-bit/3-level, 2 -> 48/4, 3 -> 57/5.
constexpr unsigned aw_to_levels(unsigned aw) {
  return aw + 2;
}
constexpr unsigned aw_to_agaw(unsigned aw) {
  return 30 + 9 * aw;
}
constexpr unsigned agaw_to_aw(unsigned agaw) {
  return (agaw - 30) / 9;
}

struct context_entry {
  uint64_t lo = 0;
  uint64_t hi = 0;

  bool present() const { return get_bit(lo, 0); }                                            // P (0)
  bool fpd() const { return get_bit(lo, 1); }                                                // FPD (1)
  translation_type tt() const { return static_cast<translation_type>(get_bits(lo, 3, 2)); }  // TT (3:2)
  uint64_t slptptr() const { return lo & field_mask(63, 12); }                  // SLPTPTR (63:12)
  unsigned aw() const { return static_cast<unsigned>(get_bits(hi, 2, 0)); }     // AW (66:64)
  unsigned avail() const { return static_cast<unsigned>(get_bits(hi, 6, 3)); }  // IGN (70:67)
  uint16_t did() const { return static_cast<uint16_t>(get_bits(hi, 23, 8)); }   // DID (87:72)

  // Reserved for a present entry (LCT.3 / fault 0Bh): 11:4, SLPTPTR 63:haw, bit 71, DID bits above the
  // CAP.ND width, 127:88.
  uint64_t reserved_lo(unsigned haw) const { return lo & (field_mask(11, 4) | above_width_mask(haw)); }
  uint64_t reserved_hi(unsigned did_bits) const {
    uint64_t mask = field_mask(7, 7) | field_mask(63, 24);
    if (did_bits < 16) mask |= field_mask(23, 8 + did_bits);
    return hi & mask;
  }
  bool has_reserved(unsigned haw, unsigned did_bits) const {
    return reserved_lo(haw) != 0 || reserved_hi(did_bits) != 0;
  }

  static context_entry make(uint64_t slptptr, unsigned aw, uint16_t did, translation_type tt,
                            bool fpd = false, bool present = true) {
    context_entry e;
    e.lo = (slptptr & field_mask(63, 12)) | (uint64_t(tt) << 2) | (fpd ? 2u : 0u) | (present ? 1u : 0u);
    e.hi = (uint64_t(aw) & 7) | (uint64_t(did) << 8);
    return e;
  }
  static constexpr uint64_t size_bytes = 16;
};

}  // namespace vtd::spec
