// The replay's ATS devices (see header).
#include "apps/replay/ats_devices.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace vtd::replay {

void ats_devices::add(uint16_t sid, std::string name, const device::ats_params& params,
                      double invalidation_ns, double translation_link_ns) {
  if (m_present.test(sid)) throw std::invalid_argument(fmt::format("ATS device {} added twice", name));
  auto d = std::make_unique<ats_device>(std::move(name), sid, params, invalidation_ns);
  d->translation_link_ps = uint64_t(std::max(0.0, translation_link_ns) * 1000.0 + 0.5);
  m_devices.emplace(sid, std::move(d));
  m_present.set(sid);
}

bool ats_devices::invalidate(const core::dev_tlb_invalidation& request) {
  ats_device* d = find(request.sid);
  if (!d) return true;  // no device-TLB modelled for this SID: answered at once
  if (!d->endpoint.invalidate(request)) {
    ++d->timeouts;
    return false;
  }
  m_slowest_ns = std::max(m_slowest_ns, d->invalidation_ns);
  return true;
}

double ats_devices::take_slowest_completion_ns() {
  const double s = m_slowest_ns;
  m_slowest_ns = 0;
  return s;
}

void ats_devices::reset_stats() {
  for (auto& [sid, d] : m_devices) {
    d->endpoint.reset_stats();
    d->dma = d->translation_latency_ps = d->latency_ps = d->timeouts = 0;
  }
}

}  // namespace vtd::replay
