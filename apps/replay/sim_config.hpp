// The whole simulation configuration: capability preset, every cache's geometry and policy, every timing
// parameter. One JSON file (docs/config.md), named presets, and `--set key=value` overrides; unknown keys are
// errors. The resolved configuration is written into the statistics JSON so that every result says what
// produced it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/core/cache/translation_caches.hpp"
#include "model/timing/timing_params.hpp"

namespace vtd::replay {

struct sim_config {
  std::string preset = "server";
  bool caches_enabled = true;  // false: no caches at all (every request walks; a legal VT-d implementation)
  core::translation_caches_config caches;
  timing::timing_params timing;
};

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
