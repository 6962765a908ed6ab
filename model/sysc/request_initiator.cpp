// Trace-driven upstream initiator (see header).
#include "model/sysc/request_initiator.hpp"

#include <cstring>

namespace vtd::sysc {

request_initiator::request_initiator(sc_core::sc_module_name name, sc_core::sc_time quantum)
    : sc_module(name), socket("socket") {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(quantum);
  m_qk.reset();
  SC_HAS_PROCESS(request_initiator);
  SC_THREAD(run);
}

void request_initiator::run() {
  try {
    issue_all();
  } catch (...) {
    m_failure = std::current_exception();
    sc_core::sc_stop();
  }
}

void request_initiator::issue_all() {
  tlm::tlm_generic_payload gp;
  request_extension ext;
  gp.set_extension(&ext);
  // The payload would delete attached extensions when destroyed; ext lives on this stack, so detach it on
  // every exit, including an exception from a callback.
  struct detach_guard {
    tlm::tlm_generic_payload& gp;
    request_extension* ext;
    ~detach_guard() { gp.clear_extension(ext); }
  } guard{gp, &ext};
  uint32_t data = 0;
  upstream_request req;
  while (next && next(req)) {
    // Move local time forward to the request's time (requests in a trace are in time order).
    const sc_core::sc_time at(static_cast<double>(req.time_ps), sc_core::SC_PS);
    const sc_core::sc_time now = m_qk.get_current_time();
    if (at > now) m_qk.set(at - sc_core::sc_time_stamp());
    if (req.what == upstream_request::kind::other) {
      if (on_other) on_other(req, static_cast<uint64_t>(m_qk.get_current_time().value()));
    } else {
      ext = request_extension{};
      ext.source_id = req.source_id;
      ext.has_pasid = req.has_pasid;
      ext.pasid = req.pasid;
      ext.at = req.at;
      ext.atomic = req.atomic;
      data = req.msi_data;
      gp.set_command(req.what == upstream_request::kind::msi || req.write ? tlm::TLM_WRITE_COMMAND
                                                                          : tlm::TLM_READ_COMMAND);
      gp.set_address(req.address);
      gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
      gp.set_data_length(req.what == upstream_request::kind::msi ? 4 : req.length);
      gp.set_streaming_width(gp.get_data_length());
      gp.set_byte_enable_ptr(nullptr);
      gp.set_dmi_allowed(false);
      gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = m_qk.get_local_time();
      socket->b_transport(gp, delay);  // target annotates its latency; posted: local time is not advanced
      ++m_issued;
      if (on_complete) on_complete(req, ext);
    }
    if (m_qk.need_sync()) {
      m_qk.sync();
      if (on_sync) on_sync(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
    }
  }
  m_qk.sync();
  if (on_sync) on_sync(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
  // Returning ends the simulation when nothing else is scheduled (no sc_stop: it prints an info report).
}

}  // namespace vtd::sysc
