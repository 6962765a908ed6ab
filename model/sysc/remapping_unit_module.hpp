// The remapping unit as a SystemC/TLM-2.0 module: a thin shell around the functional core. Upstream requests
// (DMA and MSI writes from devices) arrive on a target socket with a request_extension; the core translates
// them and returns a walk record, the latency model prices it (lookups, one memory read per walk step, walker
// reservation), and the translated access goes downstream to memory. No wait() per transaction: latency is
// annotated on the b_transport delay (loosely-timed, temporal decoupling).
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <functional>
#include <systemc>
#include <tlm>

#include "model/core/remapping_unit.hpp"
#include "model/sysc/request_extension.hpp"
#include "model/timing/latency_model.hpp"

namespace vtd::sysc {

class remapping_unit_module : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<remapping_unit_module> upstream;
  tlm_utils::simple_initiator_socket<remapping_unit_module> downstream;

  // Called for every interrupt the unit delivers (remapped, posted notification or passed through), with the
  // simulated time it reaches the APIC.
  std::function<void(const core::interrupt_result&, sc_core::sc_time)> on_interrupt;

  remapping_unit_module(sc_core::sc_module_name name, core::remapping_unit& unit,
                        const timing::timing_params& params);

  timing::latency_model& latency() { return m_latency; }
  core::remapping_unit& unit() { return m_unit; }
  // The walk record of the most recent request (for observers such as the stale-translation checker).
  const core::walk_record& last_walk() const { return m_walk; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void handle_interrupt(tlm::tlm_generic_payload& gp, request_extension& ext, timing::picoseconds arrival,
                        sc_core::sc_time& delay);

  core::remapping_unit& m_unit;
  timing::latency_model m_latency;
  core::walk_record m_walk;
};

}  // namespace vtd::sysc
