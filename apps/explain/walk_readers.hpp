// Readers of a DMA walk record (internal to apps/explain): each turns the core's record of one mode into
// explained steps with their verdicts, and says what shape the walk had so the input address can be cut into
// its index slices. Faults are marked afterwards (fault_marks.hpp), from the steps alone.
#pragma once
#include "apps/explain/explanation.hpp"
#include "model/core/walk_record.hpp"
#include "model/spec/caps.hpp"

namespace vtd::explain::read {

struct walk_shape {
  unsigned levels = 0;       // paging levels the input address goes through (0: no paging walk)
  unsigned leaf_level = 1;   // the level whose entry mapped the page
  bool first_stage = false;  // an IA-32e first-stage walk: the input must be canonical
};

// Legacy mode (TTM=00b): root, context, second-level entries.
walk_shape legacy_walk(explanation& x, const core::walk_record& rec, const spec::caps& caps,
                       const core::dma_request& req);

// Scalable mode (TTM=01b): root, context, PASID directory and PASID-table entries, then the first-stage,
// second-stage or nested walk and the accessed/dirty updates; fills the PASID fields of `x`.
walk_shape scalable_walk(explanation& x, const core::walk_record& rec, const spec::caps& caps,
                         const core::dma_request& req);

}  // namespace vtd::explain::read
