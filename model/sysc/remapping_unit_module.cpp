// TLM shell of the remapping unit (see header).
#include "model/sysc/remapping_unit_module.hpp"

#include <cstring>

namespace vtd::sysc {

using timing::picoseconds;

namespace {
picoseconds to_ps(const sc_core::sc_time& t) {
  return static_cast<picoseconds>(t.to_seconds() * 1e12 + 0.5);
}
sc_core::sc_time from_ps(picoseconds ps) {
  return sc_core::sc_time(static_cast<double>(ps), sc_core::SC_PS);
}
}  // namespace

remapping_unit_module::remapping_unit_module(sc_core::sc_module_name name, core::remapping_unit& unit,
                                             const timing::timing_params& params)
    : sc_module(name), upstream("upstream"), downstream("downstream"), m_unit(unit), m_latency(params) {
  upstream.register_b_transport(this, &remapping_unit_module::b_transport);
}

void remapping_unit_module::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  request_extension* ext = nullptr;
  gp.get_extension(ext);
  if (!ext) {  // every upstream request must say who sent it
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const picoseconds arrival = to_ps(sc_core::sc_time_stamp() + delay);

  core::dma_request req;
  req.source_id = ext->source_id;
  req.address = gp.get_address();
  req.length = gp.get_data_length();
  req.access = ext->atomic ? core::access_kind::atomic
                           : (gp.is_write() ? core::access_kind::write : core::access_kind::read);
  req.at = ext->at;
  req.has_pasid = ext->has_pasid;
  req.pasid = ext->pasid;

  m_walk.clear();
  const core::translation_result r = m_unit.translate(req, &m_walk);
  ext->translation = r;
  ext->status = r.status;
  ext->fault = r.fault;
  ext->hpa = r.hpa;
  ext->iotlb_hit = false;
  for (const auto& s : m_walk)
    if (s.kind == core::step_kind::cache_lookup && s.cache == core::cache_kind::iotlb && s.ok)
      ext->iotlb_hit = true;

  if (r.status == core::dma_status::interrupt) {
    handle_interrupt(gp, *ext, arrival, delay);
    return;
  }
  const bool access = r.ok() && req.at != core::address_type::translation_request;
  // The translated access's own latency comes from the memory target below, so price translation only.
  ext->timing = m_latency.price_dma(arrival, m_walk, false);
  delay += from_ps(ext->timing.translation_done - arrival);
  if (!access) {
    gp.set_response_status(r.ok() ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    ext->timing.done = ext->timing.translation_done;
    return;
  }
  sc_core::sc_time before = delay;
  // Forward the same payload with the translated address (no copy), then give the device its address back.
  const uint64_t input_address = gp.get_address();
  gp.set_address(r.hpa);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  downstream->b_transport(gp, delay);
  gp.set_address(input_address);
  ext->timing.done = ext->timing.translation_done + to_ps(delay - before);
}

void remapping_unit_module::handle_interrupt(tlm::tlm_generic_payload& gp, request_extension& ext,
                                             picoseconds arrival, sc_core::sc_time& delay) {
  core::interrupt_request irq;
  irq.source_id = ext.source_id;
  irq.address = gp.get_address();
  uint32_t data = 0;
  if (gp.get_data_ptr() && gp.get_data_length() >= 4) std::memcpy(&data, gp.get_data_ptr(), 4);
  irq.data = data;
  m_walk.clear();
  ext.interrupt = m_unit.remap_interrupt(irq, &m_walk);
  ext.fault = ext.interrupt.fault;
  ext.timing = m_latency.price_interrupt(arrival, m_walk, ext.interrupt.ok());
  delay += from_ps(ext.timing.done - arrival);
  gp.set_response_status(ext.interrupt.ok() ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (ext.interrupt.ok() && on_interrupt) on_interrupt(ext.interrupt, sc_core::sc_time_stamp() + delay);
}

}  // namespace vtd::sysc
