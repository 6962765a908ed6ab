// `vtdsim sweep`: replays over a grid of configuration parameters and traces (docs/sweeps.md).
//   vtdsim sweep ...            runs the points here, -j at once (resuming a --out directory)
//   vtdsim sweep plan ... -o D  writes the points as independent jobs (GNU parallel, Slurm)
//   vtdsim sweep point D ID     runs one job of a plan
//   vtdsim sweep collect D      merges whatever results exist: CSV, manifest, plots
#include <fmt/core.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "apps/replay/sim_config.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/progress.hpp"
#include "apps/vtdsim/replay_run.hpp"
#include "apps/vtdsim/sweep_collect.hpp"
#include "apps/vtdsim/sweep_grid.hpp"
#include "apps/vtdsim/sweep_plan.hpp"
#include "apps/vtdsim/sweep_point_run.hpp"
#include "apps/vtdsim/sweep_runner.hpp"
#include "model/io/input_file.hpp"
#include "model/io/output_file.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

struct grid_options {
  replay_request rq;
  std::vector<std::string> traces, params, values;
  std::string traces_file, points_file;
};

struct result_options {
  collect_options c;
  std::string csv, svg;
};

// The replay options, with --trace repeatable and optional (a --traces list or trace= in --points may name
// the traces instead).
void add_grid_options(po::options_description& desc, grid_options& g) {
  po::options_description replay;
  add_replay_options(replay, g.rq);
  for (const auto& o : replay.options())
    if (o->long_name() != "trace") desc.add(o);
  desc.add_options()("trace", po::value(&g.traces)->composing(), "trace to replay (repeatable)")(
      "traces", po::value(&g.traces_file), "file listing traces, one path per line")(
      "param", po::value(&g.params)->composing(),
      "configuration key to vary, e.g. iotlb.entries (repeatable)")(
      "values", po::value(&g.values)->composing(),
      "the values of the --param before it: comma-separated; A..B doubles from A to B (16..4096); words")(
      "points", po::value(&g.points_file), "explicit point list: one point per line, KEY=VALUE pairs");
}

void add_result_options(po::options_description& desc, result_options& r) {
  desc.add_options()("metric", po::value(&r.c.metrics)->composing(),
                     "statistic to report and plot (repeatable; any name in docs/stats.md)")(
      "x", po::value(&r.c.x), "parameter on the plot's x axis (default: the first --param)")(
      "series", po::value(&r.c.series)->composing(),
      "one plot line per value of this parameter, or 'trace' (default: every other varying one)")(
      "csv", po::value(&r.csv), "write the tidy CSV here")(
      "svg", po::value(&r.svg), "write the plot here (one per metric: NAME.METRIC.svg)");
}

std::string absolute(const std::string& path) {
  return path.empty() || path == "-" ? path : std::filesystem::absolute(path).lexically_normal().string();
}

