// Timed replay: the trace drives the SystemC/TLM model (request_initiator -> remapping_unit_module ->
// memory, interrupts to a counting APIC), which prices every walk record with the latency model; the replay
// engine takes every record through the same submit() as the functional mode and gathers the same
// statistics plus latencies and walker occupancy. SystemC elaborates once per process: call run_timed at most
// once per process (vtdsim sweep runs timed points in child processes).
#pragma once
#include <cstdio>
#include <functional>
#include <span>
#include <string>

#include "apps/replay/closed_loop.hpp"
#include "apps/replay/replay_engine.hpp"
#include "apps/replay/sim_config.hpp"
#include "model/timing/timing_params.hpp"

namespace vtd::replay {

struct timed_options {
  // Optional VCD of walker occupancy and queue depth (sampled per quantum), written to exactly this path by
  // the output-file rules (model/io/output_file.hpp): only a replay that succeeds and measured something
  // writes it; otherwise an existing file is left as it was and no temporary remains.
  std::string vcd_path;
  // Optional CSV, one row per quantum: time_ns,records,walkers_busy,walker_queue (docs/stats.md).
  std::FILE* epochs = nullptr;
  std::function<void(uint64_t records)> on_progress;  // called at quantum boundaries
  // When set, counts every record taken from the trace as it is taken (before it reaches the engine), so
  // that the caller can name the record an exception came from.
  uint64_t* pulled = nullptr;
  // Closed-loop issue (issue 13) when set and its issue is closed: every device waits for tags and credits
  // and crosses its link (closed_loop.hpp), and the translated access costs device->memory_ns instead of
  // timing.dma_access_ns. `warmup` must be the engine's (replay_options::warmup).
  const device_config* device = nullptr;
  uint64_t warmup = 0;
  // Closed loop: devices with parameters of their own (the configuration's "devices"), by source-id.
  std::map<uint16_t, device_config> per_device;
};

// What only the timed model sees: the interrupts its interrupt output delivered to the (counting) APIC.
struct timed_summary {
  uint64_t interrupts_remapped = 0;                 // remapped or passed-through device interrupts
  uint64_t notifications = 0;                       // posted-interrupt notification events
  std::map<uint16_t, closed_device_stats> devices;  // closed-loop issue only
};

// Replays every record `next_block` gives (blocks of records in trace order, empty at the end: e.g.
// trace_reader::next_block) through engine.submit(), with the engine's requests carried by the SystemC shell
// (the engine's request port is the shell's root port while this runs).
using record_blocks = std::function<std::span<const traces::record>()>;
timed_summary run_timed(replay_engine& engine, core::iommu& unit, const timing::timing_params& params,
                        const record_blocks& next_block, const timed_options& options);

}  // namespace vtd::replay
