// Primary fault logging and fault-event generation (VT-d spec 7.2.1 / 7.2.2; FSTS_REG, FRCD_REG, FECTL_REG):
// the FRCD[n] records, FSTS (PFO, PPF, FRI, IQE, ICE, ITE), FECTL/FEDATA/FEADDR/FEUADDR.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "model/core/request.hpp"
#include "model/spec/fault_reason.hpp"

namespace vtd::core {

// One reportable fault as the hardware sees it before logging.
struct fault_info {
  spec::fault_reason reason = spec::fault_reason::none;
  uint16_t source_id = 0;
  access_kind access = access_kind::read;
  address_type at = address_type::untranslated;
  bool has_pasid = false;
  uint32_t pasid = 0;
  uint64_t fault_info = 0;  // FRCD.FI (63:12): DMA page address, or interrupt_index << 48 for IR faults
  bool privileged = false;  // FRCD.PRIV (with has_pasid)
  bool execute = false;     // FRCD.EXE (with has_pasid, reads only)

  static uint64_t dma_fi(uint64_t address) { return address & ~uint64_t{0xFFF}; }
  static uint64_t interrupt_fi(uint32_t index) { return uint64_t(index & 0xFFFF) << 48; }
};

// The fault-event MSI as programmed in FEDATA / FEADDR / FEUADDR at the time it was sent.
struct fault_event_msi {
  uint64_t address = 0;
  uint32_t data = 0;
};

class fault_recorder {
 public:
  explicit fault_recorder(unsigned nfr, bool compress_same_sid = false);

  // Logs a fault per spec 7.2.1. Returns true when an FRCD was written (false: PFO set, FRCD full, or
  // compressed). FPD qualification is the caller's job (it knows the context entry / IRTE).
  bool record(const fault_info& f);

  // Hardware-side status bits raised by the invalidation engine (each may raise a fault event, FECTL_REG).
  void set_iqe() { raise_status(kIqe); }
  void set_ice() { raise_status(kIce); }
  void set_ite() { raise_status(kIte); }
  // Internal FRCD index back to 0 (GSTS.TES = IRES = 0).
  void reset_index() { m_index = 0; }

  // Register side (offsets resolved by register_file).
  uint32_t fsts() const;
  void write_fsts(uint32_t value);  // RW1C: PFO, IQE, ICE, ITE
  uint32_t fectl() const { return (m_im ? (1u << 31) : 0u) | (m_ip ? (1u << 30) : 0u); }
  void write_fectl(uint32_t value);  // IM is RW, IP is RO
  uint32_t fedata() const { return m_fedata; }
  void write_fedata(uint32_t v) { m_fedata = v & 0xFFFF; }  // 15:0 IMD; 31:16 RsvdZ
  uint32_t feaddr() const { return m_feaddr; }
  void write_feaddr(uint32_t v) { m_feaddr = v & ~uint32_t{3}; }  // 31:2 MA
  uint32_t feuaddr() const { return m_feuaddr; }
  void write_feuaddr(uint32_t v) { m_feuaddr = v; }
  // FRCD[n] as two quadwords: lo = bits 63:0 (FI), hi = bits 127:64 (F, T1, AT, PV, FR, PP, T2, SID).
  uint64_t frcd_lo(unsigned n) const { return n < m_nfr ? m_records[n].lo : 0; }
  uint64_t frcd_hi(unsigned n) const { return n < m_nfr ? m_records[n].hi : 0; }
  void write_frcd_hi(unsigned n, uint64_t value);  // only F (bit 127 = hi bit 63) is writable, RW1C

  unsigned nfr() const { return m_nfr; }
  unsigned internal_index() const { return m_index; }
  bool pending(unsigned n) const { return n < m_nfr && (m_records[n].hi >> 63); }
  unsigned pending_count() const { return m_pending; }

  // Statistics and the fault-event sink (called once per MSI sent; not on the translation hot path).
  uint64_t events_sent() const { return m_events_sent; }
  uint64_t recorded() const { return m_recorded; }
  uint64_t dropped_overflow() const { return m_dropped_overflow; }
  uint64_t dropped_compressed() const { return m_dropped_compressed; }
  void set_event_sink(std::function<void(const fault_event_msi&)> sink) { m_sink = std::move(sink); }

  // Decoders for tests and printers.
  static spec::fault_reason frcd_reason(uint64_t hi) { return spec::fault_reason(uint8_t(hi >> 32)); }
  static uint16_t frcd_sid(uint64_t hi) { return uint16_t(hi); }

  static constexpr uint32_t kPfo = 1u << 0, kPpf = 1u << 1, kIqe = 1u << 4, kIce = 1u << 5, kIte = 1u << 6;

 private:
  struct frcd {
    uint64_t lo = 0;
    uint64_t hi = 0;
  };
  static frcd encode(const fault_info& f);
  void raise_status(uint32_t bit);
  void new_event_condition();
  bool any_status() const { return m_pending != 0 || (m_status & (kPfo | kIqe | kIce | kIte)) != 0; }
  void send_event();
  void maybe_clear_ip();

  unsigned m_nfr;
  bool m_compress;
  std::vector<frcd> m_records;
  unsigned m_index = 0;
  unsigned m_pending = 0;  // FRCDs with F=1 (PPF = m_pending != 0)
  unsigned m_fri = 0;
  uint32_t m_status = 0;  // PFO, IQE, ICE, ITE
  bool m_im = true;       // FECTL.IM resets to 1
  bool m_ip = false;
  uint32_t m_fedata = 0, m_feaddr = 0, m_feuaddr = 0;
  uint64_t m_events_sent = 0, m_recorded = 0, m_dropped_overflow = 0, m_dropped_compressed = 0;
  std::function<void(const fault_event_msi&)> m_sink;
};

}  // namespace vtd::core
