// One replay from options to outputs (see header). Statistics JSON fields: docs/stats.md.
#include "apps/vtdsim/replay_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <thread>

#include "apps/replay/timed/timed_replay.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/progress.hpp"
#include "apps/vtdsim/replay_summary.hpp"
#include "apps/vtdsim/replay_system.hpp"
#include "apps/vtdsim/trace_source.hpp"
#include "apps/vtdsim/units_replay.hpp"
#include "apps/vtdsim/version.hpp"
#include "model/io/output_file.hpp"
#include "model/spec/text.hpp"
#include "tables/platform_units.hpp"
#include "tables/table_error.hpp"
#include "traces/trace_common.hpp"
#include "traces/trace_reader.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {

void add_replay_options(po::options_description& desc, replay_request& rq) {
  desc.add_options()("help,h", "show this help")("platform", po::value(&rq.platform)->required(),
                                                 "platform JSON (docs/platform-format.md)")(
      "trace", po::value(&rq.trace)->required(),
      "trace: text or binary, plain/zstd/xz/gzip (docs/trace-format.md)")(
      "preset", po::value(&rq.preset)->default_value("server"),
      "configuration preset: server | broadwell | pcie-bench")("config", po::value(&rq.config_file),
                                                               "configuration JSON (docs/config.md)")(
      "set", po::value(&rq.sets)->composing(), "override KEY=VALUE, e.g. iotlb.entries=64 (repeatable)")(
      "functional", po::bool_switch(&rq.functional), "functional core only (fast; no latencies)")(
      "issue", po::value(&rq.issue),
      "open: requests issue at their trace time; closed: devices wait for PCIe tags and credits (timed "
      "mode; default: the configuration's device.issue)")("warmup", po::value(&rq.warmup)->default_value(0),
                                                          "requests replayed before statistics start")(
      "stats-json", po::value(&rq.stats_json), "write every statistic as JSON (docs/stats.md)")(
      "per-request", po::value(&rq.per_request_csv), "write one CSV line per request (docs/stats.md)")(
      "vcd", po::value(&rq.vcd), "write walker occupancy and queue depth as VCD (timed mode)")(
      "epochs", po::value(&rq.epochs),
      "write walker occupancy and queue depth per quantum as CSV (timed mode)")(
      "no-stale-check", po::bool_switch(&rq.no_stale_check), "do not look for missing invalidations")(
      "threads", po::value(&rq.threads)->default_value(0),
      "a platform with several remapping units: threads to replay them on (0: one per unit, up to the "
      "cores; results do not depend on it)")("no-progress", po::bool_switch(&rq.no_progress),
                                             "no progress line on the terminal")(
      "quiet,q", po::bool_switch(&rq.quiet), "print nothing (use with --stats-json)");
}

namespace {

// Whether the trace says its record times are closed-loop ready times (binary header flag
// header_closed_loop, text "#! issue closed"). Read from a regular file's header only: a stream cannot be
// read twice, and is replayed as the configuration says.
bool trace_is_closed_loop(const std::string& path) {
  std::error_code ec;
  if (path == "-" || !std::filesystem::is_regular_file(path, ec)) return false;
  try {
    const vtd::traces::trace_reader reader(path);
    return vtd::traces::issue_of(reader.header()) == vtd::traces::issue_mode::closed;
  } catch (const std::exception&) {
    return false;  // the replay's own reader reports what is wrong with the file
  }
}

// The --per-request CSV's header (docs/stats.md).
constexpr const char* kPerRequestHeader =
    "index,time_ns,sid,kind,address,status,fault,hpa,iotlb_hit,memory_reads,latency_ns\n";

// Progress of a replay: percent and ETA from the record count when the trace's header has it, else from the
// position in the file.
std::function<void(uint64_t)> progress_of(progress_line& progress, trace_source& trace) {
  return [&progress, &trace](uint64_t n) {
    if (trace.record_count)
      progress.update(n, trace.record_count);
    else
      progress.update_fraction(n, trace.fraction_read());
  };
}

// The --stats-json document (docs/stats.md).
nlohmann::ordered_json stats_document(const replay_request& rq, const vtd::replay::sim_config& config,
                                      bool timed, bool closed, trace_source& trace,
                                      const vtd::replay::stats_report& report,
                                      const std::vector<vtd::replay::stale_event>& stale_events) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["tool"] = "vtdsim";
  j["tool_version"] = tool_version();
  j["mode"] = timed ? "timed" : "functional";
  if (closed) j["issue"] = "closed";  // open-loop documents stay as they were
  j["platform"] = rq.platform;
  j["trace"] = {{"path", rq.trace},
                {"format", trace.description},
                {"fingerprint", trace.fingerprint()},
                {"seed", trace.seed}};
  j["config"] = vtd::replay::to_json(config);
  j["stats"] = report.to_json();
  j["units"] = report.describe_json();
  nlohmann::ordered_json stale = nlohmann::ordered_json::array();
  for (const auto& e : stale_events) {
    nlohmann::ordered_json event{
        {"record", e.record_index}, {"time_ps", e.time_ps}, {"sid", vtd::spec::format_bdf(e.sid)}};
    if (e.has_pasid) event["pasid"] = e.pasid;  // scalable mode
    event["address"] = fmt::format("0x{:x}", e.address);
    event["served"] = e.served;
    event["memory"] = e.memory;
    event["changed"] = e.changed;
    event["fix"] = e.fix;
    stale.push_back(std::move(event));
  }
  j["stale_examples"] = stale;
  return j;
}

