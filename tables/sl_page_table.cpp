// Second-level page-table builder (see header).
#include "tables/sl_page_table.hpp"

#include <fmt/format.h>

#include "model/spec/sl_entry.hpp"
#include "tables/table_error.hpp"

namespace vtd::tables {

using spec::level_index;
using spec::level_page_size;
using spec::sl_entry;

sl_page_table::sl_page_table(core::physical_memory& mem, page_allocator& pages, const sl_options& o)
    : m_mem(mem), m_pages(pages), m_opt(o) {
  if (o.levels < 3 || o.levels > 5)
    throw table_error(fmt::format("{} paging levels: must be 3, 4 or 5", o.levels));
  m_root = new_table();
}

sl_page_table::~sl_page_table() = default;

uint64_t sl_page_table::new_table() {
  uint64_t t = m_pages.alloc();
  m_counts[t] = 0;
  return t;
}

bool sl_page_table::leaf_allowed(unsigned level) const {
  if (level == 1) return true;
  if (!m_opt.superpages) return false;
  return (level == 2 && m_opt.super_2m) || (level == 3 && m_opt.super_1g);
}

void sl_page_table::map(uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write) {
  if ((iova | hpa | size) & 0xFFF)
    throw table_error(
        fmt::format("map iova 0x{:x} hpa 0x{:x} size 0x{:x}: must be 4 KiB aligned", iova, hpa, size));
  if (size == 0) throw table_error("map: size must not be zero");
  if (iova + size > address_limit() || iova + size < iova)
    throw table_error(fmt::format("map [0x{:x}, 0x{:x}): beyond the domain's {}-bit address width", iova,
                                  iova + size, 12 + 9 * m_opt.levels));
  if (!read && !write) throw table_error(fmt::format("map iova 0x{:x}: a mapping needs read or write", iova));
  // Check for overlap first so that a refused map leaves the tables untouched.
  if (auto clash = first_mapped(m_root, m_opt.levels, iova, size))
    throw table_error(fmt::format("map [0x{:x}, 0x{:x}): overlaps the existing mapping at 0x{:x}", iova,
                                  iova + size, *clash));
  map_range(m_root, m_opt.levels, iova, hpa, size, read, write);
}

std::optional<uint64_t> sl_page_table::first_mapped(uint64_t table, unsigned level, uint64_t iova,
                                                    uint64_t size) const {
  while (size > 0) {
    const uint64_t span = level_page_size(level);
    const uint64_t chunk = std::min(size, span - (iova & (span - 1)));
    sl_entry e{*m_mem.read64(table + level_index(iova, level) * 8)};
    if (e.present()) {
      if (e.is_leaf(level))
        return iova;  // empty subtrees are skipped whole; a leaf anywhere in range clashes
      if (auto hit = first_mapped(e.address(level), level - 1, iova, chunk)) return hit;
    }
    iova += chunk;
    size -= chunk;
  }
  return std::nullopt;
}

void sl_page_table::map_range(uint64_t table, unsigned level, uint64_t iova, uint64_t hpa, uint64_t size,
                              bool r, bool w) {
  while (size > 0) {
    const uint64_t entry_addr = table + level_index(iova, level) * 8;
    const uint64_t span = level_page_size(level);
    const uint64_t chunk = std::min(size, span - (iova & (span - 1)));
    sl_entry e{*m_mem.read64(entry_addr)};
    if (leaf_allowed(level) && chunk == span && (hpa & (span - 1)) == 0) {
      m_mem.write64(entry_addr, sl_entry::make_leaf(level, hpa, r, w).raw);
      ++m_counts[table];
    } else {
      uint64_t next;
      if (!e.present()) {
        next = new_table();
        // Non-leaf entries grant R and W: permissions are decided at the leaf (the walker ANDs all levels).
        m_mem.write64(entry_addr, sl_entry::make_table(next).raw);
        ++m_counts[table];
      } else {
        next = e.address(level);
      }
      map_range(next, level - 1, iova, hpa, chunk, r, w);
    }
    iova += chunk;
    hpa += chunk;
    size -= chunk;
  }
}

uint64_t sl_page_table::unmap(uint64_t iova, uint64_t size) {
  if ((iova | size) & 0xFFF)
    throw table_error(fmt::format("unmap iova 0x{:x} size 0x{:x}: must be 4 KiB aligned", iova, size));
  if (iova >= address_limit()) return 0;
  size = std::min(size, address_limit() - iova);
  uint64_t unmapped = 0;
  unmap_range(m_root, m_opt.levels, iova, size, unmapped);
  return unmapped;
}

bool sl_page_table::unmap_range(uint64_t table, unsigned level, uint64_t iova, uint64_t size,
                                uint64_t& unmapped) {
  while (size > 0) {
    const uint64_t entry_addr = table + level_index(iova, level) * 8;
    const uint64_t span = level_page_size(level);
    const uint64_t chunk = std::min(size, span - (iova & (span - 1)));
    sl_entry e{*m_mem.read64(entry_addr)};
    if (e.present()) {
      if (e.is_leaf(level) && chunk == span) {
        m_mem.write64(entry_addr, 0);
        --m_counts[table];
        unmapped += span;
      } else {
        uint64_t next;
        if (e.is_leaf(level)) {
          // Partial unmap of a superpage: split it into a table of 512 next-level leaves with the same
          // rights.
          next = new_table();
          const uint64_t sub = level_page_size(level - 1);
          for (unsigned i = 0; i < 512; ++i)
            m_mem.write64(next + i * 8,
                          sl_entry::make_leaf(level - 1, e.address(level) + i * sub, e.r(), e.w()).raw);
          m_counts[next] = 512;
          m_mem.write64(entry_addr, sl_entry::make_table(next).raw);
        } else {
          next = e.address(level);
        }
        if (unmap_range(next, level - 1, iova, chunk, unmapped)) {
          m_counts.erase(next);
          m_pages.free(next);
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

std::optional<sl_mapping> sl_page_table::lookup(uint64_t iova) const {
  if (iova >= address_limit()) return std::nullopt;
  uint64_t table = m_root;
  for (unsigned level = m_opt.levels; level >= 1; --level) {
    sl_entry e{*m_mem.read64(table + level_index(iova, level) * 8)};
    if (!e.present()) return std::nullopt;
    if (e.is_leaf(level)) {
      const uint64_t span = level_page_size(level);
      return sl_mapping{iova & ~(span - 1), e.address(level), span, e.r(), e.w()};
    }
    table = e.address(level);
  }
  return std::nullopt;
}

void sl_page_table::walk(uint64_t table, unsigned level, uint64_t base,
                         const std::function<void(const sl_mapping&)>& fn) const {
  for (unsigned i = 0; i < 512; ++i) {
    sl_entry e{*m_mem.read64(table + i * 8)};
    if (!e.present()) continue;
    const uint64_t iova = base + uint64_t(i) * level_page_size(level);
    if (e.is_leaf(level))
      fn(sl_mapping{iova, e.address(level), level_page_size(level), e.r(), e.w()});
    else
      walk(e.address(level), level - 1, iova, fn);
  }
}

void sl_page_table::for_each_mapping(const std::function<void(const sl_mapping&)>& fn) const {
  walk(m_root, m_opt.levels, 0, fn);
}

}  // namespace vtd::tables
