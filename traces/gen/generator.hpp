// The synthetic device generator: builds the device models of a workload, merges their records in time order
// into a trace, and describes the platform they need (devices and their PASIDs, domains with their long-lived
// mappings, MSI-X interrupt entries) in the platform-file format, legacy or scalable mode. Same seed, same
// trace, byte for byte.
#pragma once
#include <cstdint>
#include <functional>
#include <span>

#include <nlohmann/json.hpp>

#include "tables/platform_description.hpp"
#include "tables/platform_units.hpp"
#include "traces/gen/workload.hpp"
#include "traces/record.hpp"

namespace vtd::traces::gen {

struct generation_summary {
  uint64_t records = 0, dmas = 0, msis = 0, maps = 0, unmaps = 0, invalidations = 0, waits = 0, faults = 0;
  uint64_t attaches = 0;  // attach, detach, pasid-attach and pasid-detach records
  uint64_t end_time_ps = 0;
};

// Calls `out` with the records in time order, a block of up to `block_records` at a time (the last block
// may be shorter; no block is empty). `platform` receives the platform the trace runs on: as its remapping
// units (w.units of them, traces/gen/unit_split.hpp), as the platform file (docs/platform-format.md; "mode":
// "scalable" in scalable mode; with several units, the "units" form), or as the description of the whole
// platform under one unit whatever w.units says. The records do not depend on w.units. `progress` gets the
// DMAs generated so far, now and then.
using record_block_sink = std::function<void(std::span<const record>)>;
inline constexpr size_t block_records = 4096;
generation_summary generate_blocks(const workload& w, const record_block_sink& out,
                                   tables::platform_units& platform,
                                   const std::function<void(uint64_t)>& progress = {});
generation_summary generate_blocks(const workload& w, const record_block_sink& out,
                                   tables::platform_description& platform,
                                   const std::function<void(uint64_t)>& progress = {});
generation_summary generate_blocks(const workload& w, const record_block_sink& out,
                                   nlohmann::ordered_json& platform,
                                   const std::function<void(uint64_t)>& progress = {});
// The same records, one call of `out` per record.
generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            tables::platform_units& platform,
                            const std::function<void(uint64_t)>& progress = {});
generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            tables::platform_description& platform,
                            const std::function<void(uint64_t)>& progress = {});
generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            nlohmann::ordered_json& platform,
                            const std::function<void(uint64_t)>& progress = {});

}  // namespace vtd::traces::gen