// A platform with several remapping units (units_replay.hpp): functional on threads, or timed (open loop)
// with a process per unit.
replay_result run_units_replay(const replay_request& rq, const vtd::replay::sim_config& config,
                               const vtd::tables::platform_units& platform,
                               std::optional<vtd::io::output_file>& stats_out) {
  const bool timed = !rq.functional;
  if (timed && config.device.issue == vtd::replay::issue_mode::closed)
    throw usage_error(
        fmt::format("{} has {} remapping units: closed-loop issue replays one unit (use --issue open)",
                    rq.platform, platform.units.size()));
  if (!rq.vcd.empty() || !rq.epochs.empty())
    throw usage_error(fmt::format("{} has {} remapping units: --vcd and --epochs show one unit's walkers",
                                  rq.platform, platform.units.size()));
  if (timed && (rq.trace == "-" || !std::filesystem::is_regular_file(rq.trace)))
    throw usage_error(
        fmt::format("{}: the timed model replays several remapping units in a process each, "
                    "which read the trace from a regular file",
                    rq.trace));
  std::optional<vtd::io::output_file> csv;
  if (!rq.per_request_csv.empty()) {
    csv.emplace(rq.per_request_csv);
    csv->write(kPerRequestHeader);
  }
  units_replay_options options;
  options.warmup = rq.warmup;
  options.check_stale = !rq.no_stale_check;
  options.per_request = csv.has_value();
  options.threads = rq.threads ? rq.threads : std::max(1u, std::thread::hardware_concurrency());
  units_replay replay(platform, rq.platform, config, options);
  trace_source trace = open_trace(rq.trace);
  progress_line progress("replay", !rq.no_progress && !rq.quiet);
  const auto start = std::chrono::steady_clock::now();
  const std::function<void(uint64_t)> show = progress_of(progress, trace);
  if (timed)
    replay.run_timed(rq.trace, config, show, [&] { progress.finish(); });
  else
    replay.run(trace, rq.trace, show);
  progress.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  vtd::replay::stats_report report = replay.report(wall);
  // stale_examples as many as one engine lists (replay_options::stale_examples).
  const auto stale = replay.stale_events(vtd::replay::replay_options{}.stale_examples);
  replay_result result;
  std::string headline =
      fmt::format("vtdsim replay: {} on {} ({} model, {} configuration, {} remapping units)", rq.trace,
                  rq.platform, timed ? "timed SystemC" : "functional", config.preset, replay.size());
  result.summary = format_summary(report, stale, headline, timed);
  std::vector<std::string> names;
  for (size_t i = 0; i < replay.size(); ++i) names.push_back(replay.name(i));
  result.summary += format_units_summary(report, names);
  result.stats = stats_document(rq, config, timed, false, trace, report, stale);
  if (csv) {
    replay.write_per_request(csv->stream());
    csv->commit();
    result.wrote.push_back(rq.per_request_csv);
  }
  if (stats_out) {
    stats_out->write(result.stats.dump(2) + "\n");
    stats_out->commit();
    result.wrote.push_back(rq.stats_json);
  }
  return result;
}

}  // namespace

