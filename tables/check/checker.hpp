// Validating what a table builder wrote (VT-d spec chapter 9): walks everything reachable from RTADDR and
// IRTA in a memory image (root table, every present context entry, every level of every page table, the
// interrupt remapping table) and reports every violation with its path, raw value and severity, plus what
// each domain maps. The validity rules are the hardware's own (model/spec/entry_rules.hpp). Reads memory
// only; bounded work and cycle detection make garbage input safe.
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
};

struct mapped_range {
  uint64_t iova = 0, hpa = 0, size = 0;
  uint64_t page_size = 0;
  bool read = false, write = false;
};

struct device_info {
  uint16_t sid = 0;
  bool fpd = false;
  unsigned tt = 0;
  unsigned aw = 0;
  uint16_t did = 0;
  uint64_t slptptr = 0;
};

struct domain_info {
  uint16_t did = 0;
  uint64_t root = 0;
  unsigned levels = 0;
  std::vector<uint16_t> devices;
  std::vector<mapped_range> ranges;  // merged, IOVA order
  uint64_t mapped_bytes = 0;
  uint64_t table_pages = 0;
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
