// Legacy-mode context entry (VT-d spec 9.3 "Context Entry"): 128 bits, 256 per context table, indexed by
// devfn.
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

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

namespace context_fields {
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc FPD{"FPD", 1, 1, "fault processing disable"};
constexpr field_desc TT{"TT", 3, 2, "translation type"};
constexpr field_desc SLPTPTR{"SLPTPTR", 63, 12, "root of the second-level page table"};
constexpr field_desc AW{"AW", 66, 64, "address width of the second-level table"};
constexpr field_desc AVAIL{"IGN", 70, 67, "available to software, ignored"};
constexpr field_desc DID{"DID", 87, 72, "domain id: tags this device's cached translations"};
// RsvdZ in a present entry: 11:4, 71, 127:88, DID bits above CAP.ND, SLPTPTR bits 63:HAW.
constexpr const char* kReservedRanges = "11:4, 71, 127:88, ...";
}  // namespace context_fields

struct context_entry {
  uint64_t lo = 0;
  uint64_t hi = 0;

  bool present() const { return context_fields::P.get(lo); }
  bool fpd() const { return context_fields::FPD.get(lo); }
  translation_type tt() const { return static_cast<translation_type>(context_fields::TT.get(lo)); }
  uint64_t slptptr() const { return context_fields::SLPTPTR.in_place(lo); }
  unsigned aw() const { return static_cast<unsigned>(context_fields::AW.get(hi)); }
  unsigned avail() const { return static_cast<unsigned>(context_fields::AVAIL.get(hi)); }
  uint16_t did() const { return static_cast<uint16_t>(context_fields::DID.get(hi)); }

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
    using namespace context_fields;
    context_entry e;
    e.lo = SLPTPTR.in_place(slptptr) | TT.place(uint64_t(tt)) | FPD.place(fpd) | P.place(present);
    e.hi = AW.place(aw) | DID.place(did);
    return e;
  }
  static constexpr uint64_t size_bytes = 16;
};

}  // namespace vtd::spec
