// `vtdsim sweep`: one trace, one configuration parameter varied over a list, one CSV row per point and an SVG
// plot of the chosen metric. Each point runs in a child process (SystemC elaborates once per process, and
// points then run in parallel on several cores); results come back as the point's statistics JSON through a
// pipe.
#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>

#include "apps/replay/sim_config.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/progress.hpp"
#include "apps/vtdsim/replay_run.hpp"
#include "apps/vtdsim/svg_plot.hpp"
#include "model/io/input_file.hpp"
#include "model/io/output_file.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

struct point {
  std::string value;
  pid_t pid = -1;
  int fd = -1;
  std::string output;
  nlohmann::json stats;
  std::string error;
};

// More points than this is a typo (or a grid for `sweep plan`, issue 15), not a sweep to run here.
constexpr size_t kMaxPoints = 10000;

// "16,32,64", "16..4096" (doubling from the first to the last), or words ("lru,fifo,plru").
std::vector<std::string> split_values(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto dots = item.find("..");
    if (dots != std::string::npos) {
      const std::string first = item.substr(0, dots), last = item.substr(dots + 2);
      if (first.empty() || last.empty())
        throw usage_error(fmt::format("--values '{}': a range needs both ends, e.g. 16..4096", item));
      uint64_t a = 0, b = 0;
      try {
        a = parse_number(first, "--values");
        b = parse_number(last, "--values");
      } catch (const std::invalid_argument& e) {
        throw usage_error(fmt::format("--values '{}': {}", item, e.what()));
      }
      if (a == 0 || a > b) throw usage_error(fmt::format("--values '{}': need 0 < first <= last", item));
      for (uint64_t v = a;; v *= 2) {
        out.push_back(std::to_string(v));
        if (v > b / 2) break;  // the next doubling would pass the end (or overflow)
      }
    } else if (!item.empty()) {
      out.push_back(item);
    } else {
      throw usage_error(fmt::format("--values '{}': an empty value", list));
    }
    if (out.size() > kMaxPoints) throw usage_error(fmt::format("--values: more than {} points", kMaxPoints));
  }
  if (out.empty()) throw usage_error("--values: no values");
  return out;
}

// A point's own file for a per-run output: "stats.json" becomes "stats.iotlb.entries=64.json", so that
// points never write the same file.
std::string point_path(const std::string& path, const std::string& param, const std::string& value) {
  if (path.empty() || path == "-") return path;
  const auto slash = path.rfind('/');
  const auto dot = path.rfind('.');
  const std::string tag = "." + param + "=" + value;
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
    return path + tag;
  return path.substr(0, dot) + tag + path.substr(dot);
}

void start(point& p, replay_request rq, const std::string& param) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // The point dies with the sweep (its own handler then removes its temporaries): a killed sweep leaves
    // no orphan replays finishing behind it.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) _exit(1);
    close(fds[0]);
    std::string out;
    int code = 0;
    try {
      rq.sets.push_back(param + "=" + p.value);
      rq.quiet = true;
      rq.no_progress = true;
      rq.stats_json = point_path(rq.stats_json, param, p.value);
      rq.per_request_csv = point_path(rq.per_request_csv, param, p.value);
      rq.epochs = point_path(rq.epochs, param, p.value);
      rq.vcd = point_path(rq.vcd, param, p.value);
      out = run_replay_request(rq).stats.dump();
    } catch (const std::exception& e) {
      out = std::string("ERROR ") + e.what();
      code = 1;
    }
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += size_t(n);
    }
    close(fds[1]);
    _exit(code);
  }
  close(fds[1]);
  p.pid = pid;
  p.fd = fds[0];
}

void finish(point& p) {
  char buf[65536];
  ssize_t n;
  while ((n = read(p.fd, buf, sizeof buf)) > 0) p.output.append(buf, size_t(n));
  close(p.fd);
  int status = 0;
  waitpid(p.pid, &status, 0);
  if (p.output.rfind("ERROR ", 0) == 0) {
    p.error = p.output.substr(6);
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || p.output.empty()) {
    p.error = "the point's replay process failed";
  } else {
    p.stats = nlohmann::json::parse(p.output);
  }
}

