// Legacy-mode root entry (VT-d spec 9.1 "Root Entry"): 128 bits, 256 per 4 KiB root table, indexed by bus.
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

namespace vtd::spec {

namespace root_fields {
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc CTP{"CTP", 63, 12, "context-table pointer (host physical)"};
// RsvdZ in a present entry: 11:1, 127:64 and CTP bits 63:HAW.
constexpr const char* kReservedRanges = "11:1, 127:64, 63:HAW";
}  // namespace root_fields

struct root_entry {
  uint64_t lo = 0;  // QW0
  uint64_t hi = 0;  // QW1: RsvdZ in legacy mode

  bool present() const { return root_fields::P.get(lo); }
  uint64_t ctp() const { return root_fields::CTP.in_place(lo); }
  // Reserved bits for a present entry: 11:1, CTP bits 63:haw, all of 127:64 (LRT.3 / fault 0Ah).
  uint64_t reserved_lo(unsigned haw) const { return lo & (field_mask(11, 1) | above_width_mask(haw)); }
  uint64_t reserved_hi() const { return hi; }
  bool has_reserved(unsigned haw) const { return reserved_lo(haw) != 0 || reserved_hi() != 0; }

  static root_entry make(uint64_t context_table, bool present = true) {
    return root_entry{root_fields::CTP.in_place(context_table) | root_fields::P.place(present), 0};
  }
  static constexpr uint64_t size_bytes = 16;
};

}  // namespace vtd::spec