// The points, checked: every trace a regular file, every value accepted by the configuration.
sweep_plan build_plan(grid_options& g, size_t limit, bool absolute_paths) {
  if (!g.traces_file.empty())
    for (auto& t : read_traces_file(g.traces_file)) g.traces.push_back(t);
  if (g.params.size() != g.values.size())
    throw usage_error(fmt::format("{} --param but {} --values: give one --values after each --param",
                                  g.params.size(), g.values.size()));
  sweep_plan plan;
  if (!g.points_file.empty()) {
    if (!g.params.empty()) throw usage_error("--points and --param: give the points one way");
    plan.points = read_points_file(g.points_file, g.traces, limit);
  } else {
    if (g.params.empty())
      throw usage_error("nothing to sweep: give --param KEY --values LIST or --points FILE");
    if (g.traces.empty()) throw usage_error("the option '--trace' is required but missing");
    for (size_t i = 0; i < g.params.size(); ++i)
      if (std::count(g.params.begin(), g.params.end(), g.params[i]) > 1)
        throw usage_error(fmt::format("--param {} is given twice", g.params[i]));
    std::vector<std::vector<std::string>> values;
    for (const auto& v : g.values) values.push_back(split_values(v, limit));
    plan.points = cross_product(g.params, values, g.traces, limit);
  }
  for (const auto* out : {&g.rq.stats_json, &g.rq.per_request_csv, &g.rq.epochs, &g.rq.vcd})
    if (*out == "-")
      throw usage_error("sweep: per-point outputs cannot go to '-' (each point writes its own file)");
  // Every point reads its trace from the start in its own process: a pipe or FIFO could be read only once.
  std::vector<std::string> checked;
  for (const auto& p : plan.points) {
    if (std::find(checked.begin(), checked.end(), p.trace) != checked.end()) continue;
    if (vtd::io::regular_file_size(p.trace, "trace") < 0)
      throw usage_error(
          fmt::format("--trace {}: sweep reads the trace once per point and needs a regular file "
                      "(save the stream to a file first)",
                      p.trace));
    checked.push_back(p.trace);
  }
  // Validate every value once before anything runs, so that a typo fails fast with one message.
  vtd::replay::sim_config base = g.rq.config_file.empty() ? vtd::replay::sim_preset(g.rq.preset)
                                                          : vtd::replay::load_sim_config(g.rq.config_file);
  for (const auto& s : g.rq.sets) vtd::replay::apply_override(base, s);
  for (const auto& p : plan.points) {
    vtd::replay::sim_config c = base;
    for (const auto& [k, v] : p.params)
      vtd::replay::apply_override(c, k + "=" + v, fmt::format("--param {} --values ...{}...", k, v));
  }
  plan.common = g.rq;
  plan.common.trace.clear();
  if (absolute_paths) {
    // Jobs may run from another directory or on another machine with the same file system.
    for (auto* s : {&plan.common.platform, &plan.common.config_file, &plan.common.stats_json,
                    &plan.common.per_request_csv, &plan.common.epochs, &plan.common.vcd})
      *s = absolute(*s);
    for (auto& p : plan.points) p.trace = absolute(p.trace);
  }
  assign_ids(plan.points, common_to_json(plan.common).dump());
  return plan;
}

bool several_traces(const sweep_plan& plan) {
  for (const auto& p : plan.points)
    if (p.trace != plan.points.front().trace) return true;
  return false;
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("vtdsim") : p.string();
}

void write_text(const std::string& path, const std::string& text, std::vector<std::string>& wrote) {
  vtd::io::output_file f(path);
  f.write(text);
  f.commit();
  wrote.push_back(path);
}

// CSV and plots from the outcomes (and the manifest when there is a directory). Returns the number of
// points that did not succeed, after reporting each on stderr.
size_t merge(const sweep_plan& plan, const std::vector<point_outcome>& outcomes, const result_options& r,
             const std::string& dir, bool quiet, std::vector<std::string>& wrote) {
  size_t ok = 0;
  for (const auto& o : outcomes) ok += o.st == point_outcome::state::ok;
  std::string csv_path = r.csv, svg_path = r.svg;
  if (!dir.empty()) {
    write_text((std::filesystem::path(dir) / "manifest.json").string(),
               manifest(plan, outcomes).dump(2) + "\n", wrote);
    if (csv_path.empty()) csv_path = (std::filesystem::path(dir) / "results.csv").string();
    if (svg_path.empty()) svg_path = (std::filesystem::path(dir) / "plot.svg").string();
  }
  if (!csv_path.empty()) write_text(csv_path, tidy_csv(plan, outcomes, r.c), wrote);
  if (ok > 0) {
    auto plots = sweep_plots(plan, outcomes, r.c);
    if (!svg_path.empty())
      for (const auto& [metric, p] : plots)
        write_text(plots.size() == 1 ? svg_path : tagged_path(svg_path, metric), render_svg(p), wrote);
    if (!quiet) {
      const auto& [metric, p] = plots.front();
      fmt::print("{}\n", p.title);
      for (const auto& l : p.lines)
        for (size_t i = 0; i < l.x.size(); ++i)
          fmt::print("  {}{}{} = {}: {:.6g}\n", l.name, l.name.empty() ? "" : ", ", p.x_label,
                     p.x_names.empty() ? fmt::format("{}", l.x[i]) : p.x_names[size_t(l.x[i])], l.y[i]);
    }
  }
  size_t bad = 0;
  std::string all;
  for (size_t i = 0; i < plan.points.size(); ++i) {
    const auto& o = outcomes[i];
    if (o.st == point_outcome::state::ok) continue;
    ++bad;
    const auto& p = plan.points[i];
    all += fmt::format(
        "\n  {} {} on {}: {}", p.id, point_tag(p, false), p.trace,
        o.st == point_outcome::state::missing ? std::string("missing (not run yet, or it died)") : o.error);
  }
  if (bad)
    fmt::print(stderr, "vtdsim sweep: {} of {} points failed or missing:{}\n", bad, plan.points.size(), all);
  return bad;
}

