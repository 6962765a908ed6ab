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
  std::string title;  // "Root entry (bus 0x00)"
  // register | root_entry | context_entry | sm_root_entry | sm_context_entry | pasid_dir_entry | pasid_entry
  // | sl_entry | fs_entry | status_write | msi | irte | posted_descriptor | check
  std::string kind;
  std::string stage;   // scalable-mode paging steps: "first" or "second"; empty otherwise
  unsigned level = 0;  // paging level for sl_entry / fs_entry / status_write
  uint64_t table_base = 0, entry_address = 0;
  unsigned index = 0;
  std::string address_calc;  // "RTA 0x10000000 + bus 0x00 x 16 = 0x10000000"
  bool wide = false;         // an entry of 128 bits or more
  bool read_ok = true;
  uint64_t raw_lo = 0, raw_hi = 0;
  std::vector<uint64_t> raw_upper;  // QW2 and up of a 256-bit (context) or 512-bit (PASID-table) entry
  std::vector<field> fields;
  std::string verdict;  // why the walk goes on or stops
  bool fault = false;
  // Steps that belong together under one label: in a nested walk, the second-stage reads that translate one
  // guest-physical address ("second stage translates GPA 0x1000000 of the first-stage PML4 table").
  std::string group;

  unsigned qwords() const { return wide ? unsigned(2 + raw_upper.size()) : 1u; }
  uint64_t qw(unsigned n) const { return n == 0 ? raw_lo : n == 1 ? raw_hi : raw_upper.at(n - 2); }
};

struct slice {
  unsigned hi = 0, lo = 0;
  uint64_t value = 0;
  std::string label;   // "PML4 index", "page offset"
  unsigned level = 0;  // 0 = offset
};

struct explanation {
  std::string kind;     // "dma" or "interrupt"
  std::string mode;     // DMA: the RTADDR.TTM mode, "legacy" or "scalable" (also "reserved", "abort_dma")
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
  // Scalable mode, once the context entry is read: the PASID the request is processed with and where it came
  // from ("request": its PASID prefix; "RID_PASID": a request without PASID), and its privilege.
  bool has_pasid_context = false;
  uint32_t pasid = 0;
  std::string pasid_source;
  bool privileged = false;
  // Scalable mode, once the PASID-table entry is read: what its PGTT selects ("first", "second", "nested",
  // "pass_through"; empty for a reserved PGTT).
  std::string translation;
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
