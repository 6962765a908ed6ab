// The timed mode's request port: the replay engine's requests travel as TLM transactions from the root port
// (sysc::request_initiator) through the SystemC shell of the unit, which serves them on the same core and
// prices them; invalidation work is priced on the shell's latency model at the initiator's local time. A
// transport only: the request and its result are the ones the functional mode uses.
#pragma once
#include "apps/replay/request_port.hpp"
#include "model/sysc/remapping_unit_module.hpp"
#include "model/sysc/request_initiator.hpp"

namespace vtd::replay {

class tlm_port final : public request_port {
 public:
  tlm_port(sysc::request_initiator& root_port, sysc::remapping_unit_module& unit)
      : m_root_port(root_port), m_unit(unit) {}

  const timing::upstream_result& transport(const timing::upstream_request& req) override {
    return m_root_port.transport(req);
  }
  std::optional<timing::reservation> price(const timing::invalidation_work& work) override {
    return m_unit.latency().price_invalidation(m_root_port.now_ps(), work);
  }

 private:
  sysc::request_initiator& m_root_port;
  sysc::remapping_unit_module& m_unit;
};

}  // namespace vtd::replay