int run_sweep(const std::vector<std::string>& args) {
  replay_request rq;
  std::string param, values, metric = "iotlb.hit_rate", csv_path, svg_path;
  unsigned jobs = 0;
  po::options_description desc("vtdsim sweep");
  add_replay_options(desc, rq);
  desc.add_options()("param", po::value(&param)->required(), "configuration key to vary, e.g. iotlb.entries")(
      "values", po::value(&values)->required(),
      "comma-separated values; A..B doubles from A to B (16..4096)")(
      "metric", po::value(&metric)->default_value("iotlb.hit_rate"),
      "statistic to plot (any name in docs/stats.md)")(
      "csv", po::value(&csv_path), "write one CSV row per point")("svg", po::value(&svg_path),
                                                                  "write an SVG plot of the metric")(
      "jobs,j", po::value(&jobs)->default_value(0), "points run in parallel (0: number of cores)");
  if (!parse_options(
          args, 1, desc,
          "vtdsim sweep --platform FILE --trace FILE --param KEY --values LIST [--csv F] [--svg F]"))
    return 0;
  // Every point reads the trace from the start in its own process: a pipe or FIFO could be read only once.
  if (vtd::io::regular_file_size(rq.trace, "trace") < 0)
    throw usage_error(
        fmt::format("--trace {}: sweep reads the trace once per point and needs a regular file "
                    "(save the stream to a file first)",
                    rq.trace));
  for (const auto* out : {&rq.stats_json, &rq.per_request_csv, &rq.epochs, &rq.vcd})
    if (*out == "-")
      throw usage_error("sweep: per-point outputs cannot go to '-' (each point writes its own file)");
  std::vector<point> points;
  for (auto& v : split_values(values)) {
    points.emplace_back();
    points.back().value = v;
  }
  if (jobs == 0) jobs = std::max(1u, unsigned(sysconf(_SC_NPROCESSORS_ONLN)));
  // Each point is a process with a whole simulated system: more at once than cores only thrashes.
  constexpr unsigned kMaxJobs = 256;
  if (jobs > kMaxJobs) throw usage_error(fmt::format("-j {}: at most {} points at once", jobs, kMaxJobs));
  // Validate the parameter once before forking, so a typo fails fast with one message.
  {
    vtd::replay::sim_config c = rq.config_file.empty() ? vtd::replay::sim_preset(rq.preset)
                                                       : vtd::replay::load_sim_config(rq.config_file);
    for (const auto& s : rq.sets) vtd::replay::apply_override(c, s);
    for (const auto& p : points)
      vtd::replay::apply_override(c, param + "=" + p.value,
                                  fmt::format("--param {} --values ...{}...", param, p.value));
  }
  progress_line progress("sweep", !rq.quiet && !rq.no_progress, "points");
  size_t next = 0, done = 0, failed = 0;
  std::vector<point*> running;
  while (done < points.size()) {
    while (running.size() < jobs && next < points.size()) {
      start(points[next], rq, param);
      running.push_back(&points[next++]);
    }
    point* p = running.front();
    running.erase(running.begin());
    finish(*p);
    ++done;
    if (!p->error.empty()) ++failed;
    progress.update(done, points.size(), failed ? fmt::format("{} failed", failed) : std::string());
  }
  progress.finish();
  if (failed) {
    std::string all;
    for (const auto& p : points)
      if (!p.error.empty()) all += fmt::format("\n  {}={}: {}", param, p.value, p.error);
    throw std::runtime_error(fmt::format("{} of {} points failed:{}", failed, points.size(), all));
  }

  // CSV: the swept value, then a fixed set of headline statistics plus the chosen metric.
  std::vector<std::string> columns{
      "iommu_requests",           "iotlb_lookup",         "iotlb_hit",
      "iotlb.hit_rate",           "walks.per_request",    "iommu_mrds.per_request",
      "latency.dma_read.mean",    "latency.dma_read.p99", "pw_occupancy",
      "stale.translations_served"};
  if (std::find(columns.begin(), columns.end(), metric) == columns.end()) columns.push_back(metric);
  std::string csv = param;
  for (const auto& c : columns) csv += "," + c;
  csv += "\n";
  // Axis labels with units: the metric's from the statistics registry, the parameter's from the config.
  const auto& first_units = points.front().stats["units"];
  const std::string metric_unit =
      first_units.contains(metric) ? first_units[metric]["unit"].get<std::string>() : "";
  const std::string param_unit = vtd::replay::parameter_unit(param);
  auto with_unit = [](const std::string& name, const std::string& unit) {
    return unit.empty() ? name : fmt::format("{} ({})", name, unit);
  };
  bool numeric = true;
  for (const auto& p : points) {
    char* end = nullptr;
    std::strtod(p.value.c_str(), &end);
    if (p.value.empty() || *end != '\0') numeric = false;
  }
  plot_series series;
  series.x_label = with_unit(param, param_unit);
  series.y_label = with_unit(metric, metric_unit);
  series.title = fmt::format("{} vs {}", metric, param);
  series.caption =
      fmt::format("trace {}, platform {}, {} model, configuration {}{}", rq.trace, rq.platform,
                  rq.functional ? "functional" : "timed", rq.config_file.empty() ? rq.preset : rq.config_file,
                  rq.sets.empty() ? "" : ", --set " + fmt::format("{}", fmt::join(rq.sets, " ")));
  for (const auto& p : points) {
    csv += p.value;
    for (const auto& c : columns) {
      const auto& s = p.stats["stats"];
      csv += s.contains(c) ? "," + s[c].dump() : ",";
    }
    csv += "\n";
    const auto& s = p.stats["stats"];
    if (!s.contains(metric)) throw usage_error(fmt::format("--metric '{}': no such statistic", metric));
    if (numeric)
      series.x.push_back(std::strtod(p.value.c_str(), nullptr));
    else
      series.x_names.push_back(p.value);
    series.y.push_back(s[metric].get<double>());
  }
  std::vector<std::string> wrote;
  if (!csv_path.empty()) {
    vtd::io::output_file f(csv_path);
    f.write(csv);
    f.commit();
    wrote.push_back(csv_path);
  }
  if (!svg_path.empty()) {
    vtd::io::output_file f(svg_path);
    f.write(render_svg(series));
    f.commit();
    wrote.push_back(svg_path);
  }
  for (const auto* out : {&rq.stats_json, &rq.per_request_csv, &rq.epochs, &rq.vcd})
    if (!out->empty())
      for (const auto& p : points) wrote.push_back(point_path(*out, param, p.value));
  if (!rq.quiet) {
    fmt::print("{:>14}  {:>14}\n", param, metric);
    for (size_t i = 0; i < points.size(); ++i)
      fmt::print("{:>14}  {:>14.6g}\n", points[i].value, series.y[i]);
  }
  // Where each output went (stderr when stdout carries data: never here, but keep one rule).
  if (!rq.quiet)
    for (const auto& w : wrote) fmt::print("wrote {}\n", w);
  return 0;
}

const command_registrar sweep_registrar{
    {"sweep", "replay one trace over a list of values of one parameter; CSV and SVG plot", run_sweep}};

}  // namespace
}  // namespace vtdsim::app
