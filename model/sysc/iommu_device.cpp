// The embeddable remapping unit (see header).
#include "model/sysc/iommu_device.hpp"

namespace vtd::sysc {

iommu_device::iommu_device(sc_core::sc_module_name name, core::iommu& unit,
                           const timing::timing_params& params, sc_core::sc_time register_latency)
    : sc_module(name),
      regs("regs"),
      upstream("upstream"),
      downstream("downstream"),
      irq_out("irq_out"),
      m_iommu(unit),
      m_shell("shell", unit.unit(), params),
      m_registers("registers", unit.unit().regs(), register_latency),
      m_to_shell("to_shell") {
  regs.bind(m_registers.socket);
  upstream.register_b_transport(this, &iommu_device::b_transport);
  m_to_shell.bind(m_shell.upstream);
  m_shell.downstream.bind(downstream);
  m_forwarder.owner = this;
  m_shell.irq_out.bind(m_forwarder);
  m_registers.after_access = [this](const sc_core::sc_time& delay) { flush_fault_events(delay); };
  unit.unit().faults().set_event_sink([this](const core::fault_event_msi& msi) { on_fault_event(msi); });
}

iommu_device::~iommu_device() {
  m_iommu.unit().faults().set_event_sink(nullptr);
}

void iommu_device::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  // The request path is the shell's; only the fault events its translation raised are sent from here, at
  // the request's completion.
  m_in_access = true;
  m_to_shell->b_transport(gp, delay);
  m_in_access = false;
  flush_fault_events(delay);
}

void iommu_device::on_fault_event(const core::fault_event_msi& msi) {
  m_pending.push_back(msi);
  // Raised outside any bus access (software poking core::register_file directly): send it now.
  if (!m_in_access && !m_registers.busy()) flush_fault_events(sc_core::SC_ZERO_TIME);
}

void iommu_device::flush_fault_events(const sc_core::sc_time& delay) {
  // Taken out first: an interrupt controller may touch the registers (and raise more events) from deliver().
  std::vector<core::fault_event_msi> events;
  events.swap(m_pending);
  for (const core::fault_event_msi& msi : events) {
    interrupt_message m;
    m.from = interrupt_message::source::fault_event;
    m.address = msi.address;  // FEUADDR_REG:FEADDR_REG
    m.data = msi.data;        // FEDATA_REG
    ++m_fault_events;
    send(m, delay);
  }
}

void iommu_device::send(const interrupt_message& msg, const sc_core::sc_time& delay) {
  for (int i = 0; i < irq_out.size(); ++i) irq_out[i]->deliver(msg, delay);
}

}  // namespace vtd::sysc
