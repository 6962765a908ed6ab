// Paging-entry formats of the builders (see header).
#include "tables/paging_format.hpp"

#include <fmt/format.h>

#include "tables/table_error.hpp"

namespace vtd::tables {

void sl_format::check(uint64_t iova, const attrs& a) const {
  if (!a.read && !a.write)
    throw table_error(fmt::format("map iova 0x{:x}: a mapping needs read or write", iova));
}

uint64_t fs_format::table(uint64_t next) const {
  spec::fs_fields_t f;
  f.p = true;
  f.rw = true;
  f.us = true;
  f.a = accessed_tables;
  f.addr = next;
  return spec::fs_entry::encode(f).raw;
}

uint64_t fs_format::leaf(unsigned level, uint64_t frame, const attrs& a) const {
  spec::fs_fields_t f;
  f.p = true;
  f.rw = a.write;
  f.us = a.user;
  f.xd = !a.execute;
  f.a = a.accessed;
  f.d = a.dirty;
  f.ps = level > 1;
  // The frame field of a 2 MiB / 1 GiB leaf starts above its PAT bit (12), which stays 0 (PAT index 0).
  f.addr = spec::fs_fields::address_field(level, true).in_place(frame);
  return spec::fs_entry::encode(f).raw;
}

fs_format::attrs fs_format::attrs_of(uint64_t raw) const {
  const spec::fs_entry e{raw};
  return {true, e.rw(), e.us(), !e.xd(), e.a(), e.d()};
}

void fs_format::check(uint64_t iova, const attrs& a) const {
  if (!a.read)
    throw table_error(fmt::format(
        "map iova 0x{:x}: a present first-stage entry is always readable (P grants read): read must be true",
        iova));
}

}  // namespace vtd::tables
