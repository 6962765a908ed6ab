// Trace replay: feeds a trace's records to a complete remapping unit in time order — DMAs and MSIs to the
// hardware, driver records (map/unmap/attach/detach, and in scalable mode pasid-attach/pasid-detach) to the
// table builders, invalidations to the registers or the invalidation queue (the PASID-based ones as 256-bit
// descriptors) — and gathers the statistics, per device and per PASID. Both modes call submit() per record;
// they differ only in the request port: the functional mode's serves requests on the core directly, the timed
// mode's (timed_replay.hpp) carries them through the SystemC shell, which prices each walk record.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/replay/ats_devices.hpp"
#include "apps/replay/busy_meter.hpp"
#include "apps/replay/histogram.hpp"
#include "apps/replay/request_port.hpp"
#include "apps/replay/sim_config.hpp"
#include "apps/replay/stale_tracker.hpp"
#include "apps/replay/stats_report.hpp"
#include "apps/replay/table_driver.hpp"
#include "apps/replay/unit_router.hpp"
#include "model/core/system/iommu.hpp"
#include "model/spec/inv_descriptor.hpp"
#include "model/timing/latency_model.hpp"
#include "traces/record.hpp"
#include "traces/record_kinds.hpp"

namespace vtd::replay {

struct replay_options {
  uint64_t warmup = 0;                   // DMA/MSI requests replayed before statistics start
  bool check_stale = true;               // detect translations served from caches that no longer match memory
  unsigned stale_examples = 20;          // stale events listed in full (all are counted)
  std::FILE* per_request_csv = nullptr;  // optional per-request CSV (docs/stats.md)
  // A platform with several remapping units: this engine replays `unit_index` of `units`. It counts every
  // record of the trace (record numbers, the warmup's requests and the trace time are the whole trace's, so
  // that every unit measures the same window) but applies only those its own unit_router sends to its unit.
  std::shared_ptr<const std::vector<unit_scope>> units;
  size_t unit_index = 0;
};

struct stale_event {
  uint64_t record_index = 0;
  uint64_t time_ps = 0;
  uint16_t sid = 0;
  uint64_t address = 0;
  // Scalable mode: the PASID the request was processed with (its own, or RID_PASID for one without PASID).
  bool has_pasid = false;
  uint32_t pasid = 0;
  std::string served;       // what the caches served
  std::string memory;       // what the tables in memory say
  std::string changed;      // which record changed the mapping, and when
  std::string fix;          // which invalidation would have removed it
  bool device_tlb = false;  // served by the device's own TLB (ATS), not by the unit's caches
};

struct device_stats {
  uint64_t dma = 0, msi = 0, faults = 0, bytes = 0;
  histogram latency;  // ps, timed mode only
};

// The DMA requests of one device that carried one PASID (the PCIe PASID prefix of the trace's record).
struct pasid_stats {
  uint64_t dma = 0, faults = 0, bytes = 0;
  histogram latency;  // ps, timed mode only
};

// Outcome of one request record, for callers and tests (the statistics are gathered inside).
struct request_outcome {
  bool is_msi = false;  // the unit handled it as an interrupt request
  bool ok = false;
  // ATS devices: the DMA went through the device's endpoint. `ats_hit`: its device-TLB held the translation
  // (no translation request); `ats_denied`: the unit's answer gave no right for it, so no access was made.
  bool ats = false, ats_hit = false, ats_denied = false;
  bool iotlb_hit = false;
  unsigned memory_reads = 0;
  spec::fault_reason fault = spec::fault_reason::none;
  uint64_t hpa = 0;
};

class replay_engine {
 public:
  replay_engine(core::iommu& unit, table_driver& tables, const replay_options& options);

  // The one entry, in trace order, in both modes: counts the record (at the first record after the warmup's
  // last request, resets the statistics before anything of the record reaches the unit, so that every
  // statistic, cache counters included, covers exactly the same records), then applies it: DMAs and MSIs
  // through the request port, driver records to the tables, invalidations to the registers or the
  // invalidation queue, priced by the port from what the unit performed. Returns the outcome of a DMA or
  // MSI (an empty one for other kinds).
  request_outcome submit(const traces::record& r);

  // Where requests go: the unit directly (the default, functional mode, when `port` is null) or a transport
  // that adds timing (timed_replay.hpp). The port must outlive its use.
  void use_port(request_port* port) { m_port = port ? port : &m_direct; }

