// Scalable-mode root entry (VT-d spec 9.2 "Scalable-Mode Root Entry"): 128 bits, 256 per
// 4 KiB root table, indexed by bus. The lower half points to the context table for devfn 0-127, the upper
// half to the one for devfn 128-255; each half has its own present bit and is checked only when used.
#pragma once
#include <array>
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

namespace vtd::spec {

namespace sm_root_fields {
constexpr field_desc LP{"LP", 0, 0, "lower present: the lower context table (devfn 0-127) is valid"};
constexpr field_desc LCTP{"LCTP", 63, 12, "lower context-table pointer (host physical)"};
constexpr field_desc UP{"UP", 64, 64, "upper present: the upper context table (devfn 128-255) is valid"};
constexpr field_desc UCTP{"UCTP", 127, 76, "upper context-table pointer (host physical)"};
constexpr std::array<field_desc, 4> kAll{LP, LCTP, UP, UCTP};
// RsvdZ, per half and only when that half is present: 11:1 and LCTP bits 63:HAW; 75:65 and UCTP bits
// 127:64+HAW.
constexpr const char* kReservedRanges = "11:1, 63:HAW (LP=1); 75:65, 127:64+HAW (UP=1)";
}  // namespace sm_root_fields

// The decoded entry. Addresses are kept in place (4 KiB aligned), as the spec's pointer fields mean them.
struct sm_root_fields_t {
  bool lp = false;
  uint64_t lctp = 0;
  bool up = false;
  uint64_t uctp = 0;
  friend constexpr bool operator==(const sm_root_fields_t&, const sm_root_fields_t&) = default;
};

struct sm_root_entry {
  uint64_t lo = 0;  // QW0: lower half
  uint64_t hi = 0;  // QW1: upper half

  bool lp() const { return sm_root_fields::LP.get(lo); }
  uint64_t lctp() const { return sm_root_fields::LCTP.in_place(lo); }
  bool up() const { return sm_root_fields::UP.get(hi); }
  uint64_t uctp() const { return sm_root_fields::UCTP.in_place(hi); }
  // The half a devfn uses: devfn 0-127 the lower, 128-255 the upper.
  static constexpr bool upper_half(unsigned devfn) { return devfn >= 128; }
  bool present_for(unsigned devfn) const { return upper_half(devfn) ? up() : lp(); }
  uint64_t ctp_for(unsigned devfn) const { return upper_half(devfn) ? uctp() : lctp(); }

  // Reserved-bit masks of each quadword (SRT.3 / fault 3Ah), to be applied only to a present half.
  static constexpr uint64_t reserved_mask_lo(unsigned haw) {
    return field_mask(11, 1) | above_width_mask(haw);
  }
  static constexpr uint64_t reserved_mask_hi(unsigned haw) {
    return field_mask(11, 1) | above_width_mask(haw);
  }
  uint64_t reserved_lo(unsigned haw) const { return lp() ? lo & reserved_mask_lo(haw) : 0; }
  uint64_t reserved_hi(unsigned haw) const { return up() ? hi & reserved_mask_hi(haw) : 0; }
  // Reserved bits in the half the devfn uses.
  uint64_t reserved_for(unsigned devfn, unsigned haw) const {
    return upper_half(devfn) ? reserved_hi(haw) : reserved_lo(haw);
  }

  sm_root_fields_t decode() const { return {lp(), lctp(), up(), uctp()}; }
  static sm_root_entry encode(const sm_root_fields_t& f) {
    using namespace sm_root_fields;
    return sm_root_entry{LCTP.in_place(f.lctp) | LP.place(f.lp), UCTP.in_place(f.uctp) | UP.place(f.up)};
  }
  static sm_root_entry make(uint64_t lower_table, uint64_t upper_table, bool lp = true, bool up = true) {
    return encode({lp, lower_table, up, upper_table});
  }
  static constexpr uint64_t size_bytes = 16;
};

}  // namespace vtd::spec
