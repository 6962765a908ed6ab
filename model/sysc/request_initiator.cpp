// Trace-driven upstream initiator (see header).
#include "model/sysc/request_initiator.hpp"

#include <stdexcept>

namespace vtd::sysc {

request_initiator::request_initiator(sc_core::sc_module_name name, sc_core::sc_time quantum, bool own_thread)
    : sc_module(name), socket("socket") {
  tlm::tlm_global_quantum::instance().set(quantum);
  reset_clock();
  m_gp.set_extension(&m_ext);
  if (own_thread) {
    SC_HAS_PROCESS(request_initiator);
    SC_THREAD(run);
  }
}

void request_initiator::reset_clock() {
  m_clock.reset(sc_core::sc_time_stamp().value(), tlm::tlm_global_quantum::instance().get().value());
}

void request_initiator::sync_kernel() {
  // The same instants the thread's quantum keeper would wait for: the kernel runs up to the local time.
  // (Nothing to run for zero time: SystemC would warn about an sc_start without activity.)
  if (m_clock.local() > 0) sc_core::sc_start(sc_core::sc_time::from_value(m_clock.local()));
  reset_clock();
  if (on_sync) on_sync(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
}

request_initiator::~request_initiator() {
  // The payload deletes the extensions still attached when it is destroyed; m_ext is a member.
  m_gp.clear_extension(&m_ext);
}

void request_initiator::run() {
  try {
    // tlm_quantumkeeper::sync(): wait for the local time (a delta cycle when it is zero), then reset.
    const auto sync = [this] {
      sc_core::wait(sc_core::sc_time::from_value(m_clock.local()));
      reset_clock();
    };
    while (step && step()) {
      if (m_clock.need_sync()) {
        sync();
        if (on_sync) on_sync(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
      }
    }
    sync();
    if (on_sync) on_sync(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
  } catch (...) {
    m_failure = std::current_exception();
    sc_core::sc_stop();
  }
  // Returning ends the simulation when nothing else is scheduled (no sc_stop: it prints an info report).
}

const timing::upstream_result& request_initiator::transport(const timing::upstream_request& req) {
  m_ext.request = req;
  m_ext.result.timed = false;  // the unit sets it when it has served and priced the request
  const core::dma_request& d = req.dma;
  // An AtomicOp returns data to the device: it travels as a read (the unit reads `access` for permissions).
  const bool write = d.access == core::access_kind::write;
  m_gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  m_gp.set_address(d.address);
  m_gp.set_data_ptr(write ? m_data.for_write(d.length, req.data) : m_data.for_read(d.length));
  m_gp.set_data_length(d.length);
  m_gp.set_streaming_width(d.length);
  m_gp.set_byte_enable_ptr(nullptr);
  m_gp.set_byte_enable_length(0);
  m_gp.set_dmi_allowed(false);
  m_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = m_ps.time_of_ticks(m_clock.local());
  socket->b_transport(m_gp, delay);  // the target annotates its latency; posted: local time is not advanced
  ++m_issued;
  if (!m_ext.result.timed)
    throw std::runtime_error(
        "the remapping unit refused an upstream payload (no request_extension, or one that disagrees with "
        "the "
        "payload)");
  return m_ext.result;
}

}  // namespace vtd::sysc
