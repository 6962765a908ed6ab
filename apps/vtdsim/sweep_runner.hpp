// The local runner: each point replays in its own child process (SystemC elaborates once per process, and
// points then run in parallel on several cores); the outcome comes back through a pipe. Children die with
// the sweep, so a killed sweep leaves no orphan replays behind.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "apps/vtdsim/sweep_point_run.hpp"

namespace vtdsim::app {

// Runs requests[i] for every i in `todo`, at most `jobs` at once; `done(i, outcome)` is called in the
// parent as each finishes (in completion order).
void run_local(const std::vector<replay_request>& requests, const std::vector<size_t>& todo, unsigned jobs,
               const std::function<void(size_t, point_outcome&)>& done);

}  // namespace vtdsim::app
