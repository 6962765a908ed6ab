#include "traces/import/event_args.hpp"

#include <fmt/format.h>

namespace vtd::traces::import {

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
unsigned hex_value(char c) {
  return c <= '9' ? unsigned(c - '0') : (c | 0x20) - 'a' + 10u;
}

// Digits at text[pos...] in base 16 or 10; advances pos. False when there are none or the value overflows.
bool take_number(std::string_view text, std::size_t& pos, unsigned base, uint64_t& out) {
  const std::size_t start = pos;
  uint64_t v = 0;
  while (pos < text.size() && (base == 16 ? is_hex(text[pos]) : (text[pos] >= '0' && text[pos] <= '9'))) {
    const unsigned d = hex_value(text[pos]);
    if (v > (~uint64_t{0} - d) / base) return false;
    v = v * base + d;
    ++pos;
  }
  out = v;
  return pos > start;
}

}  // namespace

std::optional<args_mismatch> match_args(std::string_view text, std::string_view format,
                                        std::vector<uint64_t>& numbers, std::vector<std::string>& words) {
  std::size_t t = 0;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] == '%' && f + 1 < format.size()) {
      const char conv = format[++f];
      if (conv == 's') {
        const std::size_t start = t;
        while (t < text.size() && text[t] != ' ') ++t;
        if (t == start) return args_mismatch{t + 1, "expected a word"};
        words.emplace_back(text.substr(start, t - start));
        continue;
      }
      const bool negative = conv == 'd' && t < text.size() && text[t] == '-';
      if (negative) ++t;
      uint64_t v = 0;
      const std::size_t start = t;
      if (!take_number(text, t, conv == 'x' ? 16 : 10, v))
        return args_mismatch{start + 1, conv == 'x' ? "expected a hexadecimal number" : "expected a number"};
      numbers.push_back(negative ? uint64_t(0) - v : v);
      continue;
    }
    if (t >= text.size() || text[t] != format[f]) {
      std::size_t end = f;
      while (end < format.size() && format[end] != '%') ++end;
      return args_mismatch{t + 1, fmt::format("expected '{}'", format.substr(f, end - f))};
    }
    ++t;
  }
  if (t != text.size()) return args_mismatch{t + 1, fmt::format("unexpected '{}'", text.substr(t))};
  return std::nullopt;
}

std::optional<std::string_view> key_value(std::string_view text, std::string_view key) {
  for (std::size_t pos = 0; (pos = text.find(key, pos)) != std::string_view::npos; pos += key.size()) {
    const bool word_start = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == ',' || text[pos - 1] == ':';
    const std::size_t eq = pos + key.size();
    if (!word_start || eq >= text.size() || text[eq] != '=') continue;
    std::size_t end = eq + 1;
    while (end < text.size() && text[end] != ' ' && text[end] != ',') ++end;
    return text.substr(eq + 1, end - eq - 1);
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_number(std::string_view s) {
  std::size_t pos = 0;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    pos = 2;
    base = 16;
  }
  uint64_t v = 0;
  if (!take_number(s, pos, base, v) || pos != s.size()) return std::nullopt;
  return v;
}

}  // namespace vtd::traces::import
