// Merging a sweep's outcomes: the tidy CSV (a row per point that ran, a column per parameter and per chosen
// metric), the manifest (every point: parameters, trace and its fingerprint, configuration, tool version,
// seed, exit status, wall time) and the plots (one per metric, one line per series).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/vtdsim/svg_plot.hpp"
#include "apps/vtdsim/sweep_plan.hpp"
#include "apps/vtdsim/sweep_point_run.hpp"

namespace vtdsim::app {

// The headline statistics a sweep reports when no --metric is chosen.
const std::vector<std::string>& default_metrics();

struct collect_options {
  std::vector<std::string> metrics;  // CSV columns and plots; empty: default_metrics(), plot iotlb.hit_rate
  std::string x;                     // the plot's x axis: a parameter (default: the first)
  std::vector<std::string> series;   // one line per value of these (default: every other varying one)
};

// Outcomes are aligned with plan.points.
std::string tidy_csv(const sweep_plan& plan, const std::vector<point_outcome>& outcomes,
                     const collect_options& o);

nlohmann::ordered_json manifest(const sweep_plan& plan, const std::vector<point_outcome>& outcomes);

// The plots of the metrics to plot (every chosen one; iotlb.hit_rate by default), in that order.
// Throws usage_error for an x or series key that is not a parameter, or a metric no point reports.
std::vector<std::pair<std::string, plot>> sweep_plots(const sweep_plan& plan,
                                                      const std::vector<point_outcome>& outcomes,
                                                      const collect_options& o);

// Reads every point's outcome from a sweep directory.
std::vector<point_outcome> load_outcomes(const std::string& dir, const sweep_plan& plan);

}  // namespace vtdsim::app
