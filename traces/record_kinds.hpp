// The table of record kinds: for each kind its text name, binary code, class, flag fields and the text items
// that carry its fields. The text parser and formatter, the binary validator, `trace stat` and the list of
// kinds in docs/trace-format.md all work from it; adding a kind is one entry in record_kinds.cpp (see
// docs/architecture.md, "Adding a record kind").
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "traces/record.hpp"

namespace vtd::traces {

// What a kind is, for summaries and for code that treats kinds by group.
enum class kind_class : std::uint8_t {
  device_request,       // a device's DMA or interrupt write
  driver_table_change,  // the driver changes the remapping tables (map, attach, ...)
  invalidation,         // the driver invalidates caches or waits for invalidations
  other,
};
std::string_view to_string(kind_class c);

// A group of bits of the record's flags byte and the names of its values. A field of one bit is a flag that
// is set or not; wider fields hold a small enumeration (DMA operation, granularity, ...).
struct flag_field {
  std::string_view name = {};                  // docs: "op", "granularity", "IH"
  std::uint8_t mask = 0;                       // its bits in the flags byte (at most two bits wide)
  std::array<std::string_view, 4> words = {};  // text word per value; "" where the value has no word
  std::uint8_t legal = 0x0f;  // bit v set: value v is valid (binary and text readers refuse others)
  const char* problem = "";   // why a record with a value not in `legal` is refused
  // When the field is not 0, the flag bits under `needs_mask` must equal `needs_value` (Execute Requested
  // needs a read with PASID); both readers refuse other records with `needs_problem`.
  std::uint8_t needs_mask = 0;
  std::uint8_t needs_value = 0;
  const char* needs_problem = "";
  std::uint16_t since = 1;  // the first binary format version with this field (older files refuse its bits)
};

// The record's generic fields (traces/record.hpp).
enum class slot : std::uint8_t { id, addr, value, length, flags };

// How a text item is written. Positional items come first, in order; the others may follow in any order.
enum class text_form : std::uint8_t {
  bdf,         // positional bb:dd.f
  number,      // positional number
  word,        // positional word naming a value of a flag field ("read", "global")
  key_number,  // key=number
  key_bdf,     // key=bb:dd.f
  key_word,    // key=word naming a value of a flag field ("at=treq")
  bare_word,   // a word of a flag field on its own ("ih", "qi", "rw")
};

// How a number is written by the formatter (the parser takes decimal and 0x hex everywhere).
enum class number_style : std::uint8_t {
  dec,
  hex,
  pages,  // the length slot holds 4 KiB pages; the text holds a non-zero multiple of 4 KiB in bytes, in hex
};

// When the formatter writes an item: if the flag bits under `flag_mask` hold a value in `flag_values` (bit v
// for value v; mask 0 reads as value 0), the item is written when `then_nonzero` is false or its field is not
// 0; otherwise only when `else_nonzero` is set and its field is not 0. Fields written only when not 0 are
// what keeps a record's other bits across a text round trip.
struct show_rule {
  std::uint8_t flag_mask = 0;
  std::uint8_t flag_values = 1;
  bool then_nonzero = false;
  bool else_nonzero = false;
};
inline constexpr show_rule always{};
inline constexpr show_rule if_nonzero{0, 1, true, false};
constexpr show_rule if_flags(std::uint8_t mask, std::uint8_t values) {
  return {mask, values, false, false};
}
constexpr show_rule if_flags_or_nonzero(std::uint8_t mask, std::uint8_t values) {
  return {mask, values, false, true};
}
constexpr show_rule if_flags_and_nonzero(std::uint8_t mask, std::uint8_t values) {
  return {mask, values, true, false};
}

// One item of a kind's text: which generic field it fills, how it is written, and what it means.
struct text_item {
  text_form form = text_form::number;
  slot where = slot::value;
  std::string_view key = {};       // key=... forms
  std::string_view what = {};      // noun for parse errors: "a domain id"
  std::uint64_t max = UINT64_MAX;  // largest value the text accepts (in the text's unit)
  number_style style = number_style::hex;
  const flag_field* flags = nullptr;  // word forms: the flag field the words name
  show_rule shown = always;
  std::uint8_t sets = 0;          // flag bits set when the item is given (pasid= sets has-PASID)
  std::string_view missing = {};  // required: "expected <missing>" when a line lacks it
  std::string_view aligned = {};  // the value must be 4 KiB aligned: the noun for the error
  const char* problem = "";       // binary: why a record whose field exceeds `max` (or is misaligned,
                                  // or is 0 for pages) is refused; "" when the slot's width is the limit
  std::string_view meaning = {};  // docs: what the field holds; "" for a field kept only when not 0
};

struct kind_info {
  record_kind kind = record_kind::dma;
  std::string_view name = {};  // in the text format and in summaries
  kind_class cls = kind_class::other;
  bool data_access = false;  // a device request reading or writing `length` bytes at `addr` (trace stat)
  std::span<const flag_field> flags = {};
  std::span<const text_item> text = {};
  std::uint16_t since = 1;  // the first binary format version with this kind (older files refuse it)
};

// The entry of a kind; an unknown code (a corrupt binary record) gets an entry named "?" with no fields.
const kind_info& kind_of(record_kind k);
// kind_of(k).cls == kind_class::device_request, as one bit test (the replay asks it for every record).
// Bit c: the kind of code c is a device request (from the table; codes are below 32).
extern const std::uint32_t device_request_kinds;
inline bool is_device_request(record_kind k) {
  const auto code = static_cast<std::uint8_t>(k);
  return code < 32 && ((device_request_kinds >> code) & 1u) != 0;
}
bool known_kind(record_kind k);
// Every kind, in code order.
std::span<const kind_info* const> all_kinds();
// By text name; nullptr if there is none.
const kind_info* find_kind(std::string_view name);

// What the binary reader checks per record, derived from the table once and looked up by kind code (no string
// work, no virtual calls on the reader's hot path).
struct flag_check {
  std::uint8_t mask = 0;
  std::uint8_t shift = 0;
  std::uint8_t legal = 0;
  const char* problem = "";
};
struct field_check {
  slot where = slot::value;
  std::uint64_t bad_bits = 0;  // any of these set: refused
  bool zero_bad = false;       // 0: refused
  std::uint8_t when = 0;       // only when these flag bits are all set (0: always)
  const char* problem = "";
};
// A flag_field's `needs_*`: when any bit of `when` is set, the bits under `mask` must equal `value`.
struct flag_rule {
  std::uint8_t when = 0;
  std::uint8_t mask = 0;
  std::uint8_t value = 0;
  const char* problem = "";
};
struct binary_checks {
  bool known = false;
  std::uint8_t allowed_flags = 0;
  std::uint8_t n_flags = 0, n_fields = 0, n_rules = 0;
  std::array<flag_check, 8> flags{};
  std::array<field_check, 8> fields{};
  std::array<flag_rule, 4> rules{};
  // Binary format versions: the kind exists from `since`; `allowed_flags_v1` are the bits version 1 knew.
  std::uint16_t since = 1;
  std::uint8_t allowed_flags_v1 = 0;
};
const binary_checks& checks_for(std::uint8_t code);

// A record's generic field by slot.
constexpr std::uint64_t field_of(const record& r, slot s) {
  switch (s) {
    case slot::id:
      return r.id;
    case slot::addr:
      return r.addr;
    case slot::value:
      return r.value;
    case slot::length:
      return r.length;
    case slot::flags:
      return r.flags;
  }
  return 0;
}

// Sets a record's generic field by slot (the value is narrowed to the field's width).
constexpr void set_field(record& r, slot s, std::uint64_t v) {
  switch (s) {
    case slot::id:
      r.id = static_cast<std::uint16_t>(v);
      break;
    case slot::addr:
      r.addr = v;
      break;
    case slot::value:
      r.value = v;
      break;
    case slot::length:
      r.length = static_cast<std::uint32_t>(v);
      break;
    case slot::flags:
      r.flags = static_cast<std::uint8_t>(v);
      break;
  }
}

}  // namespace vtd::traces
