// Prices a walk record: lookup latencies, one memory read per walk step, walker contention by resource
// reservation (next-free times). Pure C++: the SystemC shell calls it from b_transport and adds the result
// to the transaction's delay, so no wait() per request is needed (loosely-timed, temporal decoupling).
#pragma once
#include <cstdint>
#include <vector>

#include "model/core/walk_record.hpp"
#include "model/timing/timing_params.hpp"

namespace vtd::timing {

struct request_timing {
  picoseconds arrival = 0;
  picoseconds lookup_start = 0;  // after queueing for the lookup pipeline
  picoseconds walk_start = 0;    // when a walker took the request (== lookup end when none needed)
  picoseconds translation_done = 0;
  picoseconds done = 0;  // translated access (or interrupt delivery) completed
  picoseconds walker_queue_delay = 0;
  unsigned memory_reads = 0;
  bool used_walker = false;

  picoseconds latency() const { return done - arrival; }
  picoseconds translation_latency() const { return translation_done - arrival; }
};

class latency_model {
 public:
  explicit latency_model(const timing_params& p);

  const timing_params& params() const { return m_params; }

  // `include_access`: add the DMA's own memory round trip (false for faults and ATS translation requests).
  request_timing price_dma(picoseconds arrival, const core::walk_record& walk, bool include_access);
  request_timing price_interrupt(picoseconds arrival, const core::walk_record& walk, bool delivered);
  picoseconds price_invalidation(picoseconds now, unsigned descriptors, bool queued, bool wait);

  // Walker occupancy at time t (number busy), for sampling.
  unsigned walkers_busy(picoseconds t) const;
  unsigned walker_queue_depth(picoseconds t) const;
  void reset();

 private:
  picoseconds reserve_lookup(picoseconds arrival);
  picoseconds step_cost(const core::walk_step& s) const;

  timing_params m_params;
  picoseconds m_lookup_interval;
  picoseconds m_lookup_free = 0;
  std::vector<picoseconds> m_walker_free;     // next-free time per walker
  std::vector<picoseconds> m_walker_waiting;  // recent start times of queued walks (for queue depth)
  picoseconds m_invalidation_free = 0;
};

}  // namespace vtd::timing