replay_result run_replay_request(const replay_request& rq) {
  vtd::replay::sim_config config = rq.config_file.empty() ? vtd::replay::sim_preset(rq.preset)
                                                          : vtd::replay::load_sim_config(rq.config_file);
  for (const auto& s : rq.sets) vtd::replay::apply_override(config, s);
  if (!rq.issue.empty())
    vtd::replay::apply_override(config, "device.issue=" + rq.issue, "--issue");
  else if (!rq.functional && trace_is_closed_loop(rq.trace))
    config.device.issue = vtd::replay::issue_mode::closed;  // the trace's own issue mode (timed replay)
  const bool closed = config.device.issue == vtd::replay::issue_mode::closed;
  if (rq.functional && closed)
    throw usage_error("closed-loop issue needs the timed model (drop --functional, or --issue open)");

  if (rq.functional && !rq.vcd.empty()) throw usage_error("--vcd needs the timed model (drop --functional)");
  if (rq.functional && !rq.epochs.empty())
    throw usage_error("--epochs needs the timed model (drop --functional)");
  // Every output is opened before the replay starts, so that a path that cannot be written fails at once and
  // not after an hour of replay; each appears only when the replay succeeded (model/io/output_file.hpp).
  std::optional<vtd::io::output_file> csv, epochs, stats_out;
  if (!rq.stats_json.empty()) stats_out.emplace(rq.stats_json);
  vtd::tables::platform_units units;
  try {
    units = vtd::tables::load_platform_units(rq.platform);
  } catch (const vtd::tables::table_error& e) {
    throw std::runtime_error(e.what());
  }
  if (units.several) return run_units_replay(rq, config, units, stats_out);
  replay_system sys = make_replay_system(load_platform(units.units.front().platform, rq.platform), config);
  if (!rq.epochs.empty()) {
    epochs.emplace(rq.epochs);
    epochs->write("time_ns,records,walkers_busy,walker_queue\n");
  }
  vtd::replay::replay_options options;
  options.warmup = rq.warmup;
  options.check_stale = !rq.no_stale_check;
  if (!rq.per_request_csv.empty()) {
    csv.emplace(rq.per_request_csv);
    csv->write(kPerRequestHeader);
    options.per_request_csv = csv->stream();
  }
  trace_source trace = open_trace(rq.trace);
  vtd::replay::replay_engine engine(*sys.unit, *sys.driver, options);
  engine.use_ats(sys.ats.get());  // devices whose context enables ATS (none: nothing changes)
  std::map<uint16_t, std::string> names;
  for (const auto& d : sys.platform->description().devices)
    if (!d.name.empty()) names[d.sid] = d.name;
  engine.set_device_names(names);

  progress_line progress("replay", !rq.no_progress && !rq.quiet);
  auto show_progress = progress_of(progress, trace);
  const auto start = std::chrono::steady_clock::now();
  const bool timed = !rq.functional;
  uint64_t count = 0;
  vtd::replay::timed_summary timed_result;
  // Errors of the trace reader carry their own position (file:line:column, or record and byte offset);
  // errors of applying a record get the record's index here.
  struct trace_read_error : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  // Records are pulled a block at a time (one call per few thousand records, not one per record).
  auto next_block = [&]() -> std::span<const vtd::traces::record> {
    try {
      return trace.next_block();
    } catch (const std::exception& e) {
      throw trace_read_error(e.what());
    }
  };
  try {
    if (timed) {
      vtd::replay::timed_options topt;
      topt.vcd_path = rq.vcd;
      if (epochs) topt.epochs = epochs->stream();
      topt.on_progress = [&](uint64_t n) { show_progress(n); };
      topt.device = &config.device;
      topt.warmup = rq.warmup;
      topt.pulled = &count;
      if (!config.devices.empty()) topt.per_device = sys.devices;
      timed_result = vtd::replay::run_timed(engine, *sys.unit, config.timing, next_block, topt);
    } else {
      for (std::span<const vtd::traces::record> block; !(block = next_block()).empty();) {
        for (const vtd::traces::record& r : block) {
          ++count;  // before submit: an error names this record
          engine.submit(r);
        }
        show_progress(count);
      }
    }
  } catch (const trace_read_error& e) {
    throw std::runtime_error(e.what());
  } catch (const vtd::io::output_error& e) {
    throw;  // an output path (the VCD) names itself; no trace record is at fault
  } catch (const std::exception& e) {
    // Driver records the tables refuse are bad input: say which record (counted from 0, as the binary
    // format's errors count; comments and blank lines of a text trace are not records).
    throw std::runtime_error(fmt::format("{}: record {}: {}", rq.trace, count ? count - 1 : 0, e.what()));
  }
  progress.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  replay_result result;
  vtd::replay::stats_report report = engine.report(wall, timed);
  if (closed) vtd::replay::add_closed_loop_stats(report, timed_result.devices, names);
  result.summary = format_summary(
      report, engine.stale_events(),
      fmt::format("vtdsim replay: {} on {} ({} model, {} configuration{})", rq.trace, rq.platform,
                  timed ? "timed SystemC" : "functional", config.preset, closed ? ", closed-loop issue" : ""),
      timed);
  result.stats = stats_document(rq, config, timed, closed, trace, report, engine.stale_events());
  if (csv) {
    csv->commit();
    result.wrote.push_back(rq.per_request_csv);
  }
  if (epochs) {
    epochs->commit();
    result.wrote.push_back(rq.epochs);
  }
  if (!rq.vcd.empty() && timed) result.wrote.push_back(rq.vcd);
  if (stats_out) {
    stats_out->write(result.stats.dump(2) + "\n");
    stats_out->commit();
    result.wrote.push_back(rq.stats_json);
  }
  return result;
}

}  // namespace vtdsim::app
