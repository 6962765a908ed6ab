// Common machinery of the generator's device models: each device is driven by its own events (packet
// arrivals, I/O submissions, bursts) and keeps the records an event produces in a small time-ordered queue,
// so that records can be released in global time order while events overlap in time (a packet's unmap comes
// after the next packet's DMA).
#pragma once
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "traces/gen/iova_allocator.hpp"
#include "traces/gen/rng.hpp"
#include "traces/gen/workload.hpp"
#include "traces/record.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

constexpr uint64_t kNs = 1000;                   // picoseconds per nanosecond
constexpr uint64_t kUs = 1000000;                // picoseconds per microsecond
constexpr uint64_t kStatusAddress = 0x0FFFF000;  // inv_wait status page (below the default table region)

// Where the devices of each kind sit: device i of a kind is function 0 of device 0 on bus `bus + i`, in
// domain `domain + i`, for i below limits::max_devices_per_kind (docs/generator.md).
struct placement {
  unsigned bus, domain;
};
inline constexpr placement kNicPlacement{0x10, 1}, kNvmePlacement{0x20, 0x11}, kGpuPlacement{0x30, 0x21};
constexpr bool disjoint(unsigned a, unsigned b) {
  return a + limits::max_devices_per_kind <= b || b + limits::max_devices_per_kind <= a;
}
static_assert(disjoint(kNicPlacement.bus, kNvmePlacement.bus) &&
                  disjoint(kNicPlacement.bus, kGpuPlacement.bus) &&
                  disjoint(kNvmePlacement.bus, kGpuPlacement.bus),
              "every device has a bus of its own");
static_assert(disjoint(kNicPlacement.domain, kNvmePlacement.domain) &&
                  disjoint(kNicPlacement.domain, kGpuPlacement.domain) &&
                  disjoint(kNvmePlacement.domain, kGpuPlacement.domain),
              "every device has a domain of its own");
static_assert(kGpuPlacement.bus + limits::max_devices_per_kind <= 0x100, "bus numbers are 8 bits");
static_assert(kGpuPlacement.domain + limits::max_devices_per_kind <= 0x100,
              "domain ids fit CAP.ND=2 (8 bits)");
static_assert(kNicPlacement.domain > 0 && kNvmePlacement.domain > 0 && kGpuPlacement.domain > 0,
              "domain 0 is left unused (reserved when CAP.CM=1)");

// Platform pieces a device contributes (docs/platform-format.md).
struct platform_parts {
  nlohmann::ordered_json domains = nlohmann::ordered_json::array();
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  nlohmann::ordered_json interrupts = nlohmann::ordered_json::array();
  uint32_t next_irte = 0;
};

class device_model {
 public:
  // Device `index` of its kind, placed by `where`; throws trace_error when the index is beyond the limit.
  device_model(std::string kind, unsigned index, placement where, uint64_t seed);
  virtual ~device_model() = default;

  // Time of the next record this device will release (after generating as many events as needed).
  uint64_t head_time();
  record pop();
  const std::string& name() const { return m_name; }

 protected:
  // Produces the records of the next event (all at times >= the event time) and advances m_next_event.
  virtual void next_event() = 0;

  void emit(const record& r);
  // Driver unmap with the configured invalidation policy (strict: page-selective IOTLB + wait; deferred:
  // queued, flushed domain-wide in batches; the IOVA is reused only after its invalidation).
  void unmap(uint64_t t, uint64_t iova, uint64_t bytes, bool strict, unsigned flush_batch,
             uint64_t flush_timeout);
  void flush_deferred(uint64_t t);
  uint64_t random_hpa_page();
  // Registers an MSI-X vector: an IRTE validated against this device's requester id. Returns the MSI address.
  uint64_t add_vector(platform_parts& p, uint8_t vector, uint32_t destination);

  std::string m_name;
  uint16_t m_sid, m_domain;
  rng m_rng;
  iova_allocator m_iova;
  uint64_t m_next_event = 0;

 private:
  struct pending {
    uint64_t time, seq;
    record r;
    bool operator>(const pending& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  std::priority_queue<pending, std::vector<pending>, std::greater<pending>> m_queue;
  uint64_t m_seq = 0;
  std::vector<std::pair<uint64_t, uint64_t>> m_deferred;  // (iova, bytes) awaiting a flush
  uint64_t m_deferred_since = 0;
  uint64_t m_deferred_latest = 0;
};

}  // namespace vtd::traces::gen
