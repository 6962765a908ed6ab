// Where the timed replay's unit delivers interrupts: a sink on its interrupt output that counts what reached
// the APIC, by kind. The replay's interrupt statistics come from the requests' results (msi.delivered counts
// posted interrupts too, which reach no APIC without a notification event); this is the platform's view.
#pragma once
#include <cstdint>
#include <systemc>

#include "model/sysc/interrupt_if.hpp"

namespace vtd::replay {

class interrupt_counter final : public sc_core::sc_module, public sysc::interrupt_sink_if {
 public:
  explicit interrupt_counter(sc_core::sc_module_name name) : sc_module(name) {}

  void deliver(const sysc::interrupt_message& msg, const sc_core::sc_time&) override {
    switch (msg.from) {
      case sysc::interrupt_message::source::remapped:
        ++m_remapped;
        break;
      case sysc::interrupt_message::source::notification:
        ++m_notifications;
        break;
      case sysc::interrupt_message::source::fault_event:
        ++m_fault_events;
        break;
    }
  }

  uint64_t remapped() const { return m_remapped; }  // remapped or passed-through device interrupts
  uint64_t notifications() const { return m_notifications; }
  uint64_t fault_events() const { return m_fault_events; }
  uint64_t delivered() const { return m_remapped + m_notifications + m_fault_events; }

 private:
  uint64_t m_remapped = 0, m_notifications = 0, m_fault_events = 0;
};

}  // namespace vtd::replay
