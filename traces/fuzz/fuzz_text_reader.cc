// libFuzzer target: the trace reader on arbitrary bytes read as a text trace (or whatever the content says).
// Built by scripts/fuzz-smoke.sh; never part of the libraries (.cc, not globbed).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    vtd::traces::trace_reader reader("fuzz.txt", std::string_view(reinterpret_cast<const char*>(data), size));
    vtd::traces::record r;
    while (reader.next(r)) {
    }
  } catch (const vtd::traces::trace_error&) {
    // Bad input must end in a positioned error, never a crash.
  }
  return 0;
}
