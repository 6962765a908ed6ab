// The replay's ATS devices (issue 13): one device::ats_endpoint per device whose platform context enables
// ATS (legacy mode: context TT=01, device-TLB; scalable mode: DTE=1). The engine sends such a device's
// untranslated DMAs through its endpoint (replay_engine.hpp); the unit reaches the endpoints' device-TLBs
// through this object (core::device_tlb_port), which routes each ATS Invalidate Request by its SID. A request
// for a SID that has no endpoint here is answered at once, as the unit does with no port attached, so a
// trace's device-TLB invalidations of devices without ATS behave as they did before devices had TLBs.
#pragma once
#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "model/core/invalidation/device_tlb_port.hpp"
#include "model/device/ats_endpoint.hpp"

namespace vtd::replay {

struct ats_device {
  std::string name;  // the platform's name, or the BDF
  device::ats_endpoint endpoint;
  double invalidation_ns = 0;  // time from an Invalidate Request to its Invalidate Completion
  // Timed replay: the link's part of a translation request's round trip (the request TLP up, the Translation
  // Completion down), added to the unit's answer time. The open-loop access latency (timing.dma_access_ns) is
  // a lump of link and memory; a translation request has the link part only: dma_access_ns -
  // device.memory_ns.
  uint64_t translation_link_ps = 0;
  // Replay figures next to the endpoint's own counters.
  uint64_t dma = 0;                     // untranslated DMAs that went through the endpoint (measured)
  uint64_t translation_latency_ps = 0;  // timed: the translation requests' round trips
  uint64_t latency_ps = 0;              // timed: the whole ATS DMAs' latencies (both round trips)
  uint64_t timeouts = 0;                // invalidation requests it left unanswered (FSTS.ITE raised)
  ats_device(std::string n, uint16_t sid, const device::ats_params& p, double inv_ns)
      : name(std::move(n)), endpoint(sid, p), invalidation_ns(inv_ns) {}
};

class ats_devices final : public core::device_tlb_port {
 public:
  // Throws std::invalid_argument for a device-TLB geometry core::validate refuses, or a SID added twice.
  void add(uint16_t sid, std::string name, const device::ats_params& params, double invalidation_ns,
           double translation_link_ns = 0);

  bool empty() const { return m_devices.empty(); }
  // One bit test: the replay's cost for a device without ATS.
  bool has(uint16_t sid) const { return m_present.test(sid); }
  ats_device* find(uint16_t sid) {
    auto it = m_devices.find(sid);
    return it == m_devices.end() ? nullptr : it->second.get();
  }
  const std::map<uint16_t, std::unique_ptr<ats_device>>& devices() const { return m_devices; }

  // core::device_tlb_port: routes by SID; remembers, for the queue run under way, the slowest answering
  // endpoint's completion time.
  bool invalidate(const core::dev_tlb_invalidation& request) override;
  // The slowest Invalidate Completion (ns) of the requests since the last call, and forgets it.
  double take_slowest_completion_ns();

  void reset_stats();

 private:
  std::map<uint16_t, std::unique_ptr<ats_device>> m_devices;
  std::bitset<65536> m_present;
  double m_slowest_ns = 0;
};

}  // namespace vtd::replay
