// First-stage page-table builder (see header): the first-stage entry format over the shared range logic.
#include "tables/fs_page_table.hpp"

#include <fmt/format.h>

#include "tables/table_error.hpp"

namespace vtd::tables {

namespace {

paging_geometry geometry_for(const fs_options& o) {
  if (o.levels != 4 && o.levels != 5)
    throw table_error(
        fmt::format("{} first-stage paging levels: must be 4 (48-bit) or 5 (57-bit)", o.levels));
  if (o.levels == 5 && !o.five_level)
    throw table_error("5-level first-stage paging (57-bit) needs CAP.FS5LP");
  paging_geometry g;
  g.levels = o.levels;
  g.leaf_2m = o.superpages;  // 2 MiB first-stage pages need no capability (spec 9.7)
  g.leaf_1g = o.superpages && o.super_1g;
  // The canonical lower half: bits 63:N-1 all zero (N = 48 or 57).
  const unsigned half = 12 + 9 * o.levels - 1;
  g.limit = uint64_t{1} << half;
  g.width_text = fmt::format("the canonical lower half of {}-level first-stage paging (IOVAs below 2^{})",
                             o.levels, half);
  g.out_name = o.out_name;
  return g;
}

fs_mapping to_mapping(const paging_tree<fs_format>::leaf& l) {
  const auto& p = l.perm;
  return fs_mapping{l.iova, l.out, l.size, p.read, p.write, p.user, p.execute, p.accessed, p.dirty};
}

}  // namespace

fs_page_table::fs_page_table(core::physical_memory& mem, page_allocator& pages, const fs_options& o)
    : m_preset_ad(o.preset_ad), m_tree(mem, pages, geometry_for(o), fs_format{o.preset_ad}, o.hooks) {}

void fs_page_table::map(uint64_t iova, uint64_t output, uint64_t size, const fs_perm& perm) {
  fs_format::attrs a;
  a.read = perm.read;
  a.write = perm.write;
  a.user = perm.user;
  a.execute = perm.execute;
  a.accessed = m_preset_ad;
  a.dirty = m_preset_ad && perm.write;  // D only where a write could have set it
  m_tree.map(iova, output, size, a);
}

uint64_t fs_page_table::unmap(uint64_t iova, uint64_t size) {
  return m_tree.unmap(iova, size);
}

std::optional<fs_mapping> fs_page_table::lookup(uint64_t iova) const {
  if (auto l = m_tree.lookup(iova)) return to_mapping(*l);
  return std::nullopt;
}

void fs_page_table::for_each_mapping(const std::function<void(const fs_mapping&)>& fn) const {
  m_tree.for_each([&](const paging_tree<fs_format>::leaf& l) { fn(to_mapping(l)); });
}

}  // namespace vtd::tables
