// libFuzzer target: the platform loader (strict JSON parsing, then building the tables) on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tables/platform_description.hpp"
#include "tables/platform_state.hpp"
#include "tables/table_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto d = vtd::tables::parse_platform(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    d.memory_size = uint64_t{1} << 32;  // keep the sparse memory small whatever the input asks
    d.memory_size_given = true;
    for (auto& dom : d.domains)
      if (dom.mappings.size() > 64) dom.mappings.resize(64);
    vtd::tables::platform_state p(d, "fuzz.json");
  } catch (const vtd::tables::table_error&) {
  }
  return 0;
}
