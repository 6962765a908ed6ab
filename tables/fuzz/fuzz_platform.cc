// libFuzzer target: the platform loader (strict JSON parsing of one or several remapping units, then building
// each unit's tables) on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tables/platform_state.hpp"
#include "tables/platform_units.hpp"
#include "tables/table_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto pu = vtd::tables::parse_platform_units(std::string(reinterpret_cast<const char*>(data), size),
                                                "fuzz.json");
    if (pu.units.size() > 4) pu.units.resize(4);  // each unit builds its own tables: keep a run short
    for (auto& u : pu.units) {
      auto& d = u.platform;
      d.memory_size = uint64_t{1} << 32;  // keep the sparse memory small whatever the input asks
      d.memory_size_given = true;
      for (auto& dom : d.domains)
        if (dom.mappings.size() > 64) dom.mappings.resize(64);
      vtd::tables::platform_state p(d, "fuzz.json");
    }
  } catch (const vtd::tables::table_error&) {
  }
  return 0;
}
