// Closed-loop issue (issue 13): every device (source-id) of the trace is a timing::pcie_device with its own
// tags, posted credits and link, and a DMA or MSI record's time is only the earliest its device may issue it.
// A request issues when a slot is free, its TLPs cross the link, the unit translates it (the request port:
// the SystemC shell in the timed replay) and accesses memory, its completions cross back and free the tag;
// a posted write frees its credit once the unit has translated it.
//
// The replay engine sees every record at the time it reaches the unit, in time order: driver records at
// their trace time, requests at their arrival. Because a device's next request can be priced only once its
// predecessor has completed (that frees the slot), the records are merged by that time: each device's next
// request is held back with its arrival computed, and records are read ahead only as far as a record could
// still arrive earlier (a record never arrives before its trace time). A trace whose records all carry the
// same time (issue as fast as you can) is therefore read whole before its requests complete.
//
// Driver records keep their trace time: a request delayed past the unmap of its buffer faults, as a device
// that DMAs after the unmap would. SystemC-free: the timed replay passes the shell's clock as `advance`.
//
// ATS devices (replay_engine::use_ats): when a DMA's device-TLB lacks its page at the time the DMA is issued,
// the device first sends an ATS translation request: a non-posted request that takes a tag, crosses the link
// as a header-only TLP and comes back as a Translation Completion (a header and one 8-byte translation entry
// for the page, PCIe ATS "Translation Completion"); at its completion the tag is free and the translated
// request is issued as any other DMA (docs/timing.md, "Devices with ATS").
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "apps/replay/histogram.hpp"
#include "apps/replay/replay_engine.hpp"
#include "apps/replay/request_port.hpp"
#include "apps/replay/sim_config.hpp"
#include "apps/replay/stats_report.hpp"
#include "model/timing/pcie_device.hpp"

namespace vtd::replay {

using timing::picoseconds;

// One device's closed-loop figures over its measured requests (after the warmup).
struct closed_device_stats {
  uint64_t requests = 0, non_posted = 0, posted = 0;
  uint64_t payload_bytes = 0;  // data moved by requests that did not fault
  picoseconds first_issue = std::numeric_limits<picoseconds>::max(), last_completion = 0;
  picoseconds tag_wait = 0, credit_wait = 0;  // time requests waited for a tag / a posted credit
  uint64_t tag_stalls = 0, credit_stalls = 0;
  uint64_t translation_requests = 0;          // ATS translation requests issued (each held a tag)
  picoseconds tag_held = 0, credit_held = 0;  // slot-time in use
  picoseconds queueing = 0, translation = 0, link_memory = 0;  // sums of the latency split
  histogram latency;  // issue to completion, as the device sees it (ps)

  picoseconds span() const { return last_completion > first_issue ? last_completion - first_issue : 0; }
};

class closed_loop {
 public:
  // `advance` moves the unit's clock to a time (never back); `config` gives every device's parameters,
  // `per_device` those of devices with their own (by source-id; memory_ns relative to config's, whose
  // value the memory model uses); the first `warmup` requests are replayed but not counted (as
  // replay_options::warmup).
  closed_loop(replay_engine& engine, request_port& port, const device_config& config, uint64_t warmup,
              std::function<void(picoseconds)> advance, std::map<uint16_t, device_config> per_device = {});
  ~closed_loop();
  closed_loop(const closed_loop&) = delete;
  closed_loop& operator=(const closed_loop&) = delete;

  // Replays every record `next` gives; `after_each` runs after each record reached the engine.
  void run(const std::function<bool(traces::record&)>& next, const std::function<void()>& after_each = {});

  const std::map<uint16_t, closed_device_stats>& devices() const { return m_stats; }
  // The last request's device timing (tests).
  const timing::device_timing& last() const { return m_last; }

 private:
  class tap;
  struct lane {
    lane(const timing::device_params& p, picoseconds memory_delta) : device(p), memory_delta(memory_delta) {}
    timing::pcie_device device;
    std::deque<std::pair<uint64_t, traces::record>> waiting;  // (sequence, record), trace order
    std::optional<timing::device_timing> head;                // issued: the front of `waiting`
    bool translating = false;  // the head is the ATS translation request of the front record
    int64_t memory_delta = 0;  // ps: this device's memory_ns minus the memory model's
  };

  void enqueue(const traces::record& r, uint64_t seq);
  void issue_head(lane& l);
  void serve(lane& l);
  void count(const timing::device_timing& t, bool ok, uint16_t sid);
  void serve_translation(lane& l);
  lane& lane_of(uint16_t sid);

  replay_engine& m_engine;
  std::unique_ptr<tap> m_tap;
  device_config m_config;
  std::map<uint16_t, device_config> m_per_device;
  uint64_t m_warmup;
  std::function<void(picoseconds)> m_advance;
  std::map<uint16_t, lane> m_lanes;
  std::deque<std::pair<uint64_t, traces::record>> m_driver;  // records that are not requests
  std::map<uint16_t, closed_device_stats> m_stats;
  timing::device_timing m_last;
};

// Adds the per-device closed-loop figures (docs/stats.md, "device.NAME.closed.*").
void add_closed_loop_stats(stats_report& s, const std::map<uint16_t, closed_device_stats>& devices,
                           const std::map<uint16_t, std::string>& names);

}  // namespace vtd::replay
