// Prices a walk record: lookup latencies, one memory read per walk step, walker contention by resource
// reservation (next-free times). Pure C++: the SystemC shell calls it from b_transport and adds the result
// to the transaction's delay, so no wait() per request is needed (loosely-timed, temporal decoupling).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <queue>
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
  unsigned walker_queue_depth = 0;  // walks waiting for a walker at this request's arrival, itself included
  unsigned memory_reads = 0;
  bool used_walker = false;  // the walker was busy for this request from walk_start to translation_done

  picoseconds latency() const { return done - arrival; }
  picoseconds translation_latency() const { return translation_done - arrival; }
  picoseconds walker_busy() const { return used_walker ? translation_done - walk_start : 0; }
};

// One piece of work on a serialising resource (the invalidation engine): it starts when the work is submitted
// or, if the resource is still busy with earlier work, when that work ends. The resource is busy exactly from
// start to done, and the busy intervals of one resource never overlap.
struct reservation {
  picoseconds start = 0;
  picoseconds done = 0;
  picoseconds busy() const { return done - start; }
};

// What one invalidation made the unit do, as the core counted it (core::iommu's invalidation counters, which
// add up each queue run's descriptors): the timed replay prices this, not what the trace record claims.
struct invalidation_work {
  unsigned register_commands = 0;  // CCMD / IOTLB_REG invalidations started (ICC / IVT written as 1)
  unsigned descriptors = 0;        // queued descriptors performed, inv_wait_dsc excepted
  unsigned waits = 0;              // inv_wait_dsc performed (each waits for the ones before it)

  bool empty() const { return register_commands == 0 && descriptors == 0 && waits == 0; }
};

class latency_model {
 public:
  explicit latency_model(const timing_params& p);

  const timing_params& params() const { return m_params; }

  // `include_access`: add the DMA's own memory round trip (false for faults and ATS translation requests).
  request_timing price_dma(picoseconds arrival, const core::walk_record& walk, bool include_access);
  request_timing price_interrupt(picoseconds arrival, const core::walk_record& walk, bool delivered);
  // The invalidation engine serialises its work: it starts at `now` or when the previous work ends.
  reservation price_invalidation(picoseconds now, const invalidation_work& work);
  // `descriptors` register commands (queued false) or queued descriptors (queued true), plus `waits`
  // invalidation-wait descriptors.
  reservation price_invalidation(picoseconds now, unsigned descriptors, bool queued, unsigned waits);

  unsigned walkers() const { return static_cast<unsigned>(m_walker_free.size()); }
  // Walker occupancy at time t (number busy) and walks waiting for a walker at time t, for sampling. Walks
  // that started before the latest arrival priced are forgotten, so t must not precede that arrival.
  unsigned walkers_busy(picoseconds t) const;
  unsigned walker_queue_depth(picoseconds t);
  void reset();

 private:
  picoseconds reserve_lookup(picoseconds arrival) {
    const picoseconds start = std::max(arrival, m_lookup_free);
    m_lookup_free = start + m_lookup_interval;
    return start;
  }
  // From the first memory step on (`s` to `end`, lookup done at `now`): a walker, the steps' costs; returns
  // when the translation is done. Out of line, so that a request the caches answer pays no register saves.
  [[gnu::noinline]] picoseconds price_walk(request_timing& t, picoseconds now, const core::walk_step* s,
                                           const core::walk_step* end);
  // A lookup step's latency in `cache` (a miss costs what a hit does: the lookup is the same).
  static picoseconds lookup_cost(const timing_params& p, core::cache_kind cache);

  timing_params m_params;
  // Every cost in picoseconds, converted once from the parameters (the conversions divide by the clock
  // and round, the same for every request): per cache of a lookup step (indexed by cache_kind, `none`
  // included), a table read, the miss detection, the DMA's access, the interrupt's delivery, and the
  // invalidation engine's work.
  static_assert(unsigned(core::cache_kind::none) == core::kCacheKinds);
  std::array<picoseconds, core::kCacheKinds + 1> m_lookup_cost{};
  picoseconds m_read_cost, m_miss_detect, m_access, m_interrupt_delivery;
  picoseconds m_register_invalidation, m_queued_descriptor, m_invalidation_wait;
  picoseconds m_lookup_interval;
  picoseconds m_lookup_free = 0;
  void forget_walks_started_by(picoseconds t);

  std::vector<picoseconds> m_walker_free;  // next-free time per walker
  // Start times of queued walks that have not started yet, earliest on top: a walk leaves the queue when it
  // starts, so the queue depth at t is the number of entries later than t. A heap keeps this O(log n) per
  // request even when the walkers are saturated and the queue grows without bound.
  std::priority_queue<picoseconds, std::vector<picoseconds>, std::greater<>> m_walker_waiting;
  picoseconds m_invalidation_free = 0;
};

}  // namespace vtd::timing
