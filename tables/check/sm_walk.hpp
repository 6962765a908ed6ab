// Internal to tables/check: what the table checker's legacy walk (checker.cpp) shares with the scalable-mode
// walk (sm_checker.cpp, sm_paging.cpp): the report and its work limit, the decoded capabilities, the registry
// of table pages the hardware reads (for DMA-writable-table findings) and the second-stage table walk, which
// is the same structure in both modes (spec 9.8). Not part of the library's interface.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/sl_entry.hpp"
#include "tables/check/checker.hpp"

namespace vtd::tables::detail {

// The leaf entry that maps an address (what a DMA-writable-table finding names).
struct leaf_ref {
  uint64_t at = 0, raw = 0;
  unsigned level = 1, index = 0;
};

// How a second-stage walk reports. Legacy: the tables hang off a context entry and fail with 07h / 0Ch / 0Eh.
// Scalable: they hang off a PASID-table entry and fail with 78h / 7Ah / 87h (spec 8.3, SSS.x / SGN.8).
struct sl_walk_mode {
  bool scalable = false;
  // The second stage under a nested first stage: its input addresses are GPAs, not DMA addresses.
  bool gpa_input = false;
  // Scalable: some device reaches the tables through its RID_PASID, i.e. with requests without PASID (only
  // those are interrupt requests in 0xFEEx_xxxx, spec 3.15).
  bool without_pasid = true;
};

// The fault reason as the spec writes it in prose: "0Ch".
std::string fault_text(spec::fault_reason r);

class table_walk {
 public:
  table_walk(const core::physical_memory& mem, const check_registers& regs, const check_limits& lim,
             check_report& out);

  // One more entry examined; false once the work limit is reached (reported once as check.limit).
  bool budget();
  void add(finding f);
  // A 64-bit read; zero outside memory (callers check in_memory for the table first).
  uint64_t read64(uint64_t addr) const { return m_mem.read64(addr).value_or(0); }
  bool in_memory(uint64_t addr, uint64_t len) const { return m_mem.contains(addr, len); }
  uint64_t memory_size() const { return m_mem.size(); }
  const spec::caps& caps() const { return m_caps; }
  const spec::sl_check_config& sl_config() const { return m_sl; }
  const check_registers& regs() const { return m_regs; }
  check_report& out() { return m_out; }

  // A page the remapping hardware reads as a table, and what it is (kept from the first caller).
  void note_table_page(uint64_t page, std::string what) { m_table_pages.try_emplace(page, std::move(what)); }
  // A paging-structure page of domain `did`: the domain that claimed it first when that is another one.
  std::optional<uint16_t> claim_paging_page(uint64_t page, uint16_t did);

  // Every level of the second-stage tables of `d` (root d.root, d.levels levels): findings, merged ranges,
  // table pages. `bus`/`devfn` name the first device using it.
  void walk_sl(domain_info& d, int bus, int devfn, const sl_walk_mode& mode);
  // The leaf entry mapping `iova` in the second-stage tables at `root` (the walk already succeeded for it).
  leaf_ref sl_leaf_of(uint64_t root, unsigned levels, uint64_t iova) const;
  // Appends a leaf's range to d.ranges, merging it with the previous one when contiguous and alike.
  static void add_range(domain_info& d, const mapped_range& r);

 protected:
  // Domains whose devices can DMA-write a page the hardware reads as a table (legacy and scalable).
  void writable_tables();

  const core::physical_memory& m_mem;
  const check_registers& m_regs;
  const check_limits& m_lim;
  check_report& m_out;
  const spec::caps m_caps;  // CAP / ECAP decoded once
  const spec::sl_check_config m_sl;
  std::map<uint64_t, uint16_t> m_table_owner;     // paging-structure page -> the domain that reached it first
  std::map<uint64_t, std::string> m_table_pages;  // every table page the hardware reads -> what it is

 private:
  void sl_table(uint64_t table, unsigned level, uint64_t base, domain_info& d, std::vector<uint64_t>& path,
                std::set<uint64_t>& seen, int bus, int devfn, bool read, bool write,
                const sl_walk_mode& mode);
};

// Scalable mode, from the root table at `rta` (in memory): root, context, PASID directory and PASID-table
// entries, the cross-entry rules, then every domain's tables; devices and domains go to the report.
void check_scalable(table_walk& w, uint64_t rta);

// First-stage tables of a first-stage or nested domain (spec 9.7; nested: every table pointer and every
// output is a GPA translated through d.ss_root). `top` is the path of the PASID-table entry whose FLPTPTR
// points at them (findings about FLPTPTR itself name that entry); `without_pasid` when some device reaches
// the domain through its RID_PASID (interrupt-range rule).
void walk_fs(table_walk& w, domain_info& d, const finding& top, bool without_pasid);
// The first-stage leaf entry mapping `iova` in a first-stage or nested domain (its walk already succeeded).
leaf_ref fs_leaf_of(const table_walk& w, const domain_info& d, uint64_t iova);

}  // namespace vtd::tables::detail
