// The upstream side: issues the requests of a trace at the times the trace gives, on one TLM initiator socket
// (the root port all devices sit behind; each request carries its device's source-id). Loosely-timed with a
// quantum keeper: it never waits per request, it syncs with the kernel once per quantum. Requests are posted:
// the initiator does not stall for completion, it records the completion time the target annotated.
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <cstdint>
#include <exception>
#include <functional>
#include <systemc>
#include <tlm>

#include "model/sysc/request_extension.hpp"

namespace vtd::sysc {

struct upstream_request {
  enum class kind : uint8_t { dma, msi, other };
  kind what = kind::dma;
  uint64_t time_ps = 0;
  uint16_t source_id = 0;
  uint64_t address = 0;
  uint32_t length = 4;
  bool write = false;
  bool atomic = false;
  core::address_type at = core::address_type::untranslated;
  bool has_pasid = false;
  uint32_t pasid = 0;
  uint32_t msi_data = 0;
};

class request_initiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<request_initiator> socket;

  // Pulls the next request in time order; false at the end of the trace.
  std::function<bool(upstream_request&)> next;
  // Runs at the request's time for kind::other (driver operations: map, unmap, invalidate, ...).
  std::function<void(const upstream_request&, uint64_t now_ps)> on_other;
  // Called after each DMA/MSI with its completed extension.
  std::function<void(const upstream_request&, const request_extension&)> on_complete;
  // Called at every quantum boundary with the current time (for occupancy sampling and progress).
  std::function<void(uint64_t now_ps)> on_sync;

  request_initiator(sc_core::sc_module_name name, sc_core::sc_time quantum);

  uint64_t issued() const { return m_issued; }
  // An exception thrown by a callback inside the simulation thread; rethrown by the caller after sc_start()
  // returns (exceptions must not unwind through the SystemC kernel).
  std::exception_ptr failure() const { return m_failure; }

 private:
  void run();
  void issue_all();

  tlm_utils::tlm_quantumkeeper m_qk;
  uint64_t m_issued = 0;
  std::exception_ptr m_failure;
};

}  // namespace vtd::sysc
