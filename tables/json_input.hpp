// JSON read from an input file (platform, configuration, register values), strictly: a duplicated key,
// nesting deeper than max_json_depth, a NUL byte or an empty document is an error, never "the last key wins"
// or a gigabyte of memory for a file of brackets. Every error names the file and a position: LINE:COLUMN for
// syntax errors and NUL bytes, the JSON path for duplicated keys and for numbers too large for a double.
// `//` and `/* */` comments are allowed, as the file formats document.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vtd::tables {

inline constexpr int max_json_depth = 64;

class json_input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nlohmann::json parse_json_input(std::string_view text, const std::string& name);

// "LINE:COLUMN" of a byte offset (1-based both).
std::string line_column(std::string_view text, size_t offset);

}  // namespace vtd::tables
