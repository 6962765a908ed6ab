// Walk-record pricing with resource reservation (see header).
#include "model/timing/latency_model.hpp"

#include <algorithm>

namespace vtd::timing {

using core::cache_kind;
using core::step_kind;

latency_model::latency_model(const timing_params& p)
    : m_params(p),
      m_read_cost(timing_params::ns(p.table_read_ns)),
      m_miss_detect(p.cycles(p.miss_detect_cycles)),
      m_access(timing_params::ns(p.dma_access_ns)),
      m_interrupt_delivery(timing_params::ns(p.interrupt_delivery_ns)),
      m_register_invalidation(timing_params::ns(p.register_invalidation_ns)),
      m_queued_descriptor(timing_params::ns(p.queued_descriptor_ns)),
      m_invalidation_wait(timing_params::ns(p.invalidation_wait_ns)) {
  unsigned per_cycle = std::max(1u, p.lookups_per_cycle);
  m_lookup_interval = std::max<picoseconds>(1, p.cycles(1) / per_cycle);
  m_walker_free.assign(std::max(1u, p.walkers), 0);
  for (unsigned c = 0; c < m_lookup_cost.size(); ++c)
    m_lookup_cost[c] = lookup_cost(m_params, static_cast<cache_kind>(c));
}

void latency_model::reset() {
  m_lookup_free = 0;
  std::fill(m_walker_free.begin(), m_walker_free.end(), 0);
  m_walker_waiting = {};
  m_invalidation_free = 0;
}

picoseconds latency_model::lookup_cost(const timing_params& p, cache_kind cache) {
  switch (cache) {
    case cache_kind::iotlb:
      return p.cycles(p.iotlb_hit_cycles);
    case cache_kind::context:
      return p.cycles(p.context_cache_hit_cycles);
    case cache_kind::pasid:
      return p.cycles(p.pasid_cache_hit_cycles);
    case cache_kind::interrupt:
      return p.cycles(p.iec_hit_cycles);
    case cache_kind::pde:
    case cache_kind::pdpe:
    case cache_kind::pml4e:
    case cache_kind::pml5e:
    case cache_kind::none:  // never on a lookup step; priced as before, like a paging-structure cache
      return p.cycles(p.psc_hit_cycles);
  }
  return p.cycles(p.psc_hit_cycles);
}

request_timing latency_model::price_dma(picoseconds arrival, const core::walk_record& walk,
                                        bool include_access) {
  request_timing t;
  t.arrival = arrival;
  t.lookup_start = reserve_lookup(arrival);
  // Everything before the first memory access is done by the lookup pipeline; from the first memory access
  // on, the request needs a page walker.
  const core::walk_step* s = walk.begin();
  const core::walk_step* const end = walk.end();
  picoseconds now = t.lookup_start;
  for (; s != end && s->kind == step_kind::cache_lookup; ++s) now += m_lookup_cost[unsigned(s->cache)];
  t.walk_start = now;
  if (s != end) now = price_walk(t, now, s, end);
  t.translation_done = now;
  t.done = include_access ? now + m_access : now;
  return t;
}

picoseconds latency_model::price_walk(request_timing& t, picoseconds now, const core::walk_step* s,
                                      const core::walk_step* end) {
  now += m_miss_detect;
  auto walker = std::min_element(m_walker_free.begin(), m_walker_free.end());
  picoseconds start = std::max(now, *walker);
  t.walker_queue_delay = start - now;
  if (t.walker_queue_delay > 0) {
    forget_walks_started_by(t.arrival);
    m_walker_waiting.push(start);
    t.walker_queue_depth = static_cast<unsigned>(m_walker_waiting.size());
  }
  t.walk_start = start;
  now = start;
  for (; s != end; ++s) {
    const bool lookup = s->kind == step_kind::cache_lookup;
    now += lookup ? m_lookup_cost[unsigned(s->cache)] : m_read_cost;
    t.memory_reads += !lookup;
  }
  *walker = now;
  t.used_walker = true;
  return now;
}

request_timing latency_model::price_interrupt(picoseconds arrival, const core::walk_record& walk,
                                              bool delivered) {
  request_timing t = price_dma(arrival, walk, false);
  if (delivered) t.done = t.translation_done + m_interrupt_delivery;
  return t;
}

reservation latency_model::price_invalidation(picoseconds now, const invalidation_work& work) {
  reservation r;
  r.start = std::max(now, m_invalidation_free);
  const picoseconds cost = work.register_commands * m_register_invalidation +
                           work.descriptors * m_queued_descriptor + work.waits * m_invalidation_wait;
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