int run_here(const std::vector<std::string>& args) {
  grid_options g;
  result_options r;
  std::string dir;
  unsigned jobs = 0;
  po::options_description desc("vtdsim sweep");
  add_grid_options(desc, g);
  add_result_options(desc, r);
  desc.add_options()("out,o", po::value(&dir),
                     "sweep directory: every point's statistics, manifest, CSV and plots; rerunning resumes")(
      "jobs,j", po::value(&jobs)->default_value(0), "points run in parallel (0: number of cores)");
  if (!parse_options(args, 1, desc,
                     "vtdsim sweep --platform FILE --trace FILE... --param KEY --values LIST... [--out DIR] "
                     "[--csv F] [--svg F]\n       vtdsim sweep plan ... -o DIR | sweep point DIR ID | "
                     "sweep collect DIR   (docs/sweeps.md)"))
    return 0;
  if (jobs == 0) jobs = std::max(1u, unsigned(sysconf(_SC_NPROCESSORS_ONLN)));
  // Each point is a process with a whole simulated system: more at once than cores only thrashes.
  constexpr unsigned kMaxJobs = 256;
  if (jobs > kMaxJobs) throw usage_error(fmt::format("-j {}: at most {} points at once", jobs, kMaxJobs));
  sweep_plan plan = build_plan(g, kMaxLocalPoints, !dir.empty());
  const bool tag_trace = several_traces(plan);
  std::vector<replay_request> requests;
  for (const auto& p : plan.points)
    requests.push_back(point_request(plan.common, p, point_tag(p, tag_trace)));

  std::vector<point_outcome> outcomes(plan.points.size());
  std::vector<size_t> todo;
  size_t resumed = 0;
  if (!dir.empty()) {
    write_plan_files(dir, plan, self_exe());
    for (size_t i = 0; i < plan.points.size(); ++i) {
      outcomes[i] = load_outcome(dir, plan.points[i]);
      if (outcomes[i].st == point_outcome::state::ok)
        ++resumed;  // done in an earlier run
      else
        todo.push_back(i);
    }
  } else {
    for (size_t i = 0; i < plan.points.size(); ++i) todo.push_back(i);
  }
  progress_line progress("sweep", !g.rq.quiet && !g.rq.no_progress, "points");
  size_t done = 0, failed = 0;
  run_local(requests, todo, std::min<unsigned>(jobs, unsigned(std::max<size_t>(1, todo.size()))),
            [&](size_t i, point_outcome& o) {
              if (!dir.empty()) record_outcome(dir, plan.points[i], o);
              outcomes[i] = std::move(o);
              ++done;
              if (outcomes[i].st != point_outcome::state::ok) ++failed;
              std::string note = failed ? fmt::format("{} failed", failed) : std::string();
              if (resumed) note += fmt::format("{}{} done earlier", note.empty() ? "" : ", ", resumed);
              progress.update(done, todo.size(), note);
            });
  progress.finish();
  std::vector<std::string> wrote;
  const size_t bad = merge(plan, outcomes, r, dir, g.rq.quiet, wrote);
  for (size_t i = 0; i < plan.points.size(); ++i)
    if (outcomes[i].st == point_outcome::state::ok)
      for (const auto* out :
           {&requests[i].stats_json, &requests[i].per_request_csv, &requests[i].epochs, &requests[i].vcd})
        if (!out->empty() && (out != &requests[i].vcd || !g.rq.functional)) wrote.push_back(*out);
  if (!g.rq.quiet) {
    if (resumed) fmt::print("{} of {} points were done in an earlier run\n", resumed, plan.points.size());
    for (const auto& w : wrote) fmt::print("wrote {}\n", w);
  }
  return bad ? 1 : 0;
}

