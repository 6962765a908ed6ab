// One point of a sweep: the replay it runs, and its result file in a sweep directory (DIR/points/ID.json:
// the replay's full statistics JSON plus a "sweep_point" block; DIR/points/ID.failed.json when it failed).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "apps/vtdsim/replay_run.hpp"
#include "apps/vtdsim/sweep_grid.hpp"

namespace vtdsim::app {

struct point_outcome {
  enum class state { ok, failed, missing };
  state st = state::missing;
  nlohmann::ordered_json doc;  // ok: the statistics JSON (with "sweep_point"); failed: the failure record
  std::string error;
  int exit_status = 0;  // the replay process's: 0 ok, 1 failed, 128+N killed by signal N
  double wall_s = 0;
};

// A readable tag for a point's own output files: "iotlb.entries=64" ("k=v.k2=v2"; ".trace=NAME" added when
// `with_trace`), so that "stats.json" becomes "stats.iotlb.entries=64.json".
std::string point_tag(const sweep_point& p, bool with_trace);
// "stats.json" + tag -> "stats.TAG.json" (no extension: "stats.TAG"); "" and "-" unchanged.
std::string tagged_path(const std::string& path, const std::string& tag);

// The common options with the point's trace and overrides; per-point outputs are tagged.
replay_request point_request(const replay_request& common, const sweep_point& p, const std::string& tag);

// Runs the point in this process (no output on the terminal). Never throws: a failure is an outcome.
point_outcome run_point(const replay_request& rq);

// The "sweep_point" block: id, parameters, trace, exit status, wall time.
nlohmann::ordered_json point_block(const sweep_point& p, const point_outcome& o);

// Writes the point's result (or failure) file under DIR/points, atomically; a success removes an earlier
// failure record (the point was rerun).
void record_outcome(const std::string& dir, const sweep_point& p, point_outcome& o);

// Reads the point's result from DIR/points: ok when its result file parses, failed when only a failure
// record exists, missing otherwise.
point_outcome load_outcome(const std::string& dir, const sweep_point& p);

}  // namespace vtdsim::app
