// The explained step of each structure a DMA walk reads (internal to apps/explain): the entry's address and
// how it was computed, its raw value and every field decoded with the spec's names. Verdicts that depend on
// what comes next (why the walk goes on) are the caller's.
#pragma once
#include <cstdint>

#include "apps/explain/explanation.hpp"
#include "model/core/walk_record.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/pasid_entry.hpp"

namespace vtd::explain::build {

// Legacy mode (spec 9.1, 9.3).
step root_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid);
step context_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid);

// Second-stage paging entry (spec 9.8) of the walk of `input` (named `input_name`: "IOVA", or "GPA" for a
// guest-physical address of a nested walk). In scalable mode `pe` is the PASID-table entry (its SLADE
// decides whether A and D are shown); null in legacy mode, whose titles and fields stay as they were.
step sl_step(const core::walk_step& w, const spec::caps& caps, uint64_t input, const char* input_name,
             const spec::pasid_entry* pe);

// First-stage (IA-32e) paging entry (spec 9.7) of the walk of `iova`. `table_note` names where the table
// address came from in a nested walk ("GPA 0x1000000, steps 5-8"), empty otherwise.
step fs_step(const core::walk_step& w, const spec::caps& caps, uint64_t iova, const spec::pasid_entry& pe,
             const std::string& table_note);

// An accessed/dirty update the unit wrote back into paging entry `w.entry_address`, whose value before the
// update was `before` (what the walk read there).
step status_write_step(const core::walk_step& w, uint64_t before, bool eafe);

// Scalable mode (spec 9.2, 9.4, 9.5, 9.6).
step sm_root_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid);
step sm_context_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid, bool has_pasid);
step pasid_dir_step(const core::walk_step& w, const spec::caps& caps, uint32_t pasid);
step pasid_entry_step(const core::walk_step& w, const spec::caps& caps, uint32_t pasid);

}  // namespace vtd::explain::build
