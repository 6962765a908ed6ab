// Remapping-unit facade and driver-style helpers (VT-d spec, GCMD_REG software protocol).
#include "model/core/remapping_unit.hpp"

namespace vtd::core {

using namespace spec::reg;

remapping_unit::remapping_unit(const unit_config& cfg, physical_memory& mem)
    : m_cfg(cfg),
      m_caps(spec::caps::decode(cfg.ver, cfg.cap, cfg.ecap, cfg.haw)),
      m_mem(mem),
      m_faults(m_caps.nfr, cfg.compress_same_sid_faults),
      m_regs(m_cfg, m_caps, m_faults),
      m_dma(m_caps, m_regs, mem, m_faults),
      m_ir(m_caps, m_regs, mem, m_faults) {}

// Software keeps the current level bits and drops the one-shot status bits (GSTS & 0x96FFFFFF), then flips
// one.
void remapping_unit::gcmd_level(uint32_t bit, bool on) {
  uint32_t cmd = m_regs.gsts() & 0x96FFFFFFu;
  cmd = on ? (cmd | bit) : (cmd & ~bit);
  m_regs.write32(GCMD, cmd);
}

void remapping_unit::set_root_table(uint64_t rtaddr) {
  m_regs.write64(RTADDR, rtaddr);
  m_regs.write32(GCMD, (m_regs.gsts() & 0x96FFFFFFu) | SRTP);
}

void remapping_unit::enable_translation(bool on) {
  gcmd_level(TE, on);
}

void remapping_unit::set_interrupt_table(uint64_t irta) {
  m_regs.write64(IRTA, irta);
  m_regs.write32(GCMD, (m_regs.gsts() & 0x96FFFFFFu) | SIRTP);
}

void remapping_unit::enable_interrupt_remapping(bool on) {
  gcmd_level(IRE, on);
}
void remapping_unit::allow_compat_interrupts(bool on) {
  gcmd_level(CFI, on);
}
void remapping_unit::enable_queued_invalidation(bool on) {
  gcmd_level(QIE, on);
}

}  // namespace vtd::core
