// The upstream side: the root port all devices sit behind, one TLM initiator socket on which each request
// carries its device's source-id in the request_extension. Loosely-timed with a quantum keeper: it never
// waits per request, it syncs with the kernel once per quantum (TLM's global quantum). The quantum keeping is
// tlm_quantumkeeper's, in integers (quantum_clock.hpp): the kernel runs only when this initiator
// synchronises (its thread waits, or the caller's sync_kernel()), so its time is read once per quantum, not
// per request. Requests are posted: the initiator does not stall for completion, it keeps the completion
// time the target annotated in the result.
//
// It is a transport only: its thread calls `step` again and again, and step decides what to issue (the timed
// replay hands each trace record to the replay engine, whose request port calls transport() here).
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <cstdint>
#include <exception>
#include <functional>
#include <systemc>
#include <tlm>

#include "model/sysc/payload_data.hpp"
#include "model/sysc/ps_time.hpp"
#include "model/sysc/quantum_clock.hpp"
#include "model/sysc/request_extension.hpp"

namespace vtd::sysc {

class request_initiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<request_initiator> socket;

  // The thread's work: called until it returns false (the end of the trace). It moves the local time with
  // advance_to() and issues requests with transport(). An exception it throws ends the simulation and is
  // kept for failure().
  std::function<bool()> step;
  // Called at every quantum boundary with the current time (for occupancy sampling and progress).
  std::function<void(uint64_t now_ps)> on_sync;

  // With `own_thread`, an SC_THREAD calls step() (testbenches with several initiators). Without, the caller
  // drives the initiator from outside any SystemC process (sc_main's stack): it calls advance_to() and
  // transport() itself and sync_kernel() when need_sync() says so. The timed replay does that, because an
  // exception (a bad trace record) must not unwind through a SystemC coroutine: AddressSanitizer cannot
  // follow QuickThreads' stack switches and reports false stack overflows after such an unwind.
  request_initiator(sc_core::sc_module_name name, sc_core::sc_time quantum, bool own_thread = true);
  ~request_initiator() override;

  // From step(): moves the local time forward to `time_ps` (never back: a trace is in time order).
  void advance_to(uint64_t time_ps) { m_clock.advance_to(m_ps.ticks(time_ps)); }
  // The local time (simulation time plus the quantum keeper's offset), in ps.
  uint64_t now_ps() const { return m_ps.ps_of_ticks(m_clock.now()); }
  // From step(): issues `req` at the local time and returns the unit's result (valid until the next call).
  // Throws std::runtime_error when the unit refused the payload as malformed (it served nothing).
  const timing::upstream_result& transport(const timing::upstream_request& req);

  uint64_t issued() const { return m_issued; }

  // Driven from outside: true when the local time has reached the quantum boundary.
  bool need_sync() const { return m_clock.need_sync(); }
  // Driven from outside: runs the kernel up to the local time (sc_start), then calls on_sync. Nothing else
  // may run the kernel between two calls (the local time is counted from where the last one left it).
  void sync_kernel();
  // An exception thrown inside the simulation thread; rethrown by the caller after sc_start() returns
  // (exceptions must not unwind through the SystemC kernel).
  std::exception_ptr failure() const { return m_failure; }

 private:
  void run();
  void start_of_simulation() override { m_ps.settle(); }
  // tlm_quantumkeeper::reset(): the local time is zero at the kernel's time, the next sync point one
  // (global) quantum boundary later.
  void reset_clock();

  quantum_clock m_clock;          // kernel ticks
  ps_converter m_ps;              // trace picoseconds <-> kernel ticks
  request_extension m_ext;        // attached to m_gp for the initiator's lifetime
  tlm::tlm_generic_payload m_gp;  // reused for every request (no memory manager: never pooled)
  payload_data m_data;            // the payload's data arrays, sized to each request's length
  uint64_t m_issued = 0;
  std::exception_ptr m_failure;
};

}  // namespace vtd::sysc
