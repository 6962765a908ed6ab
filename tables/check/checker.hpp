// Validating what a table builder wrote (VT-d spec chapter 9): walks everything reachable from RTADDR and
// IRTA in a memory image (root table, every present context entry, every level of every page table, the
// interrupt remapping table) and reports every violation with its path, raw value and severity, plus what
// each domain maps. In scalable mode (RTADDR.TTM=01b with ECAP.SMTS) the walk goes through the scalable-mode
// root and context entries, PASID directories and PASID tables to the first-stage, second-stage and nested
// tables each PASID-table entry selects. The validity rules are the hardware's own
// (model/spec/entry_rules.hpp, model/spec/sm_entry_rules.hpp). Reads memory only; bounded work and cycle
// detection make garbage input safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/memory/physical_memory.hpp"

namespace vtd::tables {

enum class severity : uint8_t { error, warning, info };
const char* to_string(severity s);

struct finding {
  severity level = severity::error;
  std::string code;       // stable identifier, e.g. "sl.reserved" (docs/check.md lists them all)
  std::string message;    // what is wrong and why it matters
  std::string structure;  // "root", "context", "sl", "irte", "rtaddr", "irta", "check"
  int bus = -1, devfn = -1, domain = -1;
  unsigned paging_level = 0;
  int index = -1;
  // The entry the finding is about (what the user must change) and its raw value; empty for a finding about
  // a table page or a register as a whole. Root, context and IRTE entries are 128 bits (raw_hi = bits
  // 127:64).
  std::optional<uint64_t> entry_address;
  uint64_t raw_lo = 0, raw_hi = 0;
  std::optional<uint64_t> page;  // the table page the finding names (cycles, reuse, writable tables)
  int pasid = -1;                // scalable mode: the PASID whose directory or table entry this is
  // Entries wider than 128 bits (scalable-mode context entry: 256, PASID-table entry: 512): every quadword,
  // QW0 first (raw_lo / raw_hi hold QW0 / QW1 too). Empty for narrower entries.
  std::vector<uint64_t> raw_wide;
};

// What a scalable-mode PASID-table entry's PGTT selects (spec 9.6); a domain's stage.
enum class translation_stage : uint8_t { first, second, nested, pass_through };
const char* to_string(translation_stage s);

struct mapped_range {
  uint64_t iova = 0, hpa = 0, size = 0;
  uint64_t page_size = 0;
  bool read = false, write = false;
  // First-stage and nested domains: U/S=1 at every level (user requests allowed; otherwise supervisor only)
  // and XD=1 at some level (execute disable).
  bool user = false, execute_disable = false;
  // Nested domains: the first stage maps IOVA -> GPA (pages of page_size), the second GPA -> HPA (pages of
  // ss_page_size).
  uint64_t gpa = 0, ss_page_size = 0;
};

// A present scalable-mode PASID-table entry as a device reaches it.
struct pasid_info {
  uint32_t pasid = 0;
  unsigned pgtt = 0;   // PGTT (8:6) as written
  bool valid = false;  // passed SPT.3 / SPT.4.x and its top table is in memory
  uint16_t did = 0;
  unsigned aw = 0;  // second-stage AW (second-stage and nested)
  uint64_t slptptr = 0;
  unsigned fs_levels = 0;  // 4 or 5 from FLPM (first-stage and nested)
  uint64_t flptptr = 0;    // a GPA when nested
  bool sre = false, wpe = false;
  bool fpd = false;        // FPD of the context, directory and PASID-table entries ORed
  bool rid_pasid = false;  // requests without PASID use this entry (the context entry's RID_PASID)
  // The stage PGTT selects; nullopt for a reserved PGTT value.
  std::optional<translation_stage> stage() const;
};

struct device_info {
  uint16_t sid = 0;
  bool fpd = false;
  unsigned tt = 0;
  unsigned aw = 0;
  uint16_t did = 0;
  uint64_t slptptr = 0;
  // Scalable mode (TT, AW, DID and SLPTPTR above are unused): the context entry and the PASID entries.
  bool scalable = false;
  bool dte = false, paside = false, pre = false, rid_priv = false;
  unsigned pdts = 0;
  uint64_t pasid_dir = 0;
  uint32_t rid_pasid = 0;
  std::vector<pasid_info> pasids;  // present entries, PASID order
};

struct domain_info {
  uint16_t did = 0;
  uint64_t root = 0;  // scalable first-stage and nested: FLPTPTR (a GPA when nested)
  unsigned levels = 0;
  std::vector<uint16_t> devices;
  std::vector<mapped_range> ranges;  // merged, IOVA order
  uint64_t mapped_bytes = 0;
  uint64_t table_pages = 0;
  // Scalable mode: the stage, the PASID through which devices[i] uses the domain, and for nested domains
  // the second stage the first stage is translated through.
  bool scalable = false;
  translation_stage stage = translation_stage::second;
  std::vector<uint32_t> pasids;
  uint64_t ss_root = 0;
  unsigned ss_levels = 0;
};

struct irte_info {
  uint32_t index = 0;
  uint64_t lo = 0, hi = 0;
};

// Register values as software programmed them, every bit included (the checker reports RsvdZ bits and bits
// the hardware does not implement, then checks the tables at the address the hardware uses).
struct check_registers {
  uint64_t rtaddr = 0;
  bool has_rtaddr = false;
  std::optional<uint64_t> irta;
  uint64_t cap = 0, ecap = 0;
  unsigned haw = 46;
};

struct check_report {
  std::vector<finding> findings;
  std::vector<device_info> devices;
  std::vector<domain_info> domains;
  std::vector<irte_info> interrupts;  // present entries
  bool irta_eime = false;
  bool scalable = false;  // the root table was checked in scalable mode (TTM=01b, ECAP.SMTS)
  uint64_t entries_examined = 0;
  bool truncated = false;  // the work limit was reached
  size_t count(severity s) const;
};

struct check_limits {
  uint64_t max_entries = 50'000'000;  // entries examined before giving up (garbage can be huge)
  size_t max_findings = 10000;        // findings kept (all are counted in the summary line)
};

check_report check_tables(const core::physical_memory& mem, const check_registers& regs,
                          const check_limits& lim = {});

// Rendering: human text grouped by device and domain, and JSON (docs/check.md).
std::string format_check_text(const check_report& r, bool include_mappings);
std::string format_check_json(const check_report& r);
std::string format_dump_text(const check_report& r);
std::string format_dump_json(const check_report& r);

}  // namespace vtd::tables
