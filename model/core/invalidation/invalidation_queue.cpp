// Queued invalidation: fetch, validation (spec 6.5.2.10 / digest 1.11 IQEI codes) and execution of the
// 128-bit descriptor types 1-5 (spec 6.5.2.1-6.5.2.8, digest 6.4).
#include "model/core/invalidation/invalidation_queue.hpp"

namespace vtd::core {

using spec::iqei;

iqei invalidation_queue::check(const spec::inv_descriptor& d, bool wide, spec::reg::ttm ttm) const {
  unsigned type = d.type();
  // Only legacy-mode types 1-5 are modelled; scalable-mode types 6-A are reported as invalid types.
  bool known = type >= 1 && type <= 5;
  if (type == 3 && !m_caps.dt) known = false;  // feature not implemented: invalid type
  if (type == 4 && !m_caps.ir) known = false;
  (void)ttm;
  if (!known) return iqei::invalid_type;
  spec::inv_reserved rsv = spec::inv_reserved_bits(type, m_caps.pds);
  if ((d.qw[0] & rsv.qw0) || (d.qw[1] & rsv.qw1)) return iqei::reserved_field;
  if (wide && (d.qw[2] || d.qw[3])) return iqei::reserved_field;  // a 128-bit descriptor's upper half is zero
  switch (type) {
    case 1:
      if (d.granularity() == 0) return iqei::reserved_field;  // G=00 is a reserved encoding
      break;
    case 2:
      if (d.granularity() == 0) return iqei::reserved_field;
      if (d.granularity() == 3 && (!m_caps.psi || d.iotlb_am() > m_caps.mamv)) return iqei::reserved_field;
      break;
    case 4:
      if (d.iec_index_selective() && d.iec_im() > m_caps.mhmv) return iqei::reserved_field;
      break;
    default:
      break;
  }
  return iqei::none;
}

void invalidation_queue::perform(const spec::inv_descriptor& d, iq_result& r) {
  switch (d.type()) {
    case 1: {
      cc_request req{static_cast<cc_granularity>(d.granularity()), m_caps.mask_did(d.cc_did()), d.cc_sid(),
                     d.cc_fm()};
      r.entries_removed += invalidate_context(m_caches, req).removed;
      break;
    }
    case 2: {
      uint64_t addr = d.iotlb_addr();
      if (m_caps.mgaw < 64) addr &= (uint64_t{1} << m_caps.mgaw) - 1;
      iotlb_request req{static_cast<iotlb_granularity>(d.granularity()), m_caps.mask_did(d.iotlb_did()), addr,
                        d.iotlb_am(), d.iotlb_ih()};
      r.entries_removed += invalidate_iotlb(m_caches, req).removed;
      if (d.iotlb_dr() || d.iotlb_dw()) ++r.drains;
      break;
    }
    case 3:
      break;  // device-TLBs live in the endpoints: accepted and counted
    case 4:
      r.entries_removed +=
          invalidate_iec(m_caches, iec_request{d.iec_index_selective(), d.iec_iidx(), d.iec_im()}).removed;
      break;
    case 5: {
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
    default:
      break;
  }
  ++r.by_type[d.type()];
  ++r.processed;
}

iq_result invalidation_queue::process(const iq_registers& regs) {
  iq_result r;
  bool wide = spec::iqa_dw(regs.iqa);
  unsigned shift = wide ? 5 : 4;
  uint32_t entries = spec::iq_entries(regs.iqa);
  uint64_t bytes = spec::iq_descriptor_bytes(regs.iqa);
  uint64_t base = spec::iqa_base(regs.iqa);
  uint64_t head = (regs.iqh & spec::kIqPointerMask) >> shift;
  uint64_t tail_raw = regs.iqt & spec::kIqPointerMask;
  r.iqh = regs.iqh & spec::kIqPointerMask;
  if (r.iqh == tail_raw) return r;  // empty queue: nothing is fetched, nothing can fail

  auto fail = [&](iqei e) {
    r.error = e;
    return r;
  };
  if (regs.ttm == spec::reg::ttm::reserved) return fail(iqei::invalid_ttm);
  // DW=1 needs SMTS or ADMS; scalable and abort-DMA modes need DW=1 (digest 1.11, IQEI 5).
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
    perform(d, r);
    head = (head + 1) % entries;
    r.iqh = head << shift;
  }
  return r;
}

}  // namespace vtd::core
