// Loosely-timed memory target (see header).
#include "model/sysc/memory_target.hpp"

namespace vtd::sysc {

memory_target::memory_target(sc_core::sc_module_name name, sc_core::sc_time latency)
    : sc_module(name), socket("socket"), m_latency(latency) {
  socket.register_b_transport(this, &memory_target::b_transport);
  socket.register_transport_dbg(this, &memory_target::transport_dbg);
}

void memory_target::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  (gp.is_write() ? m_writes : m_reads)++;
  delay += m_latency;
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned memory_target::transport_dbg(tlm::tlm_generic_payload& gp) {
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return gp.get_data_length();
}

}  // namespace vtd::sysc
