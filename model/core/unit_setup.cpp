// Programming a unit as a driver would (see header).
#include "model/core/unit_setup.hpp"

namespace vtd::core {

unit_setup setup_of(const remapping_unit& unit) {
  const auto& r = unit.regs();
  unit_setup s;
  if (r.root_table_set()) s.rtaddr = r.root_table() | (uint64_t(r.ttm()) << 10);
  s.translation = r.translation_enabled();
  if (r.irta_set()) {
    s.irta = r.irta_base() | (r.eime() ? (1u << 11) : 0u) | r.irta_size_field();
    s.compat_interrupts = r.compat_format_allowed();
    s.interrupt_remapping = r.ir_enabled();
  }
  return s;
}

void program(remapping_unit& unit, const unit_setup& setup) {
  if (setup.rtaddr) unit.set_root_table(*setup.rtaddr);
  unit.enable_translation(setup.translation);
  if (setup.irta) {
    unit.set_interrupt_table(*setup.irta);
    unit.allow_compat_interrupts(setup.compat_interrupts);
    unit.enable_interrupt_remapping(setup.interrupt_remapping);
  }
}

}  // namespace vtd::core
