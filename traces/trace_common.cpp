// Compression names (see trace_common.hpp).
#include "traces/trace_common.hpp"

#include <fmt/format.h>

#include "traces/trace_error.hpp"

namespace vtd::traces {

const char* to_string(compression c) {
  switch (c) {
    case compression::zstd:
      return "zstd";
    case compression::xz:
      return "xz";
    case compression::gzip:
      return "gzip";
    case compression::none:
      return "none";
  }
  return "none";
}

issue_mode issue_of(const binary_header& h) {
  return (h.flags & header_closed_loop) != 0 ? issue_mode::closed : issue_mode::open;
}

const char* to_string(issue_mode m) {
  switch (m) {
    case issue_mode::open:
      return "open";
    case issue_mode::closed:
      return "closed";
  }
  return "open";
}

compression parse_compression(std::string_view name) {
  if (name == "none") return compression::none;
  if (name == "zstd") return compression::zstd;
  if (name == "xz") return compression::xz;
  if (name == "gzip") return compression::gzip;
  throw trace_error(fmt::format("compression '{}': expected none, zstd, xz or gzip", name));
}

}  // namespace vtd::traces
