// Shared page-table range logic (see header), instantiated for the two entry formats.
#include "tables/paging_tree.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/spec/sl_entry.hpp"
#include "tables/paging_format.hpp"
#include "tables/table_error.hpp"

namespace vtd::tables {

// Both stages index a level with the same 9 address bits and map the same page size per level (spec 9.7,
// 9.8), so the second-stage helpers serve the first stage too.
using spec::level_index;
using spec::level_page_size;

namespace {
constexpr uint64_t kPage = 4096;
}  // namespace

template <class F>
paging_tree<F>::paging_tree(core::physical_memory& mem, page_allocator& pages, paging_geometry geometry,
                            F format, table_page_hooks hooks)
    : m_mem(mem), m_pages(pages), m_geo(std::move(geometry)), m_fmt(format), m_hooks(std::move(hooks)) {
  m_root = new_table();
}

template <class F>
uint64_t paging_tree<F>::entry(uint64_t table, unsigned index) const {
  return *m_mem.read64(table + uint64_t(index) * 8);
}

template <class F>
uint64_t paging_tree<F>::new_table() {
  const uint64_t t = m_pages.alloc();
  if (m_hooks.added) {
    try {
      m_hooks.added(t);
    } catch (...) {
      m_pages.free(t);
      throw;
    }
  }
  m_counts[t] = 0;
  return t;
}

template <class F>
void paging_tree<F>::free_table(uint64_t table) {
  m_counts.erase(table);
  m_pages.free(table);
  if (m_hooks.removed) m_hooks.removed(table);
}

template <class F>
bool paging_tree<F>::leaf_allowed(unsigned level) const {
  return level == 1 || (level == 2 && m_geo.leaf_2m) || (level == 3 && m_geo.leaf_1g);
}

template <class F>
void paging_tree<F>::map(uint64_t iova, uint64_t out, uint64_t size, const attrs& a) {
  if ((iova | out | size) & 0xFFF)
    throw table_error(fmt::format("map iova 0x{:x} {} 0x{:x} size 0x{:x}: must be 4 KiB aligned", iova,
                                  m_geo.out_name, out, size));
  if (size == 0) throw table_error("map: size must not be zero");
  if (iova + size > m_geo.limit || iova + size < iova)
    throw table_error(fmt::format("map [0x{:x}, 0x{:x}): beyond {}", iova, iova + size, m_geo.width_text));
  m_fmt.check(iova, a);
  if (size == kPage && map_page(iova, out, a)) return;
  // Check for overlap first so that a refused map leaves the tables untouched.
  if (auto clash = first_mapped(m_root, m_geo.levels, iova, size)) throw_clash(iova, size, *clash);
  try {
    map_range(m_root, m_geo.levels, iova, out, size, a);
  } catch (...) {
    // Out of table pages, or a table page refused by a hook: the range held nothing before, so unmapping it
    // takes back exactly what this call wrote and frees the tables it added.
    uint64_t undone = 0;
    unmap_range(m_root, m_geo.levels, iova, size, undone);
    throw;
  }
}

template <class F>
void paging_tree<F>::throw_clash(uint64_t iova, uint64_t size, uint64_t at) const {
  throw table_error(
      fmt::format("map [0x{:x}, 0x{:x}): overlaps the existing mapping at 0x{:x}", iova, iova + size, at));
}

// One 4 KiB page (what a DMA API maps per buffer page) when every table on its path exists: one descent that
// checks for a clash as first_mapped does and writes the leaf as map_range does, the same tables and
// bookkeeping as a result. False when a table is missing (nothing below it can clash, nothing was written):
// the general path allocates it.
template <class F>
bool paging_tree<F>::map_page(uint64_t iova, uint64_t out, const attrs& a) {
  uint64_t table = m_root;
  for (unsigned level = m_geo.levels; level > 1; --level) {
    const uint64_t e = entry(table, level_index(iova, level));
    if (!m_fmt.present(e)) return false;
    if (m_fmt.is_leaf(e, level)) throw_clash(iova, kPage, iova);
    table = m_fmt.address(e, level);
  }
  const uint64_t entry_addr = table + level_index(iova, 1) * 8;
  if (m_fmt.present(*m_mem.read64(entry_addr))) throw_clash(iova, kPage, iova);
  m_mem.write64(entry_addr, m_fmt.leaf(1, out, a));
  ++m_counts[table];
  return true;
}

// Unmapping one 4 KiB page: one descent, then the leaf cleared and the tables it leaves empty freed bottom
// up, exactly as unmap_range does. Nullopt (nothing done) when a superpage covers the page: the general path
// splits it.
template <class F>
std::optional<uint64_t> paging_tree<F>::unmap_page(uint64_t iova) {
  constexpr unsigned kMaxLevels = 5;
  uint64_t tables[kMaxLevels + 1] = {}, entries[kMaxLevels + 1] = {};  // by level: the table and entry used
  uint64_t table = m_root;
  for (unsigned level = m_geo.levels;; --level) {
    const uint64_t entry_addr = table + level_index(iova, level) * 8;
    const uint64_t e = *m_mem.read64(entry_addr);
    if (!m_fmt.present(e)) return 0;  // nothing mapped there (every non-root table holds an entry)
    tables[level] = table;
    entries[level] = entry_addr;
    if (m_fmt.is_leaf(e, level)) {
      if (level > 1) return std::nullopt;
      break;
    }
    table = m_fmt.address(e, level);
  }
  m_mem.write64(entries[1], 0);
  --m_counts[tables[1]];
  for (unsigned level = 1; tables[level] != m_root && m_counts[tables[level]] == 0; ++level) {
    free_table(tables[level]);
    m_mem.write64(entries[level + 1], 0);
    --m_counts[tables[level + 1]];
  }
  return kPage;
}

template <class F>
std::optional<uint64_t> paging_tree<F>::first_mapped(uint64_t table, unsigned level, uint64_t iova,
                                                     uint64_t size) const {
  while (size > 0) {
    const uint64_t span = level_page_size(level);
    const uint64_t chunk = std::min(size, span - (iova & (span - 1)));
    const uint64_t e = entry(table, level_index(iova, level));
    if (m_fmt.present(e)) {
      if (m_fmt.is_leaf(e, level))
        return iova;  // empty subtrees are skipped whole; a leaf anywhere in range clashes
      if (auto hit = first_mapped(m_fmt.address(e, level), level - 1, iova, chunk)) return hit;
    }
    iova += chunk;
    size -= chunk;
  }
  return std::nullopt;
}

template <class F>
void paging_tree<F>::map_range(uint64_t table, unsigned level, uint64_t iova, uint64_t out, uint64_t size,
                               const attrs& a) {
  while (size > 0) {
    const uint64_t entry_addr = table + level_index(iova, level) * 8;
    const uint64_t span = level_page_size(level);
    const uint64_t chunk = std::min(size, span - (iova & (span - 1)));
    const uint64_t e = *m_mem.read64(entry_addr);
    if (leaf_allowed(level) && chunk == span && (out & (span - 1)) == 0) {
      m_mem.write64(entry_addr, m_fmt.leaf(level, out, a));
      ++m_counts[table];
    } else {
      uint64_t next;
      if (!m_fmt.present(e)) {
        next = new_table();
        // Non-leaf entries grant every right: permissions are decided at the leaf.
        m_mem.write64(entry_addr, m_fmt.table(next));
        ++m_counts[table];
      } else {
        next = m_fmt.address(e, level);
      }
      map_range(next, level - 1, iova, out, chunk, a);
    }
    iova += chunk;
    out += chunk;
    size -= chunk;
  }
}

template <class F>
uint64_t paging_tree<F>::unmap(uint64_t iova, uint64_t size) {
  if ((iova | size) & 0xFFF)
    throw table_error(fmt::format("unmap iova 0x{:x} size 0x{:x}: must be 4 KiB aligned", iova, size));
  if (iova >= m_geo.limit) return 0;
  size = std::min(size, m_geo.limit - iova);
  if (size == kPage)
    if (auto n = unmap_page(iova)) return *n;
  uint64_t unmapped = 0;
  unmap_range(m_root, m_geo.levels, iova, size, unmapped);
  return unmapped;
}

template <class F>
bool paging_tree<F>::unmap_range(uint64_t table, unsigned level, uint64_t iova, uint64_t size,
                                 uint64_t& unmapped) {
  while (size > 0) {
    const uint64_t entry_addr = table + level_index(iova, level) * 8;
    const uint64_t span = level_page_size(level);
    const uint64_t chunk = std::min(size, span - (iova & (span - 1)));
    const uint64_t e = *m_mem.read64(entry_addr);
    if (m_fmt.present(e)) {
      if (m_fmt.is_leaf(e, level) && chunk == span) {
        m_mem.write64(entry_addr, 0);
        --m_counts[table];
        unmapped += span;
      } else {
        uint64_t next;
        if (m_fmt.is_leaf(e, level)) {
          // Partial unmap of a superpage: split it into a table of 512 next-level leaves with the same
          // rights (and, first stage, the same A/D state).
          next = new_table();
          const uint64_t sub = level_page_size(level - 1);
          const attrs a = m_fmt.attrs_of(e);
          for (unsigned i = 0; i < 512; ++i)
            m_mem.write64(next + i * 8, m_fmt.leaf(level - 1, m_fmt.address(e, level) + i * sub, a));
          m_counts[next] = 512;
          m_mem.write64(entry_addr, m_fmt.table(next));
        } else {
          next = m_fmt.address(e, level);
        }
        if (unmap_range(next, level - 1, iova, chunk, unmapped)) {
          free_table(next);
          m_mem.write64(entry_addr, 0);
          --m_counts[table];
        }
      }
    }
    iova += chunk;
    size -= chunk;
  }
  return table != m_root && m_counts[table] == 0;
}

template <class F>
std::optional<typename paging_tree<F>::leaf> paging_tree<F>::lookup(uint64_t iova) const {
  if (iova >= m_geo.limit) return std::nullopt;
  uint64_t table = m_root;
  for (unsigned level = m_geo.levels; level >= 1; --level) {
    const uint64_t e = entry(table, level_index(iova, level));
    if (!m_fmt.present(e)) return std::nullopt;
    if (m_fmt.is_leaf(e, level)) {
      const uint64_t span = level_page_size(level);
      return leaf{iova & ~(span - 1), m_fmt.address(e, level), span, m_fmt.attrs_of(e)};
    }
    table = m_fmt.address(e, level);
  }
  return std::nullopt;
}

template <class F>
void paging_tree<F>::walk(uint64_t table, unsigned level, uint64_t base,
                          const std::function<void(const leaf&)>& fn) const {
  for (unsigned i = 0; i < 512; ++i) {
    const uint64_t e = entry(table, i);
    if (!m_fmt.present(e)) continue;
    const uint64_t iova = base + uint64_t(i) * level_page_size(level);
    if (m_fmt.is_leaf(e, level))
      fn(leaf{iova, m_fmt.address(e, level), level_page_size(level), m_fmt.attrs_of(e)});
    else
      walk(m_fmt.address(e, level), level - 1, iova, fn);
  }
}

template <class F>
void paging_tree<F>::for_each(const std::function<void(const leaf&)>& fn) const {
  walk(m_root, m_geo.levels, 0, fn);
}

template class paging_tree<sl_format>;
template class paging_tree<fs_format>;

}  // namespace vtd::tables
