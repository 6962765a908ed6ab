// Geometry validation and names for the generic set-associative cache (see set_assoc_cache.hpp).
#include "model/core/cache/set_assoc_cache.hpp"

namespace vtd::core {

const char* to_string(replacement_policy p) {
  switch (p) {
    case replacement_policy::lru:
      return "lru";
    case replacement_policy::plru:
      return "plru";
    case replacement_policy::fifo:
      return "fifo";
    case replacement_policy::random:
      return "random";
  }
  return "?";
}

const char* validate(const cache_config& c) {
  auto pow2 = [](uint32_t v) { return v != 0 && (v & (v - 1)) == 0; };
  if (c.entries == 0 || c.ways == 0) return "cache entries and ways must be non-zero";
  // Bounds, not hardware figures: 2^20 entries is far beyond any real IOMMU cache and keeps every cache of a
  // configuration within memory; a lookup scans one set, so ways past 256 only make every request slow.
  if (c.entries > max_cache_entries) return "cache entries must be at most 1048576 (2^20)";
  if (c.ways > max_cache_ways) return "cache ways must be at most 256 (a lookup scans every way of a set)";
  if (c.entries % c.ways != 0) return "cache entries must be a multiple of ways";
  if (!pow2(c.entries / c.ways)) return "cache set count (entries / ways) must be a power of two";
  if (c.policy == replacement_policy::plru && (!pow2(c.ways) || c.ways > 64))
    return "tree-PLRU needs a power-of-two way count of at most 64";
  return nullptr;
}

}  // namespace vtd::core
