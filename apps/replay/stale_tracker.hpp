// Missing-invalidation detection. Every map/unmap marks its (domain, IOVA range) "changed since the last
// invalidation that covers it", every attach/detach marks its source-id; invalidations clear what they cover.
// Only a request that touches a changed range is re-walked without caches and compared with what the caches
// served, so the check costs nothing for well-behaved traffic.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace vtd::replay {

struct table_change {
  uint64_t record_index = 0;
  uint64_t time_ps = 0;
  uint64_t iova = 0;  // range start (page aligned)
  uint64_t bytes = 0;
  bool unmap = false;
  int domain = -1;  // device changes: the domain the context entry named before the change
};

class stale_tracker {
 public:
  void changed_range(uint16_t domain, const table_change& c);
  void changed_device(uint16_t sid, int old_domain, uint64_t record_index, uint64_t time_ps);

  // Invalidation scopes (what the hardware dropped).
  void invalidated_all();
  void invalidated_domain(uint16_t domain);
  void invalidated_range(uint16_t domain, uint64_t base, uint64_t length);
  void invalidated_devices_all();
  void invalidated_device(uint16_t sid, unsigned function_mask);
  void invalidated_devices_of_domain(uint16_t domain);

  bool any() const { return !m_ranges.empty() || !m_devices.empty(); }
  // The change record covering (domain, page), if the range is still pending an invalidation.
  std::optional<table_change> pending_range(uint16_t domain, uint64_t addr) const;
  std::optional<table_change> pending_device(uint16_t sid) const;

 private:
  // Per domain: page-aligned start -> change, non-overlapping (a newer change replaces older overlapping
  // ones).
  std::unordered_map<uint16_t, std::map<uint64_t, table_change>> m_ranges;
  std::unordered_map<uint16_t, table_change> m_devices;
  void erase_range(std::map<uint64_t, table_change>& m, uint64_t base, uint64_t end);
};

}  // namespace vtd::replay
