// Walk-record pricing with resource reservation (see header).
#include "model/timing/latency_model.hpp"

#include <algorithm>

namespace vtd::timing {

using core::cache_kind;
using core::step_kind;

latency_model::latency_model(const timing_params& p) : m_params(p) {
  unsigned per_cycle = std::max(1u, p.lookups_per_cycle);
  m_lookup_interval = std::max<picoseconds>(1, p.cycles(1) / per_cycle);
  m_walker_free.assign(std::max(1u, p.walkers), 0);
}

void latency_model::reset() {
  m_lookup_free = 0;
  std::fill(m_walker_free.begin(), m_walker_free.end(), 0);
  m_walker_waiting = {};
  m_invalidation_free = 0;
}

picoseconds latency_model::reserve_lookup(picoseconds arrival) {
  picoseconds start = std::max(arrival, m_lookup_free);
  m_lookup_free = start + m_lookup_interval;
  return start;
}

picoseconds latency_model::step_cost(const core::walk_step& s) const {
  if (s.kind == step_kind::cache_lookup) {
    switch (s.cache) {
      case cache_kind::iotlb:
        return m_params.cycles(m_params.iotlb_hit_cycles);
      case cache_kind::context:
        return m_params.cycles(m_params.context_cache_hit_cycles);
      case cache_kind::pasid:
        return m_params.cycles(m_params.pasid_cache_hit_cycles);
      case cache_kind::interrupt:
        return m_params.cycles(m_params.iec_hit_cycles);
      case cache_kind::pde:
      case cache_kind::pdpe:
      case cache_kind::pml4e:
      case cache_kind::pml5e:
      case cache_kind::none:  // never on a lookup step; priced as before, like a paging-structure cache
        return m_params.cycles(m_params.psc_hit_cycles);
    }
  }
  return timing_params::ns(m_params.table_read_ns);
}

namespace {
// Everything before the first memory access is done by the lookup pipeline; from the first memory access
// on, the request needs a page walker.
unsigned first_memory_step(const core::walk_record& walk) {
  for (unsigned i = 0; i < walk.size(); ++i)
    if (walk[i].kind != step_kind::cache_lookup) return i;
  return walk.size();
}
}  // namespace

request_timing latency_model::price_dma(picoseconds arrival, const core::walk_record& walk,
                                        bool include_access) {
  request_timing t;
  t.arrival = arrival;
  t.lookup_start = reserve_lookup(arrival);
  unsigned split = first_memory_step(walk);
  picoseconds now = t.lookup_start;
  for (unsigned i = 0; i < split; ++i) now += step_cost(walk[i]);
  t.walk_start = now;
  if (split < walk.size()) {
    now += m_params.cycles(m_params.miss_detect_cycles);
    auto walker = std::min_element(m_walker_free.begin(), m_walker_free.end());
    picoseconds start = std::max(now, *walker);
    t.walker_queue_delay = start - now;
    if (t.walker_queue_delay > 0) {
      forget_walks_started_by(arrival);
      m_walker_waiting.push(start);
      t.walker_queue_depth = static_cast<unsigned>(m_walker_waiting.size());
    }
    t.walk_start = start;
    now = start;
    for (unsigned i = split; i < walk.size(); ++i) {
      now += step_cost(walk[i]);
      t.memory_reads += walk[i].kind != step_kind::cache_lookup;
    }
    *walker = now;
    t.used_walker = true;
  }
  t.translation_done = now;
  t.done = include_access ? now + timing_params::ns(m_params.dma_access_ns) : now;
  return t;
}

request_timing latency_model::price_interrupt(picoseconds arrival, const core::walk_record& walk,
                                              bool delivered) {
  request_timing t = price_dma(arrival, walk, false);
  if (delivered) t.done = t.translation_done + timing_params::ns(m_params.interrupt_delivery_ns);
  return t;
}

reservation latency_model::price_invalidation(picoseconds now, const invalidation_work& work) {
  reservation r;
  r.start = std::max(now, m_invalidation_free);
  const picoseconds cost = work.register_commands * timing_params::ns(m_params.register_invalidation_ns) +
                           work.descriptors * timing_params::ns(m_params.queued_descriptor_ns) +
                           work.waits * timing_params::ns(m_params.invalidation_wait_ns);
  r.done = r.start + cost;
  m_invalidation_free = r.done;
  return r;
}

reservation latency_model::price_invalidation(picoseconds now, unsigned descriptors, bool queued,
                                              unsigned waits) {
  invalidation_work w;
  (queued ? w.descriptors : w.register_commands) = descriptors;
  w.waits = waits;
  return price_invalidation(now, w);
}

unsigned latency_model::walkers_busy(picoseconds t) const {
  return static_cast<unsigned>(
      std::count_if(m_walker_free.begin(), m_walker_free.end(), [t](picoseconds f) { return f > t; }));
}

void latency_model::forget_walks_started_by(picoseconds t) {
  while (!m_walker_waiting.empty() && m_walker_waiting.top() <= t) m_walker_waiting.pop();
}

unsigned latency_model::walker_queue_depth(picoseconds t) {
  forget_walks_started_by(t);
  return static_cast<unsigned>(m_walker_waiting.size());
}

}  // namespace vtd::timing
