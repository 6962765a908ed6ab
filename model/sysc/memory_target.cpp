// Loosely-timed memory target (see header).
#include "model/sysc/memory_target.hpp"

namespace vtd::sysc {

memory_target::memory_target(sc_core::sc_module_name name, sc_core::sc_time latency)
    : sc_module(name), socket("socket"), m_latency(latency) {
  socket.register_b_transport(this, &memory_target::b_transport);
  socket.register_transport_dbg(this, &memory_target::transport_dbg);
}

memory_target::memory_target(sc_core::sc_module_name name, sc_core::sc_time latency,
                             core::physical_memory& mem)
    : memory_target(name, latency) {
  m_mem = &mem;
}

tlm::tlm_response_status memory_target::access(tlm::tlm_generic_payload& gp) {
  if (!m_mem) return tlm::TLM_OK_RESPONSE;  // timing only
  const uint64_t addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (gp.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (!m_mem->contains(addr, len)) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  switch (gp.get_command()) {
    case tlm::TLM_READ_COMMAND:
      return m_mem->read(addr, gp.get_data_ptr(), len) ? tlm::TLM_OK_RESPONSE
                                                       : tlm::TLM_ADDRESS_ERROR_RESPONSE;
    case tlm::TLM_WRITE_COMMAND:
      return m_mem->write(addr, gp.get_data_ptr(), len) ? tlm::TLM_OK_RESPONSE
                                                        : tlm::TLM_ADDRESS_ERROR_RESPONSE;
    case tlm::TLM_IGNORE_COMMAND:
      return tlm::TLM_OK_RESPONSE;
  }
  return tlm::TLM_COMMAND_ERROR_RESPONSE;
}

void memory_target::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  (gp.is_write() ? m_writes : m_reads)++;
  delay += m_latency;
  gp.set_dmi_allowed(false);
  gp.set_response_status(access(gp));
}

unsigned memory_target::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  const tlm::tlm_response_status status = access(gp);
  gp.set_response_status(status);
  if (!m_mem) return 0;  // no data to show
  return status == tlm::TLM_OK_RESPONSE ? gp.get_data_length() : 0;
}

}  // namespace vtd::sysc
