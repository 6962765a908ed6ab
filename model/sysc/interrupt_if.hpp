// The remapping unit's interrupt output, as a SystemC interface a virtual platform binds to its interrupt
// controller model: remapped (or passed-through) interrupts and posted-interrupt notifications from the
// upstream path, and fault-event interrupts (FEDATA/FEADDR, when FECTL.IM is clear) from the register block.
// Bound through an sc_port with zero-or-more binding, so a platform that does not care leaves it open.
#pragma once
#include <systemc>

#include "model/core/result.hpp"

namespace vtd::sysc {

struct interrupt_message {
  enum class source : uint8_t {
    remapped,      // a device's MSI after interrupt remapping (or compatibility-format pass-through)
    notification,  // a posted-interrupt notification event (the posted descriptor's NV/NDST)
    fault_event,   // the fault event interrupt (FEDATA/FEADDR/FEUADDR)
  };
  source from = source::remapped;
  uint64_t address = 0;           // the MSI address written to the APIC (0xFEEx_xxxx)
  uint32_t data = 0;              // the MSI data
  core::interrupt_result result;  // for remapped and notification: the core's full result
};

class interrupt_sink_if : public virtual sc_core::sc_interface {
 public:
  // `delay` is the annotated time past the caller's local time at which the interrupt reaches the APIC.
  virtual void deliver(const interrupt_message& msg, const sc_core::sc_time& delay) = 0;
};

using interrupt_port = sc_core::sc_port<interrupt_sink_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;

}  // namespace vtd::sysc
