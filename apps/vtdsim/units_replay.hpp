// Replay on a platform with several remapping units (docs/stats.md, "Several remapping units"): one
// replay_system and one replay_engine per unit, and the units run on separate threads when there are cores
// for them. Units share nothing but memory (each unit's platform has its own tables), and every engine counts
// every record of the trace and applies those its own unit_router sends to its unit, so a unit's results do
// not depend on the thread that runs it: a threaded run gives exactly the results of a sequential one. The
// trace is read once (block_ring hands every block to every worker thread); the timed model runs each unit
// in a process of its own.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/replay/replay_engine.hpp"
#include "apps/replay/sim_config.hpp"
#include "apps/replay/unit_router.hpp"
#include "apps/vtdsim/replay_system.hpp"
#include "apps/vtdsim/trace_source.hpp"
#include "tables/platform_units.hpp"

namespace vtdsim::app {

struct units_replay_options {
  uint64_t warmup = 0;  // requests of the whole trace replayed before statistics start
  bool check_stale = true;
  bool per_request = false;  // keep each unit's per-request CSV lines for write_per_request
  unsigned threads = 1;      // 1: every unit on the calling thread; more: at most one thread per unit
};

class units_replay {
 public:
  // Builds every unit's tables and its remapping unit. Throws std::runtime_error on a bad platform.
  units_replay(const vtd::tables::platform_units& platform, const std::string& platform_path,
               const vtd::replay::sim_config& config, const units_replay_options& options);
  ~units_replay();

  // Functional model: replays every record of `trace` (`trace_path` names it in errors); the calling thread
  // reads it, each of options.threads worker threads applies it to its units (unit i on worker i mod
  // threads; one thread: the calling thread does everything). `progress` is called on the calling thread
  // with the records read so far. Throws std::runtime_error naming the trace and the record (counted from 0)
  // that went wrong: the first in trace order, whatever the threads.
  void run(trace_source& trace, const std::string& trace_path,
           const std::function<void(uint64_t records)>& progress);
  // Timed model, open-loop issue: each unit replays the trace in a process of its own (SystemC runs one
  // simulation per process), up to options.threads at once; each sends back its statistics (latency
  // histograms included), stale examples and per-request lines. The same errors as run(). `progress` is
  // called in the first unit's process. A regular file only (each process reads it).
  // `progress_done` is called there when that unit's replay ends (to clear its progress line).
  void run_timed(const std::string& trace_path, const vtd::replay::sim_config& config,
                 const std::function<void(uint64_t records)>& progress,
                 const std::function<void()>& progress_done);

  size_t size() const { return m_units.size(); }
  const std::string& name(size_t i) const;
  uint64_t records() const { return m_records; }
  uint64_t requests() const { return m_requests; }

  // The platform's totals (merge_reports of the units'; the sim.* figures are the whole run's) followed by
  // each unit's figures as unit.NAME.* (sim.* left out).
  vtd::replay::stats_report report(double wall_seconds) const;
  // Every unit's stale events in trace order, at most `limit`.
  std::vector<vtd::replay::stale_event> stale_events(size_t limit) const;
  // units_replay_options::per_request: the units' lines, merged in trace order.
  void write_per_request(std::FILE* out) const;

 private:
  struct unit;

  std::vector<std::unique_ptr<unit>> m_units;
  // After a run: each unit's statistics and stale examples (from its engine, or from its process).
  std::vector<vtd::replay::stats_report> m_parts;
  std::vector<std::vector<vtd::replay::stale_event>> m_stale;
  units_replay_options m_options;
  uint64_t m_records = 0, m_requests = 0;
};

}  // namespace vtdsim::app
