// Text trace format: the canonical printer, driven by the table of record kinds (record_kinds.hpp; grammar in
// docs/trace-format.md, "Text format"). The parser is in text_parse.cpp.
#include "traces/text_format.hpp"

#include <fmt/format.h>

#include <bit>
#include <iterator>

#include "traces/binary_format.hpp"
#include "traces/record_kinds.hpp"

namespace vtd::traces {

namespace {

// The value of a flag field in r.
unsigned flag_value(const record& r, std::uint8_t mask) {
  return mask ? (r.flags & mask) >> std::countr_zero(mask) : 0u;
}

// The item's field: a plain slot, or the flag field its words name.
std::uint64_t item_field(const record& r, const text_item& item) {
  return item.where == slot::flags && item.flags ? flag_value(r, item.flags->mask) : field_of(r, item.where);
}

bool shown(const record& r, const text_item& item) {
  const show_rule& s = item.shown;
  const bool nonzero = item_field(r, item) != 0;
  if (s.flag_values >> flag_value(r, s.flag_mask) & 1) return !s.then_nonzero || nonzero;
  return s.else_nonzero && nonzero;
}

void append_number(std::string& out, const record& r, const text_item& item) {
  const std::uint64_t v = field_of(r, item.where);
  switch (item.style) {
    case number_style::dec:
      fmt::format_to(std::back_inserter(out), "{}", v);
      break;
    case number_style::hex:
      fmt::format_to(std::back_inserter(out), "0x{:x}", v);
      break;
    case number_style::pages:
      fmt::format_to(std::back_inserter(out), "0x{:x}", v << 12);
      break;
  }
}

// A word of the item's flag field; "?" for a value without one (a record no reader accepts).
std::string_view word_of(const record& r, const text_item& item) {
  auto w = item.flags->words[item_field(r, item) & 3];
  return w.empty() ? "?" : w;
}

void append_item(std::string& out, const record& r, const text_item& item) {
  switch (item.form) {
    case text_form::bdf:
      out += ' ';
      out += format_bdf(static_cast<std::uint16_t>(field_of(r, item.where)));
      break;
    case text_form::number:
      out += ' ';
      append_number(out, r, item);
      break;
    case text_form::word:
      out += ' ';
      out += word_of(r, item);
      break;
    case text_form::key_number:
      fmt::format_to(std::back_inserter(out), " {}=", item.key);
      append_number(out, r, item);
      break;
    case text_form::key_bdf:
      fmt::format_to(std::back_inserter(out), " {}={}", item.key,
                     format_bdf(static_cast<std::uint16_t>(field_of(r, item.where))));
      break;
    case text_form::key_word:
      fmt::format_to(std::back_inserter(out), " {}={}", item.key, word_of(r, item));
      break;
    case text_form::bare_word:
      if (auto w = item.flags->words[item_field(r, item) & 3]; !w.empty()) {
        out += ' ';
        out += w;
      }
      break;
  }
}

}  // namespace

std::string format_bdf(std::uint16_t sid) {
  return fmt::format("{:02x}:{:02x}.{:x}", sid >> 8, (sid >> 3) & 0x1f, sid & 7);
}

void format_record(const record& r, std::string& out) {
  const kind_info& kind = kind_of(r.kind);
  fmt::format_to(std::back_inserter(out), "{} {}", r.time_ps, kind.name);
  for (const auto& item : kind.text)
    if (shown(r, item)) append_item(out, r, item);
}

std::string format_header_directives(std::uint16_t flags) {
  return (flags & header_closed_loop) != 0 ? "#! issue closed\n" : "";
}

std::string format_record(const record& r) {
  std::string s;
  format_record(r, s);
  return s;
}

}  // namespace vtd::traces
