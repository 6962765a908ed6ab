// What `vtdsim walk` explains: every step from the RTADDR (or IRTA) register to the result, each memory read
// with how its address was computed, the raw entry, each field decoded with its spec name and meaning, and
// why the walk goes on or stops; the input address cut into its per-level index slices; a fault's reason, the
// entry and field that caused it and what the table builder would have to change; and which caches would
// serve a second access. Built from the core's walk record: one source, several printers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/system/iommu.hpp"

namespace vtd::explain {

struct field {
  std::string name;      // spec mnemonic, e.g. "SLPTPTR"
  std::string bits;      // "63:12"
  std::string value;     // "0x10002000"
  std::string meaning;   // "second-level table root"
  bool culprit = false;  // the field that caused the fault
};

struct step {
  std::string title;   // "Root entry (bus 0x00)"
  std::string kind;    // register | root_entry | context_entry | sl_entry | irte | posted_descriptor
  unsigned level = 0;  // paging level for sl_entry
  uint64_t table_base = 0, entry_address = 0;
  unsigned index = 0;
  std::string address_calc;  // "RTA 0x10000000 + bus 0x00 x 16 = 0x10000000"
  bool wide = false;         // 128-bit entry
  bool read_ok = true;
  uint64_t raw_lo = 0, raw_hi = 0;
  std::vector<field> fields;
  std::string verdict;  // why the walk goes on or stops
  bool fault = false;
};

struct slice {
  unsigned hi = 0, lo = 0;
  uint64_t value = 0;
  std::string label;   // "PML4 index", "page offset"
  unsigned level = 0;  // 0 = offset
};

struct explanation {
  std::string kind;     // "dma" or "interrupt"
  std::string request;  // one line: who asked for what
  uint64_t input = 0;   // IOVA or MSI address
  std::vector<slice> slices;
  std::vector<step> steps;
  bool ok = false;
  std::string result;  // "HPA 0x40000040 = page 0x40000000 + offset 0x40" (JSON: "summary")
  // The request and the core's result (dma_* for kind "dma", interrupt_* for "interrupt"): the JSON's
  // "result" object, the same one `translate --json` / `interrupt --json` print (result_json.hpp).
  core::dma_request dma_query;
  core::translation_result dma_outcome;
  core::interrupt_request interrupt_query;
  core::interrupt_result interrupt_outcome;
  std::string fault_code, fault_name, fault_condition, fault_description, fault_fix;
  bool fault_recorded = false;
  std::vector<std::string> second_access;  // cache lookups a repeated request would make, with hit/miss
};

// Explains on a copy of nothing: the unit's registers and memory are used as they are; the unit's caches are
// bypassed for the explained walk (so every read is shown) and a private cached twin shows the second access.
explanation explain_dma(core::remapping_unit& unit, const core::dma_request& req);
explanation explain_interrupt(core::remapping_unit& unit, const core::interrupt_request& req);

std::string render_text(const explanation& e, bool color);
// Indented by `indent` spaces, or on one line with indent -1 (`walk --queries --json`: one walk a line).
std::string render_json(const explanation& e, int indent = 2);
std::string render_html(const explanation& e);

// What software would have to change to avoid this fault (one sentence per fault reason).
std::string fault_fix(spec::fault_reason r);
// Fills the fault fields and the result line of an explanation.
void set_fault(explanation& x, spec::fault_reason r, bool recorded);

}  // namespace vtd::explain
