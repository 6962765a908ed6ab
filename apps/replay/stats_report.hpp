// One registry of statistics: every figure has a dotted name, a description and a unit, and both printers
// (gem5-style text and JSON) read the same entries. Names follow the VT-d performance-monitoring events where
// one exists (iommu_requests, iotlb_lookup, iotlb_hit, ctxt_cache_lookup, ss_nonleaf_lookup,
// int_cache_lookup, iommu_mrds, pw_occupancy, ...), so simulated figures can be set beside `perf stat -e
// dmar0/...`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/replay/histogram.hpp"

namespace vtd::replay {

// How the same figure of several reports combines into one (merge_reports: the remapping units of one
// platform into the platform's totals).
enum class stat_merge : uint8_t {
  sum,      // counts, bytes, busy times
  max,      // maxima (and figures the caller sets afterwards)
  ratio,    // num / den, with num and den summed
  latency,  // one figure of a latency histogram, recomputed from the merged histograms
};

struct stat_entry {
  std::string name;         // dotted, e.g. "iotlb.hit_rate" or "device.nic0.latency_ns.p99"
  std::string description;  // one line
  std::string unit;         // "count", "ratio", "ns", "per_request", "requests/s", ...
  double value = 0;
  bool integer = true;
  stat_merge merge = stat_merge::sum;
  double num = 0, den = 0;                // ratio
  std::shared_ptr<const histogram> hist;  // latency: the histogram (ps) this figure reads
  double quantile = -1;                   // latency: -1 count, -2 mean, -3 max, else the quantile
};

class stats_report {
 public:
  void add(std::string name, double value, std::string unit, std::string description, bool integer = true,
           stat_merge merge = stat_merge::sum);
  void add_ratio(std::string name, double num, double den, std::string description);
  // mean, p50, p90, p99, max of a latency histogram kept in picoseconds, reported in ns.
  void add_latency(const std::string& prefix, const histogram& h, const std::string& what);

  const std::vector<stat_entry>& entries() const { return m_entries; }
  const stat_entry* find(const std::string& name) const;
  // Sets an existing figure (false: no such name).
  bool set(const std::string& name, double value);
  // Every entry with what merging needs (ratio parts, histograms): the report of one remapping unit's replay
  // carried from its process to the one that merges (units_replay). restore() throws std::runtime_error on
  // a document save() did not write.
  nlohmann::json save() const;
  static stats_report restore(const nlohmann::json& j);
  // Appends a copy of every entry of `r` whose name `keep` accepts, as PREFIX + name.
  template <typename Keep>
  void add_prefixed(const std::string& prefix, const stats_report& r, Keep keep) {
    for (const stat_entry& e : r.m_entries)
      if (keep(e.name)) {
        m_entries.push_back(e);
        m_entries.back().name.insert(0, prefix);
      }
  }

  // gem5 stats.txt style: "name  value  # description (unit)", aligned.
  std::string to_text() const;
  // {"name": value, ...} in registry order; the descriptions and units go to a separate "units" object.
  nlohmann::ordered_json to_json() const;
  nlohmann::ordered_json describe_json() const;

 private:
  friend stats_report merge_reports(const std::vector<const stats_report*>& parts);
  void add_entry(stat_entry e) { m_entries.push_back(std::move(e)); }
  std::vector<stat_entry> m_entries;
};

// The reports' figures combined by name, each by its stat_merge rule, in a deterministic order: the first
// report's entries in its order, and a name only a later report has after the last entry of its group (the
// name's first component, e.g. "device"), or when the group is new, after the entry that precedes it in its
// report. Every report must have been built by the same code (a name merges with the same rule everywhere).
stats_report merge_reports(const std::vector<const stats_report*>& parts);

}  // namespace vtd::replay
