// Replay summary for people (see header). Every number comes from the stats registry, so the text and the
// JSON can never disagree.
#include "apps/vtdsim/replay_summary.hpp"
#include "model/spec/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vtdsim::app {

namespace {

double value(const vtd::replay::stats_report& s, const std::string& name) {
  const auto* e = s.find(name);
  return e ? e->value : 0.0;
}
std::string pct(const vtd::replay::stats_report& s, const std::string& hits, const std::string& lookups) {
  double l = value(s, lookups);
  if (l == 0) return "     -";
  return fmt::format("{:5.1f}%", 100.0 * value(s, hits) / l);
}
std::string count(double v) {
  std::string digits = fmt::format("{:.0f}", v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string format_summary(const vtd::replay::stats_report& s,
                           const std::vector<vtd::replay::stale_event>& stale_events,
                           const std::string& headline, bool timed) {
  std::string o = headline + "\n\n";
  auto row = [&](const char* what, const std::string& text) {
    o += fmt::format("  {:<16} {}\n", what, text);
  };
  row("requests",
      fmt::format("{} DMA ({} faulted), {} MSI ({} delivered, {} faulted)", count(value(s, "dma.requests")),
                  count(value(s, "dma.faults")), count(value(s, "msi.requests")),
                  count(value(s, "msi.delivered")), count(value(s, "msi.faults"))));
  for (const auto& e : s.entries())
    if (e.name.rfind("faults.0x", 0) == 0)
      row("", fmt::format("fault {:<28} {:>12}", e.name.substr(7), count(e.value)));
  row("IOTLB", fmt::format("{} lookups, hit rate {}   (4K {}, 2M {}, 1G {})", count(value(s, "iotlb_lookup")),
                           pct(s, "iotlb_hit", "iotlb_lookup"), pct(s, "iotlb_4k_hit", "iotlb_lookup"),
                           pct(s, "iotlb_2m_hit", "iotlb_lookup"), pct(s, "iotlb_1g_hit", "iotlb_lookup")));
  row("context cache", fmt::format("{} lookups, hit rate {}", count(value(s, "ctxt_cache_lookup")),
                                   pct(s, "ctxt_cache_hit", "ctxt_cache_lookup")));
  row("paging caches", fmt::format("{} lookups, hit rate {}", count(value(s, "ss_nonleaf_lookup")),
                                   pct(s, "ss_nonleaf_hit", "ss_nonleaf_lookup")));
  // Scalable mode's caches: only when the unit used them, so that a legacy summary stays as it was.
  if (value(s, "pasid_cache_lookup") > 0)
    row("PASID cache", fmt::format("{} lookups, hit rate {}", count(value(s, "pasid_cache_lookup")),
                                   pct(s, "pasid_cache_hit", "pasid_cache_lookup")));
  if (value(s, "fs_nonleaf_lookup") > 0)
    row("first-stage PSC", fmt::format("{} lookups, hit rate {}", count(value(s, "fs_nonleaf_lookup")),
                                       pct(s, "fs_nonleaf_hit", "fs_nonleaf_lookup")));
  row("interrupt cache", fmt::format("{} lookups, hit rate {}", count(value(s, "int_cache_lookup")),
                                     pct(s, "int_cache_hit", "int_cache_lookup")));
  row("walks", fmt::format("{} ({:.2f} per DMA), {:.2f} memory reads per DMA", count(value(s, "walks")),
                           value(s, "walks.per_request"), value(s, "iommu_mrds.per_request")));
  row("invalidations",
      fmt::format("context {} reg / {} queued, IOTLB {} reg / {} queued, IEC {}, dev-TLB {}, waits {}",
                  count(value(s, "inval.register_cc")), count(value(s, "inval.queued_cc")),
                  count(value(s, "inval.register_iotlb")), count(value(s, "inval.queued_iotlb")),
                  count(value(s, "inval.queued_iec")), count(value(s, "inval.queued_dev_tlb")),
                  count(value(s, "inval.queued_wait"))));
  if (value(s, "inval.queued_pc") + value(s, "inval.queued_piotlb") + value(s, "inval.queued_p_dev_tlb") > 0)
    row("",
        fmt::format("PASID-based: PASID cache {}, IOTLB {}, dev-TLB {}", count(value(s, "inval.queued_pc")),
                    count(value(s, "inval.queued_piotlb")), count(value(s, "inval.queued_p_dev_tlb"))));
  row("", fmt::format("{} found nothing cached, {} refused by the hardware", count(value(s, "inval.useless")),
                      count(value(s, "inval.refused"))));
  row("driver",
      fmt::format("{} maps, {} unmaps", count(value(s, "driver.maps")), count(value(s, "driver.unmaps"))));
  row("stale", fmt::format("{} translations served from caches after the tables changed without invalidation",
                           count(value(s, "stale.translations_served"))));
  // ATS devices: a line each (only when the platform has such devices, so that other summaries stay as they
  // were).
  for (const auto& e : s.entries()) {
    const std::string suffix = ".ats.dma";
    if (e.name.rfind("device.", 0) != 0 || e.name.size() <= suffix.size() ||
        e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string p = e.name.substr(0, e.name.size() - 4);  // device.NAME.ats
    const std::string name = p.substr(7, p.size() - 7 - 4);
    row(("ATS " + name).c_str(),
        fmt::format("{} DMAs, device-TLB hit rate {}, {} translation requests, {} denied, {} invalidation "
                    "requests ({} entries), {} timeouts",
                    count(e.value), pct(s, p + ".tlb_hits", p + ".tlb_lookups"),
                    count(value(s, p + ".translation_requests")), count(value(s, p + ".denied")),
                    count(value(s, p + ".invalidation_requests")),
                    count(value(s, p + ".entries_invalidated")), count(value(s, p + ".timeouts"))));
  }
  if (value(s, "ats.invalidation_timeouts") > 0)
    o += fmt::format(
        "  warning: {} device-TLB invalidation time-out(s) (FSTS.ITE, IQERCD.ITESID): {} inv_wait(s) "
        "aborted; "
        "the replay cleared FSTS.ITE as a driver does and went on (the silent devices kept their entries)\n",
        count(value(s, "ats.invalidation_timeouts")), count(value(s, "ats.waits_aborted")));
  for (const auto& e : stale_events) {
    const std::string pasid = e.has_pasid ? fmt::format(" PASID {}", e.pasid) : std::string();
    o += fmt::format("      t={:.3f}us {}{} 0x{:x}: served {}, memory says {}\n", double(e.time_ps) / 1e6,
                     vtd::spec::format_bdf(e.sid), pasid, e.address, e.served, e.memory);
    o += fmt::format("        changed by {}; fix: {}\n", e.changed, e.fix);
  }
  if (timed) {
    o += fmt::format("\n  {:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "latency (ns)", "count",
                     "mean", "p50", "p90", "p99", "max");
    auto lat = [&](const std::string& label, const std::string& prefix) {
      if (value(s, prefix + ".count") == 0) return;
      o += fmt::format("  {:<16} {:>10} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f}\n", label,
                       count(value(s, prefix + ".count")), value(s, prefix + ".mean"),
                       value(s, prefix + ".p50"), value(s, prefix + ".p90"), value(s, prefix + ".p99"),
                       value(s, prefix + ".max"));
    };
    lat("DMA read", "latency.dma_read");
    lat("DMA write", "latency.dma_write");
    lat("MSI", "latency.msi");
    for (const auto& e : s.entries()) {
      const std::string suffix = ".latency.count";
      if (e.name.rfind("device.", 0) == 0 && e.name.size() > suffix.size() &&
          e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        std::string prefix = e.name.substr(0, e.name.size() - 6);
        std::string label = prefix.substr(7, prefix.size() - 7 - 8);  // NAME or NAME.pasid.N
        if (auto at = label.rfind(".pasid."); at != std::string::npos)
          label = "  PASID " + label.substr(at + 7);
        lat("  " + label + " DMA", prefix);
      }
    }
    // Several units: the figures are sums over the units' walkers and engines (the backlog: the longest);
    // each unit's own are in the units' lines.
    const double units = std::max(1.0, value(s, "sim.units"));
    o += fmt::format("\n  {:<16} {:.2f} busy on average{}, queue mean {:.2f}, max {}\n", "page walkers",
                     value(s, "pw_occupancy"), units > 1 ? " (all units)" : "", value(s, "pw_queue.mean"),
                     count(value(s, "pw_queue.max")));
    if (units > 1)
      o += fmt::format(
          "  {:<16} engines busy {:.1f}% of the trace span on average, {:.3f} us of backlog after "
          "its end (the longest)\n",
          "invalidations", 100.0 * value(s, "inval.occupancy") / units,
          value(s, "inval.backlog_ns") / 1000.0);
    else
      o += fmt::format("  {:<16} engine busy {:.1f}% of the trace span, {:.3f} us of backlog after its end\n",
                       "invalidations", 100.0 * value(s, "inval.occupancy"),
                       value(s, "inval.backlog_ns") / 1000.0);
  }
  o += fmt::format("\n  replayed {} records in {:.2f} s ({:.2f} M requests/s)\n",
                   count(value(s, "sim.records")), value(s, "sim.wall_seconds"),
                   value(s, "sim.requests_per_second") / 1e6);
  return o;
}

std::string format_units_summary(const vtd::replay::stats_report& s, const std::vector<std::string>& units) {
  std::string o = "\n  remapping units\n";
  for (const std::string& name : units) {
    const std::string p = "unit." + name + ".";
    o +=
        fmt::format("  {:<16} {} DMA ({} faulted), {} MSI, IOTLB hit rate {}, {} walks, {} maps, {} unmaps\n",
                    name, count(value(s, p + "dma.requests")), count(value(s, p + "dma.faults")),
                    count(value(s, p + "msi.requests")), pct(s, p + "iotlb_hit", p + "iotlb_lookup"),
                    count(value(s, p + "walks")), count(value(s, p + "driver.maps")),
                    count(value(s, p + "driver.unmaps")));
    if (s.find(p + "latency.dma_read.mean"))  // timed
      o += fmt::format(
          "  {:<16} DMA read mean {:.1f} ns, p99 {:.1f} ns; walkers {:.2f} busy on average; "
          "invalidation engine busy {:.1f}%, backlog {:.3f} us\n",
          "", value(s, p + "latency.dma_read.mean"), value(s, p + "latency.dma_read.p99"),
          value(s, p + "pw_occupancy"), 100.0 * value(s, p + "inval.occupancy"),
          value(s, p + "inval.backlog_ns") / 1000.0);
  }
  return o;
}

}  // namespace vtdsim::app
