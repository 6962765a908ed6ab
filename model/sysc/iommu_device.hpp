// One VT-d remapping hardware unit (a DRHD) as the SystemC module a virtual platform embeds:
//
//   regs        TLM target socket: the register page (register_target), offsets from the DRHD's Register
//               Base Address; a driver programs the unit through it exactly as on hardware.
//   upstream    TLM target socket: DMA and interrupt requests from devices, each with a request_extension
//               (model/sysc/request_extension.hpp); served by the remapping_unit_module inside.
//   downstream  TLM initiator socket: the translated DMA accesses, towards memory.
//   irq_out     interrupt output (model/sysc/interrupt_if.hpp): remapped interrupts and posted-interrupt
//               notifications from the upstream path, and the fault event interrupt (FEADDR_REG/FEUADDR_REG,
//               FEDATA_REG) when the fault recorder signals a fault event with FECTL_REG.IM clear.
//
// The unit's tables, invalidation queue and interrupt remapping table are read from the core::iommu's
// physical memory; put a memory_target over the same physical_memory behind `downstream` so that what the
// driver and the devices write through the bus is what the unit walks.
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>
#include <vector>

#include "model/core/system/iommu.hpp"
#include "model/sysc/interrupt_if.hpp"
#include "model/sysc/register_target.hpp"
#include "model/sysc/remapping_unit_module.hpp"
#include "model/timing/latency_model.hpp"

namespace vtd::sysc {

class iommu_device : public sc_core::sc_module {
 public:
  tlm::tlm_target_socket<> regs;
  tlm_utils::simple_target_socket<iommu_device> upstream;
  tlm::tlm_initiator_socket<> downstream;
  interrupt_port irq_out;

  // `unit` must outlive the module. `register_latency` is added to every register access.
  iommu_device(sc_core::sc_module_name name, core::iommu& unit, const timing::timing_params& params,
               sc_core::sc_time register_latency = sc_core::SC_ZERO_TIME);
  ~iommu_device() override;

  core::iommu& unit() { return m_iommu; }
  remapping_unit_module& shell() { return m_shell; }
  register_target& register_block() { return m_registers; }
  uint64_t fault_events_sent() const { return m_fault_events; }

 private:
  // Forwards remapped interrupts of the inner module to irq_out.
  struct irq_forwarder : interrupt_sink_if {
    iommu_device* owner = nullptr;
    void deliver(const interrupt_message& msg, const sc_core::sc_time& delay) override {
      owner->send(msg, delay);
    }
  };

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void on_fault_event(const core::fault_event_msi& msi);
  void flush_fault_events(const sc_core::sc_time& delay);
  void send(const interrupt_message& msg, const sc_core::sc_time& delay);

  core::iommu& m_iommu;
  remapping_unit_module m_shell;
  register_target m_registers;
  tlm_utils::simple_initiator_socket<iommu_device> m_to_shell;  // upstream -> m_shell.upstream
  irq_forwarder m_forwarder;
  // Fault events raised during an access, sent when the access completes (with its delay).
  std::vector<core::fault_event_msi> m_pending;
  bool m_in_access = false;
  uint64_t m_fault_events = 0;
};

}  // namespace vtd::sysc