int run_plan(const std::vector<std::string>& args) {
  grid_options g;
  std::string dir;
  po::options_description desc("vtdsim sweep plan");
  add_grid_options(desc, g);
  desc.add_options()("out,o", po::value(&dir)->required(), "plan directory");
  if (!parse_options(args, 2, desc,
                     "vtdsim sweep plan --platform FILE --trace FILE... --param KEY --values LIST... -o DIR"))
    return 0;
  sweep_plan plan = build_plan(g, kMaxPlanPoints, true);
  write_plan_files(dir, plan, self_exe());
  if (!g.rq.quiet)
    fmt::print(
        "wrote {} ({} points), {}/jobs and {}/sbatch.sh\nrun: parallel < {}/jobs   or: sbatch {}/sbatch.sh\n"
        "then: vtdsim sweep collect {}\n",
        plan_path(dir), plan.points.size(), dir, dir, dir, dir, dir);
  return 0;
}

int run_one(const std::vector<std::string>& args) {
  std::string dir, id;
  bool force = false;
  po::options_description desc("vtdsim sweep point");
  desc.add_options()("help,h", "show this help")("dir", po::value(&dir)->required(), "plan directory")(
      "id", po::value(&id)->required(), "the point's id (a line of DIR/jobs)")(
      "force", po::bool_switch(&force), "run even if the point's result already exists");
  po::positional_options_description pos;
  pos.add("dir", 1).add("id", 1);
  if (!parse_options(args, 2, desc, "vtdsim sweep point DIR ID", &pos)) return 0;
  const sweep_plan plan = read_plan(dir);
  auto it = std::find_if(plan.points.begin(), plan.points.end(), [&](const auto& p) { return p.id == id; });
  if (it == plan.points.end()) throw usage_error(fmt::format("no point {} in {}", id, plan_path(dir)));
  if (!force && load_outcome(dir, *it).st == point_outcome::state::ok) return 0;  // done by an earlier run
  point_outcome o = run_point(point_request(plan.common, *it, point_tag(*it, several_traces(plan))));
  record_outcome(dir, *it, o);
  if (o.st != point_outcome::state::ok) fmt::print(stderr, "vtdsim sweep point {}: error: {}\n", id, o.error);
  return o.exit_status;
}

int run_collect(const std::vector<std::string>& args) {
  std::string dir;
  bool quiet = false;
  result_options r;
  po::options_description desc("vtdsim sweep collect");
  desc.add_options()("help,h", "show this help")("dir", po::value(&dir)->required(), "plan directory")(
      "quiet,q", po::bool_switch(&quiet), "print nothing");
  add_result_options(desc, r);
  po::positional_options_description pos;
  pos.add("dir", 1);
  if (!parse_options(args, 2, desc, "vtdsim sweep collect DIR [--metric NAME]... [--series KEY]", &pos))
    return 0;
  const sweep_plan plan = read_plan(dir);
  std::vector<std::string> wrote;
  const size_t bad = merge(plan, load_outcomes(dir, plan), r, dir, quiet, wrote);
  if (!quiet)
    for (const auto& w : wrote) fmt::print("wrote {}\n", w);
  return bad ? 1 : 0;
}

int run_sweep(const std::vector<std::string>& args) {
  if (args.size() > 1 && args[1] == "plan") return run_plan(args);
  if (args.size() > 1 && args[1] == "point") return run_one(args);
  if (args.size() > 1 && args[1] == "collect") return run_collect(args);
  return run_here(args);
}

const command_registrar sweep_registrar{
    {"sweep", "replay over a grid of parameters and traces; CSV, plots; plan/collect for clusters",
     run_sweep}};

}  // namespace
}  // namespace vtdsim::app
