// One VT-d remapping hardware unit (DRHD) in legacy mode: the register page, fault recording, DMA translation
// and interrupt remapping over a simulated physical memory. Pure C++; the SystemC shell wraps this object.
#pragma once
#include <cstdint>

#include "model/core/dma_translator.hpp"
#include "model/core/fault_recorder.hpp"
#include "model/core/interrupt_remapper.hpp"
#include "model/core/register_file.hpp"
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/translation_hooks.hpp"
#include "model/core/unit_config.hpp"
#include "model/core/walk_record.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"

namespace vtd::core {

class remapping_unit {
 public:
  remapping_unit(const unit_config& cfg, physical_memory& mem);
  remapping_unit(const remapping_unit&) = delete;
  remapping_unit& operator=(const remapping_unit&) = delete;

  // Hot path: no allocation, no exceptions, nothing logged. `rec` may be null.
  translation_result translate(const dma_request& req, walk_record* rec = nullptr) {
    return m_dma.translate(req, rec);
  }
  interrupt_result remap_interrupt(const interrupt_request& req, walk_record* rec = nullptr) {
    return m_ir.remap(req, rec);
  }

  register_file& regs() { return m_regs; }
  const register_file& regs() const { return m_regs; }
  fault_recorder& faults() { return m_faults; }
  const fault_recorder& faults() const { return m_faults; }
  physical_memory& memory() { return m_mem; }
  const unit_config& config() const { return m_cfg; }
  // CAP / ECAP / VER decoded once, at construction; every part of the unit reads its capabilities here.
  const spec::caps& caps() const { return m_caps; }
  dma_translator& dma() { return m_dma; }
  interrupt_remapper& interrupts() { return m_ir; }

  // Plugs the translation caches in (null: none). The hooks object must outlive the unit or be unplugged.
  void set_hooks(translation_hooks* hooks) {
    m_dma.set_hooks(hooks);
    m_ir.set_hooks(hooks);
  }

  // Driver-style helpers: each is the register sequence a driver would use (spec GCMD_REG software protocol).
  void set_root_table(uint64_t rtaddr);      // RTADDR (RTA | TTM) then GCMD.SRTP
  void enable_translation(bool on);          // GCMD.TE
  void set_interrupt_table(uint64_t irta);   // IRTA (base | EIME | S) then GCMD.SIRTP
  void enable_interrupt_remapping(bool on);  // GCMD.IRE
  void allow_compat_interrupts(bool on);     // GCMD.CFI
  void enable_queued_invalidation(bool on);  // GCMD.QIE

 private:
  void gcmd_level(uint32_t bit, bool on);

  unit_config m_cfg;
  spec::caps m_caps;
  physical_memory& m_mem;
  fault_recorder m_faults;
  register_file m_regs;
  dma_translator m_dma;
  interrupt_remapper m_ir;
};

}  // namespace vtd::core
