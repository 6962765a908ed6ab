// Words, numbers and source-ids of a text trace line (see text_lexer.hpp).
#include "traces/text_lexer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "traces/record.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces {

namespace {

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::optional<std::uint64_t> to_number(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::uint16_t> to_bdf(std::string_view s) {
  auto colon = s.find(':');
  auto dot = s.find('.');
  if (colon == std::string_view::npos || dot == std::string_view::npos || dot < colon) return std::nullopt;
  unsigned b = 0, d = 0, f = 0;
  auto part = [](std::string_view p, unsigned& v, unsigned max) {
    if (p.empty() || p.size() > 2) return false;
    auto [e, ec] = std::from_chars(p.data(), p.data() + p.size(), v, 16);
    return ec == std::errc{} && e == p.data() + p.size() && v <= max;
  };
  if (!part(s.substr(0, colon), b, 0xff) || !part(s.substr(colon + 1, dot - colon - 1), d, 0x1f) ||
      !part(s.substr(dot + 1), f, 7))
    return std::nullopt;
  return make_sid(b, d, f);
}

}  // namespace

std::string_view line_lexer::next() {
  while (m_pos < m_line.size() && blank(m_line[m_pos])) ++m_pos;
  m_start = m_pos;
  if (m_pos >= m_line.size() || m_line[m_pos] == '#') return {};
  while (m_pos < m_line.size() && !blank(m_line[m_pos]) && m_line[m_pos] != '#') ++m_pos;
  return m_line.substr(m_start, m_pos - m_start);
}

void line_lexer::fail(std::string_view expected, std::string_view got, std::size_t offset) const {
  if (got.empty())
    throw text_parse_error(column() + offset, fmt::format("expected {}, got end of line", expected));
  throw text_parse_error(column() + offset, fmt::format("expected {}, got '{}'", expected, got));
}

std::uint64_t parse_number(const line_lexer& lx, std::string_view word, std::string_view what,
                           std::uint64_t max, std::size_t offset) {
  auto v = to_number(word);
  if (!v) lx.fail(fmt::format("{} (decimal or 0x hex number)", what), word, offset);
  if (*v > max) lx.fail(fmt::format("{} <= 0x{:x}", what, max), word, offset);
  return *v;
}

std::uint16_t parse_bdf(const line_lexer& lx, std::string_view word, std::size_t offset) {
  auto v = to_bdf(word);
  if (!v) lx.fail("a bus:device.function like 00:02.0 (device <= 1f, function <= 7)", word, offset);
  return *v;
}

}  // namespace vtd::traces
