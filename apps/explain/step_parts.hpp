// The pieces every explained step is made of (internal to apps/explain): a decoded field named by its spec
// descriptor, the paging level names, and a step's copy of what the walk record read. Each builder of steps
// (legacy_steps, sm_steps, paging_steps) uses these, so a step looks the same whichever mode made it.
#pragma once
#include <fmt/format.h>

#include <string>

#include "apps/explain/explanation.hpp"
#include "model/core/walk_record.hpp"
#include "model/spec/field.hpp"

namespace vtd::explain::parts {

inline std::string yn(bool b) {
  return b ? "1" : "0";
}
inline std::string bin(uint64_t v, unsigned width) {
  return fmt::format("{:0{}b}b", v, width);
}

// A decoded field: name and bit range from the spec's descriptor, the value and what it means here.
inline field described(const spec::field_desc& d, std::string value, std::string meaning) {
  return {d.name, d.bits(), std::move(value), std::move(meaning)};
}
inline field described(const spec::field_desc& d, std::string value) {
  return described(d, std::move(value), d.meaning);
}

// The tables and entries of a 4 KiB-table paging hierarchy, by level (1 = page table); the same names serve
// the second stage (spec 9.8) and the IA-32e first stage (spec 9.7).
inline const char* level_table_name(unsigned level) {
  switch (level) {
    case 5:
      return "PML5 table";
    case 4:
      return "PML4 table";
    case 3:
      return "PDPT";
    case 2:
      return "page directory";
    default:
      return "page table";
  }
}
inline const char* level_entry_name(unsigned level) {
  switch (level) {
    case 5:
      return "PML5E";
    case 4:
      return "PML4E";
    case 3:
      return "PDPE";
    case 2:
      return "PDE";
    default:
      return "PTE";
  }
}
inline const char* page_size_name(uint64_t bytes) {
  return bytes >= (uint64_t{1} << 30) ? "1 GiB" : bytes >= (uint64_t{2} << 20) ? "2 MiB" : "4 KiB";
}

// A step of `kind` with what the walk record read: where, the index, and the raw entry (every quadword).
inline step read_step(const core::walk_step& w, std::string kind) {
  step s;
  s.kind = std::move(kind);
  s.level = w.level;
  s.table_base = w.table_base;
  s.entry_address = w.entry_address;
  s.index = w.index;
  s.read_ok = w.ok;
  s.raw_lo = w.raw_lo;
  s.raw_hi = w.raw_hi;
  s.wide = w.raw_qwords > 1;
  for (unsigned i = 2; i < w.raw_qwords; ++i) s.raw_upper.push_back(w.qw(i));
  return s;
}

}  // namespace vtd::explain::parts
