// Interrupt remapping in the spec's processing order (VT-d spec 5.1.4) and posting (spec "Interrupt
// Posting").
#include "model/core/interrupt_remapper.hpp"

#include "model/spec/entry_rules.hpp"

namespace vtd::core {

using spec::fault_reason;

interrupt_remapper::interrupt_remapper(const spec::caps& caps, const register_file& regs,
                                       physical_memory& mem, fault_recorder& faults)
    : m_regs(regs), m_mem(mem), m_faults(faults), m_caps(caps) {}

// Qualified IR faults are suppressed by the IRTE's own FPD. FI carries interrupt_index in 63:48.
interrupt_result interrupt_remapper::fail(const interrupt_request& req, fault_reason r, uint32_t index,
                                          bool fpd) {
  interrupt_result res;
  res.status = interrupt_status::fault;
  res.fault = r;
  res.interrupt_index = index;
  if (!(fpd && spec::is_qualified(r))) {
    fault_info f;
    f.reason = r;
    f.source_id = req.source_id;
    f.access = access_kind::write;
    f.fault_info = fault_info::interrupt_fi(index);
    res.fault_recorded = m_faults.record(f);
  }
  return res;
}

// Compatibility format passes through unchanged: the fields are what the APIC will decode (spec 5.1.2
// interrupt request formats).
interrupt_result interrupt_remapper::passthrough(const spec::msi_request& msi) const {
  interrupt_result res;
  res.status = interrupt_status::passthrough;
  res.vector = msi.compat_vector();
  res.destination = msi.compat_destination();
  res.delivery_mode = msi.compat_delivery_mode();
  res.destination_logical = msi.compat_dm();
  res.redirection_hint = msi.compat_rh();
  res.level_triggered = msi.compat_trigger_level();
  return res;
}

bool interrupt_remapper::source_id_valid(const spec::irte& e, uint16_t requester) {
  switch (e.svt()) {
    case spec::source_validation::none:
      return true;
    case spec::source_validation::requester_id: {
      uint16_t mask = spec::sq_mask(e.sq());  // SQ: ignore none / bit 2 / bits 2:1 / bits 2:0
      return (requester & mask) == (e.sid() & mask);
    }
    case spec::source_validation::bus_range: {
      // SID[15:8] = start bus, SID[7:0] = end bus (spec order; QEMU reverses it).
      unsigned bus = requester >> 8;
      return bus >= (e.sid() >> 8) && bus <= (e.sid() & 0xFFu);
    }
    case spec::source_validation::reserved:
      return false;
  }
  return false;
}

interrupt_result interrupt_remapper::remap(const interrupt_request& req, walk_record* rec) {
  spec::msi_request msi{req.address, req.data};
  // IRES=0: every interrupt is processed as compatibility format and passes through unchanged, including a
  // request with the remappable-format bit set (spec 5.1.4 processing order): the unit does not interpret it.
  if (!m_regs.ir_enabled()) return passthrough(msi);

  if (!msi.remappable()) {
    // Compatibility format with IRES=1 (spec 5.1.4 processing order): blocked (25h) in x2APIC mode or without
    // CFIS.
    if (m_regs.eime() || !m_regs.compat_format_allowed())
      return fail(req, fault_reason::ir_compat_blocked, 0, false);
    return passthrough(msi);
  }

  uint32_t index = msi.interrupt_index();
  // 20h: data 31:16 with SHV=1, or an address that is not 0x0000_0000_FEEx_xxxx (upper bits reserved).
  if (msi.reserved_data_set() || (req.address >> 20) != 0xFEE)
    return fail(req, fault_reason::ir_request_reserved, index, false);

  // 21h: beyond 2^(S+1) entries, or an IRTE whose address lies above HAW.
  uint64_t irte_addr = m_regs.irta_base() + uint64_t(index) * spec::irte::size_bytes;
  const unsigned haw = m_caps.haw;
  if (index >= m_regs.irta_entries() || (haw < 64 && ((irte_addr + 15) >> haw) != 0))
    return fail(req, fault_reason::ir_index_beyond_table, index, false);

  spec::irte e;
  if (!(m_hooks && m_hooks->lookup_irte(index, e, rec))) {
    uint64_t raw[2] = {0, 0};
    bool ok = m_mem.read(irte_addr, raw, sizeof raw);  // one 128-bit access
    if (rec)
      rec->add(walk_step::read(step_kind::irte, structure_kind::irte, translation_stage::none, 0, ok, index,
                               m_regs.irta_base(), irte_addr, {raw[0], raw[1]}));
    if (!ok) return fail(req, fault_reason::ir_table_read_error, index, false);  // 23h
    e = spec::irte{raw[0], raw[1]};
    if (e.present() && m_hooks) m_hooks->fill_irte(index, e);
  }
  bool fpd = e.fpd();  // evaluated even when P=0
  if (!e.present()) return fail(req, fault_reason::ir_entry_not_present, index, fpd);  // 22h

  // Source-id validation (26h) precedes the format checks (spec order; QEMU checks 24h first). SVT=11 is a
  // reserved field value, reported as 24h. The format rules (spec::check_irte, shared with the table
  // checker): IM=1 without CAP.PI, reserved bits of either format, a reserved delivery mode, all 24h.
  const bool eime = m_regs.eime();
  const unsigned violations = spec::check_irte(e, m_caps, eime);
  if (violations & spec::irte_svt_reserved) return fail(req, fault_reason::ir_entry_reserved, index, fpd);
  if (!source_id_valid(e, req.source_id)) return fail(req, fault_reason::ir_source_id_invalid, index, fpd);
  if (violations) return fail(req, fault_reason::ir_entry_reserved, index, fpd);
  if (e.posted()) return post(req, e, index, rec);

  interrupt_result res;
  res.status = interrupt_status::remapped;
  res.interrupt_index = index;
  res.vector = e.vector();
  res.destination = e.destination(eime);
  res.x2apic = eime;
  res.delivery_mode = e.dlm();
  res.destination_logical = e.dm();
  res.redirection_hint = e.rh();
  res.level_triggered = e.tm();
  return res;
}

// Posting (spec "Interrupt Posting"): one read-modify-write of the 64-byte descriptor. Set PIR[VV]; X = !ON
// && (URG || !SN); if X, set ON and send the notification (NV to NDST, physical, fixed, edge).
interrupt_result interrupt_remapper::post(const interrupt_request& req, const spec::irte& e, uint32_t index,
                                          walk_record* rec) {
  uint64_t pda = e.pda();
  posted_descriptor d;
  bool ok = m_mem.read(pda, d.qw, sizeof d.qw);
  if (rec)
    rec->add(walk_step::read(step_kind::posted_descriptor, structure_kind::posted_descriptor,
                             translation_stage::none, 0, ok, index, pda, pda,
                             {d.qw[4], d.qw[e.virtual_vector() / 64]}));
  if (!ok) return fail(req, fault_reason::ir_pid_read_error, index, e.fpd());  // 27h
  bool eime = m_regs.eime();
  if (d.has_reserved(eime)) return fail(req, fault_reason::ir_pid_reserved, index, e.fpd());  // 28h

  unsigned vv = e.virtual_vector();
  d.qw[vv / 64] |= uint64_t{1} << (vv % 64);
  bool notify = !d.on() && (e.urgent() || !d.sn());
  if (notify) d.qw[4] |= 1;
  ok = m_mem.write(pda, d.qw, sizeof d.qw);
  if (rec)
    rec->add(walk_step::read(step_kind::status_write, structure_kind::posted_descriptor,
                             translation_stage::none, 0, ok, index, pda, pda, {d.qw[4], d.qw[vv / 64]}));
  if (!ok) return fail(req, fault_reason::ir_pid_read_error, index, e.fpd());

  interrupt_result res;
  res.status = interrupt_status::posted;
  res.interrupt_index = index;
  res.vector = uint8_t(vv);
  res.x2apic = eime;
  res.pid_address = pda;
  res.notification_sent = notify;
  if (notify) {
    res.notification_vector = d.nv();
    res.notification_destination = d.ndst(eime);
  }
  return res;
}

}  // namespace vtd::core
