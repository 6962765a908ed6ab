// Second-level (second-stage) paging entry (VT-d spec 9.8 "Second-Stage Paging Entries"): 64 bits, 512 per
// 4 KiB table. Level 1 is the PTE level, level 5 the PML5E.
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

namespace vtd::spec {

constexpr unsigned kMaxLevels = 5;

// Input-address bits consumed at a level: 9 bits per level above the 12-bit page offset.
constexpr unsigned level_shift(unsigned level) {
  return 12 + 9 * (level - 1);
}
constexpr unsigned level_index(uint64_t addr, unsigned level) {
  return static_cast<unsigned>((addr >> level_shift(level)) & 0x1FF);
}
// Bytes mapped by one leaf at this level: 4 KiB (1), 2 MiB (2), 1 GiB (3).
constexpr uint64_t level_page_size(unsigned level) {
  return uint64_t{1} << level_shift(level);
}

// What the reserved-bit check needs to know about the hardware (CAP/ECAP and the platform).
struct sl_check_config {
  unsigned haw = 46;           // host address width: bits 51:haw of an address field are RsvdZ
  bool super_2m = true;        // CAP.SLLPS bit 0
  bool super_1g = true;        // CAP.SLLPS bit 1
  bool snoop_control = false;  // ECAP.SC: SNP (bit 11) in a leaf is reserved without it
  bool device_tlb = false;     // ECAP.DT: TM (bit 62) in a leaf is reserved without it (3.x definition)
};

namespace sl_fields {
constexpr field_desc R{"R", 0, 0, "read permission"};
constexpr field_desc W{"W", 1, 1, "write permission"};
constexpr field_desc PS{"PS", 7, 7, "page size: the entry maps a page instead of pointing to a table"};
constexpr field_desc A{"A", 8, 8, "accessed (set by hardware with SLADE=1 in scalable mode)"};
constexpr field_desc D{"D", 9, 9, "dirty, leaf only (set by hardware with SLADE=1 in scalable mode)"};
constexpr field_desc SNP{"SNP", 11, 11, "snoop behaviour (needs ECAP.SC)"};
constexpr field_desc TM{"TM", 62, 62, "transient mapping (needs ECAP.DT)"};
// ADDR: the next table (51:12) in a non-leaf entry; the page frame in a leaf: 51:12 (4 KiB), 51:21 (2 MiB),
// 51:30 (1 GiB).
constexpr field_desc ADDR_TABLE{"ADDR", 51, 12, "host physical address of the next table"};
constexpr field_desc ADDR_4K{"ADDR", 51, 12, "host physical page frame"};
constexpr field_desc ADDR_2M{"ADDR", 51, 21, "host physical page frame"};
constexpr field_desc ADDR_1G{"ADDR", 51, 30, "host physical page frame"};
constexpr const field_desc& address_field(unsigned level, bool leaf) {
  return !leaf ? ADDR_TABLE : level == 3 ? ADDR_1G : level == 2 ? ADDR_2M : ADDR_4K;
}
// RsvdZ bits depend on the level, PS, CAP.SLLPS, ECAP.SC / DT and HAW (spec 9.8).
constexpr const char* kReservedRanges = "see spec 9.8";
}  // namespace sl_fields

struct sl_entry {
  uint64_t raw = 0;

  bool r() const { return sl_fields::R.get(raw); }
  bool w() const { return sl_fields::W.get(raw); }
  bool x() const { return get_bit(raw, 2); }  // X (2): ignored in legacy mode
  unsigned emt() const { return static_cast<unsigned>(get_bits(raw, 5, 3)); }  // EMT (5:3), leaf
  bool ipat() const { return get_bit(raw, 6); }                                // IPAT (6), leaf
  bool ps() const { return sl_fields::PS.get(raw); }                           // PS (7) at PDPE/PDE
  bool a() const { return sl_fields::A.get(raw); }                             // A (8)
  bool d() const { return sl_fields::D.get(raw); }                             // D (9), leaf
  bool snp() const { return sl_fields::SNP.get(raw); }                         // SNP (11), leaf
  bool tm() const { return sl_fields::TM.get(raw); }                           // TM (62), leaf
  bool present() const { return r() || w(); }                                  // not present when R=W=0

  // True when this entry ends the walk at `level` (a 4 KiB PTE, or PS=1 at level 2/3).
  bool is_leaf(unsigned level) const { return level == 1 || ((level == 2 || level == 3) && ps()); }
  // Next-table address or page frame, with the low bits the page size implies cleared.
  uint64_t address(unsigned level) const {
    return sl_fields::address_field(level, is_leaf(level)).in_place(raw);
  }

  uint64_t reserved_mask(unsigned level, const sl_check_config& cfg) const {
    uint64_t mask = above_width_mask(cfg.haw, 51);
    if (level >= 4) mask |= field_mask(7, 7);  // PS is RsvdZ in PML5E / PML4E
    if (level == 2 && ps() && !cfg.super_2m) mask |= field_mask(7, 7);
    if (level == 3 && ps() && !cfg.super_1g) mask |= field_mask(7, 7);
    if (!is_leaf(level)) {
      mask |= field_mask(11, 11);  // bit 11 RsvdZ in non-leaf entries
    } else {
      if (!cfg.snoop_control) mask |= field_mask(11, 11);
      if (!cfg.device_tlb) mask |= field_mask(62, 62);
      if (level == 2) mask |= field_mask(20, 12);  // 2 MiB frame: 20:12 RsvdZ
      if (level == 3) mask |= field_mask(29, 12);  // 1 GiB frame: 29:12 RsvdZ
    }
    return mask;
  }
  uint64_t reserved_bits(unsigned level, const sl_check_config& cfg) const {
    return raw & reserved_mask(level, cfg);
  }

  static sl_entry make_table(uint64_t next_table, bool r = true, bool w = true) {
    return sl_entry{(next_table & field_mask(51, 12)) | (r ? 1u : 0u) | (w ? 2u : 0u)};
  }
  static sl_entry make_leaf(unsigned level, uint64_t frame, bool r, bool w, bool snp = false) {
    uint64_t v = (frame & field_mask(51, 12)) | (r ? 1u : 0u) | (w ? 2u : 0u) | (snp ? (1u << 11) : 0u);
    if (level > 1) v |= 1u << 7;
    return sl_entry{v};
  }
};

}  // namespace vtd::spec
