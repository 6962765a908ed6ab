// Memory as a TLM-2.0 loosely-timed target: adds a configured latency to each access, never waits, denies DMI
// (DMI would bypass timing and statistics). Any number of initiators may bind to its socket (the remapping
// unit's downstream side, a CPU, a debugger).
//
// With a core::physical_memory it holds data: b_transport reads and writes that memory's bytes (the same
// bytes the unit walks its tables in), transport_dbg does the same without latency or counting, and an
// access outside the memory answers TLM_ADDRESS_ERROR_RESPONSE. Without one (the timed replay, whose trace
// DMAs carry no data and must not overwrite the tables) it only counts and prices accesses.
#pragma once
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

#include "model/memory/physical_memory.hpp"

namespace vtd::sysc {

class memory_target : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<memory_target> socket;

  // Timing only: no data.
  memory_target(sc_core::sc_module_name name, sc_core::sc_time latency);
  // Holds data: accesses read and write `mem` (which must outlive the module).
  memory_target(sc_core::sc_module_name name, sc_core::sc_time latency, core::physical_memory& mem);

  uint64_t reads() const { return m_reads; }
  uint64_t writes() const { return m_writes; }

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
  // Moves the payload's bytes to or from memory; returns the response status.
  tlm::tlm_response_status access(tlm::tlm_generic_payload& gp);

  sc_core::sc_time m_latency;
  core::physical_memory* m_mem = nullptr;
  uint64_t m_reads = 0;
  uint64_t m_writes = 0;
};

}  // namespace vtd::sysc
