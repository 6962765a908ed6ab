// Trace replay engine (see header).
#include "apps/replay/replay_engine.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "model/core/invalidation/register_invalidation.hpp"
#include "model/core/unit_setup.hpp"
#include "model/spec/ats_range.hpp"
#include "model/spec/inv_descriptor.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/text.hpp"
#include "traces/record_kinds.hpp"

namespace vtd::replay {

using traces::record;
using traces::record_kind;

namespace {

// Register commands and queued descriptors the unit has performed so far, by its own counters (each queue run
// adds its iq_result's descriptors by type).
timing::invalidation_work performed(const core::invalidation_counters& c) {
  timing::invalidation_work w;
  w.register_commands = unsigned(c.register_cc + c.register_iotlb);
  w.descriptors = unsigned(c.queued_cc + c.queued_iotlb + c.queued_dev_tlb + c.queued_iec + c.queued_pc +
                           c.queued_piotlb + c.queued_p_dev_tlb);
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

// The invalidation that would have removed a stale translation of `addr` pending under `c` (scalable mode).
std::string scalable_range_fix(const table_change& c, int domain, uint64_t addr) {
  const uint64_t page = addr & ~uint64_t{0xFFF};
  if (c.parent >= 0)
    return fmt::format(
        "iotlb_inv_dsc domain-selective DID {} (nested over domain {}, whose second-stage tables changed: no "
        "PASID-based invalidation reaches the second-stage paging-structure caches)",
        domain, c.parent);
  if (c.pasid == kUntagged)
    return fmt::format("iotlb_inv_dsc page-selective DID {} ADDR 0x{:x} AM 0 (or domain-selective DID {})",
                       domain, page, domain);
  return fmt::format("p_iotlb_inv_dsc DID {} PASID {} page 0x{:x} AM 0 (or PASID-selective DID {} PASID {})",
                     domain, c.pasid, page, domain, c.pasid);
}

}  // namespace

replay_engine::replay_engine(core::iommu& unit, table_driver& tables, const replay_options& options)
    : m_unit(unit),
      m_tables(tables),
      m_options(options),
      m_scalable(unit.unit().regs().ttm() == spec::reg::ttm::scalable),
      m_direct(unit.unit()) {
  if (m_options.check_stale && unit.caches()) {
    // No caches: every translation it makes reads the tables as they are in memory now.
    m_reference = std::make_unique<core::remapping_unit>(unit.unit().config(), unit.unit().memory());
    core::program(*m_reference, core::setup_of(unit.unit()));
  }
  m_warm = m_options.warmup == 0;
  if (m_options.units) {
    m_router = std::make_unique<unit_router>(*m_options.units);
    m_mine = unit_mask{1} << m_options.unit_index;
  }
}

std::string replay_engine::device_name(uint16_t sid) const {
  auto it = m_names.find(sid);
  return it != m_names.end() ? it->second : spec::format_bdf(sid);
}

device_stats& replay_engine::device_lookup(uint16_t sid) {
  m_last_sid = sid;
  m_last_device = &m_devices[sid];
  return *m_last_device;
}

pasid_stats& replay_engine::pasid_of(uint16_t sid, uint32_t pasid) {
  const std::pair<uint16_t, uint32_t> key{sid, pasid};
  if (m_last_pasid && m_last_pasid_key == key) return *m_last_pasid;
  m_last_pasid_key = key;
  m_last_pasid = &m_pasids[key];
  return *m_last_pasid;
}

void replay_engine::reset_stats() {
  m_last_device = nullptr;
  m_last_pasid = nullptr;
  m_pasids.clear();
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
  m_pasid_attach = m_pasid_detach = 0;
  if (m_unit.caches()) m_unit.caches()->reset_stats();
  m_unit.reset_invalidation_counters();
  if (m_ats) m_ats->reset_stats();
  m_ats_timeouts = m_ats_waits_aborted = m_devtlb_wait_ps = 0;
}

void replay_engine::use_ats(ats_devices* devices) {
  m_ats = devices && !devices->empty() ? devices : nullptr;
  m_unit.set_device_tlb_port(m_ats);
}

bool replay_engine::ats_needs_translation(const record& r) const {
  if (!m_ats || r.kind != record_kind::dma || !m_ats->has(r.id)) return false;
  const timing::upstream_request q = to_request(r);
  if (q.dma.at != core::address_type::untranslated || spec::in_interrupt_range(q.dma.address)) return false;
  const device::ats_endpoint& ep = m_ats->find(r.id)->endpoint;
  const device::dtlb_entry* e = ep.tlb().peek(device::ats_endpoint::key_of(q.dma), q.dma.address);
  return !e || !device::grants(*e, q.dma);
}

void replay_engine::begin_window(const record& r) {
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
}

void replay_engine::advance_meters() {
  m_walkers_busy.advance(m_last_time);
  m_walk_waits.advance(m_last_time);
  m_invalidation_busy.advance(m_last_time);
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

void replay_engine::not_a_request(const record& r) {
  throw std::invalid_argument(fmt::format("a {} record is not a device request", traces::kind_name(r.kind)));
}

request_outcome replay_engine::submit(const record& r) {
  begin(r);
  if (m_router && !(m_router->route(r) & m_mine)) return {};  // another unit's record: counted, not applied
  if (traces::is_device_request(r.kind)) return request(r);
  apply(r);
  return {};
}

void replay_engine::apply(const record& r) {
  switch (r.kind) {
    case record_kind::dma:
    case record_kind::msi:
      break;  // device requests: submit() sends them to request()
    case record_kind::map: {
      // U/S=0 and XD are first-stage rights: the builders refuse them in a second-stage domain.
      const map_rights rights{r.readable(), r.writable(), !r.supervisor_only(), !r.no_execute()};
      m_tables.map(r.id, r.addr, r.value, r.map_bytes(), rights);
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
      if (m_options.check_stale) range_changed(r);
      break;
    }
    case record_kind::attach:
    case record_kind::detach:
      change_device(r);
      break;
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
      change_pasid(r);
      break;
    case record_kind::cc_inval:
    case record_kind::iotlb_inval:
    case record_kind::iec_inval:
    case record_kind::devtlb_inval:
    case record_kind::inv_wait:
    case record_kind::pc_inval:
    case record_kind::piotlb_inval:
    case record_kind::pdevtlb_inval:
      invalidate(r);
      break;
  }
}

void replay_engine::change_device(const record& r) {
  const int old_domain = m_tables.domain_of(r.id);
  int new_domain = -1;
  if (r.kind == record_kind::attach) {
    new_domain = int(r.value & 0xFFFF);
    m_tables.attach(r.id, static_cast<uint16_t>(new_domain));
    ++m_attach;
  } else {
    // A detach names the domain the driver believes the device is in: a different one is a driver bug (or
    // a corrupt trace), not something to carry out silently.
    if (old_domain != int(r.value))
      throw std::runtime_error(old_domain < 0
                                   ? fmt::format("detach from domain {}: the device is not attached", r.value)
                                   : fmt::format("detach from domain {}: the device is attached to domain {}",
                                                 r.value, old_domain));
    m_tables.detach(r.id);
    ++m_detach;
  }
  if (!m_options.check_stale) return;
  // Scalable mode: attach and detach are the RID_PASID's PASID-table entry (the context entry stays).
  if (m_scalable)
    pasid_changed(r, m_tables.rid_pasid(r.id), old_domain, new_domain);
  else
    m_stale.changed_device(r.id, old_domain, m_records - 1, r.time_ps);
}

void replay_engine::change_pasid(const record& r) {
  const uint32_t pasid = r.pasid();
  const int old_domain = m_tables.domain_of_pasid(r.id, pasid);
  int new_domain = -1;
  if (r.kind == record_kind::pasid_attach) {
    new_domain = int(r.length & 0xFFFF);
    m_tables.attach_pasid(r.id, pasid, static_cast<uint16_t>(new_domain), r.flags & traces::flag::sre,
                          r.flags & traces::flag::wpe);
    ++m_pasid_attach;
  } else {
    // As for unmap and detach: tearing down a PASID that is not attached is a driver bug.
    if (old_domain < 0)
      throw std::runtime_error(fmt::format("pasid-detach of PASID {} of {}: the PASID is not attached", pasid,
                                           spec::format_bdf(r.id)));
    m_tables.detach_pasid(r.id, pasid);
    ++m_pasid_detach;
  }
  if (m_options.check_stale) pasid_changed(r, pasid, old_domain, new_domain);
}

void replay_engine::pasid_changed(const record& r, uint32_t pasid, int old_domain, int new_domain) {
  // The IOTLB may hold entries of (domain, PASID) from any attachment, present or past.
  if (new_domain >= 0) m_stale.remember_attachment(uint16_t(new_domain), pasid);
  // Binding a not-present entry needs no invalidation with CAP.CM=0: it was never cached (spec 6.1).
  if (old_domain < 0) return;
  m_stale.remember_attachment(uint16_t(old_domain), pasid);
  m_stale.changed_pasid(r.id, pasid, uint16_t(old_domain), m_records - 1, r.time_ps);
}

void replay_engine::range_changed(const record& r) {
  const uint16_t domain = r.id;
  table_change c;
  c.record_index = m_records - 1;
  c.time_ps = r.time_ps;
  c.iova = r.addr;
  c.bytes = r.map_bytes();
  c.unmap = true;
  if (!m_scalable) {
    m_stale.changed_range(domain, kUntagged, c);
    return;
  }
  switch (m_tables.stage_of(domain)) {
    case core::translation_stage::first:
    case core::translation_stage::nested:
      // First-stage tables: every cached entry that reads them (IOTLB, first-stage paging-structure caches)
      // is tagged with the DID and the PASID it was filled for. Pending for every PASID attached now or
      // before.
      for (const auto& [sid, pasid] : m_tables.attachments_of(domain))
        m_stale.remember_attachment(domain, pasid);
      for (uint32_t pasid : m_stale.attached_pasids(domain)) m_stale.changed_range(domain, pasid, c);
      break;
    case core::translation_stage::second: {
      // The second-stage paging-structure caches carry no PASID: only the DID-based IOTLB invalidations
      // (iotlb_inv_dsc) remove what this change made stale, for this domain and for every nested domain over
      // it (its nested translations, and its walks of guest-physical addresses through these tables), at any
      // of their addresses.
      m_stale.changed_range(domain, kUntagged, c);
      table_change parent = c;
      parent.iova = 0;
      parent.bytes = ~uint64_t{0};
      parent.parent = domain;
      for (uint16_t nested : m_tables.nested_on(domain)) m_stale.changed_range(nested, kUntagged, parent);
      break;
    }
    case core::translation_stage::pass_through:
    case core::translation_stage::none:
      break;  // no tables (the builders refuse the unmap before this)
  }
}

request_outcome replay_engine::request(const record& r) {
  const timing::upstream_request q = to_request(r);
  if (core::crosses_4k_boundary(q.dma.address, q.dma.length)) [[unlikely]]
    throw std::runtime_error(
        fmt::format("DMA [0x{:x}, 0x{:x}) crosses a 4 KiB boundary: a PCIe request never does "
                    "(one record per request)",
                    q.dma.address, q.dma.address + q.dma.length));
  // One flag test for a trace without ATS devices; an ATS device's untranslated DMA goes through its
  // endpoint (a DWORD write to the interrupt range stays an interrupt request, spec 3.15).
  if (m_ats && r.kind == record_kind::dma && m_ats->has(r.id) &&
      q.dma.at == core::address_type::untranslated && !spec::in_interrupt_range(q.dma.address)) [[unlikely]]
    return request_ats(r, q);
  // The functional port is called directly (it is final: the call inlines), any other through the port.
  const timing::upstream_result& res = m_port == &m_direct ? m_direct.transport(q) : m_port->transport(q);
  request_outcome out;
  count_request(r, q, res, res.timing, out);
  return out;
}

request_outcome replay_engine::request_ats(const record& r, const timing::upstream_request& q) {
  request_outcome out;
  timing::request_timing ats_timing;
  const timing::upstream_result& res = *ats_request(r, q, out, ats_timing);
  count_request(r, q, res, ats_timing, out);
  return out;
}

// The statistics of one request, from what the unit did (`res`) and its whole latency (`timing`, timed mode).
void replay_engine::count_request(const record& r, const timing::upstream_request& q,
                                  const timing::upstream_result& res, const timing::request_timing& timing,
                                  request_outcome& out) {
  out.is_msi = res.is_interrupt();
  out.ok = res.ok() && !out.ats_denied;
  out.fault = res.fault();
  out.memory_reads += res.memory_reads;
  m_memory_reads += res.memory_reads;  // IRTE and posted-descriptor reads count as iommu_mrds
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
    // A denied ATS DMA made no access but did not fault: the unit answered its translation request.
    const bool faulted = !res.ok();
    if (faulted) {
      ++m_faults;
      ++dev.faults;
      ++m_faults_by_reason[uint8_t(out.fault)];
    }
    m_dma_memory_reads += res.memory_reads;
    m_walks += res.memory_reads > 0;
    if (r.has_pasid()) {
      pasid_stats& p = pasid_of(r.id, r.pasid());
      ++p.dma;
      p.bytes += q.dma.length;
      p.faults += faulted;
    }
    // ATS DMAs were checked request by request in ats_request().
    if (!out.ats && m_options.check_stale && m_stale.any()) check_stale(r, q.dma, res);
  }
  if (m_options.per_request_csv) write_csv(r, out, q.dma.access, res.timed ? int64_t(timing.latency()) : -1);
  if (res.timed) count_timing(r, out, q.dma.access, timing);
}

const timing::upstream_result* replay_engine::ats_request(const record& r, const timing::upstream_request& q,
                                                          request_outcome& out, timing::request_timing& t) {
  ats_device& d = *m_ats->find(r.id);
  device::ats_endpoint& ep = d.endpoint;
  out.ats = true;
  ++d.dma;
  device::dtlb_entry entry;
  bool asked = false;
  timing::request_timing xt;  // the translation request's (timed mode)
  if (device::dtlb_entry* e = ep.lookup(q.dma)) {
    out.ats_hit = true;
    if (m_options.check_stale) check_device_tlb(r, q.dma, d, *e);
    entry = *e;
  } else {
    // A miss: an ATS translation request (AT=01b) for the page, answered from the unit's caches or a walk.
    asked = true;
    timing::upstream_request tq = q;
    tq.dma = ep.translation_request(q.dma);
    const timing::upstream_result& tr = m_port->transport(tq);
    out.memory_reads += tr.memory_reads;
    m_memory_reads += tr.memory_reads;
    m_dma_memory_reads += tr.memory_reads;
    m_walks += tr.memory_reads > 0;
    if (m_options.check_stale && m_stale.any()) check_stale(r, tq.dma, tr);
    const core::translation_result& a = tr.translation;
    const device::ats_answer answer =
        ep.complete(q.dma, a, a.domain_id, m_stale.generation(a.domain_id, r.id), &entry);
    if (tr.timed) xt = tr.timing;
    if (answer != device::ats_answer::granted) {
      // No access: the DMA ends with the translation completion (a Page Request would follow: not modelled).
      out.ats_denied = answer == device::ats_answer::denied;
      if (tr.timed) {
        t = xt;
        t.done = xt.translation_done + d.translation_link_ps;
        d.translation_latency_ps += xt.translation_latency() + d.translation_link_ps;
        d.latency_ps += xt.translation_latency() + d.translation_link_ps;
      }
      return &tr;
    }
  }
  // The translated request (AT=10b): the unit checks it (TT=01 / DTE=1) and passes it through, no walk.
  timing::upstream_request xq = q;
  xq.dma = ep.translated_request(q.dma, entry);
  const timing::upstream_result& res = m_port->transport(xq);
  if (res.timed) {
    // Both round trips, one after the other: the translated request's own latency follows the
    // translation request's (docs/timing.md, "Devices with ATS").
    t = res.timing;
    if (asked) {
      // The translation request's round trip: the unit's answer and the link both ways.
      const timing::picoseconds first = xt.translation_latency() + d.translation_link_ps;
      t.arrival = xt.arrival;
      t.lookup_start = xt.lookup_start;
      t.walk_start = xt.walk_start;
      t.walker_queue_delay = xt.walker_queue_delay;
      t.walker_queue_depth = xt.walker_queue_depth;
      t.used_walker = xt.used_walker;
      t.memory_reads += xt.memory_reads;
      t.translation_done = xt.arrival + first + res.timing.translation_latency();
      t.done = xt.arrival + first + res.timing.latency();
      d.translation_latency_ps += first;
    }
    d.latency_ps += t.latency();
  }
  return &res;
}

// A device-TLB hit after the tables changed: what the entry serves against a walk of the tables as they are
// now (the uncached reference unit). Nothing is walked while the entry's generation is current.
void replay_engine::check_device_tlb(const record& r, const core::dma_request& q, ats_device& d,
                                     device::dtlb_entry& e) {
  const uint64_t now = m_stale.generation(e.domain, r.id);
  if (now == e.generation || !m_reference) return;
  const core::translation_result truth = m_reference->translate(q);
  const uint64_t served = e.translate(q.address);
  if (truth.ok() && truth.hpa == served && truth.read == e.read && truth.write == e.write) {
    e.generation = now;  // still right: no need to walk again until the next change
    return;
  }
  ++m_stale_count;
  if (m_stale_events.size() >= m_options.stale_examples) return;
  stale_event ev;
  ev.record_index = m_records - 1;
  ev.time_ps = r.time_ps;
  ev.sid = q.source_id;
  ev.address = q.address;
  ev.has_pasid = q.has_pasid;
  ev.pasid = q.has_pasid ? q.pasid : 0;
  ev.device_tlb = true;
  ev.served = fmt::format("device-TLB of {}: page 0x{:x} -> 0x{:x}, hpa 0x{:x} ({}{})", d.name,
                          e.untranslated, e.translated, served, e.read ? "R" : "-", e.write ? "W" : "-");
  ev.memory = describe(truth);
  if (auto c = m_stale.last_range_change(e.domain); c && c->bytes)
    ev.changed =
        fmt::format("{} of [0x{:x}, 0x{:x}) in domain {} at record {} (t={} ns)", c->unmap ? "unmap" : "map",
                    c->iova, c->iova + c->bytes, e.domain, c->record_index, c->time_ps / 1000);
  else
    ev.changed = fmt::format("a change of the device's context or PASID entry (domain {})", e.domain);
  const auto enc = spec::encode_ats_range(e.untranslated, e.size);
  const uint64_t addr = enc ? enc->addr : e.untranslated;
  const int s_bit = enc && enc->s ? 1 : 0;
  ev.fix = q.has_pasid
               ? fmt::format(
                     "p_dev_tlb_inv_dsc SID {} PASID {} ADDR 0x{:x} S {} (after the unit's own "
                     "invalidation)",
                     spec::format_bdf(q.source_id), q.pasid, addr, s_bit)
               : fmt::format("dev_tlb_inv_dsc SID {} ADDR 0x{:x} S {} (after the unit's own invalidation)",
                             spec::format_bdf(q.source_id), addr, s_bit);
  m_stale_events.push_back(std::move(ev));
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
  std::optional<table_change> change;
  std::string fix;
  // Scalable mode: the PASID the unit processed the request with (RID_PASID for one without PASID).
  uint32_t pasid = kUntagged;
  if (m_scalable) {
    pasid = got.ok() ? got.pasid : q.has_pasid ? q.pasid : m_tables.rid_pasid(q.source_id);
    // A PASID-table entry served from the PASID-cache after the driver changed it: the cached entry decides
    // everything after it (domain, tables, rights), so it comes first.
    // Whether the request's PASID-table entry came from the PASID-cache: its first lookup of that cache hit
    // (a fact the walk record keeps, so that the port can leave its steps out).
    if (res.walk.first_lookup_hit(core::cache_kind::pasid)) {
      change = m_stale.pending_pasid(q.source_id, pasid);
      if (change)
        fix = fmt::format(
            "pc_inv_dsc PASID-selective DID {0} PASID {1}, then p_iotlb_inv_dsc PASID-selective "
            "DID {0} PASID {1} (iotlb_inv_dsc domain-selective for a second-stage or nested entry)",
            change->domain, pasid);
    }
  }
  if (!change && (res.iotlb_hit || res.memory_reads > 0)) {
    const int domain = got.ok()     ? int(got.domain_id)
                       : m_scalable ? m_tables.domain_of_pasid(q.source_id, pasid)
                                    : m_tables.domain_of(q.source_id);
    if (domain >= 0) change = m_stale.pending_range(uint16_t(domain), pasid, q.address);
    if (change)
      fix = m_scalable ? scalable_range_fix(*change, domain, q.address)
                       : fmt::format(
                             "IOTLB page-selective invalidation DID={} ADDR=0x{:x} AM=0 (or domain-selective "
                             "DID={})",
                             domain, q.address & ~uint64_t{0xFFF}, domain);
  }
  if (!change && !m_scalable && res.context_hit) {
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
    e.has_pasid = m_scalable;
    e.pasid = m_scalable ? pasid : 0;
    e.served = describe(got);
    e.memory = describe(truth);
    const std::string when =
        fmt::format("at record {} (t={} ns)", change->record_index, change->time_ps / 1000);
    if (change->iova || change->bytes) {
      e.changed = change->parent >= 0
                      ? fmt::format("unmap in parent domain {} {}", change->parent, when)
                      : fmt::format("{} of [0x{:x}, 0x{:x}) {}", change->unmap ? "unmap" : "map",
                                    change->iova, change->iova + change->bytes, when);
    } else if (m_scalable) {
      e.changed = fmt::format("PASID-table entry change of PASID {} (was domain {}) {}", change->pasid,
                              change->domain, when);
    } else {
      e.changed = fmt::format("context change {}", when);
    }
    e.fix = fix;
    m_stale_events.push_back(std::move(e));
  }
}

void replay_engine::invalidate(const record& r) {
  // Priced from what the unit performed (its own counters), not from what the record asks for: a refused
  // descriptor or a queue stopped by an error costs the engine nothing, and a register write that started an
  // invalidation costs one register invalidation.
  if (m_ats && m_ite_pending && r.queued()) {
    // The driver's side of an Invalidation Time-out Error (spec 6.5.2.10): the inv_wait_dsc that followed the
    // unanswered request is aborted (its status is never written), and software clears FSTS.ITE (RW1C) so
    // that the unit fetches again from IQH.
    m_ite_pending = false;
    m_unit.unit().regs().write32(spec::reg::FSTS, spec::reg::FSTS_ITE);
    if (r.kind == record_kind::inv_wait) {
      ++m_ats_waits_aborted;
      return;
    }
  }
  const timing::invalidation_work before = performed(m_unit.invalidations());
  const uint64_t timeouts_before = m_unit.invalidations().device_timeouts;
  invalidate_now(r);
  const timing::invalidation_work work = performed(m_unit.invalidations()) - before;
  double device_ns = 0;
  if (m_ats) {
    device_ns = m_ats->take_slowest_completion_ns();
    if (m_unit.invalidations().device_timeouts > timeouts_before) {
      ++m_ats_timeouts;
      m_ite_pending = true;
    }
  }
  if (work.empty()) return;
  if (auto busy = m_port->price(work)) {
    // Device-TLB invalidations complete when the slowest endpoint answers; the inv_wait_dsc after them lasts
    // at least until then (an inv_wait completes after every descriptor before it, spec 6.5.2.8).
    if (device_ns > 0)
      m_devtlb_pending_until = std::max(m_devtlb_pending_until, busy->start + uint64_t(device_ns * 1000.0));
    if (work.waits > 0 && m_devtlb_pending_until > busy->done) {
      if (m_warm) m_devtlb_wait_ps += m_devtlb_pending_until - busy->done;
      busy->done = m_devtlb_pending_until;
    }
    if (work.waits > 0) m_devtlb_pending_until = 0;
    // Only the engine's own busy interval counts, not the time the invalidation waited behind earlier ones:
    // summing (done - submitted) counted every queued invalidation's wait again and grew with the square of
    // the backlog. Intervals of the one engine never overlap, so the busy time is at most the span.
    if (m_warm) m_invalidation_busy.add(busy->start, busy->done);
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
    case record_kind::pc_inval:
    case record_kind::piotlb_inval:
    case record_kind::pdevtlb_inval:
      invalidate_pasid_based(r);
      break;
    case record_kind::dma:
    case record_kind::msi:
    case record_kind::map:
    case record_kind::unmap:
    case record_kind::attach:
    case record_kind::detach:
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
      break;  // not invalidations: submit() never sends them here
  }
}

bool replay_engine::submit_descriptor(const spec::inv_descriptor& d) {
  if (m_unit.submit(d)) return true;
  ++m_refused_invalidations;  // no queue, or the queue stopped with IQE (e.g. DW=0 in scalable mode)
  return false;
}

// The PASID-based invalidations exist only as 256-bit queued descriptors (the reader refuses them
// register-based). Record granularities map onto descriptor G values as docs/trace-format.md says; the
// reader refuses the values no descriptor has (pc-inval 3, piotlb-inval 0), so reaching them is a bug.
void replay_engine::invalidate_pasid_based(const record& r) {
  using spec::inv_descriptor;
  const uint16_t did = r.id;
  const uint32_t pasid = r.pasid();
  const traces::granularity g = r.gran();
  auto impossible = [&]() {
    return std::logic_error(fmt::format("{} record with granularity {}", traces::kind_name(r.kind), int(g)));
  };
  switch (r.kind) {
    case record_kind::pc_inval:
      // pc_inv_dsc G: 11b global, 00b domain-selective, 01b PASID-selective within the domain.
      if (g == traces::granularity::global) {
        if (submit_descriptor(inv_descriptor::make_pc_global())) m_stale.invalidated_pasid_cache_all();
      } else if (g == traces::granularity::domain) {
        if (submit_descriptor(inv_descriptor::make_pc_domain(did)))
          m_stale.invalidated_pasid_cache_domain(did);
      } else if (g == traces::granularity::pasid) {
        if (submit_descriptor(inv_descriptor::make_pc_pasid(did, pasid)))
          m_stale.invalidated_pasid_cache(did, pasid);
      } else {
        throw impossible();
      }
      break;
    case record_kind::piotlb_inval:
      if (g == traces::granularity::pasid) {
        // G=10b: every IOTLB and first-stage paging-structure entry of DID and PASID.
        if (submit_descriptor(inv_descriptor::make_piotlb_pasid(did, pasid)))
          m_stale.invalidated_pasid_range(did, pasid, 0, 0);
      } else if (g == traces::granularity::page_in_pasid) {
        // G=11b: the first-stage and nested entries of DID and PASID in the 2^AM-page block; with IH the
        // paging-structure caches are kept, so a walk from a cached non-leaf entry may still be stale: the
        // range stays pending (as for iotlb-inval with IH).
        const bool ih = r.flags & traces::flag::ih;
        if (submit_descriptor(inv_descriptor::make_piotlb_page(did, pasid, r.addr, r.length, ih)) && !ih) {
          const core::page_block block = core::psi_block(r.addr, r.length);
          m_stale.invalidated_pasid_range(did, pasid, block.base, block.length);
        }
      } else if (g == traces::granularity::domain) {
        // Every PASID of the DID: p_iotlb_inv_dsc has no such granularity since Rev 3.0, so this is what
        // Linux's flush-all does (cache_tag_flush_all on a first-stage domain): one PASID-selective
        // descriptor per PASID attached to the domain now, in ascending PASID order, each PASID once however
        // many devices share it (the IOTLB tags DID and PASID, not the source-id). docs/trace-format.md.
        std::vector<uint32_t> pasids;
        for (const auto& [sid, p] : m_tables.attachments_of(did)) pasids.push_back(p);
        std::sort(pasids.begin(), pasids.end());
        pasids.erase(std::unique(pasids.begin(), pasids.end()), pasids.end());
        for (uint32_t p : pasids)
          if (submit_descriptor(inv_descriptor::make_piotlb_pasid(did, p)))
            m_stale.invalidated_pasid_range(did, p, 0, 0);
      } else {
        throw impossible();
      }
      break;
    case record_kind::pdevtlb_inval:
      // The device's own source-id as PFSID (a physical function), MIP 0, not global. The unit sends it to
      // the endpoint (use_ats), whose device-TLB drops what it covers.
      submit_descriptor(
          inv_descriptor::make_p_dev_tlb(r.id, r.id, 0, pasid, r.addr, r.flags & traces::flag::size));
      break;
    case record_kind::dma:
    case record_kind::msi:
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
      break;  // not PASID-based invalidations: invalidate_now() never sends them here
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
  if (r.has_pasid()) pasid_of(r.id, r.pasid()).latency.add(latency);
  if (access == core::access_kind::read)
    m_latency_read.add(latency);
  else
    m_latency_write.add(latency);
}

}  // namespace vtd::replay
