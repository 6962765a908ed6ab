// First-stage paging entry, IA-32e format (VT-d spec 9.7 "First-Stage Paging Entries";
// the Intel SDM's IA-32e paging tables for the shared bits): 64 bits, 512 per 4 KiB table, scalable mode
// only. Level 1 is the PTE, 2 the PDE, 3 the PDPE, 4 the PML4E, 5 the PML5E (FLPM=01b). 2 MiB leaves are
// always supported, 1 GiB leaves need CAP.FL1GP.
#pragma once
#include <array>
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

namespace vtd::spec {

// What the first-stage reserved-bit check depends on.
struct fs_check_config {
  unsigned haw = 46;         // bits 51:haw of an address field are RsvdZ
  bool super_1g = false;     // CAP.FL1GP: PS=1 in a PDPE is RsvdZ without it
  bool xd_reserved = false;  // Rev 3.x with NXE=0 in the PASID entry: XD (63) is RsvdZ; 4.x/5.x ignore it
};

namespace fs_fields {
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc RW{"R/W", 1, 1, "read/write: writes allowed"};
constexpr field_desc US{"U/S", 2, 2, "user/supervisor: user requests allowed"};
constexpr field_desc PWT{"PWT", 3, 3, "page-level write-through"};
constexpr field_desc PCD{"PCD", 4, 4, "page-level cache disable"};
constexpr field_desc A{"A", 5, 5, "accessed"};
constexpr field_desc D{"D", 6, 6, "dirty (leaf only)"};
constexpr field_desc PS{"PS", 7, 7, "page size: the PDE/PDPE maps a 2 MiB/1 GiB page"};
constexpr field_desc PAT_4K{"PAT", 7, 7, "page attribute table index bit (4 KiB PTE)"};
constexpr field_desc G{"G", 8, 8, "global (leaf only)"};
constexpr field_desc EA{"EA", 10, 10, "extended accessed (with EAFE=1)"};
constexpr field_desc PAT_LARGE{"PAT", 12, 12, "page attribute table index bit (2 MiB/1 GiB leaf)"};
constexpr field_desc XD{"XD", 63, 63, "execute disable"};
constexpr field_desc ADDR_TABLE{"ADDR", 51, 12, "address of the next table"};
constexpr field_desc ADDR_4K{"ADDR", 51, 12, "page frame"};
constexpr field_desc ADDR_2M{"ADDR", 51, 21, "page frame"};
constexpr field_desc ADDR_1G{"ADDR", 51, 30, "page frame"};
constexpr std::array<field_desc, 13> kAll{P, RW, US, PWT, PCD, A, D, PS, G, EA, PAT_LARGE, XD, ADDR_TABLE};
constexpr const field_desc& address_field(unsigned level, bool leaf) {
  return !leaf ? ADDR_TABLE : level == 3 ? ADDR_1G : level == 2 ? ADDR_2M : ADDR_4K;
}
constexpr const char* kReservedRanges =
    "51:HAW; PS in PML5E/PML4E (and PDPE without FL1GP); 20:13 (2 MiB), 29:13 (1 GiB); XD per revision";
}  // namespace fs_fields

struct fs_fields_t {
  bool p = false, rw = false, us = false, pwt = false, pcd = false, a = false, d = false, ps = false;
  bool g = false, ea = false, xd = false;
  // 51:12 in place, level-independent: in a 2 MiB / 1 GiB leaf bit 12 of this is the PAT bit and the frame
  // is address(level); in a 4 KiB PTE bit 7 (ps) is the PAT bit.
  uint64_t addr = 0;
  friend constexpr bool operator==(const fs_fields_t&, const fs_fields_t&) = default;
};

struct fs_entry {
  uint64_t raw = 0;

  bool present() const { return fs_fields::P.get(raw); }
  bool rw() const { return fs_fields::RW.get(raw); }
  bool us() const { return fs_fields::US.get(raw); }
  bool pwt() const { return fs_fields::PWT.get(raw); }
  bool pcd() const { return fs_fields::PCD.get(raw); }
  bool a() const { return fs_fields::A.get(raw); }
  bool d() const { return fs_fields::D.get(raw); }
  bool ps() const { return fs_fields::PS.get(raw); }
  bool g() const { return fs_fields::G.get(raw); }
  bool ea() const { return fs_fields::EA.get(raw); }
  bool xd() const { return fs_fields::XD.get(raw); }
  // The PAT bit of a leaf: bit 7 in a 4 KiB PTE, bit 12 in a 2 MiB / 1 GiB leaf.
  bool pat(unsigned level) const {
    return level == 1 ? fs_fields::PAT_4K.get(raw) : fs_fields::PAT_LARGE.get(raw);
  }

  // True when the entry ends the walk at `level` (a PTE, or PS=1 in a PDE/PDPE).
  bool is_leaf(unsigned level) const { return level == 1 || ((level == 2 || level == 3) && ps()); }
  uint64_t address(unsigned level) const {
    return fs_fields::address_field(level, is_leaf(level)).in_place(raw);
  }

  // Reserved bits of a present entry at `level` (SFS.3 / fault 72h).
  uint64_t reserved_mask(unsigned level, const fs_check_config& cfg) const {
    uint64_t mask = above_width_mask(cfg.haw, 51);
    if (level >= 4) mask |= field_mask(7, 7);                           // PS RsvdZ in PML5E / PML4E
    if (level == 3 && ps() && !cfg.super_1g) mask |= field_mask(7, 7);  // 1 GiB pages need FL1GP
    if (level == 2 && ps()) mask |= field_mask(20, 13);                 // 2 MiB frame: 20:13 (12 is PAT)
    if (level == 3 && ps()) mask |= field_mask(29, 13);                 // 1 GiB frame: 29:13 (12 is PAT)
    if (cfg.xd_reserved) mask |= field_mask(63, 63);
    return mask;
  }
  uint64_t reserved_bits(unsigned level, const fs_check_config& cfg) const {
    return raw & reserved_mask(level, cfg);
  }

  fs_fields_t decode() const {
    return {present(), rw(), us(), pwt(), pcd(), a(),
            d(),       ps(), g(),  ea(),  xd(),  fs_fields::ADDR_TABLE.in_place(raw)};
  }
  static fs_entry encode(const fs_fields_t& f) {
    using namespace fs_fields;
    return fs_entry{P.place(f.p) | RW.place(f.rw) | US.place(f.us) | PWT.place(f.pwt) | PCD.place(f.pcd) |
                    A.place(f.a) | D.place(f.d) | PS.place(f.ps) | G.place(f.g) | EA.place(f.ea) |
                    XD.place(f.xd) | ADDR_TABLE.in_place(f.addr)};
  }
  static fs_entry make_table(uint64_t next_table, bool rw = true, bool us = true) {
    fs_fields_t f;
    f.p = true;
    f.rw = rw;
    f.us = us;
    f.addr = next_table;
    return encode(f);
  }
  // A leaf at level 1 (4 KiB), 2 (2 MiB, PS=1) or 3 (1 GiB, PS=1).
  static fs_entry make_leaf(unsigned level, uint64_t frame, bool rw, bool us, bool xd = false) {
    fs_fields_t f;
    f.p = true;
    f.rw = rw;
    f.us = us;
    f.xd = xd;
    f.ps = level > 1;
    f.addr = fs_fields::address_field(level, true).in_place(frame);
    return encode(f);
  }
};

}  // namespace vtd::spec