  // The ATS devices (null or empty: none). Their untranslated DMAs go through their endpoints (a device-TLB
  // hit: one translated request; a miss: a translation request, then the translated request), and the unit's
  // device-TLB invalidations reach them. `devices` must outlive its use.
  void use_ats(ats_devices* devices);
  // Closed loop: whether the device-TLB of the record's ATS device lacks the translation its next DMA needs
  // (it must first send a translation request). Uncounted; false for other records and devices.
  bool ats_needs_translation(const traces::record& r) const;
  // Figures of the ATS machinery (measured window): invalidation time-outs the replay cleared, and the time
  // inv_wait descriptors waited for device-TLB completions.
  uint64_t ats_timeouts() const { return m_ats_timeouts; }
  uint64_t ats_waits_aborted() const { return m_ats_waits_aborted; }
  uint64_t devtlb_wait_ps() const { return m_devtlb_wait_ps; }
  const ats_devices* ats() const { return m_ats; }

  // The upstream request a DMA or MSI record is. An MSI is the DWORD write it is on the bus: the unit tells
  // it from a DMA by its address alone (spec 3.15: untranslated, no PASID, 0xFEEx_xxxx). Throws
  // std::invalid_argument for a record of another kind. Inline: the replay builds every request with it.
  static timing::upstream_request to_request(const traces::record& r) {
    timing::upstream_request u;
    core::dma_request& q = u.dma;
    q.source_id = r.id;
    q.address = r.addr;
    if (r.kind == traces::record_kind::dma) {
      q.length = r.length;
      q.access = to_access(r.op());
      q.at = static_cast<core::address_type>(r.at());
      q.has_pasid = r.has_pasid();
      q.pasid = r.has_pasid() ? r.pasid() : 0;
      // The PASID prefix's PMR and ER (the reader allows them only with a PASID, ER only on reads).
      q.privileged = r.privileged();
      q.execute = r.execute();
      return u;  // a DMA record carries no data: a write's data is zero
    }
    if (r.kind != traces::record_kind::msi) not_a_request(r);
    q.length = 4;
    q.access = core::access_kind::write;
    u.data = static_cast<uint32_t>(r.value);
    return u;  // untranslated, no PASID
  }

  uint64_t requests() const { return m_requests; }  // DMA and MSI records begun, warmup included
  uint64_t records() const { return m_records; }
  // False when a warmup covered every request of the trace: then nothing was measured, and check_measured()
  // throws std::runtime_error saying so.
  bool measured() const { return m_options.warmup == 0 || m_requests > m_options.warmup; }
  void check_measured() const;

  void set_device_names(std::map<uint16_t, std::string> names) { m_names = std::move(names); }
  // Throws as check_measured() does.
  stats_report report(double wall_seconds, bool timed) const;
  const std::vector<stale_event>& stale_events() const { return m_stale_events; }
  uint64_t stale_count() const { return m_stale_count; }

 private:
  static core::access_kind to_access(traces::dma_op op) {
    switch (op) {
      case traces::dma_op::read:
        return core::access_kind::read;
      case traces::dma_op::write:
        return core::access_kind::write;
      case traces::dma_op::atomic:
        return core::access_kind::atomic;
    }
    return core::access_kind::read;  // the reader refuses other encodings
  }
  [[noreturn]] static void not_a_request(const traces::record& r);

  // Counts the record before it is applied (submit()). Per record: a counter, the window's first record,
  // the trace time, and the warmup count of requests; the busy meters only when one has work that ends by
  // now (their due time), which in the functional mode is never.
  void begin(const traces::record& r) {
    ++m_records;
    if (m_window_pending || m_records == 1) [[unlikely]]
      begin_window(r);
    if (r.time_ps > m_last_time) m_last_time = r.time_ps;  // the reader refuses records out of time order
    if (m_last_time >= std::min({m_walkers_busy.due(), m_walk_waits.due(), m_invalidation_busy.due()}))
        [[unlikely]]
      advance_meters();
    // Device requests (DMA and interrupt writes) count against the warmup; driver records do not.
    if (traces::is_device_request(r.kind)) {
      ++m_requests;
      if (!m_warm && m_requests == m_options.warmup) m_window_pending = true;
    }
  }
  [[gnu::noinline]] void begin_window(const traces::record& r);
  [[gnu::noinline]] void advance_meters();
  request_outcome request(const traces::record& r);
  request_outcome request_ats(const traces::record& r, const timing::upstream_request& q);
  [[gnu::always_inline]] inline void count_request(const traces::record& r, const timing::upstream_request& q,
                                                   const timing::upstream_result& res,
                                                   const timing::request_timing& timing,
                                                   request_outcome& out);
  [[gnu::noinline]] void apply(const traces::record& r);  // a driver record or an invalidation
  // An untranslated DMA of an ATS device: the endpoint's side (see use_ats). Returns the result of the last
  // request it sent (the translated one, or the translation request when the DMA stopped there) and fills
  // `timing` with the DMA's whole latency in timed mode.
  const timing::upstream_result* ats_request(const traces::record& r, const timing::upstream_request& q,
                                             request_outcome& out, timing::request_timing& timing);
  void check_device_tlb(const traces::record& r, const core::dma_request& q, ats_device& d,
                        device::dtlb_entry& e);
  void change_device(const traces::record& r);
  void change_pasid(const traces::record& r);
  void pasid_changed(const traces::record& r, uint32_t pasid, int old_domain, int new_domain);
  void range_changed(const traces::record& r);
  void invalidate(const traces::record& r);
  void invalidate_now(const traces::record& r);
  void invalidate_pasid_based(const traces::record& r);
  bool submit_descriptor(const spec::inv_descriptor& d);
  void check_stale(const traces::record& r, const core::dma_request& q, const timing::upstream_result& got);
  void count_timing(const traces::record& r, const request_outcome& o, core::access_kind access,
                    const timing::request_timing& t);
  void reset_stats();
  void add_ats_stats(stats_report& s, bool timed) const;
  void open_window(uint64_t time_ps);
  void write_csv(const traces::record& r, const request_outcome& o, core::access_kind access,
                 int64_t latency_ps);
  std::string device_name(uint16_t sid) const;
  // Traces come in runs of one device: the last one is remembered instead of a map lookup per request.
  device_stats& device(uint16_t sid) {
    return m_last_device && m_last_sid == sid ? *m_last_device : device_lookup(sid);
  }
  [[gnu::noinline]] device_stats& device_lookup(uint16_t sid);
  pasid_stats& pasid_of(uint16_t sid, uint32_t pasid);

