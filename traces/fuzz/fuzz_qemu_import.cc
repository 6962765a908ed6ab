// libFuzzer target: the QEMU VT-d log importer on arbitrary text. Built by scripts/fuzz-smoke.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "traces/import/qemu_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    vtd::traces::import::import_qemu_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                          "fuzz.log");
  } catch (const vtd::traces::import::import_error&) {
    // Bad input must end in a positioned error, never a crash.
  }
  return 0;
}
