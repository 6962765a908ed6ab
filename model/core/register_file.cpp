// VT-d register page (VT-d spec 11.4): access decoding, masks, and GCMD/GSTS semantics.
#include "model/core/register_file.hpp"

#include <algorithm>

#include "model/spec/inv_registers.hpp"

namespace vtd::core {

using namespace spec::reg;
using spec::field_mask;

register_file::register_file(const unit_config& cfg, const spec::caps& caps, fault_recorder& faults)
    : m_cfg(cfg), m_caps(caps), m_faults(faults), m_iro(caps.iro * 16), m_fro(caps.fro * 16) {
  // Software-writable bits per register (spec 11.4 field tables). Registers of absent features (QI, IR) are
  // RsvdZ.
  m_desc[RTADDR] = {rtaddr_implemented(cfg.haw), 0};                         // RTA HAW-1:12, TTM 11:10
  m_desc[CCMD] = {spec::ccmd::kWritable, 0};                                 // ICC, CIRG, FM, SID, DID
  m_desc[IQH] = {0, 0};                                                      // RO
  m_desc[IQT] = {m_caps.qi ? field_mask(18, 4) : 0, 0};                      // QT 18:4
  m_desc[IQA] = {m_caps.qi ? field_mask(63, 11) | field_mask(2, 0) : 0, 0};  // base, DW, QS
  m_desc[IQERCD] = {0, 0};                                                   // RO
  m_desc[IRTA] = {caps.ir ? irta_implemented(cfg.haw, caps.eim) : 0, 0};     // base, EIME, S
  m_desc[IVA] = {spec::iva_reg::kWritable, 0};                               // ADDR, IH, AM
  m_desc[IOTLB] = {spec::iotlb_reg::kWritable, 0};                           // IVT, IIRG, DR, DW, DID
}

int register_file::slot_of(uint32_t q) const {
  switch (q) {
    case spec::reg::RTADDR:
      return RTADDR;
    case spec::reg::CCMD:
      return CCMD;
    case spec::reg::IQH:
      return IQH;
    case spec::reg::IQT:
      return IQT;
    case spec::reg::IQA:
      return IQA;
    case spec::reg::IQERCD:
      return IQERCD;
    case spec::reg::IRTA:
      return IRTA;
    default:
      break;
  }
  if (q == m_iro) return IVA;
  if (q == m_iro + 8) return IOTLB;
  return -1;
}

// True for offsets holding a 64-bit register (the rest of the page is 32-bit registers or unimplemented).
static bool in_frcd(uint32_t q, uint32_t fro, unsigned nfr) {
  return q >= fro && q < fro + 16 * nfr;
}

uint64_t register_file::read_qword(uint32_t q) const {
  if (q == spec::reg::CAP) return m_cfg.cap;
  if (q == spec::reg::ECAP) return m_cfg.ecap;
  if (in_frcd(q, m_fro, m_faults.nfr())) {
    unsigned n = (q - m_fro) / 16;
    return ((q - m_fro) % 16) ? m_faults.frcd_hi(n) : m_faults.frcd_lo(n);
  }
  int s = slot_of(q);
  return s >= 0 ? m_regs[s] : 0;
}

uint32_t register_file::read_dword(uint32_t off) const {
  switch (off) {
    case spec::reg::VER:
      return m_cfg.ver & 0xFF;  // 7:4 major, 3:0 minor
    case spec::reg::GCMD:
      return 0;  // write-only
    case spec::reg::GSTS:
      return gsts();
    case spec::reg::FSTS:
      return m_faults.fsts();
    case spec::reg::FECTL:
      return m_faults.fectl();
    case spec::reg::FEDATA:
      return m_faults.fedata();
    case spec::reg::FEADDR:
      return m_faults.feaddr();
    case spec::reg::FEUADDR:
      return m_faults.feuaddr();
    case spec::reg::ICS:
      return m_ics;
    case spec::reg::IECTL:
      return (m_iectl_im ? FECTL_IM : 0) | (m_iectl_ip ? FECTL_IP : 0);
    case spec::reg::IEDATA:
      return m_iedata;
    case spec::reg::IEADDR:
      return m_ieaddr;
    case spec::reg::IEUADDR:
      return m_ieuaddr;
    default:
      return 0;
  }
}

static bool is_qword_register(uint32_t q, int slot, uint32_t fro, unsigned nfr) {
  return q == spec::reg::CAP || q == spec::reg::ECAP || slot >= 0 || in_frcd(q, fro, nfr);
}

uint64_t register_file::read(uint32_t offset, unsigned size) const {
  if ((size != 4 && size != 8) || offset % size != 0) return 0;
  uint32_t q = offset & ~7u;
  if (is_qword_register(q, slot_of(q), m_fro, m_faults.nfr())) {
    uint64_t v = read_qword(q);
    return size == 8 ? v : uint32_t(v >> ((offset & 4) * 8));
  }
  if (size == 4) return read_dword(offset);
  return read_dword(offset) | (uint64_t(read_dword(offset + 4)) << 32);
}

bool register_file::write(uint32_t offset, uint64_t value, unsigned size) {
  if ((size != 4 && size != 8) || offset % size != 0) return false;
  uint32_t q = offset & ~7u;
  if (is_qword_register(q, slot_of(q), m_fro, m_faults.nfr())) {
    if (size == 8) {
      write_qword(q, value, ~uint64_t{0});
    } else {
      unsigned shift = (offset & 4) * 8;
      write_qword(q, (value & 0xFFFFFFFF) << shift, uint64_t{0xFFFFFFFF} << shift);
    }
    return true;
  }
  write_dword(offset, uint32_t(value));
  if (size == 8) write_dword(offset + 4, uint32_t(value >> 32));
  return true;
}

void register_file::write_qword(uint32_t q, uint64_t value, uint64_t enables) {
  if (in_frcd(q, m_fro, m_faults.nfr())) {
    // Only F (bit 127) is writable (RW1C); the rest of an FRCD is RO.
    if ((q - m_fro) % 16) m_faults.write_frcd_hi((q - m_fro) / 16, value & enables);
    return;
  }
  int s = slot_of(q);
  if (s < 0) return;  // CAP, ECAP: RO
  m_written[s] = (m_written[s] & ~enables) | (value & enables);
  const reg_desc& d = m_desc[s];
  uint64_t m = enables & d.rw;
  uint64_t v = (m_regs[s] & ~m) | (value & m);
  v &= ~(value & enables & d.w1c);
  m_regs[s] = v;
  if (s == CCMD || s == IVA || s == IOTLB || s == IQT || s == IQA) notify_command(q, v);
}

void register_file::write_dword(uint32_t off, uint32_t value) {
  switch (off) {
    case spec::reg::GCMD:
      write_gcmd(value);
      break;
    case spec::reg::FSTS:
      m_faults.write_fsts(value);
      notify_command(off, value);  // clearing IQE/ITE restarts queue fetching
      break;
    case spec::reg::FECTL:
      m_faults.write_fectl(value);
      break;
    case spec::reg::FEDATA:
      m_faults.write_fedata(value);
      break;
    case spec::reg::FEADDR:
      m_faults.write_feaddr(value);
      break;
    case spec::reg::FEUADDR:
      m_faults.write_feuaddr(value);
      break;
    case spec::reg::ICS:
      if (!m_caps.qi) break;
      if (value & 1) m_ics &= ~1u;                         // IWC is RW1C
      if (m_iectl_ip && !(m_ics & 1)) m_iectl_ip = false;  // cleared status drops a held event
      notify_command(off, m_ics);
      break;
    case spec::reg::IECTL:
      if (!m_caps.qi) break;
      m_iectl_im = value & FECTL_IM;
      if (!m_iectl_im && m_iectl_ip) {
        m_iectl_ip = false;
        ++m_iec_events;
      }
      break;
    case spec::reg::IEDATA:
      m_iedata = value & 0xFFFF;
      break;
    case spec::reg::IEADDR:
      m_ieaddr = value & ~3u;
      break;
    case spec::reg::IEUADDR:
      m_ieuaddr = value;
      break;
    default:
      break;  // VER, GSTS: RO; unimplemented offsets ignore writes
  }
}

uint32_t register_file::gsts() const {
  return (m_tes ? TE : 0) | (m_rtps ? SRTP : 0) | (m_qies ? QIE : 0) | (m_ires ? IRE : 0) |
         (m_irtps ? SIRTP : 0) | (m_cfis ? CFI : 0);  // WBFS reads 0: the flush completes at once
}

// GCMD_REG. One-shot bits act when written 1; level bits act when they differ from GSTS. Software is
// meant to change one bit per write; if it changes several, they act in the order SRTP, SIRTP, WBF, then the
// level bits, so that "SRTP and TE together" behaves as SRTP followed by TE.
void register_file::write_gcmd(uint32_t value) {
  uint32_t acted = 0;
  if (value & SRTP) {
    m_rta = rtaddr_rta(m_regs[RTADDR]);
    m_ttm = rtaddr_ttm(m_regs[RTADDR]);
    m_rtaddr_written = m_written[RTADDR];
    m_rtps = true;
    acted |= SRTP;
  }
  if ((value & SIRTP) && m_caps.ir) {
    m_irta_base = spec::reg::irta_base(m_regs[IRTA]);
    m_irta_s = spec::reg::irta_size_field(m_regs[IRTA]);
    m_eime = irta_eime(m_regs[IRTA]);
    m_irta_written = m_written[IRTA];
    m_irtps = true;
    acted |= SIRTP;
  }
  if (value & WBF) {
    ++m_wbf_count;
    acted |= WBF;
  }
  bool te = value & TE;
  if (te != m_tes && (!te || m_rtps)) {  // TE without a prior SRTP is ignored
    m_tes = te;
    acted |= TE;
  }
  bool qie = value & QIE;
  if (m_caps.qi && qie != m_qies) {
    if (qie) {
      m_regs[IQH] = 0;  // fetching starts at the queue head
      m_qies = true;
      acted |= QIE;
    } else if (m_regs[IQH] == m_regs[IQT]) {  // disabling a non-empty queue is ignored
      m_regs[IQH] = 0;
      m_qies = false;
      acted |= QIE;
    }
  }
  bool ire = value & IRE;
  if (m_caps.ir && ire != m_ires && (!ire || m_irtps)) {  // IRE without a prior SIRTP is ignored
    m_ires = ire;
    acted |= IRE;
  }
  bool cfi = value & CFI;
  if (m_caps.ir && cfi != m_cfis) {
    m_cfis = cfi;
    acted |= CFI;
  }
  if ((acted & (TE | IRE)) && !m_tes && !m_ires) m_faults.reset_index();
  if (acted)
    for (auto* l : m_listeners) l->on_global_command(acted);
}

void register_file::notify_command(uint32_t offset, uint64_t value) {
  for (auto* l : m_listeners) l->on_command_write(offset, value);
}

void register_file::remove_listener(register_listener* l) {
  m_listeners.erase(std::remove(m_listeners.begin(), m_listeners.end(), l), m_listeners.end());
}

uint64_t register_file::hw_value(uint32_t offset) const {
  if (offset == spec::reg::ICS) return m_ics;
  int s = slot_of(offset & ~7u);
  return s >= 0 ? m_regs[s] : 0;
}

void register_file::hw_set(uint32_t offset, uint64_t value) {
  int s = slot_of(offset & ~7u);
  if (s >= 0) m_regs[s] = value;
}

void register_file::signal_wait_completion() {
  if (m_ics & 1) return;  // IWC already set: not a new interrupt condition
  m_ics |= 1;
  m_iectl_ip = true;
  if (!m_iectl_im) {
    m_iectl_ip = false;
    ++m_iec_events;
  }
}

}  // namespace vtd::core
