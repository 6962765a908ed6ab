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

// What a trace's record times mean (binary header flag header_closed_loop, text "#! issue" directive):
// open, the times requests are issued whatever the IOMMU does; closed, the earliest time each device may
// issue its request (docs/trace-format.md, "Open and closed loop").
enum class issue_mode : uint8_t { open, closed };
issue_mode issue_of(const binary_header& h);
const char* to_string(issue_mode m);  // "open", "closed"
// From a name: "none", "zstd", "xz", "gzip" (throws trace_error otherwise).
compression parse_compression(std::string_view name);

}  // namespace vtd::traces
