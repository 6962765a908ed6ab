// A sweep's plan: the replay options every point shares, and the points. `sweep plan` writes it to a
// directory with a jobs file (one command line per point) and a Slurm array script; the local runner writes
// the same plan, so that `sweep collect` merges results the same way however the points were run.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/vtdsim/replay_run.hpp"
#include "apps/vtdsim/sweep_grid.hpp"

namespace vtdsim::app {

struct sweep_plan {
  replay_request common;  // `trace` unused: each point names its own
  std::vector<sweep_point> points;
};

// The shared options as JSON (paths as given): what, besides the point, decides a point's result.
nlohmann::ordered_json common_to_json(const replay_request& rq);
replay_request common_from_json(const nlohmann::json& j);

nlohmann::ordered_json plan_to_json(const sweep_plan& plan);
// Throws std::runtime_error naming `where` on a malformed plan.
sweep_plan plan_from_json(const nlohmann::json& j, const std::string& where);
sweep_plan read_plan(const std::string& dir);  // DIR/plan.json

// The files of a plan directory.
std::string plan_path(const std::string& dir);
std::string point_result_path(const std::string& dir, const std::string& id);   // the point's stats JSON
std::string point_failure_path(const std::string& dir, const std::string& id);  // why it failed

// Writes DIR/plan.json, DIR/jobs (one line per point: `EXE sweep point DIR ID`, shell-quoted) and
// DIR/sbatch.sh (a Slurm job array running line $SLURM_ARRAY_TASK_ID of the jobs file), and creates
// DIR/points/. `exe` is the vtdsim binary the jobs run.
void write_plan_files(const std::string& dir, const sweep_plan& plan, const std::string& exe);

// The Slurm script for a jobs file of `count` lines (separate, so that its content can be tested).
std::string sbatch_script(const std::string& dir, size_t count);

// Single-quotes a word for sh (an embedded ' becomes '\'').
std::string shell_quote(const std::string& word);

}  // namespace vtdsim::app
