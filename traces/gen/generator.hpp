// The synthetic device generator: builds the device models of a workload, merges their records in time order
// into a trace, and describes the platform they need (devices and their PASIDs, domains with their long-lived
// mappings, MSI-X interrupt entries) in the platform-file format, legacy or scalable mode. Same seed, same
// trace, byte for byte.
#pragma once
#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

#include "tables/platform_description.hpp"
#include "traces/gen/workload.hpp"
#include "traces/record.hpp"

namespace vtd::traces::gen {

struct generation_summary {
  uint64_t records = 0, dmas = 0, msis = 0, maps = 0, unmaps = 0, invalidations = 0, waits = 0, faults = 0;
  uint64_t attaches = 0;  // attach, detach, pasid-attach and pasid-detach records
  uint64_t end_time_ps = 0;
};

// Calls `out` for every record in time order. `platform` receives the platform the trace runs on, as a
// description or as the platform file (docs/platform-format.md; "mode": "scalable" in scalable mode).
generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            tables::platform_description& platform,
                            const std::function<void(uint64_t)>& progress = {});
generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            nlohmann::ordered_json& platform,
                            const std::function<void(uint64_t)>& progress = {});

}  // namespace vtd::traces::gen
