// Queued invalidation: fetch, validation (IQERCD_REG.IQEI codes) and execution of the 128-bit descriptor
// types cc_inv_dsc, iotlb_inv_dsc, dev_tlb_inv_dsc, iec_inv_dsc and inv_wait_dsc and the 256-bit
// scalable-mode types p_iotlb_inv_dsc, pc_inv_dsc and p_dev_tlb_inv_dsc (VT-d spec "Queued Invalidation
// Interface").
#include "model/core/invalidation/invalidation_queue.hpp"

#include <utility>

#include "model/spec/ats_range.hpp"

namespace vtd::core {

using spec::iqei;

namespace {
// Scalable and abort-DMA modes accept the 256-bit types (spec 6.5.2, the descriptor types valid per
// RTADDR.TTM: 00b types 1-5, 01b and 11b types 1-0xA, always with DW=1); legacy mode only 1-5.
bool wide_types_mode(spec::reg::ttm ttm) {
  switch (ttm) {
    case spec::reg::ttm::scalable:
    case spec::reg::ttm::abort_dma:
      return true;
    case spec::reg::ttm::legacy:
    case spec::reg::ttm::reserved:
      return false;
  }
  return false;
}

// The descriptor types this model performs, each only when its feature exists (a descriptor for a feature
// the hardware lacks is an invalid type): the legacy-mode ones, and in scalable/abort-DMA mode the
// PASID-based ones (ECAP.SMTS; p_dev_tlb_inv_dsc also ECAP.DT). Page group responses (page requests) and
// the Rev 5.x hpt_inv_dsc are not modelled: invalid types.
bool implemented(spec::inv_type t, const invalidation_caps& caps, spec::reg::ttm ttm) {
  const bool pasid_types = wide_types_mode(ttm) && caps.smts;
  switch (t) {
    case spec::inv_type::cc:
    case spec::inv_type::iotlb:
    case spec::inv_type::wait:
      return true;
    case spec::inv_type::dev_tlb:
      return caps.dt;
    case spec::inv_type::iec:
      return caps.ir;
    case spec::inv_type::p_iotlb:
    case spec::inv_type::pc:
      return pasid_types;
    case spec::inv_type::p_dev_tlb:
      return pasid_types && caps.dt;
    case spec::inv_type::page_group_response:
    case spec::inv_type::hpt:
      return false;
  }
  return false;
}
bool is_inv_type(unsigned type) {
  return type >= unsigned(spec::inv_type::cc) && type <= unsigned(spec::inv_type::hpt);
}

// The ATS Invalidate Request both device-TLB descriptors describe: the endpoint and its range (S/ADDR
// decoded).
dev_tlb_invalidation invalidate_request(uint16_t sid, uint16_t pfsid, unsigned mip, uint64_t addr, bool s) {
  const spec::ats_range range = spec::decode_ats_range(addr, s);
  dev_tlb_invalidation q;
  q.sid = sid;
  q.pfsid = pfsid;
  q.mip = mip;
  q.address = range.base;
  q.size = range.size;
  q.all = range.all;
  return q;
}

}  // namespace

iqei invalidation_queue::check(const spec::inv_descriptor& d, bool wide, spec::reg::ttm ttm) const {
  const unsigned type = d.type();
  if (!is_inv_type(type) || !implemented(spec::inv_type(type), m_caps, ttm)) return iqei::invalid_type;
  const auto t = spec::inv_type(type);
  // A 256-bit type in a DW=0 queue cannot be: legacy mode refused it above, and scalable mode refuses a DW=0
  // queue before fetching (IQEI 5).
  if (!wide && unsigned(t) > unsigned(spec::inv_type::wait)) return iqei::invalid_width;
  spec::inv_reserved rsv = spec::inv_reserved_bits(type, m_caps.pds);
  if ((d.qw[0] & rsv.qw0) || (d.qw[1] & rsv.qw1)) return iqei::reserved_field;
  // QW2/QW3: a 128-bit descriptor's upper half is zero; the 256-bit types define nothing there.
  if (wide && ((d.qw[2] & rsv.qw2) || (d.qw[3] & rsv.qw3))) return iqei::reserved_field;
  switch (t) {
    case spec::inv_type::cc:
      if (d.granularity() == 0) return iqei::reserved_field;  // G=00 is a reserved encoding
      break;
    case spec::inv_type::iotlb:
      if (d.granularity() == 0) return iqei::reserved_field;
      if (d.granularity() == 3 && (!m_caps.psi || d.iotlb_am() > m_caps.mamv)) return iqei::reserved_field;
      break;
    case spec::inv_type::iec:
      if (d.iec_index_selective() && d.iec_im() > m_caps.mhmv) return iqei::reserved_field;
      break;
    case spec::inv_type::pc:
      if (d.pc_g() == spec::pc_granularity::reserved) return iqei::reserved_field;  // G=10b
      break;
    case spec::inv_type::p_iotlb:
      switch (d.piotlb_g()) {
        case spec::piotlb_granularity::reserved0:
        case spec::piotlb_granularity::reserved1:
          return iqei::reserved_field;  // G=00b / 01b
        case spec::piotlb_granularity::pasid:
          break;
        case spec::piotlb_granularity::page:
          if (d.piotlb_am() > m_caps.mamv) return iqei::reserved_field;  // AM beyond CAP.MAMV
          break;
      }
      break;
    case spec::inv_type::dev_tlb:
    case spec::inv_type::wait:
    case spec::inv_type::p_dev_tlb:
    case spec::inv_type::page_group_response:
    case spec::inv_type::hpt:
      break;
  }
  return iqei::none;
}

void invalidation_queue::perform(const spec::inv_descriptor& d, spec::reg::ttm ttm, iq_result& r) {
  const auto t = spec::inv_type(d.type());  // check() accepted it: a known type
  switch (t) {
    case spec::inv_type::cc: {
      cc_request req{static_cast<cc_granularity>(d.granularity()), m_caps.mask_did(d.cc_did()), d.cc_sid(),
                     d.cc_fm(), ttm == spec::reg::ttm::scalable};
      r.entries_removed += invalidate_context(m_caches, req).removed;
      break;
    }
    case spec::inv_type::iotlb: {
      uint64_t addr = d.iotlb_addr();
      if (m_caps.mgaw < 64) addr &= (uint64_t{1} << m_caps.mgaw) - 1;
      iotlb_request req{static_cast<iotlb_granularity>(d.granularity()), m_caps.mask_did(d.iotlb_did()), addr,
                        d.iotlb_am(), d.iotlb_ih()};
      r.entries_removed += invalidate_iotlb(m_caches, req).removed;
      if (d.iotlb_dr() || d.iotlb_dw()) ++r.drains;
      break;
    }
    case spec::inv_type::dev_tlb:
      // Legacy device-TLB invalidation: a request without PASID to the endpoint SID (spec 6.5.2.5).
      send_to_device(invalidate_request(d.dev_sid(), d.dev_pfsid(), d.dev_mip(), d.dev_addr(), d.dev_s()), r);
      break;
    case spec::inv_type::iec:
      r.entries_removed +=
          invalidate_iec(m_caches, iec_request{d.iec_index_selective(), d.iec_iidx(), d.iec_im()}).removed;
      break;
    case spec::inv_type::wait: {
      // Every earlier descriptor has completed (they are performed synchronously), so the wait completes now.
      if (d.wait_sw()) {
        uint64_t addr = d.wait_address();
        if (m_caps.haw < 64) addr &= (uint64_t{1} << m_caps.haw) - 1;  // bits above HAW are ignored
        bool ok = m_mem.write32(addr, d.wait_data());
        r.status_writes.push_back({addr, d.wait_data(), ok});
      }
      if (d.wait_if()) ++r.completion_signals;
      ++r.waits_completed;
      break;
    }
    case spec::inv_type::pc: {
      pc_request req{d.pc_g(), m_caps.mask_did(d.pc_did()), d.pc_pasid()};
      r.entries_removed += invalidate_pasid_cache(m_caches, req).removed;
      break;
    }
    case spec::inv_type::p_iotlb: {
      // ADDR is a first-stage input address (up to 57 bits, canonical): not held to MGAW.
      piotlb_request req{d.piotlb_g(),     m_caps.mask_did(d.piotlb_did()),
                         d.piotlb_pasid(), d.piotlb_addr(),
                         d.piotlb_am(),    d.piotlb_ih()};
      r.entries_removed += invalidate_piotlb(m_caches, req).removed;
      break;
    }
    case spec::inv_type::p_dev_tlb: {
      // PASID-based device-TLB invalidation (spec 6.5.2.6): G=1 drops every PASID's translations.
      dev_tlb_invalidation q =
          invalidate_request(d.pdev_sid(), d.pdev_pfsid(), d.pdev_mip(), d.pdev_addr(), d.pdev_s());
      q.has_pasid = true;
      q.pasid = d.pdev_pasid();
      q.global = d.pdev_global();
      send_to_device(q, r);
      break;
    }
    case spec::inv_type::page_group_response:
    case spec::inv_type::hpt:
      break;  // never accepted by check()
  }
  ++r.by_type[unsigned(t)];
  ++r.processed;
}

void invalidation_queue::send_to_device(const dev_tlb_invalidation& request, iq_result& r) {
  const bool answered = m_devices ? m_devices->invalidate(request) : true;
  r.device_invalidations.push_back({request, answered});
  if (!answered && !r.timed_out) {
    r.timed_out = true;  // the first endpoint that timed out is the one ITESID names
    r.ite_sid = request.sid;
  }
}

iq_result invalidation_queue::process(const iq_registers& regs) {
  iq_result r;
  process(regs, r);
  return r;
}

void invalidation_queue::process(const iq_registers& regs, iq_result& r) {
  // A fresh result that keeps the lists' storage: no allocation per queue run once they have grown.
  auto writes = std::move(r.status_writes);
  auto devices = std::move(r.device_invalidations);
  writes.clear();
  devices.clear();
  r = iq_result{};
  r.status_writes = std::move(writes);
  r.device_invalidations = std::move(devices);
  bool wide = spec::iqa_dw(regs.iqa);
  unsigned shift = wide ? 5 : 4;
  uint32_t entries = spec::iq_entries(regs.iqa);
  uint64_t bytes = spec::iq_descriptor_bytes(regs.iqa);
  uint64_t base = spec::iqa_base(regs.iqa);
  uint64_t head = (regs.iqh & spec::kIqPointerMask) >> shift;
  uint64_t tail_raw = regs.iqt & spec::kIqPointerMask;
  r.iqh = regs.iqh & spec::kIqPointerMask;
  if (r.iqh == tail_raw) return;  // empty queue: nothing is fetched, nothing can fail

  auto fail = [&](iqei e) { r.error = e; };
  if (regs.ttm == spec::reg::ttm::reserved) return fail(iqei::invalid_ttm);
  // DW=1 needs SMTS or ADMS; scalable and abort-DMA modes need DW=1 (IQEI 5, invalid descriptor width).
  if (wide && !m_caps.wide_ok) return fail(iqei::invalid_width);
  if (!wide && regs.ttm != spec::reg::ttm::legacy) return fail(iqei::invalid_width);
  if (wide && (tail_raw & 0x10)) return fail(iqei::tail_misaligned);
  uint64_t tail = tail_raw >> shift;
  if (tail >= entries) return fail(iqei::invalid_tail);
  head %= entries;

  for (uint32_t n = 0; head != tail && n < entries; ++n) {
    uint64_t addr = base + head * bytes;
    spec::inv_descriptor d;
    if (!m_mem.read(addr, d.qw.data(), bytes)) {
      r.error_descriptor_address = addr;
      return fail(iqei::fetch_error);
    }
    iqei e = check(d, wide, regs.ttm);
    if (e != iqei::none) {
      r.error_descriptor_address = addr;
      return fail(e);
    }
    // After a device-TLB invalidation timed out, the next inv_wait_dsc cannot complete: it is aborted and
    // fetching stops behind it until software clears FSTS.ITE (spec 6.5.2.10).
    const bool abort_wait = r.timed_out && spec::inv_type(d.type()) == spec::inv_type::wait;
    if (abort_wait)
      ++r.waits_aborted;
    else
      perform(d, regs.ttm, r);
    head = (head + 1) % entries;
    r.iqh = head << shift;
    if (abort_wait) break;
  }
}

}  // namespace vtd::core
