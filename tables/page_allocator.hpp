// Hands out zeroed 4 KiB pages for tables from a region of simulated physical memory, as a driver's page
// allocator would. Freed pages are reused (LIFO); contiguous runs (interrupt remapping table, invalidation
// queue) come from the top of the region and are never reused.
#pragma once
#include <cstdint>
#include <vector>

#include "model/memory/physical_memory.hpp"

namespace vtd::tables {

class page_allocator {
 public:
  page_allocator(core::physical_memory& mem, uint64_t base, uint64_t size);

  uint64_t alloc();                           // one zeroed page; throws table_error when the region is full
  uint64_t alloc_contiguous(uint64_t pages);  // naturally usable run of zeroed pages
  void free(uint64_t page);

  uint64_t in_use() const { return m_in_use; }
  uint64_t base() const { return m_base; }
  uint64_t size() const { return m_size; }

 private:
  core::physical_memory& m_mem;
  uint64_t m_base, m_size;
  uint64_t m_next;  // bump pointer for single pages (grows up)
  uint64_t m_top;   // contiguous runs (grow down)
  uint64_t m_in_use = 0;
  std::vector<uint64_t> m_free;
};

}  // namespace vtd::tables
