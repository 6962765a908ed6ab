// Which field of which step a fault is to blame on (internal to apps/explain): the spec's fault conditions
// (legacy Table 30, scalable SRT/SCT/SPD/SPT/SFS/SSS/SGN) name the entry and field whose value caused them.
#pragma once
#include "apps/explain/explanation.hpp"
#include "model/core/request.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/fault_reason.hpp"

namespace vtd::explain {

// Marks the culprit field(s) of fault `r` in x.steps and returns the step where the walk stopped (the one
// that gets the "stop: fault" verdict): the last step read, or for a permission fault the first entry that
// lacked the permission. Null when the walk stopped before any structure was read.
step* mark_fault(explanation& x, spec::fault_reason r, const spec::caps& caps, const core::dma_request& req);

}  // namespace vtd::explain
