// Second-level page tables of one domain, written into simulated memory as a driver would (VT-d spec
// "Second-Stage Paging Entries"): map and unmap ranges of any 4 KiB-aligned size, with 2 MiB / 1 GiB leaves
// where alignment and the capability (CAP.SLLPS) allow, superpages split when a partial unmap needs it, table
// pages freed when they become empty. The walker reads only memory; the per-table entry counts kept here are
// the driver's bookkeeping. The range logic is paging_tree's, shared with the first-stage builder.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>

#include "model/memory/physical_memory.hpp"
#include "tables/page_allocator.hpp"
#include "tables/paging_format.hpp"
#include "tables/paging_tree.hpp"

namespace vtd::tables {

struct sl_options {
  unsigned levels = 4;     // 3, 4 or 5 (AW 39/48/57)
  bool superpages = true;  // the domain's wish; limited by the capability below
  bool super_2m = true;    // CAP.SLLPS bit 0
  bool super_1g = true;    // CAP.SLLPS bit 1
};

struct sl_mapping {
  uint64_t iova = 0;
  uint64_t hpa = 0;
  uint64_t size = 0;  // page size of the leaf (4 KiB, 2 MiB, 1 GiB)
  bool read = false;
  bool write = false;
};

class sl_page_table {
 public:
  sl_page_table(core::physical_memory& mem, page_allocator& pages, const sl_options& o);
  ~sl_page_table();
  sl_page_table(const sl_page_table&) = delete;
  sl_page_table& operator=(const sl_page_table&) = delete;

  uint64_t root() const { return m_tree.root(); }
  unsigned levels() const { return m_tree.levels(); }
  uint64_t address_limit() const { return m_tree.address_limit(); }

  // Throws table_error: misaligned, beyond the address width, or overlapping an existing mapping.
  void map(uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write);
  // Unmaps whatever is mapped in the range (holes are fine); returns the bytes that were mapped.
  uint64_t unmap(uint64_t iova, uint64_t size);

  // Read back from memory.
  std::optional<sl_mapping> lookup(uint64_t iova) const;
  void for_each_mapping(const std::function<void(const sl_mapping&)>& fn) const;
  uint64_t table_pages() const { return m_tree.table_pages(); }

 private:
  paging_tree<sl_format> m_tree;
};

}  // namespace vtd::tables
