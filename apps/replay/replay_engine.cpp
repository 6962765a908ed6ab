// Trace replay engine (see header).
#include "apps/replay/replay_engine.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <algorithm>
#include <stdexcept>

#include "model/core/invalidation/register_invalidation.hpp"
#include "model/core/unit_setup.hpp"
#include "model/spec/inv_descriptor.hpp"
#include "model/spec/text.hpp"
#include "traces/record_kinds.hpp"

namespace vtd::replay {

using traces::record;
using traces::record_kind;

namespace {

core::access_kind to_access(traces::dma_op op) {
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

// Register commands and queued descriptors the unit has performed so far, by its own counters (each queue run
// adds its iq_result's descriptors by type).
timing::invalidation_work performed(const core::invalidation_counters& c) {
  timing::invalidation_work w;
  w.register_commands = unsigned(c.register_cc + c.register_iotlb);
  w.descriptors = unsigned(c.queued_cc + c.queued_iotlb + c.queued_dev_tlb + c.queued_iec);
  w.waits = unsigned(c.queued_wait);
  return w;
}

timing::invalidation_work operator-(const timing::invalidation_work& a, const timing::invalidation_work& b) {
  return {a.register_commands - b.register_commands, a.descriptors - b.descriptors, a.waits - b.waits};
}

std::string describe(const core::translation_result& r) {
  if (r.ok()) return fmt::format("hpa 0x{:x} ({}{})", r.hpa, r.read ? "R" : "-", r.write ? "W" : "-");
  return fmt::format("fault {} {}", spec::format_fault_code(r.fault), spec::to_string(r.fault));
}

}  // namespace

replay_engine::replay_engine(core::iommu& unit, table_driver& tables, const replay_options& options)
    : m_unit(unit), m_tables(tables), m_options(options), m_direct(unit.unit()) {
  if (m_options.check_stale && unit.caches()) {
    // No caches: every translation it makes reads the tables as they are in memory now.
    m_reference = std::make_unique<core::remapping_unit>(unit.unit().config(), unit.unit().memory());
    core::program(*m_reference, core::setup_of(unit.unit()));
  }
  m_warm = m_options.warmup == 0;
}

std::string replay_engine::device_name(uint16_t sid) const {
  auto it = m_names.find(sid);
  return it != m_names.end() ? it->second : spec::format_bdf(sid);
}

device_stats& replay_engine::device(uint16_t sid) {
  // Traces come in runs of one device: remember the last one instead of a map lookup per request.
  if (m_last_device && m_last_sid == sid) return *m_last_device;
  m_last_sid = sid;
  m_last_device = &m_devices[sid];
  return *m_last_device;
}

void replay_engine::reset_stats() {
  m_last_device = nullptr;
  m_dma = m_msi = m_faults = m_walks = m_memory_reads = m_dma_memory_reads = 0;
  m_interrupts_delivered = m_interrupt_faults = 0;
  m_faults_by_reason.clear();
  m_devices.clear();
  m_latency_read.clear();
  m_latency_write.clear();
  m_latency_msi.clear();
  m_walker_queue_max = 0;
  m_stale_count = 0;
  m_stale_events.clear();
  m_refused_invalidations = 0;
  m_maps = m_unmaps = m_attach = m_detach = m_mapped_bytes = 0;
  if (m_unit.caches()) m_unit.caches()->reset_stats();
  m_unit.reset_invalidation_counters();
}

void replay_engine::begin(const record& r) {
  ++m_records;
  if (m_window_pending) {
    // The first record after the warmup's last request: everything from here on is measured, driver records
    // and invalidations included, and nothing before it is.
    m_window_pending = false;
    m_warm = true;
    reset_stats();
    open_window(r.time_ps);
  } else if (m_records == 1) {
    open_window(r.time_ps);
  }
  m_last_time = std::max(m_last_time, r.time_ps);  // the reader refuses records out of time order anyway
  m_walkers_busy.advance(m_last_time);
  m_walk_waits.advance(m_last_time);
  m_invalidation_busy.advance(m_last_time);
  // Device requests (DMA and interrupt writes) count against the warmup; driver records do not.
  if (traces::kind_of(r.kind).cls == traces::kind_class::device_request) {
    ++m_requests;
    if (!m_warm && m_requests == m_options.warmup) m_window_pending = true;
  }
}

void replay_engine::open_window(uint64_t time_ps) {
  m_first_time = m_last_time = time_ps;
  m_walkers_busy.reset(time_ps);
  m_walk_waits.reset(time_ps);
  m_invalidation_busy.reset(time_ps);
}

void replay_engine::check_measured() const {
  if (!measured())
    throw std::runtime_error(
        fmt::format("warmup {} but the trace has {} request{} (DMA and MSI): no request would be measured "
                    "(the warmup must "
                    "be smaller than the number of requests)",
                    m_options.warmup, m_requests, m_requests == 1 ? "" : "s"));
}

timing::upstream_request replay_engine::to_request(const record& r) {
  timing::upstream_request u;
  core::dma_request& q = u.dma;
  q.source_id = r.id;
  q.address = r.addr;
  switch (r.kind) {
    case record_kind::msi:
      q.length = 4;
      q.access = core::access_kind::write;
      u.data = static_cast<uint32_t>(r.value);
      return u;  // untranslated, no PASID
    case record_kind::dma:
      q.length = r.length;
      q.access = to_access(r.op());
      q.at = static_cast<core::address_type>(r.at());
      q.has_pasid = r.has_pasid();
      q.pasid = static_cast<uint32_t>(r.value);
      return u;  // a DMA record carries no data: a write's data is zero
    case record_kind::map:
    case record_kind::unmap:
    case record_kind::attach:
    case record_kind::detach:
    case record_kind::cc_inval:
    case record_kind::iotlb_inval:
    case record_kind::iec_inval:
    case record_kind::devtlb_inval:
    case record_kind::inv_wait:
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
    case record_kind::pc_inval:
    case record_kind::piotlb_inval:
    case record_kind::pdevtlb_inval:
      break;
  }
  throw std::invalid_argument(fmt::format("a {} record is not a device request", traces::kind_name(r.kind)));
}

request_outcome replay_engine::submit(const record& r) {
  begin(r);
  switch (r.kind) {
    case record_kind::dma:
    case record_kind::msi:
      return request(r);
    case record_kind::map: {
      m_tables.map(r.id, r.addr, r.value, r.map_bytes(), r.readable(), r.writable());
      ++m_maps;
      m_mapped_bytes += r.map_bytes();
      // A map fills a range that was not present (overlaps are refused), and with CAP.CM=0 hardware never
      // caches not-present entries, so a map alone cannot make a cached translation stale (spec 6.1).
      break;
    }
    case record_kind::unmap: {
      // Unmapping nothing is what a driver does after a double free or with a wrong IOVA: refuse it.
      if (m_tables.unmap(r.id, r.addr, r.map_bytes()) == 0)
        throw std::runtime_error(fmt::format("unmap [0x{:x}, 0x{:x}) in domain {}: nothing is mapped there",
                                             r.addr, r.addr + r.map_bytes(), r.id));
      ++m_unmaps;
      if (m_options.check_stale)
        m_stale.changed_range(r.id, {m_records - 1, r.time_ps, r.addr, r.map_bytes(), true});
      break;
    }
    case record_kind::attach:
    case record_kind::detach: {
      int old_domain = m_tables.domain_of(r.id);
      if (r.kind == record_kind::attach) {
        m_tables.attach(r.id, static_cast<uint16_t>(r.value));
        ++m_attach;
      } else {
        // A detach names the domain the driver believes the device is in: a different one is a driver bug
        // (or a corrupt trace), not something to carry out silently.
        if (old_domain != int(r.value))
          throw std::runtime_error(
              old_domain < 0 ? fmt::format("detach from domain {}: the device is not attached", r.value)
                             : fmt::format("detach from domain {}: the device is attached to domain {}",
                                           r.value, old_domain));
        m_tables.detach(r.id);
        ++m_detach;
      }
      if (m_options.check_stale) m_stale.changed_device(r.id, old_domain, m_records - 1, r.time_ps);
      break;
    }
    case record_kind::cc_inval:
    case record_kind::iotlb_inval:
    case record_kind::iec_inval:
    case record_kind::devtlb_inval:
    case record_kind::inv_wait:
      invalidate(r);
      break;
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
    case record_kind::pc_inval:
    case record_kind::piotlb_inval:
    case record_kind::pdevtlb_inval:
      throw std::runtime_error(fmt::format("{} records are not replayed yet", traces::kind_name(r.kind)));
  }
  return {};
}

request_outcome replay_engine::request(const record& r) {
  const timing::upstream_request q = to_request(r);
  if (core::crosses_4k_boundary(q.dma.address, q.dma.length))
    throw std::runtime_error(
        fmt::format("DMA [0x{:x}, 0x{:x}) crosses a 4 KiB boundary: a PCIe request never does "
                    "(one record per request)",
                    q.dma.address, q.dma.address + q.dma.length));
  const timing::upstream_result& res = m_port->transport(q);
  request_outcome out;
  out.is_msi = res.is_interrupt();
  out.ok = res.ok();
  out.fault = res.fault();
  out.memory_reads = res.memory_reads;
  m_memory_reads += out.memory_reads;  // IRTE and posted-descriptor reads count as iommu_mrds
  auto& dev = device(r.id);
  if (out.is_msi) {
    ++m_msi;
    ++dev.msi;
    if (out.ok) {
      ++m_interrupts_delivered;
    } else {
      ++m_interrupt_faults;
      ++dev.faults;
      ++m_faults_by_reason[uint8_t(out.fault)];
    }
  } else {
    out.hpa = res.translation.hpa;
    out.iotlb_hit = res.iotlb_hit;
    ++m_dma;
    ++dev.dma;
    dev.bytes += q.dma.length;
    if (!out.ok) {
      ++m_faults;
      ++dev.faults;
      ++m_faults_by_reason[uint8_t(out.fault)];
    }
    m_dma_memory_reads += out.memory_reads;
    m_walks += out.memory_reads > 0;
    if (m_options.check_stale && m_stale.any()) check_stale(r, q.dma, res);
  }
  if (m_options.per_request_csv)
    write_csv(r, out, q.dma.access, res.timed ? int64_t(res.timing.latency()) : -1);
  if (res.timed) count_timing(r, out, q.dma.access, res.timing);
  return out;
}

void replay_engine::write_csv(const record& r, const request_outcome& o, core::access_kind access,
                              int64_t latency_ps) {
  // Columns (docs/stats.md):
  // index,time_ns,sid,kind,address,status,fault,hpa,iotlb_hit,memory_reads,latency_ns
  const char* kind = "msi";
  if (!o.is_msi) {
    switch (access) {  // an MSI record outside the interrupt range is the DWORD write it is
      case core::access_kind::read:
        kind = "read";
        break;
      case core::access_kind::write:
        kind = "write";
        break;
      case core::access_kind::atomic:
        kind = "atomic";
        break;
    }
  }
  std::string latency = latency_ps < 0 ? std::string() : fmt::format("{:.3f}", double(latency_ps) / 1000.0);
  fmt::print(m_options.per_request_csv, "{},{:.3f},{},{},0x{:x},{},{},0x{:x},{},{},{}\n", m_records - 1,
             double(r.time_ps) / 1000.0, spec::format_bdf(r.id), kind, r.addr, o.ok ? "ok" : "fault",
             spec::format_fault_code(o.fault), o.hpa, o.iotlb_hit ? 1 : 0, o.memory_reads, latency);
}

void replay_engine::check_stale(const record& r, const core::dma_request& q,
                                const timing::upstream_result& res) {
  const core::translation_result& got = res.translation;
  const bool iotlb = res.iotlb_hit;
  const bool context = res.context_hit;
  std::optional<table_change> change;
  std::string fix;
  if (iotlb || res.memory_reads > 0) {
    int domain = got.ok() ? int(got.domain_id) : m_tables.domain_of(q.source_id);
    if (domain >= 0) change = m_stale.pending_range(uint16_t(domain), q.address);
    if (change)
      fix = fmt::format(
          "IOTLB page-selective invalidation DID={} ADDR=0x{:x} AM=0 (or domain-selective DID={})", domain,
          q.address & ~uint64_t{0xFFF}, domain);
  }
  if (!change && context) {
    change = m_stale.pending_device(q.source_id);
    if (change)
      fix = fmt::format(
          "context-cache device-selective invalidation SID={} DID={}, then a domain-selective IOTLB "
          "invalidation",
          spec::format_bdf(q.source_id), change->domain);
  }
  if (!change || !m_reference) return;
  core::translation_result truth = m_reference->translate(q);
  if (truth.status == got.status && truth.hpa == got.hpa && truth.read == got.read &&
      truth.write == got.write && truth.fault == got.fault)
    return;
  ++m_stale_count;
  if (m_stale_events.size() < m_options.stale_examples) {
    stale_event e;
    e.record_index = m_records - 1;
    e.time_ps = r.time_ps;
    e.sid = q.source_id;
    e.address = q.address;
    e.served = describe(got);
    e.memory = describe(truth);
    e.changed = change->iova || change->bytes
                    ? fmt::format("{} of [0x{:x}, 0x{:x}) at record {} (t={} ns)",
                                  change->unmap ? "unmap" : "map", change->iova, change->iova + change->bytes,
                                  change->record_index, change->time_ps / 1000)
                    : fmt::format("context change at record {} (t={} ns)", change->record_index,
                                  change->time_ps / 1000);
    e.fix = fix;
    m_stale_events.push_back(std::move(e));
  }
}

void replay_engine::invalidate(const record& r) {
  // Priced from what the unit performed (its own counters), not from what the record asks for: a refused
  // descriptor or a queue stopped by an error costs the engine nothing, and a register write that started an
  // invalidation costs one register invalidation.
  const timing::invalidation_work before = performed(m_unit.invalidations());
  invalidate_now(r);
  const timing::invalidation_work work = performed(m_unit.invalidations()) - before;
  if (work.empty()) return;
  if (auto busy = m_port->price(work); busy && m_warm) {
    // Only the engine's own busy interval counts, not the time the invalidation waited behind earlier ones:
    // summing (done - submitted) counted every queued invalidation's wait again and grew with the square of
    // the backlog. Intervals of the one engine never overlap, so the busy time is at most the span.
    m_invalidation_busy.add(busy->start, busy->done);
  }
}

void replay_engine::invalidate_now(const record& r) {
  auto& regs = m_unit.unit().regs();
  const bool queued = r.queued();
  const uint16_t domain = static_cast<uint16_t>(r.value);
  switch (r.kind) {
    case record_kind::cc_inval: {
      core::cc_granularity g = r.gran() == traces::granularity::global   ? core::cc_granularity::global
                               : r.gran() == traces::granularity::domain ? core::cc_granularity::domain
                                                                         : core::cc_granularity::device;
      bool performed;
      if (queued) {
        performed = m_unit.submit(spec::inv_descriptor::make_cc(unsigned(g), domain, r.id, r.length & 3));
      } else {
        regs.write64(spec::reg::CCMD, core::ccmd::make(g, domain, r.id, r.length & 3));
        performed = core::ccmd::caig(regs.read64(spec::reg::CCMD)) != 0;
      }
      if (!performed) {
        ++m_refused_invalidations;  // e.g. register-based while queued invalidation is enabled (spec 6.5.1)
        break;
      }
      // The hardware may invalidate more than asked (CAIG); tracking the requested scope is conservative.
      if (g == core::cc_granularity::global)
        m_stale.invalidated_devices_all();
      else if (g == core::cc_granularity::domain)
        m_stale.invalidated_devices_of_domain(domain);
      else
        m_stale.invalidated_device(r.id, r.length & 3);
      break;
    }
    case record_kind::iotlb_inval: {
      core::iotlb_granularity g = r.gran() == traces::granularity::global   ? core::iotlb_granularity::global
                                  : r.gran() == traces::granularity::domain ? core::iotlb_granularity::domain
                                                                            : core::iotlb_granularity::page;
      const bool ih = r.flags & traces::flag::ih;
      bool performed;
      if (queued) {
        performed =
            m_unit.submit(spec::inv_descriptor::make_iotlb(unsigned(g), domain, r.addr, r.length, ih));
      } else {
        regs.write64(regs.iva_offset(), core::iotlb_reg::make_iva(r.addr, r.length, ih));
        regs.write64(regs.iotlb_offset(), core::iotlb_reg::make(g, domain));
        performed = core::iotlb_reg::iaig(regs.read64(regs.iotlb_offset())) != 0;
      }
      if (!performed) {
        ++m_refused_invalidations;
        break;
      }
      if (g == core::iotlb_granularity::global)
        m_stale.invalidated_all();
      else if (g == core::iotlb_granularity::domain)
        m_stale.invalidated_domain(domain);
      else if (!ih) {
        auto block = core::psi_block(r.addr, r.length);
        m_stale.invalidated_range(domain, block.base, block.length);
      }
      // With IH (invalidation hint) software says only leaf entries changed, and the unit may keep its
      // paging-structure caches (IVA_REG.IH, the IOTLB invalidate descriptor's IH): if the unmap freed a
      // page-table page, a walk that starts from a cached non-leaf entry is still stale. The range stays
      // pending, and the check compares what such a walk served with the tables.
      break;
    }
    case record_kind::iec_inval:
      if (!m_unit.submit(spec::inv_descriptor::make_iec(r.gran() != traces::granularity::global,
                                                        static_cast<uint16_t>(r.value), r.length)))
        ++m_refused_invalidations;
      break;
    case record_kind::devtlb_inval:
      if (!m_unit.submit(
              spec::inv_descriptor::make_dev_tlb(r.id, 0, 0, r.addr, r.flags & traces::flag::size)))
        ++m_refused_invalidations;
      break;
    case record_kind::inv_wait:
      if (!m_unit.submit(spec::inv_descriptor::make_wait(
              r.flags & traces::flag::wait_if, r.flags & traces::flag::wait_sw,
              static_cast<uint32_t>(r.value), r.addr, r.flags & traces::flag::wait_fn)))
        ++m_refused_invalidations;
      break;
    case record_kind::dma:
    case record_kind::msi:
    case record_kind::map:
    case record_kind::unmap:
    case record_kind::attach:
    case record_kind::detach:
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
    case record_kind::pc_inval:
    case record_kind::piotlb_inval:
    case record_kind::pdevtlb_inval:
      break;  // not invalidations: submit() never sends them here
  }
}

void replay_engine::count_timing(const record& r, const request_outcome& o, core::access_kind access,
                                 const timing::request_timing& t) {
  if (!m_warm) return;
  // A walker is busy from walk_start to translation_done and serves one walk at a time, so the busy time
  // inside the window is at most (walkers x span).
  if (t.used_walker) {
    m_walkers_busy.add(t.walk_start, t.translation_done);
    m_walk_waits.add(t.walk_start - t.walker_queue_delay, t.walk_start);
  }
  m_walker_queue_max = std::max<uint64_t>(m_walker_queue_max, t.walker_queue_depth);
  const uint64_t latency = t.latency();
  // Per-device figures are DMA latencies: an MSI's few tens of nanoseconds would drag a device's mean down.
  if (o.is_msi) {
    m_latency_msi.add(latency);
    return;
  }
  device(r.id).latency.add(latency);
  if (access == core::access_kind::read)
    m_latency_read.add(latency);
  else
    m_latency_write.add(latency);
}

}  // namespace vtd::replay
