// Where the replay engine's work reaches the remapping unit: each DMA or interrupt write, and the busy time
// of the invalidation work it made the unit do. The functional mode's port is the unit itself (unit_port);
// the timed mode's is the SystemC root port (apps/replay/timed/tlm_port.hpp), which carries the same request
// in a TLM transaction and adds timing, nothing else. Both return the same result type with its walk record.
#pragma once
#include <optional>

#include "model/core/remapping_unit.hpp"
#include "model/timing/latency_model.hpp"
#include "model/timing/upstream.hpp"

namespace vtd::replay {

class request_port {
 public:
  virtual ~request_port() = default;
  // Carries `req` to the unit; the result (timed or not: result.timed) stays valid until the next call.
  virtual const timing::upstream_result& transport(const timing::upstream_request& req) = 0;
  // The invalidation engine's busy interval for `work` (timed mode), or nothing (functional mode).
  virtual std::optional<timing::reservation> price(const timing::invalidation_work& work) = 0;
};

// The functional mode: the unit serves the request at once, and nothing is timed. Its walk record keeps
// the facts only (walk_record::keep_steps(false)): no reader of its results needs the steps (the replay
// engine reads the facts: memory reads, the first lookup of each cache; nothing here is priced or
// explained), and writing them costs two 96-byte steps per IOTLB hit.
class unit_port final : public request_port {
 public:
  explicit unit_port(core::remapping_unit& unit) : m_unit(unit) { m_result.walk.keep_steps(false); }
  const timing::upstream_result& transport(const timing::upstream_request& req) override {
    timing::serve(m_unit, req, m_result);
    return m_result;
  }
  std::optional<timing::reservation> price(const timing::invalidation_work&) override { return std::nullopt; }

 private:
  core::remapping_unit& m_unit;
  timing::upstream_result m_result;
};

}  // namespace vtd::replay
