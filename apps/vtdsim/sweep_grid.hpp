// The points of a sweep: parameter value lists ("16,32", "16..4096", words), their cross product over one or
// more traces, or an explicit list of points from a file. Each point gets a stable id (a hash of everything
// that decides its result) so that a rerun finds the points already done, whatever order they come in.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace vtdsim::app {

// More points than this in one local sweep is a typo, not a sweep to run on one machine (use `sweep plan`).
constexpr size_t kMaxLocalPoints = 10000;
// A plan is a list of jobs for a cluster: larger, but still bounded so that a runaway range fails fast.
constexpr size_t kMaxPlanPoints = 1000000;

struct sweep_point {
  std::string id;                                           // stable: see point_id
  std::string trace;                                        // the trace this point replays
  std::vector<std::pair<std::string, std::string>> params;  // KEY=VALUE overrides, in the grid's key order
};

// "16,32,64", "16..4096" (doubling from the first to the last) or words ("lru,fifo,plru"). Throws
// usage_error naming the item.
std::vector<std::string> split_values(const std::string& list, size_t limit = kMaxPlanPoints);

// Cross product of keys[i] over values[i] (the first key varies slowest), for every trace.
std::vector<sweep_point> cross_product(const std::vector<std::string>& keys,
                                       const std::vector<std::vector<std::string>>& values,
                                       const std::vector<std::string>& traces, size_t limit);

// An explicit point list: one point per line, whitespace-separated KEY=VALUE pairs; `trace=PATH` names the
// point's trace (otherwise the point runs on every trace of `traces`). '#' starts a comment. Throws
// std::runtime_error naming the file and line.
std::vector<sweep_point> read_points_file(const std::string& path, const std::vector<std::string>& traces,
                                          size_t limit);

// A list of traces, one path per line ('#' comments, blank lines ignored); relative paths are relative to
// the list file's directory, so that a list travels with its traces.
std::vector<std::string> read_traces_file(const std::string& path);

// Every key that appears in the points, in first-appearance order.
std::vector<std::string> point_keys(const std::vector<sweep_point>& points);

// The value of `key` in a point ("trace" gives the trace), empty when the point does not set it.
std::string point_value(const sweep_point& p, const std::string& key);

// Sets every point's id: FNV-1a over `context` (the replay options all points share) and the point's trace
// and parameters, as 16 hex digits. Throws std::runtime_error if two points are the same point.
void assign_ids(std::vector<sweep_point>& points, const std::string& context);

}  // namespace vtdsim::app
