// The replay's statistics, registered once with name, description and unit (stats_report prints them).
#include <fmt/format.h>

#include <algorithm>

#include "apps/replay/replay_engine.hpp"
#include "model/spec/text.hpp"

namespace vtd::replay {

stats_report replay_engine::report(double wall_seconds, bool timed) const {
  check_measured();
  stats_report s;
  const double requests = double(m_dma + m_msi);
  // The sim.* figures are the whole trace's even for one unit of several (every unit counts every record):
  // merged as maxima.
  s.add("sim.records", double(m_records), "count", "trace records replayed (all kinds, including warmup)",
        true, stat_merge::max);
  s.add("sim.warmup_requests", double(m_options.warmup), "count",
        "requests replayed before statistics started", true, stat_merge::max);
  s.add("sim.trace_span_ns", double(m_last_time - m_first_time) / 1000.0, "ns", "simulated time covered",
        false, stat_merge::max);
  s.add("sim.wall_seconds", wall_seconds, "s", "host time spent replaying", false);
  s.add("sim.requests_per_second", wall_seconds > 0 ? requests / wall_seconds : 0, "requests/s",
        "replay speed (DMA + MSI per host second)", false);
  s.add("iommu_requests", requests, "count", "DMA and interrupt requests seen by the remapping unit");
  s.add("dma.requests", double(m_dma), "count", "DMA requests");
  s.add("dma.faults", double(m_faults), "count", "DMA requests blocked with a fault");
  for (auto [code, n] : m_faults_by_reason) {
    auto r = static_cast<spec::fault_reason>(code);
    s.add(fmt::format("faults.{}_{}", spec::format_fault_code(r), spec::to_string(r)), double(n), "count",
          fmt::format("requests faulted with reason {} ({})", spec::format_fault_code(r),
                      spec::info(r).spec_code));
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
    s.add_ratio("pasid_cache.hit_rate", double(st.pasid.hits), double(st.pasid.lookups),
                "PASID-cache hits per lookup (scalable mode)");
  }
  s.add("iommu_mrds", double(m_memory_reads), "count",
        "memory reads by the unit (root, context, paging, IRTE, posted descriptor)");
  s.add("walks", double(m_walks), "count", "DMA requests that read translation structures from memory");
  s.add_ratio("walks.per_request", double(m_walks), double(m_dma), "page walks per DMA request");
  s.add_ratio("iommu_mrds.per_request", double(m_dma_memory_reads), double(m_dma),
              "memory reads for DMA translation per DMA request");

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
  s.add("inval.queued_pc", double(inv.queued_pc), "count",
        "PASID-cache invalidation descriptors (pc_inv_dsc)");
  s.add("inval.queued_piotlb", double(inv.queued_piotlb), "count",
        "PASID-based IOTLB invalidation descriptors (p_iotlb_inv_dsc)");
  s.add("inval.queued_p_dev_tlb", double(inv.queued_p_dev_tlb), "count",
        "PASID-based device-TLB invalidation descriptors (p_dev_tlb_inv_dsc)");
  s.add("inval.queue_errors", double(inv.queue_errors), "count", "invalidation queue errors (FSTS.IQE)");
  s.add("inval.refused", double(m_refused_invalidations), "count",
        "invalidations the hardware did not perform (register-based while QI is on, queue errors, no queue)");
  s.add("inval.useless", double(inv.useless), "count", "invalidations that found nothing cached to remove");
  s.add("inval.entries_removed", double(inv.entries_removed), "count",
        "cache entries removed by invalidations");
  s.add("driver.maps", double(m_maps), "count", "map records applied to the tables");
  s.add("driver.unmaps", double(m_unmaps), "count", "unmap records applied to the tables");
  s.add("driver.mapped_bytes", double(m_mapped_bytes), "bytes", "bytes mapped by map records");
  s.add("driver.pasid_attaches", double(m_pasid_attach), "count",
        "pasid-attach records applied to the tables");
  s.add("driver.pasid_detaches", double(m_pasid_detach), "count",
        "pasid-detach records applied to the tables");
  s.add("stale.translations_served", double(m_stale_count), "count",
        "requests served from a cached translation that no longer matches the tables (missing invalidation)");

  if (timed) {
    s.add_latency("latency.dma_read", m_latency_read, "DMA read latency (arrival to access done)");
    s.add_latency("latency.dma_write", m_latency_write, "DMA write latency (arrival to access done)");
    s.add_latency("latency.msi", m_latency_msi, "interrupt latency (arrival to APIC)");
    // Busy times are counted inside the measured window, [first measured record, last record]: the span
    // sim.trace_span_ns. A resource's intervals never overlap, so a busy time is at most span x resources and
    // an occupancy at most the resource count (docs/stats.md, "Busy times and occupancies").
    const uint64_t span_ps = m_last_time - m_first_time;
    auto per_span = [span_ps](uint64_t ps) { return span_ps ? double(ps) / double(span_ps) : 0.0; };
    const uint64_t walkers_busy = m_walkers_busy.busy(m_last_time);
    const uint64_t invalidation_busy = m_invalidation_busy.busy(m_last_time);
    s.add("pw_busy_ns", double(walkers_busy) / 1000.0, "ns",
          "page-walker busy time summed over walkers, within the trace span (at most span x timing.walkers)",
          false);
    s.add("pw_occupancy", per_span(walkers_busy), "walkers",
          "mean page walkers busy over the trace span (0 to timing.walkers)", false);
    s.add("pw_queue.mean", per_span(m_walk_waits.busy(m_last_time)), "count",
          "mean walks waiting for a walker over the trace span", false);
    s.add("pw_queue.max", double(m_walker_queue_max), "count",
          "most walks waiting for a walker, seen at a request's arrival", true, stat_merge::max);
    s.add("inval.busy_ns", double(invalidation_busy) / 1000.0, "ns",
          "invalidation engine busy time within the trace span (at most the span)", false);
    s.add("inval.occupancy", per_span(invalidation_busy), "ratio",
          "fraction of the trace span the invalidation engine was busy (0 to 1)", false);
    const uint64_t inval_end = m_invalidation_busy.latest_end();
    s.add("inval.backlog_ns", inval_end > m_last_time ? double(inval_end - m_last_time) / 1000.0 : 0.0, "ns",
          "how long after the last record the invalidation engine stayed busy with measured work", false,
          stat_merge::max);
  }
  auto pasid = m_pasids.begin();
  for (const auto& [sid, d] : m_devices) {
    std::string p = "device." + device_name(sid);
    s.add(p + ".dma", double(d.dma), "count", "DMA requests from this device");
    s.add(p + ".msi", double(d.msi), "count", "MSIs from this device");
    s.add(p + ".faults", double(d.faults), "count", "faulted requests from this device");
    s.add(p + ".bytes", double(d.bytes), "bytes", "bytes moved by this device's DMA");
    if (timed) s.add_latency(p + ".latency", d.latency, "DMA latency of this device");
    // Its DMAs with a PASID, per PASID (both maps are ordered by source-id; every PASID entry's device has
    // an entry of its own).
    for (; pasid != m_pasids.end() && pasid->first.first == sid; ++pasid) {
      const std::string q = fmt::format("{}.pasid.{}", p, pasid->first.second);
      const pasid_stats& ps = pasid->second;
      s.add(q + ".dma", double(ps.dma), "count", "DMA requests from this device with this PASID");
      s.add(q + ".faults", double(ps.faults), "count",
            "faulted DMA requests from this device with this PASID");
      s.add(q + ".bytes", double(ps.bytes), "bytes", "bytes moved by this device's DMA with this PASID");
      if (timed) s.add_latency(q + ".latency", ps.latency, "DMA latency of this device with this PASID");
    }
  }
  if (m_ats) add_ats_stats(s, timed);
  return s;
}

// Devices with ATS (docs/stats.md, "device.NAME.ats.*"): written only when the platform has such devices, so
// that other replays' statistics read as before.
void replay_engine::add_ats_stats(stats_report& s, bool timed) const {
  for (const auto& [sid, d] : m_ats->devices()) {
    const std::string p = "device." + device_name(sid) + ".ats";
    const device::device_tlb_stats& t = d->endpoint.tlb().stats();
    const device::ats_counters& c = d->endpoint.counters();
    s.add(p + ".dma", double(d->dma), "count", "untranslated DMAs sent through the device's ATS endpoint");
    s.add(p + ".tlb_lookups", double(t.lookups), "count", "device-TLB lookups");
    s.add(p + ".tlb_hits", double(t.hits), "count", "device-TLB lookups that found the page");
    s.add(p + ".tlb_misses", double(t.misses), "count", "device-TLB lookups that did not");
    s.add_ratio(p + ".tlb_hit_rate", double(t.hits), double(t.lookups), "device-TLB hits per lookup");
    s.add(p + ".tlb_fills", double(t.fills), "count", "translation completions cached");
    s.add(p + ".tlb_evictions", double(t.evictions), "count", "entries replaced to make room");
    s.add(p + ".translation_requests", double(c.translation_requests), "count",
          "ATS translation requests (AT=01b) sent to the unit");
    s.add(p + ".translated_requests", double(c.translated_requests), "count",
          "translated requests (AT=10b) sent to the unit");
    s.add(p + ".denied", double(c.denied), "count",
          "DMAs whose translation completion gave no right for them (no access; page requests not modelled)");
    s.add(p + ".translation_faults", double(c.failed), "count",
          "translation requests the unit refused (UR / CA completion)");
    s.add(p + ".invalidation_requests", double(c.invalidation_requests), "count",
          "ATS Invalidate Requests the unit sent to the device");
    s.add(p + ".entries_invalidated", double(c.entries_invalidated), "count",
          "device-TLB entries the invalidation requests removed");
    s.add(p + ".timeouts", double(d->timeouts), "count",
          "invalidation requests the device left unanswered (each an Invalidation Time-out Error)");
    if (timed)
      s.add_ratio(p + ".translation_latency_share", double(d->translation_latency_ps), double(d->latency_ps),
                  "share of the device's ATS DMA latency spent on translation requests");
  }
  s.add(
      "ats.invalidation_timeouts", double(m_ats_timeouts), "count",
      "queue runs that ended in an Invalidation Time-out Error (FSTS.ITE), cleared by the replay as a driver "
      "does");
  s.add("ats.waits_aborted", double(m_ats_waits_aborted), "count",
        "inv_wait descriptors aborted by an Invalidation Time-out Error (status never written)");
  if (timed)
    s.add("ats.devtlb_wait_ns", double(m_devtlb_wait_ps) / 1000.0, "ns",
          "time invalidation waits spent waiting for device-TLB Invalidate Completions", false);
}

}  // namespace vtd::replay
