// Second-level page-table builder (see header): the second-stage entry format over the shared range logic.
#include "tables/sl_page_table.hpp"

#include <fmt/format.h>

#include "tables/table_error.hpp"

namespace vtd::tables {

namespace {

paging_geometry geometry_for(const sl_options& o) {
  if (o.levels < 3 || o.levels > 5)
    throw table_error(fmt::format("{} paging levels: must be 3, 4 or 5", o.levels));
  paging_geometry g;
  g.levels = o.levels;
  g.leaf_2m = o.superpages && o.super_2m;
  g.leaf_1g = o.superpages && o.super_1g;
  g.limit = uint64_t{1} << (12 + 9 * o.levels);
  g.width_text = fmt::format("the domain's {}-bit address width", 12 + 9 * o.levels);
  return g;
}

sl_mapping to_mapping(const paging_tree<sl_format>::leaf& l) {
  return sl_mapping{l.iova, l.out, l.size, l.perm.read, l.perm.write};
}

}  // namespace

sl_page_table::sl_page_table(core::physical_memory& mem, page_allocator& pages, const sl_options& o)
    : m_tree(mem, pages, geometry_for(o)) {}

sl_page_table::~sl_page_table() = default;

void sl_page_table::map(uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write) {
  m_tree.map(iova, hpa, size, {read, write});
}

uint64_t sl_page_table::unmap(uint64_t iova, uint64_t size) {
  return m_tree.unmap(iova, size);
}

std::optional<sl_mapping> sl_page_table::lookup(uint64_t iova) const {
  if (auto l = m_tree.lookup(iova)) return to_mapping(*l);
  return std::nullopt;
}

void sl_page_table::for_each_mapping(const std::function<void(const sl_mapping&)>& fn) const {
  m_tree.for_each([&](const paging_tree<sl_format>::leaf& l) { fn(to_mapping(l)); });
}

}  // namespace vtd::tables
