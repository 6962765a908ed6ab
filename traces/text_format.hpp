// Text trace format: one record per line, '#' comments (grammar in docs/trace-format.md, "Text format").
#pragma once

#include "traces/record.hpp"

#include <string>
#include <string_view>

namespace vtd::traces {

// Appends the canonical text of r (no newline). Parsing it gives r back exactly.
void format_record(const record& r, std::string& out);
std::string format_record(const record& r);

// Parses one line. Returns false for a blank or comment-only line; throws text_parse_error with the 1-based
// column and what was expected on malformed input.
bool parse_record_line(std::string_view line, record& out);

// "bb:dd.f" <-> source-id (hex bus, device <= 1f, function <= 7).
std::string format_bdf(std::uint16_t sid);

}  // namespace vtd::traces
