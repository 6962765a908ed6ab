// Memory as a TLM-2.0 loosely-timed target: adds a configured latency to each access, never waits, denies DMI
// (DMI would bypass timing and statistics). Data is not modelled here: tables live in the core's
// physical_memory, and DMA payloads do not affect translation.
#pragma once
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

namespace vtd::sysc {

class memory_target : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<memory_target> socket;

  memory_target(sc_core::sc_module_name name, sc_core::sc_time latency);

  uint64_t reads() const { return m_reads; }
  uint64_t writes() const { return m_writes; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);

  sc_core::sc_time m_latency;
  uint64_t m_reads = 0;
  uint64_t m_writes = 0;
};

}  // namespace vtd::sysc
