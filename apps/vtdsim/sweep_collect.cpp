// Merging a sweep's outcomes (see header).
#include "apps/vtdsim/sweep_collect.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "apps/replay/sim_config.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/version.hpp"

namespace vtdsim::app {

namespace {

// A CSV cell: quoted when it holds a separator, a quote or a line break (RFC 4180).
std::string cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

bool varies(const sweep_plan& plan, const std::string& key) {
  for (const auto& p : plan.points)
    if (point_value(p, key) != point_value(plan.points.front(), key)) return true;
  return false;
}

std::string with_unit(const std::string& name, const std::string& unit) {
  return unit.empty() ? name : fmt::format("{} ({})", name, unit);
}

bool numeric(const std::string& v) {
  char* end = nullptr;
  std::strtod(v.c_str(), &end);
  return !v.empty() && *end == '\0';
}

}  // namespace

const std::vector<std::string>& default_metrics() {
  static const std::vector<std::string> m{
      "iommu_requests",           "iotlb_lookup",         "iotlb_hit",
      "iotlb.hit_rate",           "walks.per_request",    "iommu_mrds.per_request",
      "latency.dma_read.mean",    "latency.dma_read.p99", "pw_occupancy",
      "stale.translations_served"};
  return m;
}

std::string tidy_csv(const sweep_plan& plan, const std::vector<point_outcome>& outcomes,
                     const collect_options& o) {
  const auto keys = point_keys(plan.points);
  const bool traces = varies(plan, "trace");
  const auto& metrics = o.metrics.empty() ? default_metrics() : o.metrics;
  std::string csv;
  for (const auto& k : keys) {
    if (!csv.empty()) csv += ',';
    csv += cell(k);
  }
  if (traces) csv += csv.empty() ? "trace" : ",trace";
  for (const auto& m : metrics) {
    if (!csv.empty()) csv += ',';
    csv += cell(m);
  }
  csv += "\n";
  for (size_t i = 0; i < plan.points.size(); ++i) {
    if (outcomes[i].st != point_outcome::state::ok) continue;
    const auto& p = plan.points[i];
    std::string row;
    bool first = true;
    auto add = [&](const std::string& s) {
      if (!first) row += ',';
      row += s;
      first = false;
    };
    for (const auto& k : keys) add(cell(point_value(p, k)));
    if (traces) add(cell(p.trace));
    const auto& s = outcomes[i].doc["stats"];
    // Empty where a statistic does not exist (latencies in a functional sweep).
    for (const auto& m : metrics) add(s.contains(m) ? s[m].dump() : "");
    csv += row + "\n";
  }
  return csv;
}

nlohmann::ordered_json manifest(const sweep_plan& plan, const std::vector<point_outcome>& outcomes) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "vtdsim sweep manifest";
  j["tool_version"] = tool_version();  // the collecting tool's; each point records the one that ran it
  j["replay"] = common_to_json(plan.common);
  size_t ok = 0, failed = 0, missing = 0;
  auto& pts = j["points"] = nlohmann::ordered_json::object();
  for (size_t i = 0; i < plan.points.size(); ++i) {
    const auto& p = plan.points[i];
    const auto& o = outcomes[i];
    nlohmann::ordered_json e;
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [k, v] : p.params) params[k] = v;
    e["params"] = params;
    e["trace"] = p.trace;
    switch (o.st) {
      case point_outcome::state::ok: {
        ++ok;
        const auto& d = o.doc;
        e["status"] = "ok";
        e["result"] = "points/" + p.id + ".json";
        e["trace_fingerprint"] = d.value("/trace/fingerprint"_json_pointer, std::string());
        if (d.contains("trace") && d["trace"].contains("seed")) e["seed"] = d["trace"]["seed"];
        e["tool_version"] = d.value("tool_version", std::string());
        e["mode"] = d.value("mode", std::string());
        e["config"] = d.contains("config") ? d["config"] : nlohmann::ordered_json();
        break;
      }
      case point_outcome::state::failed:
        ++failed;
        e["status"] = "failed";
        e["error"] = o.error;
        break;
      case point_outcome::state::missing:
        ++missing;
        e["status"] = "missing";
        break;
    }
    if (o.st != point_outcome::state::missing) {
      e["exit_status"] = o.exit_status;
      e["wall_s"] = o.wall_s;
    }
    pts[p.id] = std::move(e);
  }
  j["summary"] = {{"points", plan.points.size()}, {"ok", ok}, {"failed", failed}, {"missing", missing}};
  return j;
}

