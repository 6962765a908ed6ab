// What trace readers and writers share: the two encodings and the compressions (docs/trace-format.md).
#pragma once
#include <cstdint>
#include <string_view>

#include "traces/binary_format.hpp"
#include "traces/record.hpp"

namespace vtd::traces {

enum class trace_format : uint8_t { text, binary };
enum class compression : uint8_t { none, zstd, xz, gzip };
const char* to_string(compression c);
// From a name: "none", "zstd", "xz", "gzip" (throws trace_error otherwise).
compression parse_compression(std::string_view name);

}  // namespace vtd::traces
