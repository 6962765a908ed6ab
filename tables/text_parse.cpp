// Command-line number and BDF parsing (see header).
#include "tables/text_parse.hpp"

#include "model/spec/text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <stdexcept>

namespace vtd::tables {

uint64_t parse_number(std::string_view text, std::string_view what) {
  std::string_view s = text;
  auto fail = [&](const char* why) {
    return std::invalid_argument(fmt::format("{}: '{}': {}", what, text, why));
  };
  if (s.empty()) throw fail("empty number");
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec == std::errc::result_out_of_range) throw fail("number too large");
  if (ec != std::errc() || ptr == s.data())
    throw fail("not a number (use decimal, 0x-hex, or a size like 4KiB)");
  std::string_view unit(ptr, static_cast<size_t>(s.data() + s.size() - ptr));
  unsigned shift = 0;
  if (!unit.empty()) {
    if (base == 16) throw fail("a hexadecimal number takes no unit");
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])));
    shift = u == 'K' ? 10 : u == 'M' ? 20 : u == 'G' ? 30 : u == 'T' ? 40 : 0;
    std::string_view rest = unit.substr(1);
    if (shift == 0 || !(rest.empty() || rest == "iB" || rest == "B" || rest == "ib"))
      throw fail("unknown unit (use K/KiB, M/MiB, G/GiB, T/TiB)");
    if (value > (~uint64_t{0} >> shift)) throw fail("number too large");
  }
  return value << shift;
}

uint64_t parse_number(std::string_view text, std::string_view what, uint64_t max) {
  const uint64_t v = parse_number(text, what);
  if (v > max)
    throw std::invalid_argument(fmt::format("{}: '{}': too large (at most 0x{:x})", what, text, max));
  return v;
}

uint16_t parse_bdf(std::string_view text) {
  unsigned bus = 0, dev = 0, fn = 0;
  auto colon = text.find(':');
  auto dot = text.find('.');
  auto bad = [&](const std::string& why) {
    return std::invalid_argument(fmt::format("source id '{}': {}", text, why));
  };
  if (colon == std::string_view::npos || dot == std::string_view::npos || dot < colon)
    throw bad("expected bb:dd.f (hexadecimal bus:device.function)");
  auto field = [&](std::string_view f, unsigned& out, unsigned max, const char* name) {
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), out, 16);
    if (f.empty() || ec != std::errc() || p != f.data() + f.size())
      throw bad(fmt::format("bad {} number", name));
    if (out > max) throw bad(fmt::format("{} number 0x{:x} out of range (max 0x{:x})", name, out, max));
  };
  field(text.substr(0, colon), bus, 0xFF, "bus");
  field(text.substr(colon + 1, dot - colon - 1), dev, 0x1F, "device");
  field(text.substr(dot + 1), fn, 7, "function");
  return static_cast<uint16_t>((bus << 8) | (dev << 3) | fn);
}

std::string format_bdf(uint16_t sid) {
  return spec::format_bdf(sid);
}

std::pair<std::string, uint64_t> parse_file_at(std::string_view text) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0)
    throw std::invalid_argument(fmt::format("'{}': expected FILE@ADDRESS", text));
  return {std::string(text.substr(0, at)), parse_number(text.substr(at + 1), "load address")};
}

}  // namespace vtd::tables
