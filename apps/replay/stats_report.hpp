// One registry of statistics: every figure has a dotted name, a description and a unit, and both printers
// (gem5-style text and JSON) read the same entries. Names follow the VT-d performance-monitoring events where
// one exists (iommu_requests, iotlb_lookup, iotlb_hit, ctxt_cache_lookup, ss_nonleaf_lookup,
// int_cache_lookup, iommu_mrds, pw_occupancy, ...), so simulated figures can be set beside `perf stat -e
// dmar0/...`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/replay/histogram.hpp"

namespace vtd::replay {

struct stat_entry {
  std::string name;         // dotted, e.g. "iotlb.hit_rate" or "device.nic0.latency_ns.p99"
  std::string description;  // one line
  std::string unit;         // "count", "ratio", "ns", "per_request", "requests/s", ...
  double value = 0;
  bool integer = true;
};

class stats_report {
 public:
  void add(std::string name, double value, std::string unit, std::string description, bool integer = true);
  void add_ratio(std::string name, double num, double den, std::string description);
  // mean, p50, p90, p99, max of a latency histogram kept in picoseconds, reported in ns.
  void add_latency(const std::string& prefix, const histogram& h, const std::string& what);

  const std::vector<stat_entry>& entries() const { return m_entries; }
  const stat_entry* find(const std::string& name) const;

  // gem5 stats.txt style: "name  value  # description (unit)", aligned.
  std::string to_text() const;
  // {"name": value, ...} in registry order; the descriptions and units go to a separate "units" object.
  nlohmann::ordered_json to_json() const;
  nlohmann::ordered_json describe_json() const;

 private:
  std::vector<stat_entry> m_entries;
};

}  // namespace vtd::replay
