// How the page-table builders write and read one paging-entry format. The range logic (paging_tree) is the
// same for second-stage tables (VT-d spec 9.8 "Second-Stage Paging Entries") and first-stage tables (spec 9.7
// "First-Stage Paging Entries", IA-32e format); only the entries differ, and they are encoded here through
// the spec's entry types, never by bit position.
#pragma once
#include <cstdint>

#include "model/spec/fs_entry.hpp"
#include "model/spec/sl_entry.hpp"

namespace vtd::tables {

// Second-stage entries as the legacy builder always wrote them: non-leaf R=W=1 (rights are decided at the
// leaf, the walker ANDs every level), leaf R/W as mapped, PS=1 in 2 MiB / 1 GiB leaves.
struct sl_format {
  struct attrs {
    bool read = false, write = false;
  };
  bool present(uint64_t raw) const { return spec::sl_entry{raw}.present(); }
  bool is_leaf(uint64_t raw, unsigned level) const { return spec::sl_entry{raw}.is_leaf(level); }
  uint64_t address(uint64_t raw, unsigned level) const { return spec::sl_entry{raw}.address(level); }
  uint64_t table(uint64_t next) const { return spec::sl_entry::make_table(next).raw; }
  uint64_t leaf(unsigned level, uint64_t frame, const attrs& a) const {
    return spec::sl_entry::make_leaf(level, frame, a.read, a.write).raw;
  }
  attrs attrs_of(uint64_t raw) const { return {spec::sl_entry{raw}.r(), spec::sl_entry{raw}.w()}; }
  // A second-stage entry with R=W=0 is not present (spec 9.8), so such a mapping cannot be written.
  void check(uint64_t iova, const attrs& a) const;
};

// First-stage entries as Linux's intel-iommu writes them for a DMA domain: non-leaf P, R/W=1, U/S=1 and A=1
// (rights are decided at the leaf: the walker needs R/W and U/S at every level, spec 9.7); leaf P, R/W =
// write, U/S = user, XD = !execute, A and D as given (Linux presets A, and D on writable pages, so that the
// hardware never has to update them), PS=1 in 2 MiB / 1 GiB leaves.
struct fs_format {
  struct attrs {
    bool read = true;  // P=1 grants read: a present first-stage entry is always readable
    bool write = false, user = true, execute = true, accessed = true, dirty = false;
  };
  bool accessed_tables = true;  // A in non-leaf entries (false: left for the hardware to set)

  bool present(uint64_t raw) const { return spec::fs_entry{raw}.present(); }
  bool is_leaf(uint64_t raw, unsigned level) const { return spec::fs_entry{raw}.is_leaf(level); }
  uint64_t address(uint64_t raw, unsigned level) const { return spec::fs_entry{raw}.address(level); }
  uint64_t table(uint64_t next) const;
  uint64_t leaf(unsigned level, uint64_t frame, const attrs& a) const;
  attrs attrs_of(uint64_t raw) const;
  void check(uint64_t iova, const attrs& a) const;
};

}  // namespace vtd::tables
