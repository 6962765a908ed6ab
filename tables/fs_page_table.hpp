// First-stage page tables of one domain (VT-d spec 9.7 "First-Stage Paging Entries", IA-32e format; scalable
// mode only), written into simulated memory as Linux's intel-iommu writes them for a DMA domain: 4-level
// (48-bit, FLPM=00b) or 5-level (57-bit, FLPM=01b, needs CAP.FS5LP) paging; map and unmap ranges of any
// 4 KiB-aligned size, 2 MiB leaves where alignment allows, 1 GiB leaves only with CAP.FS1GP, superpages split
// when a partial unmap needs it, empty table pages freed. IOVAs must lie in the canonical lower half (below
// 2^47 / 2^56): a first-stage input address must be canonical (spec SGN.1), and a DMA domain uses the lower
// half. The range logic is paging_tree's, shared with the second-stage builder.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "model/memory/physical_memory.hpp"
#include "tables/page_allocator.hpp"
#include "tables/paging_format.hpp"
#include "tables/paging_tree.hpp"

namespace vtd::tables {

struct fs_options {
  unsigned levels = 4;     // 4 (48-bit) or 5 (57-bit)
  bool superpages = true;  // the domain's wish; 1 GiB leaves are further limited by CAP.FS1GP
  bool super_1g = true;    // CAP.FS1GP
  bool five_level = true;  // CAP.FS5LP: 5-level paging supported
  // Linux presets A in every entry and D in writable leaves, so that the hardware never updates the tables.
  // false: A and D are left 0 in every entry (leaf and non-leaf), and the hardware must set them (spec 9.7).
  bool preset_ad = true;
  std::string out_name = "hpa";  // what the output address is called in messages ("gpa" when nested)
  table_page_hooks hooks;        // nested: the table pages live in guest memory (tables/sm_nested_tables.hpp)
};

// Rights of a first-stage mapping. read must be true: P=1 grants read (spec 9.7), there is no write-only
// page.
struct fs_perm {
  bool read = true;
  bool write = true;    // R/W
  bool user = true;     // U/S: user-mode (PR=0) requests allowed
  bool execute = true;  // XD = !execute
};

struct fs_mapping {
  uint64_t iova = 0;
  uint64_t output = 0;  // HPA; for a nested domain's first stage, the GPA the second stage translates
  uint64_t size = 0;    // page size of the leaf (4 KiB, 2 MiB, 1 GiB)
  bool read = true, write = false, user = false, execute = false;
  bool accessed = false, dirty = false;  // A and D of the leaf, as in memory
};

class fs_page_table {
 public:
  // Throws table_error for levels other than 4/5, or 5 without CAP.FS5LP.
  fs_page_table(core::physical_memory& mem, page_allocator& pages, const fs_options& o);
  fs_page_table(const fs_page_table&) = delete;
  fs_page_table& operator=(const fs_page_table&) = delete;

  uint64_t root() const { return m_tree.root(); }  // FLPTPTR
  unsigned levels() const { return m_tree.levels(); }
  unsigned flpm() const { return levels() == 5 ? 1 : 0; }            // the PASID entry's FLPM field value
  uint64_t address_limit() const { return m_tree.address_limit(); }  // 2^47 or 2^56
  bool preset_ad() const { return m_preset_ad; }

  // Throws table_error: misaligned, outside the canonical lower half, read=false, or overlapping.
  void map(uint64_t iova, uint64_t output, uint64_t size, const fs_perm& perm = {});
  uint64_t unmap(uint64_t iova, uint64_t size);  // bytes that were mapped

  // Read back from memory.
  std::optional<fs_mapping> lookup(uint64_t iova) const;
  void for_each_mapping(const std::function<void(const fs_mapping&)>& fn) const;
  uint64_t table_pages() const { return m_tree.table_pages(); }

 private:
  bool m_preset_ad;
  paging_tree<fs_format> m_tree;
};

}  // namespace vtd::tables
