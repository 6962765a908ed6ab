// libFuzzer target: the configuration loader (--config, docs/config.md) and --set overrides on arbitrary
// bytes. Built by scripts/fuzz-smoke.sh.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "apps/replay/sim_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    vtd::replay::parse_sim_config(text, "fuzz.json");
  } catch (const std::runtime_error&) {
    // Bad input must end in an error naming the file, never a crash.
  }
  try {
    vtd::replay::sim_config c = vtd::replay::sim_preset("server");
    vtd::replay::apply_override(c, text);
  } catch (const std::invalid_argument&) {
    // A bad --set value is a usage error (std::invalid_argument), never a crash.
  }
  return 0;
}
