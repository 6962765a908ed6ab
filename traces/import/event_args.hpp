// Matching the argument text of one trace event against the event's printf-like format, as the tracing
// backends print it: a literal must match exactly, `%x` is hexadecimal digits (the "0x" is part of the
// literal, as in the format), `%d` decimal digits with an optional '-', `%s` one word. A mismatch names the
// column and what was expected, so that the caller can report FILE:LINE:COLUMN.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vtd::traces::import {

struct args_mismatch {
  std::size_t column = 0;  // 1-based, within the argument text
  std::string message;
};

// Numbers (%x, %d) go to `numbers`, words (%s) to `words`, in order. A number wider than 64 bits is a
// mismatch. Returns the mismatch, or nothing when the whole text matched.
std::optional<args_mismatch> match_args(std::string_view text, std::string_view format,
                                        std::vector<uint64_t>& numbers, std::vector<std::string>& words);

// "key=value" words of a Linux event's text: the value of `key` (up to the next space or ','), if present.
std::optional<std::string_view> key_value(std::string_view text, std::string_view key);
// A number written "0x..." (hexadecimal) or decimal; nothing when it is not one or wider than 64 bits.
std::optional<uint64_t> parse_number(std::string_view s);

}  // namespace vtd::traces::import
