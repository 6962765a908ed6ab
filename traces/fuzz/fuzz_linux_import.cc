// libFuzzer target: the Linux IOMMU trace-event importer on arbitrary text, with the stream pattern (the
// generator's arithmetic is fuzzed too). Built by scripts/fuzz-smoke.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "traces/import/linux_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vtd::traces::import::linux_import_options o;
  o.pattern = vtd::traces::import::dma_pattern::stream;
  o.count = 8;
  o.bytes = 100;
  try {
    vtd::traces::import::import_linux_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                           "fuzz.txt", o);
  } catch (const vtd::traces::import::import_error&) {
  }
  return 0;
}
