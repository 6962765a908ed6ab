// Text trace line parser, driven by the table of record kinds (record_kinds.hpp; grammar in
// docs/trace-format.md, "Text format"): the time, the kind's name, its positional items in order, then its
// key=value items and flag words in any order.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "traces/binary_format.hpp"
#include "traces/record_kinds.hpp"
#include "traces/text_format.hpp"
#include "traces/text_lexer.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces {

namespace {

// "a, b or c"
template <class Names>
std::string join_or(const Names& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// The words of a flag field, all of them or only those of legal values, for messages.
std::string word_list(const flag_field& f, bool legal_only) {
  std::vector<std::string_view> words;
  for (unsigned v = 0; v < f.words.size(); ++v)
    if (!f.words[v].empty() && (!legal_only || (f.legal >> v & 1))) words.push_back(f.words[v]);
  return join_or(words);
}

// "a|b|c": the words of a flag field, for the list of what may follow the positional items.
std::string bar_words(const flag_field& f) {
  std::vector<std::string_view> words;
  for (auto w : f.words)
    if (!w.empty()) words.push_back(w);
  return fmt::format("{}", fmt::join(words, "|"));
}

std::optional<unsigned> word_value(const flag_field& f, std::string_view word) {
  for (unsigned v = 0; v < f.words.size(); ++v)
    if (!f.words[v].empty() && f.words[v] == word) return v;
  return std::nullopt;
}

// A word of a one-bit field sets its bit (so "qi reg" stays queued); a word of a wider field replaces the
// field ("r w" is write-only).
void set_flag_value(record& r, const flag_field& f, unsigned v) {
  const auto bits = static_cast<std::uint8_t>(v << std::countr_zero(f.mask));
  if (std::has_single_bit(f.mask))
    r.flags |= bits;
  else
    r.flags = static_cast<std::uint8_t>((r.flags & ~f.mask) | bits);
}

class line_parser {
 public:
  line_parser(line_lexer& lx, const kind_info& kind, record& r) : m_lx(lx), m_kind(kind), m_r(r) {}

  void run() {
    for (const auto& item : m_kind.text)
      if (positional(item)) parse_positional(item);
    for (auto word = m_lx.next(); !word.empty(); word = m_lx.next())
      if (!parse_named(word)) m_lx.fail(named_items(), word);
    for (std::size_t i = 0; i < m_kind.text.size(); ++i)
      if (!m_kind.text[i].missing.empty() && !(m_given >> i & 1))
        throw text_parse_error(m_lx.line_size() + 1, fmt::format("expected {}", m_kind.text[i].missing));
    check_needs();
  }

 private:
  static bool positional(const text_item& item) {
    switch (item.form) {
      case text_form::bdf:
      case text_form::number:
      case text_form::word:
        return true;
      case text_form::key_number:
      case text_form::key_bdf:
      case text_form::key_word:
      case text_form::bare_word:
        return false;
    }
    return false;
  }

  // A flag that needs others (ER needs a read with PASID) is refused at the word that set it, as the binary
  // reader refuses the record.
  void check_needs() const {
    for (const auto& f : m_kind.flags) {
      if (!f.needs_mask || (m_r.flags & f.mask) == 0 || (m_r.flags & f.needs_mask) == f.needs_value) continue;
      std::size_t column = 1;
      for (std::size_t i = 0; i < m_kind.text.size(); ++i)
        if (m_kind.text[i].flags && m_kind.text[i].flags->mask == f.mask && (m_given >> i & 1))
          column = m_column[i];
      throw text_parse_error(column, f.needs_problem);
    }
  }

  void parse_positional(const text_item& item) {
    const auto word = m_lx.next();
    if (item.form == text_form::bdf)
      set_field(m_r, item.where, parse_bdf(m_lx, word));
    else if (item.form == text_form::number)
      set_field(m_r, item.where, parse_number(m_lx, word, item.what, item.max));
    else
      parse_word(item, word, 0);
  }

  // A word naming a value of the item's flag field, `offset` characters into the current word.
  void parse_word(const text_item& item, std::string_view word, std::size_t offset) {
    const flag_field& f = *item.flags;
    const auto v = word_value(f, word);
    if (!v) {
      const auto words = word_list(f, false);
      m_lx.fail(item.what.empty() ? words : fmt::format("{} ({})", item.what, words), word, offset);
    }
    if (!(f.legal >> *v & 1))
      throw text_parse_error(m_lx.column() + offset, fmt::format("expected {}", word_list(f, true)));
    set_flag_value(m_r, f, *v);
  }

  void parse_key_number(const text_item& item, std::string_view value, std::size_t offset) {
    auto v = parse_number(m_lx, value, item.what, item.max, offset);
    if (!item.aligned.empty() && (v & 0xfff)) m_lx.fail(item.aligned, value, offset);
    if (item.style == number_style::pages) {
      if (v == 0 || (v & 0xfff)) m_lx.fail("a non-zero multiple of 4 KiB", value, offset);
      v >>= 12;
    }
    set_field(m_r, item.where, v);
  }

  // `key=value` or a bare word; false when no item of the kind takes it. A key matches with or without '='
  // (the value is then empty and refused); a bare word matches when nothing follows an '='.
  bool parse_named(std::string_view word) {
    const auto eq = word.find('=');
    const bool has_eq = eq != std::string_view::npos;
    const auto key = has_eq ? word.substr(0, eq) : word;
    const auto value = has_eq ? word.substr(eq + 1) : std::string_view{};
    const std::size_t offset = has_eq ? eq + 1 : 0;
    for (std::size_t i = 0; i < m_kind.text.size(); ++i) {
      const text_item& item = m_kind.text[i];
      if (!take_named(item, key, value, offset)) continue;
      m_r.flags |= item.sets;
      m_given |= std::uint32_t{1} << i;
      m_column[i] = m_lx.column();
      return true;
    }
    return false;
  }

  bool take_named(const text_item& item, std::string_view key, std::string_view value, std::size_t offset) {
    switch (item.form) {
      case text_form::bdf:
      case text_form::number:
      case text_form::word:
        return false;
      case text_form::key_number:
        if (key != item.key) return false;
        parse_key_number(item, value, offset);
        return true;
      case text_form::key_bdf:
        if (key != item.key) return false;
        set_field(m_r, item.where, parse_bdf(m_lx, value, offset));
        return true;
      case text_form::key_word:
        if (key != item.key) return false;
        parse_word(item, value, offset);
        return true;
      case text_form::bare_word: {
        if (!value.empty()) return false;
        const auto v = word_value(*item.flags, key);
        if (!v) return false;
        // A word of a value the kind does not allow ("reg" for a queued-only invalidation).
        if (!(item.flags->legal >> *v & 1))
          m_lx.fail(item.missing.empty() ? word_list(*item.flags, true) : item.missing, key);
        set_flag_value(m_r, *item.flags, *v);
        return true;
      }
    }
    return false;
  }

  // What may follow the positional items, for the message about a word nothing takes.
  std::string named_items() const {
    std::vector<std::string> names;
    for (const auto& item : m_kind.text) {
      if (positional(item)) continue;
      if (item.form == text_form::bare_word)
        names.push_back(bar_words(*item.flags));
      else if (item.form == text_form::key_word)
        names.push_back(fmt::format("{}={}", item.key, bar_words(*item.flags)));
      else
        names.push_back(fmt::format("{}=", item.key));
    }
    return join_or(names);
  }

  line_lexer& m_lx;
  const kind_info& m_kind;
  record& m_r;
  std::uint32_t m_given = 0;               // bit i: the kind's text item i was given
  std::array<std::size_t, 32> m_column{};  // ... at this column
};

std::string kind_names() {
  std::vector<std::string_view> names;
  for (const kind_info* k : all_kinds()) names.push_back(k->name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

bool parse_header_directive(std::string_view line, text_header& h) {
  if (!line.starts_with("#!")) return false;
  // The words after "#!", at their own columns: the lexer would take the whole line for a comment.
  std::string words(line);
  words[0] = words[1] = ' ';
  line_lexer lx(words);
  const auto key = lx.next();
  if (key != "issue") lx.fail("a header directive (issue)", key);
  const std::size_t key_column = lx.column();
  const auto value = lx.next();
  std::uint16_t flags = 0;
  if (value == "closed")
    flags = header_closed_loop;
  else if (value != "open")
    lx.fail("open or closed", value);
  if (const auto extra = lx.next(); !extra.empty()) lx.fail("end of the directive", extra);
  if (h.issue_given) throw text_parse_error(key_column, "'issue' directive given twice");
  h.issue_given = true;
  h.flags = static_cast<std::uint16_t>((h.flags & ~header_closed_loop) | flags);
  return true;
}

bool parse_record_line(std::string_view line, record& out) {
  line_lexer lx(line);
  auto word = lx.next();
  if (word.empty()) return false;
  record r;
  r.time_ps = parse_number(lx, word, "a time in picoseconds", UINT64_MAX);
  word = lx.next();
  const kind_info* kind = find_kind(word);
  if (!kind) lx.fail(fmt::format("a record kind ({})", kind_names()), word);
  r.kind = kind->kind;
  line_parser(lx, *kind, r).run();
  out = r;
  return true;
}

}  // namespace vtd::traces
