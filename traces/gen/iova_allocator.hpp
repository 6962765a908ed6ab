// IOVA allocation the way Linux's DMA API does it (drivers/iommu/iova.c): top-down from the device's DMA
// limit in 4 KiB granules, size-aligned for power-of-two sizes, and freed ranges reused first from per-size
// caches (the "rcache"), which is what gives real traces their address reuse. Device models generate events
// out of time order, so a freed range carries the time from which it may be reused; the earliest reusable one
// is taken.
#pragma once
#include <cstdint>
#include <map>
#include <queue>
#include <vector>

namespace vtd::traces::gen {

class iova_allocator {
 public:
  // [floor, limit): the allocatable IOVA window (limit = DMA mask + 1).
  iova_allocator(uint64_t floor, uint64_t limit) : m_floor(floor), m_next(limit) {}

  // Returns the IOVA of a `bytes` long range (rounded up to 4 KiB pages) for a mapping made at time `now`.
  // Throws trace_error when exhausted.
  uint64_t alloc(uint64_t bytes, uint64_t now);
  // The range becomes reusable by mappings made at or after `when` (its unmap and invalidation time): device
  // models generate events out of time order, so a range must not be handed to an earlier mapping.
  void free(uint64_t iova, uint64_t bytes, uint64_t when);

 private:
  static uint64_t pages_of(uint64_t bytes) { return (bytes + 4095) >> 12; }
  uint64_t m_floor, m_next;
  struct freed {
    uint64_t when, iova;
    bool operator>(const freed& o) const { return when != o.when ? when > o.when : iova > o.iova; }
  };
  // size in pages -> freed ranges, earliest reusable first
  std::map<uint64_t, std::priority_queue<freed, std::vector<freed>, std::greater<freed>>> m_cache;
};

}  // namespace vtd::traces::gen
