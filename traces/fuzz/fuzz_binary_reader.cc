// libFuzzer target: the binary trace reader. The input is prefixed with a valid header so that the fuzzer
// spends its time in the record decoder (kinds, flags, truncation), not in rediscovering the magic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "traces/binary_format.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(vtd::traces::binary_header_size, '\0');
  vtd::traces::binary_header h;
  if (size > 0 && (data[0] & 1)) h.record_count = data[0];  // sometimes promise a count
  vtd::traces::encode_header(h, reinterpret_cast<std::byte*>(bytes.data()));
  bytes.append(reinterpret_cast<const char*>(data), size);
  try {
    vtd::traces::trace_reader reader("fuzz.bin", bytes);
    vtd::traces::record r;
    while (reader.next(r)) {
    }
  } catch (const vtd::traces::trace_error&) {
  }
  return 0;
}