std::vector<std::pair<std::string, plot>> sweep_plots(const sweep_plan& plan,
                                                      const std::vector<point_outcome>& outcomes,
                                                      const collect_options& o) {
  const auto keys = point_keys(plan.points);
  auto known = [&](const std::string& k, const char* what) {
    if (k != "trace" && std::find(keys.begin(), keys.end(), k) == keys.end())
      throw usage_error(fmt::format("{} {}: not a swept parameter (the grid has: {}, trace)", what, k,
                                    fmt::join(keys, ", ")));
  };
  std::string x = o.x.empty() ? (keys.empty() ? std::string("trace") : keys.front()) : o.x;
  known(x, "--x");
  for (const auto& s : o.series) known(s, "--series");
  // Series: the chosen keys, then every other key that varies (so that no two points share a position).
  std::vector<std::string> series = o.series;
  std::vector<std::string> all = keys;
  all.push_back("trace");
  for (const auto& k : all)
    if (k != x && varies(plan, k) && std::find(series.begin(), series.end(), k) == series.end())
      series.push_back(k);
  series.erase(std::remove(series.begin(), series.end(), x), series.end());

  bool categorical = false;
  for (size_t i = 0; i < plan.points.size(); ++i)
    if (outcomes[i].st == point_outcome::state::ok && !numeric(point_value(plan.points[i], x)))
      categorical = true;
  std::vector<std::string> names;  // categorical x: in the grid's order
  for (const auto& p : plan.points) {
    const auto v = point_value(p, x);
    if (std::find(names.begin(), names.end(), v) == names.end()) names.push_back(v);
  }

  std::vector<std::string> to_plot = o.metrics;
  if (to_plot.empty()) to_plot.push_back("iotlb.hit_rate");
  std::string config = plan.common.config_file.empty() ? plan.common.preset : plan.common.config_file;
  std::string fixed;  // parameters that do not vary: part of the configuration the points share
  for (const auto& k : keys)
    if (!varies(plan, k)) fixed += fmt::format(" {}={}", k, point_value(plan.points.front(), k));
  if (!varies(plan, "trace")) fixed += " trace " + plan.points.front().trace;
  const std::string caption = fmt::format(
      "platform {}, {} model, configuration {}{}{}", plan.common.platform,
      plan.common.functional ? "functional" : "timed", config,
      plan.common.sets.empty() ? "" : ", --set " + fmt::format("{}", fmt::join(plan.common.sets, " ")),
      fixed.empty() ? "" : "," + fixed);

  std::vector<std::pair<std::string, plot>> out;
  for (const auto& metric : to_plot) {
    plot p;
    std::string unit;
    bool found = false;
    std::map<std::string, size_t> line_of;
    for (size_t i = 0; i < plan.points.size(); ++i) {
      if (outcomes[i].st != point_outcome::state::ok) continue;
      const auto& d = outcomes[i].doc;
      if (!d["stats"].contains(metric) || !d["stats"][metric].is_number()) continue;
      found = true;
      if (unit.empty() && d.contains("units") && d["units"].contains(metric))
        unit = d["units"][metric].value("unit", std::string());
      std::string label;
      for (const auto& k : series) {
        std::string v = point_value(plan.points[i], k);
        if (!label.empty()) label += ", ";
        label += k;
        label += '=';
        label += v;
      }
      auto [it, fresh] = line_of.try_emplace(label, p.lines.size());
      if (fresh) p.lines.push_back(plot_line{label, {}, {}});
      auto& line = p.lines[it->second];
      const std::string xv = point_value(plan.points[i], x);
      line.x.push_back(categorical ? double(std::find(names.begin(), names.end(), xv) - names.begin())
                                   : std::strtod(xv.c_str(), nullptr));
      line.y.push_back(d["stats"][metric].get<double>());
    }
    if (!found) throw usage_error(fmt::format("--metric '{}': no such statistic in any point", metric));
    if (categorical) p.x_names = names;
    p.x_label = with_unit(x, x == "trace" ? std::string() : vtd::replay::parameter_unit(x));
    p.y_label = with_unit(metric, unit);
    p.title = series.empty() ? fmt::format("{} vs {}", metric, x)
                             : fmt::format("{} vs {}, by {}", metric, x, fmt::join(series, ", "));
    p.caption = caption;
    out.emplace_back(metric, std::move(p));
  }
  return out;
}

std::vector<point_outcome> load_outcomes(const std::string& dir, const sweep_plan& plan) {
  std::vector<point_outcome> out;
  out.reserve(plan.points.size());
  for (const auto& p : plan.points) out.push_back(load_outcome(dir, p));
  return out;
}

}  // namespace vtdsim::app
