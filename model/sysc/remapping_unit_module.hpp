// The remapping unit as a SystemC/TLM-2.0 module: a thin shell around the functional core. Upstream requests
// (DMA and interrupt writes from devices) arrive on a target socket with a request_extension; the core serves
// them (timing::serve: translation, or interrupt remapping for a write to the interrupt range) into the
// extension's result with its walk record, the latency model prices the walk (lookups, one memory read per
// walk step, walker reservation), the translated access goes downstream to memory, and delivered interrupts
// leave on irq_out. No wait() per transaction: latency is annotated on the b_transport delay (loosely-timed,
// temporal decoupling).
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "model/core/remapping_unit.hpp"
#include "model/sysc/interrupt_if.hpp"
#include "model/sysc/ps_time.hpp"
#include "model/sysc/request_extension.hpp"
#include "model/timing/latency_model.hpp"

namespace vtd::sysc {

class remapping_unit_module : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<remapping_unit_module> upstream;
  tlm_utils::simple_initiator_socket<remapping_unit_module> downstream;
  // Remapped (or passed-through compatibility-format) interrupts and posted-interrupt notification events,
  // each with the delay past the caller's local time at which it reaches the APIC. May be left unbound.
  interrupt_port irq_out;

  remapping_unit_module(sc_core::sc_module_name name, core::remapping_unit& unit,
                        const timing::timing_params& params);

  timing::latency_model& latency() { return m_latency; }
  core::remapping_unit& unit() { return m_unit; }

 private:
  void start_of_simulation() override { m_ps.settle(); }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void finish_interrupt(tlm::tlm_generic_payload& gp, request_extension& ext, timing::picoseconds arrival,
                        sc_core::sc_time& delay);
  void raise(const timing::upstream_request& req, const core::interrupt_result& r,
             const sc_core::sc_time& delay);

  core::remapping_unit& m_unit;
  timing::latency_model m_latency;
  ps_converter m_ps;  // the latency model's picoseconds <-> the transaction's delay and the kernel's time
};

}  // namespace vtd::sysc
