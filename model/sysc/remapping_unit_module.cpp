// TLM shell of the remapping unit (see header).
#include "model/sysc/remapping_unit_module.hpp"

#include <new>
#include <type_traits>

#include "model/spec/msi.hpp"
#include "model/timing/upstream.hpp"

namespace vtd::sysc {

using timing::picoseconds;

namespace {

// The payload is the bus view of the request in the extension (request_extension.hpp): a target reads the
// payload, so the two must agree. An AtomicOp may travel as a read or a write.
bool agrees(const tlm::tlm_generic_payload& gp, const core::dma_request& d) {
  if (gp.get_address() != d.address || gp.get_data_length() != d.length) return false;
  if (gp.get_data_length() && !gp.get_data_ptr()) return false;
  switch (d.access) {
    case core::access_kind::read:
      return gp.is_read();
    case core::access_kind::write:
      return gp.is_write();
    case core::access_kind::atomic:
      return gp.is_read() || gp.is_write();
  }
  return false;
}

// The interrupt as the APIC sees it, in the compatibility MSI format (spec 5.1.2.1, "Interrupt Requests in
// Compatibility Format"): address 19:12 destination, 3 RH, 2 DM; data 7:0 vector, 10:8 delivery mode, 15
// trigger mode. An x2APIC destination's bits 31:8 go in the upper address, as FEUADDR holds them for the
// fault event interrupt.
void compose(interrupt_message& m, uint32_t destination, bool x2apic, uint8_t vector, unsigned delivery_mode,
             bool logical, bool redirection_hint, bool level) {
  const auto msi =
      spec::msi_request::make_compat(static_cast<uint8_t>(destination & 0xFF), vector, delivery_mode, level);
  m.address = msi.address | (redirection_hint ? 8u : 0u) | (logical ? 4u : 0u);
  if (x2apic) m.address |= uint64_t(destination >> 8) << 32;
  m.data = msi.data;
}

}  // namespace

remapping_unit_module::remapping_unit_module(sc_core::sc_module_name name, core::remapping_unit& unit,
                                             const timing::timing_params& params)
    : sc_module(name),
      upstream("upstream"),
      downstream("downstream"),
      irq_out("irq_out"),
      m_unit(unit),
      m_latency(params) {
  upstream.register_b_transport(this, &remapping_unit_module::b_transport);
}

void remapping_unit_module::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  request_extension* ext = nullptr;
  gp.get_extension(ext);
  if (!ext || !agrees(gp, ext->request.dma)) {  // every upstream request must say who sent it
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  // The kernel's time from the module's own context (inline; sc_time_stamp() is a library call).
  const picoseconds arrival = m_ps.to_ps(simcontext()->time_stamp() + delay);
  timing::upstream_result& res = ext->result;
  timing::serve(m_unit, ext->request, res);
  if (res.is_interrupt()) {
    finish_interrupt(gp, *ext, arrival, delay);
    return;
  }
  const bool access = res.translation.ok() && ext->request.dma.at != core::address_type::translation_request;
  // The translated access's own latency comes from the memory target below, so price translation only.
  // Constructed in place (guaranteed copy elision, as timing::serve does with the translation): copying a
  // returned 56-byte result back from a temporary costs a store-forwarding stall on every request.
  static_assert(std::is_trivially_destructible_v<timing::request_timing>);
  ::new (&res.timing) timing::request_timing(m_latency.price_dma(arrival, res.walk, false));
  res.timed = true;
  delay += m_ps.from_ps(res.timing.translation_done - arrival);
  if (!access) {
    gp.set_response_status(res.translation.ok() ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    res.timing.done = res.timing.translation_done;
    return;
  }
  const sc_core::sc_time before = delay;
  // Forward the same payload with the translated address (no copy), then give the device its address back.
  const uint64_t input_address = gp.get_address();
  gp.set_address(res.translation.hpa);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  downstream->b_transport(gp, delay);
  gp.set_address(input_address);
  res.timing.done = res.timing.translation_done + m_ps.to_ps(delay - before);
}

void remapping_unit_module::finish_interrupt(tlm::tlm_generic_payload& gp, request_extension& ext,
                                             picoseconds arrival, sc_core::sc_time& delay) {
  timing::upstream_result& res = ext.result;
  ::new (&res.timing)
      timing::request_timing(m_latency.price_interrupt(arrival, res.walk, res.interrupt.ok()));
  res.timed = true;
  delay += m_ps.from_ps(res.timing.done - arrival);
  gp.set_response_status(res.interrupt.ok() ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (res.interrupt.ok()) raise(ext.request, res.interrupt, delay);
}

void remapping_unit_module::raise(const timing::upstream_request& req, const core::interrupt_result& r,
                                  const sc_core::sc_time& delay) {
  if (irq_out.size() == 0) return;
  interrupt_message m;
  m.result = r;
  switch (r.status) {
    case core::interrupt_status::remapped:
      m.from = interrupt_message::source::remapped;
      compose(m, r.destination, r.x2apic, r.vector, r.delivery_mode, r.destination_logical,
              r.redirection_hint, r.level_triggered);
      break;
    case core::interrupt_status::passthrough:  // compatibility format: the request's own address and data
      m.from = interrupt_message::source::remapped;
      m.address = req.dma.address;
      m.data = req.data;
      break;
    case core::interrupt_status::posted:
      // Posting writes the posted-interrupt descriptor; the CPU hears of it only through the notification
      // event (the descriptor's NV to NDST), sent when ON was clear and the interrupt not suppressed.
      if (!r.notification_sent) return;
      m.from = interrupt_message::source::notification;
      compose(m, r.notification_destination, r.x2apic, r.notification_vector, 0, false, false, false);
      break;
    case core::interrupt_status::fault:
      return;
  }
  for (int i = 0; i < irq_out.size(); ++i) irq_out[i]->deliver(m, delay);
}

}  // namespace vtd::sysc
