// The range logic shared by the page-table builders (sl_page_table: second stage, fs_page_table: first
// stage): a radix tree of 4 KiB tables with 512 entries per level, written into simulated memory as a driver
// would. Maps and unmaps ranges of any 4 KiB-aligned size, with 2 MiB / 1 GiB leaves where alignment and the
// geometry allow, splits a superpage when a partial unmap needs it, frees table pages when they become empty
// (never the root). Lookups read memory; the per-table entry counts are the driver's bookkeeping. The entry
// format is a policy (tables/paging_format.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "model/memory/physical_memory.hpp"
#include "tables/page_allocator.hpp"
#include "tables/table_page_counts.hpp"

namespace vtd::tables {

// Told of every table page the tree allocates (before anything points to it) and frees (after nothing points
// to it any more). A nested domain uses this to keep its first-stage table pages mapped in its parent's
// second stage. An exception from `added` refuses the page; the operation that needed it then fails as a
// whole.
struct table_page_hooks {
  std::function<void(uint64_t page)> added;
  std::function<void(uint64_t page)> removed;
};

struct paging_geometry {
  unsigned levels = 4;
  bool leaf_2m = true, leaf_1g = true;  // where a leaf may be written besides level 1
  uint64_t limit = 0;                   // input addresses must lie below this
  std::string width_text;               // names the limit in messages: "beyond <width_text>"
  std::string out_name = "hpa";         // names the output address in messages
};

template <class Format>
class paging_tree {
 public:
  using attrs = typename Format::attrs;
  struct leaf {
    uint64_t iova = 0, out = 0, size = 0;  // size: 4 KiB, 2 MiB or 1 GiB
    attrs perm{};
  };

  paging_tree(core::physical_memory& mem, page_allocator& pages, paging_geometry geometry, Format format = {},
              table_page_hooks hooks = {});
  paging_tree(const paging_tree&) = delete;
  paging_tree& operator=(const paging_tree&) = delete;

  uint64_t root() const { return m_root; }
  unsigned levels() const { return m_geo.levels; }
  uint64_t address_limit() const { return m_geo.limit; }

  // Throws table_error: misaligned, beyond the limit, refused by the format, or overlapping an existing
  // mapping. A refused map leaves the tables as they were.
  void map(uint64_t iova, uint64_t out, uint64_t size, const attrs& a);
  // Unmaps whatever is mapped in the range (holes are fine); returns the bytes that were mapped.
  uint64_t unmap(uint64_t iova, uint64_t size);

  std::optional<leaf> lookup(uint64_t iova) const;
  void for_each(const std::function<void(const leaf&)>& fn) const;
  uint64_t table_pages() const { return m_counts.size(); }

 private:
  bool map_page(uint64_t iova, uint64_t out, const attrs& a);
  std::optional<uint64_t> unmap_page(uint64_t iova);
  [[noreturn]] void throw_clash(uint64_t iova, uint64_t size, uint64_t at) const;
  void map_range(uint64_t table, unsigned level, uint64_t iova, uint64_t out, uint64_t size, const attrs& a);
  bool unmap_range(uint64_t table, unsigned level, uint64_t iova, uint64_t size, uint64_t& unmapped);
  bool leaf_allowed(unsigned level) const;
  std::optional<uint64_t> first_mapped(uint64_t table, unsigned level, uint64_t iova, uint64_t size) const;
  uint64_t entry(uint64_t table, unsigned index) const;
  uint64_t new_table();
  void free_table(uint64_t table);
  void walk(uint64_t table, unsigned level, uint64_t base, const std::function<void(const leaf&)>& fn) const;

  core::physical_memory& m_mem;
  page_allocator& m_pages;
  paging_geometry m_geo;
  Format m_fmt;
  table_page_hooks m_hooks;
  table_page_counts m_counts;  // table page -> present entries
  uint64_t m_root = 0;
};

}  // namespace vtd::tables
