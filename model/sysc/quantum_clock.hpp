// The temporal-decoupling arithmetic of tlm_utils::tlm_quantumkeeper, in integer ticks of the kernel's time
// resolution: the kernel's time at the last synchronisation, the initiator's local time past it, and the
// next synchronisation point. The quantum keeper reads sc_time_stamp() (a call into the SystemC library) on
// every current-time and need-sync question, and its caller built an sc_time from a double for every trace
// record; between two synchronisations the kernel does not move (only the initiator runs it), so the kernel
// time is read once per quantum here and every per-request question is integer arithmetic.
#pragma once
#include <cstdint>

namespace vtd::sysc {

class quantum_clock {
 public:
  // After a synchronisation: the kernel is at `kernel`, the local time is zero, and the next synchronisation
  // point is the next multiple of `quantum` strictly after `kernel` (tlm_global_quantum::
  // compute_local_quantum: quantum - kernel % quantum), or `kernel` itself when the quantum is zero (then
  // every request synchronises).
  void reset(uint64_t kernel, uint64_t quantum) {
    m_kernel = kernel;
    m_local = 0;
    m_next_sync = quantum ? kernel + (quantum - kernel % quantum) : kernel;
  }
  // Moves the current time forward to `t`, never back (tlm_quantumkeeper::set(t - kernel) when t is later).
  void advance_to(uint64_t t) {
    if (t > now()) m_local = t - m_kernel;
  }

  uint64_t kernel() const { return m_kernel; }
  uint64_t local() const { return m_local; }
  uint64_t now() const { return m_kernel + m_local; }
  uint64_t next_sync() const { return m_next_sync; }
  bool need_sync() const { return now() >= m_next_sync; }

 private:
  uint64_t m_kernel = 0, m_local = 0, m_next_sync = 0;
};

}  // namespace vtd::sysc
