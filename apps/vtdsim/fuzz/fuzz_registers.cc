// libFuzzer target: the register-values JSON (--registers, docs/memory-image.md) on arbitrary bytes.
// Built by scripts/fuzz-smoke.sh.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "apps/vtdsim/system_setup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vtdsim::app::system_options o;
  o.registers_file = "fuzz.json";
  try {
    vtdsim::app::with_register_json(o, std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::runtime_error&) {
    // Bad input must end in an error naming the file, never a crash.
  }
  return 0;
}
