// Table page allocator (see header).
#include "tables/page_allocator.hpp"

#include <fmt/format.h>

#include "tables/table_error.hpp"

namespace vtd::tables {

page_allocator::page_allocator(core::physical_memory& mem, uint64_t base, uint64_t size)
    : m_mem(mem), m_base(base), m_size(size), m_next(base), m_top(base + size) {
  if (base % 4096 || size % 4096 || size == 0)
    throw table_error(
        fmt::format("table region [0x{:x}, +0x{:x}) must be 4 KiB aligned and non-empty", base, size));
  if (!mem.contains(base, size))
    throw table_error(fmt::format("table region [0x{:x}, 0x{:x}) lies beyond memory (size 0x{:x})", base,
                                  base + size, mem.size()));
}

uint64_t page_allocator::alloc() {
  uint64_t page;
  if (!m_free.empty()) {
    page = m_free.back();
    m_free.pop_back();
  } else {
    if (m_next + 4096 > m_top)
      throw table_error(fmt::format("out of table pages: region [0x{:x}, 0x{:x}) is full ({} pages in use)",
                                    m_base, m_base + m_size, m_in_use));
    page = m_next;
    m_next += 4096;
  }
  m_mem.clear(page, 4096);
  ++m_in_use;
  return page;
}

uint64_t page_allocator::alloc_contiguous(uint64_t pages) {
  const uint64_t bytes = pages * 4096;
  if (bytes > m_top - m_next)
    throw table_error(fmt::format("out of table pages: no run of {} contiguous pages left", pages));
  const uint64_t start = m_top - bytes;
  m_top = start;
  m_mem.clear(start, bytes);
  m_in_use += pages;
  return start;
}

void page_allocator::free(uint64_t page) {
  m_mem.clear(page, 4096);
  m_free.push_back(page);
  --m_in_use;
}

}  // namespace vtd::tables