  core::iommu& m_unit;
  table_driver& m_tables;
  replay_options m_options;
  bool m_scalable = false;  // the unit translates in scalable mode (RTADDR.TTM=01b)
  stale_tracker m_stale;
  std::unique_ptr<core::remapping_unit> m_reference;  // uncached twin over the same memory, for stale checks
  unit_port m_direct;
  std::unique_ptr<unit_router> m_router;  // several units: routes every record (replay_options::units)
  unit_mask m_mine = 0;
  request_port* m_port = &m_direct;

  uint64_t m_records = 0, m_requests = 0;
  bool m_warm = false;            // statistics are being gathered (the warmup is over)
  bool m_window_pending = false;  // the warmup's last request has begun: the next record opens the window
  // statistics
  uint64_t m_dma = 0, m_msi = 0, m_faults = 0, m_walks = 0;
  uint64_t m_memory_reads = 0;      // every table read: root, context, paging, IRTE, posted descriptor
  uint64_t m_dma_memory_reads = 0;  // the part of m_memory_reads caused by DMA translation
  uint64_t m_maps = 0, m_unmaps = 0, m_attach = 0, m_detach = 0, m_mapped_bytes = 0;
  uint64_t m_pasid_attach = 0, m_pasid_detach = 0;
  uint64_t m_interrupts_delivered = 0, m_interrupt_faults = 0;
  std::map<uint8_t, uint64_t> m_faults_by_reason;
  std::map<uint16_t, device_stats> m_devices;  // node-based: pointers stay valid
  device_stats* m_last_device = nullptr;
  uint16_t m_last_sid = 0;
  std::map<std::pair<uint16_t, uint32_t>, pasid_stats> m_pasids;  // (sid, PASID); node-based
  pasid_stats* m_last_pasid = nullptr;
  std::pair<uint16_t, uint32_t> m_last_pasid_key;
  std::map<uint16_t, std::string> m_names;
  histogram m_latency_read, m_latency_write, m_latency_msi;
  // Timed mode: busy intervals of measured work, counted inside the window [m_first_time, m_last_time].
  busy_meter m_walkers_busy;       // one interval per walk, on one of timing.walkers walkers
  busy_meter m_walk_waits;         // one interval per walk that waited for a walker (queue length integral)
  busy_meter m_invalidation_busy;  // one interval per invalidation, on the one invalidation engine
  uint64_t m_walker_queue_max = 0;
  uint64_t m_first_time = 0, m_last_time = 0;
  uint64_t m_stale_count = 0;
  uint64_t m_refused_invalidations = 0;
  std::vector<stale_event> m_stale_events;
  ats_devices* m_ats = nullptr;  // null when no device has ATS: the request path tests only this
  uint64_t m_ats_timeouts = 0, m_ats_waits_aborted = 0;
  bool m_ite_pending = false;     // FSTS.ITE is set: the replay's driver clears it at the next queued record
  uint64_t m_devtlb_wait_ps = 0;  // timed: inv_wait time spent on device-TLB completions
  uint64_t m_devtlb_pending_until = 0;  // timed: the slowest Invalidate Completion still outstanding
};

}  // namespace vtd::replay
