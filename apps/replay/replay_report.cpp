// The replay's statistics, registered once with name, description and unit (stats_report prints them).
#include <fmt/format.h>

#include "apps/replay/replay_engine.hpp"

namespace vtd::replay {

stats_report replay_engine::report(double wall_seconds, bool timed) const {
  stats_report s;
  const double requests = double(m_dma + m_msi);
  s.add("sim.records", double(m_records), "count", "trace records replayed (all kinds, including warmup)");
  s.add("sim.warmup_requests", double(m_options.warmup), "count",
        "requests replayed before statistics started");
  s.add("sim.trace_span_ns", double(m_last_time - m_first_time) / 1000.0, "ns", "simulated time covered",
        false);
  s.add("sim.wall_seconds", wall_seconds, "s", "host time spent replaying", false);
  s.add("sim.requests_per_second", wall_seconds > 0 ? requests / wall_seconds : 0, "requests/s",
        "replay speed (DMA + MSI per host second)", false);
  s.add("iommu_requests", requests, "count", "DMA and interrupt requests seen by the remapping unit");
  s.add("dma.requests", double(m_dma), "count", "DMA requests");
  s.add("dma.faults", double(m_faults), "count", "DMA requests blocked with a fault");
  for (auto [code, n] : m_faults_by_reason) {
    auto r = static_cast<spec::fault_reason>(code);
    s.add(fmt::format("faults.0x{:02x}_{}", code, spec::to_string(r)), double(n), "count",
          fmt::format("requests faulted with reason 0x{:x} ({})", code, spec::info(r).spec_code));
  }
  s.add("msi.requests", double(m_msi), "count", "MSI writes (interrupt requests)");
  s.add("msi.delivered", double(m_interrupts_delivered), "count",
        "interrupts remapped, posted or passed through");
  s.add("msi.faults", double(m_interrupt_faults), "count", "interrupt requests blocked with a fault");

  if (const core::translation_caches* c = const_cast<core::iommu&>(m_unit).caches()) {
    auto st = c->stats();
    for (const auto& [name, value] : st.counters())
      s.add(name, double(value), "count", fmt::format("cache counter {} (VT-d perfmon naming)", name));
    s.add_ratio("iotlb.hit_rate", double(st.iotlb.total.hits), double(st.iotlb.total.lookups),
                "IOTLB hits per lookup");
    s.add_ratio("ctxt_cache.hit_rate", double(st.context.hits), double(st.context.lookups),
                "context-cache hits per lookup");
  }
  s.add("iommu_mrds", double(m_memory_reads), "count",
        "memory reads by the unit (root, context, paging, IRTE)");
  s.add("walks", double(m_walks), "count", "DMA requests that read translation structures from memory");
  s.add_ratio("walks.per_request", double(m_walks), double(m_dma), "page walks per DMA request");
  s.add_ratio("iommu_mrds.per_request", double(m_memory_reads), double(m_dma),
              "memory reads per DMA request");

  const auto& inv = m_unit.invalidations();
  s.add("inval.register_cc", double(inv.register_cc), "count",
        "register-based context-cache invalidations (CCMD)");
  s.add("inval.register_iotlb", double(inv.register_iotlb), "count",
        "register-based IOTLB invalidations (IOTLB_REG)");
  s.add("inval.queued_cc", double(inv.queued_cc), "count", "queued context-cache invalidation descriptors");
  s.add("inval.queued_iotlb", double(inv.queued_iotlb), "count", "queued IOTLB invalidation descriptors");
  s.add("inval.queued_dev_tlb", double(inv.queued_dev_tlb), "count",
        "queued device-TLB invalidation descriptors");
  s.add("inval.queued_iec", double(inv.queued_iec), "count",
        "queued interrupt-entry-cache invalidation descriptors");
  s.add("inval.queued_wait", double(inv.queued_wait), "count", "invalidation-wait descriptors");
  s.add("inval.queue_errors", double(inv.queue_errors), "count", "invalidation queue errors (FSTS.IQE)");
  s.add("inval.refused", double(m_refused_invalidations), "count",
        "invalidations the hardware did not perform (register-based while QI is on, queue errors, no queue)");
  s.add("inval.useless", double(inv.useless), "count", "invalidations that found nothing cached to remove");
  s.add("inval.entries_removed", double(inv.entries_removed), "count",
        "cache entries removed by invalidations");
  s.add("driver.maps", double(m_maps), "count", "map records applied to the tables");
  s.add("driver.unmaps", double(m_unmaps), "count", "unmap records applied to the tables");
  s.add("driver.mapped_bytes", double(m_mapped_bytes), "bytes", "bytes mapped by map records");
  s.add("stale.translations_served", double(m_stale_count), "count",
        "requests served from a cached translation that no longer matches the tables (missing invalidation)");

  if (timed) {
    s.add_latency("latency.dma_read", m_latency_read, "DMA read latency (arrival to access done)");
    s.add_latency("latency.dma_write", m_latency_write, "DMA write latency (arrival to access done)");
    s.add_latency("latency.msi", m_latency_msi, "interrupt latency (arrival to APIC)");
    s.add_ratio("pw_occupancy", double(m_walker_busy_sum), double(m_walker_samples),
                "mean page walkers busy, sampled at quantum boundaries");
    s.add_ratio("pw_queue.mean", double(m_walker_queue_sum), double(m_walker_samples),
                "mean requests waiting for a walker, sampled at quantum boundaries");
    s.add("pw_queue.max", double(m_walker_queue_max), "count", "most requests seen waiting for a walker");
    s.add("inval.busy_ns", double(m_invalidation_busy_ps) / 1000.0, "ns",
          "time the invalidation engine was busy", false);
  }
  for (const auto& [sid, d] : m_devices) {
    std::string p = "device." + device_name(sid);
    s.add(p + ".dma", double(d.dma), "count", "DMA requests from this device");
    s.add(p + ".msi", double(d.msi), "count", "MSIs from this device");
    s.add(p + ".faults", double(d.faults), "count", "faulted requests from this device");
    s.add(p + ".bytes", double(d.bytes), "bytes", "bytes moved by this device's DMA");
    if (timed) s.add_latency(p + ".latency", d.latency, "DMA latency of this device");
  }
  return s;
}

}  // namespace vtd::replay
