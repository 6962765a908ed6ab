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

// Header directives: lines starting with "#!" before the first record carry what a binary header's flags
// say (docs/trace-format.md, "Header directives"); to anything else they are comments. Today one directive
// exists: "#! issue open|closed" (closed: binary_header::flags header_closed_loop).
struct text_header {
  std::uint16_t flags = 0;  // binary_header::flags bits the directives set
  bool issue_given = false;
};
// False when `line` is no directive (it does not start with "#!"). Throws text_parse_error with the column
// for an unknown or malformed directive, or one given twice.
bool parse_header_directive(std::string_view line, text_header& h);
// The directive lines that say `flags` (each ending in '\n'): "#! issue closed" for a closed-loop trace,
// nothing for an open-loop one (no directive means open, as in every trace written before directives).
std::string format_header_directives(std::uint16_t flags);

// "bb:dd.f" <-> source-id (hex bus, device <= 1f, function <= 7).
std::string format_bdf(std::uint16_t sid);

}  // namespace vtd::traces
