// Primary fault logging (VT-d spec 7.2.1 "Primary Fault Logging") and fault-event generation (spec 7.3).
#include "model/core/fault_recorder.hpp"

namespace vtd::core {

fault_recorder::fault_recorder(unsigned nfr, bool compress_same_sid)
    : m_nfr(nfr == 0 ? 1 : nfr), m_compress(compress_same_sid), m_records(m_nfr) {}

// FRCD_REG layout, upper quadword = bits 127:64: 63 F, 62 T1, 61:60 AT, 59:40 PV, 39:32 FR, 31 PP, 30 EXE,
// 29 PRIV, 28 T2, 15:0 SID. PV, EXE and PRIV are valid only with PP=1. {T1,T2}: 00 write, 10 read, 11
// AtomicOp (01 page request is not produced in legacy mode).
fault_recorder::frcd fault_recorder::encode(const fault_info& f) {
  frcd r;
  r.lo = f.fault_info & ~uint64_t{0xFFF};
  bool t1 = f.access != access_kind::write;
  bool t2 = f.access == access_kind::atomic;
  r.hi = (uint64_t{1} << 63) | (uint64_t(t1) << 62) | (uint64_t(uint8_t(f.at) & 3) << 60) |
         (f.has_pasid ? (uint64_t(f.pasid & 0xFFFFF) << 40) | (uint64_t{1} << 31) |
                            (uint64_t(f.execute && f.access == access_kind::read) << 30) |
                            (uint64_t(f.privileged) << 29)
                      : 0) |
         (uint64_t(uint8_t(f.reason)) << 32) | (uint64_t(t2) << 28) | f.source_id;
  return r;
}

bool fault_recorder::record(const fault_info& f) {
  // Step 1: an overflowed log records nothing until software clears PFO.
  if (m_status & kPfo) {
    ++m_dropped_overflow;
    return false;
  }
  // Step 2 (optional): same-SID compression against pending records.
  if (m_compress && m_pending != 0) {
    for (const auto& r : m_records) {
      if ((r.hi >> 63) && uint16_t(r.hi) == f.source_id) {
        ++m_dropped_compressed;
        return false;
      }
    }
  }
  // Step 3: the slot the internal index points at is still pending -> overflow.
  frcd& slot = m_records[m_index];
  if (slot.hi >> 63) {
    m_status |= kPfo;  // setting PFO alone raises no event (FECTL_REG fault-event logic)
    ++m_dropped_overflow;
    return false;
  }
  // Step 4: write the record with F set last; the first pending record becomes FRI and raises an event.
  bool was_ppf = m_pending != 0;
  bool had_status = any_status();
  slot = encode(f);
  ++m_pending;
  ++m_recorded;
  if (!was_ppf) m_fri = m_index;
  m_index = (m_index + 1) % m_nfr;
  if (!was_ppf && !had_status) new_event_condition();
  return true;
}

void fault_recorder::raise_status(uint32_t bit) {
  if (m_status & bit) return;
  bool had_status = any_status();
  m_status |= bit;
  if (!had_status) new_event_condition();
}

// A new interrupt condition: set IP; if unmasked, send at once and clear IP.
void fault_recorder::new_event_condition() {
  m_ip = true;
  if (!m_im) send_event();
}

void fault_recorder::send_event() {
  m_ip = false;
  ++m_events_sent;
  if (m_sink) m_sink(fault_event_msi{(uint64_t(m_feuaddr) << 32) | m_feaddr, m_fedata});
}

// Software cleared every status bit while the event was held pending: drop it without sending.
void fault_recorder::maybe_clear_ip() {
  if (m_ip && !any_status()) m_ip = false;
}

uint32_t fault_recorder::fsts() const {
  uint32_t v = m_status;
  if (m_pending != 0) v |= kPpf | (uint32_t(m_fri & 0xFF) << 8);  // FRI (15:8) valid when PPF=1
  return v;
}

void fault_recorder::write_fsts(uint32_t value) {
  m_status &= ~(value & (kPfo | kIqe | kIce | kIte));
  maybe_clear_ip();
}

void fault_recorder::write_fectl(uint32_t value) {
  m_im = (value >> 31) & 1;
  if (!m_im && m_ip) send_event();  // unmasking a held event sends it
}

void fault_recorder::write_frcd_hi(unsigned n, uint64_t value) {
  if (n >= m_nfr || !(value >> 63) || !(m_records[n].hi >> 63)) return;
  m_records[n].hi &= ~(uint64_t{1} << 63);
  --m_pending;
  if (m_pending != 0 && n == m_fri) {
    // FRI follows the oldest record still pending, scanning circularly as software drains.
    for (unsigned i = 1; i <= m_nfr; ++i) {
      unsigned k = (n + i) % m_nfr;
      if (m_records[k].hi >> 63) {
        m_fri = k;
        break;
      }
    }
  }
  maybe_clear_ip();
}

}  // namespace vtd::core
