// The whole simulation configuration: capability preset, every cache's geometry and policy, every timing
// parameter. One JSON file (docs/config.md), named presets, and `--set key=value` overrides; unknown keys are
// errors. The resolved configuration is written into the statistics JSON so that every result says what
// produced it.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/core/cache/translation_caches.hpp"
#include "model/timing/pcie_device.hpp"
#include "model/timing/timing_params.hpp"
#include "traces/trace_common.hpp"

namespace vtd::replay {

// How the timed replay issues a trace's requests (issue 13). open: at the record's time, whatever the unit
// does (the trace's timestamps are issue times). closed: the record's time is the earliest the device may
// issue it; it waits for a PCIe tag or posted credit of its device, crosses its link, and frees the slot on
// completion (apps/replay/closed_loop.hpp, docs/timing.md). The same two modes a trace's header declares
// (traces/trace_common.hpp), so one enum serves both.
using traces::issue_mode;

// An ATS-capable device's side of address translation (the "device.ats" section of docs/config.md): its
// device-TLB and how it answers the unit's ATS Invalidate Requests. Used for the devices whose platform
// context enables ATS (legacy TT=01, scalable DTE=1); see docs/timing.md, "Devices with ATS".
struct ats_config {
  core::cache_config tlb{64, 4, core::replacement_policy::lru, 1, false};  // assumption (docs/timing.md)
  // Invalidate Request to Invalidate Completion, at the endpoint (assumption, docs/timing.md): the
  // inv_wait_dsc that follows a device-TLB invalidation lasts at least this long.
  double invalidation_ns = 1000.0;
  bool answers_invalidations = true;  // false: never answers (the unit's invalidation time-out, FSTS.ITE)
  bool operator==(const ats_config& o) const {
    return tlb.entries == o.tlb.entries && tlb.ways == o.tlb.ways && tlb.policy == o.tlb.policy &&
           tlb.seed == o.tlb.seed && invalidation_ns == o.invalidation_ns &&
           answers_invalidations == o.answers_invalidations;
  }
};

// The devices of the closed-loop issue (the "device" section of docs/config.md): every device (source-id)
// gets its own tags, credits and link with these parameters, and an ATS-capable one its device-TLB.
struct device_config {
  issue_mode issue = issue_mode::open;
  timing::device_params params;
  // Closed loop only: the translated access's time from the unit's request to its data, in place of the
  // open loop's lump timing.dma_access_ns (which also holds the link). Includes the root complex and
  // DRAM; the link's serialisation is added by the link model.
  double memory_ns = 90.0;  // assumption: root complex + DRAM on a current server (docs/timing.md)
  ats_config ats;
};

struct sim_config {
  std::string preset = "server";
  bool caches_enabled = true;  // false: no caches at all (every request walks; a legal VT-d implementation)
  core::translation_caches_config caches;
  timing::timing_params timing;
  device_config device;
  // Per-device overrides of `device` (the "devices" section): keyed by the platform's device name or BDF,
  // each a partial "device" object applied over `device` (device_config_for). Checked when read; whether each
  // key names a device of the platform is checked when the replay starts.
  std::map<std::string, nlohmann::json> devices;
};

// The parameters of the device named `name` (or with BDF `bdf`): `device` with its override applied.
// Throws std::runtime_error when both a name and a BDF override name the device.
device_config device_config_for(const sim_config& c, const std::string& name, const std::string& bdf);

std::vector<std::string> sim_preset_names();
// The unit of a configuration key for axis labels: "ns", "cycles", "GHz", "entries", ... ("" when none).
std::string parameter_unit(std::string_view key);
// Throws std::runtime_error for an unknown name.
sim_config sim_preset(std::string_view name);

nlohmann::ordered_json to_json(const sim_config& c);
// Applies a (partial) JSON object onto `c`; `where` prefixes error messages (file name). Unknown keys throw.
void apply_json(sim_config& c, const nlohmann::json& j, const std::string& where);
// Loads a config file: {"preset": NAME, ...overrides}; the preset is applied first.
sim_config load_sim_config(const std::string& path);
// The same from the file's bytes (fuzzing, tests); `path` names it in messages.
sim_config parse_sim_config(std::string_view text, const std::string& path);
// "iotlb.entries=64", "timing.walkers=4", "caches_enabled=false".
// Applies "KEY=VALUE" (the --set option). Throws std::invalid_argument (a usage error) naming `label`, or
// "--set KEY" when none is given.
void apply_override(sim_config& c, std::string_view assignment, std::string_view label = {});

}  // namespace vtd::replay
