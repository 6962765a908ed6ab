// The synthetic device generator: builds the device models of a workload, merges their records in time order
// into a trace, and describes the platform they need (devices, domains with their long-lived mappings, MSI-X
// interrupt entries) in the platform-file format. Same seed, same trace, byte for byte.
#pragma once
#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

#include "traces/gen/workload.hpp"
#include "traces/record.hpp"

namespace vtd::traces::gen {

struct generation_summary {
  uint64_t records = 0, dmas = 0, msis = 0, maps = 0, unmaps = 0, invalidations = 0, waits = 0, faults = 0;
  uint64_t end_time_ps = 0;
};

// Calls `out` for every record in time order. `platform` receives the platform file
// (docs/platform-format.md).
generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            nlohmann::ordered_json& platform,
                            const std::function<void(uint64_t)>& progress = {});

}  // namespace vtd::traces::gen
