// Words of one text trace line, and the numbers and source-ids in them, with the column of each for errors
// (docs/trace-format.md, "Text format"). Used by the line parser only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vtd::traces {

// Words are separated by blanks (space, tab, CR); '#' starts a comment that runs to the end of the line.
class line_lexer {
 public:
  explicit line_lexer(std::string_view line) : m_line(line) {}

  // The next word, or empty at the end of the line or at a comment.
  std::string_view next();
  // 1-based column of the word next() returned last.
  std::size_t column() const { return m_start + 1; }
  std::size_t line_size() const { return m_line.size(); }
  // Throws text_parse_error "expected EXPECTED, got 'GOT'" at the last word's column plus `offset`.
  [[noreturn]] void fail(std::string_view expected, std::string_view got, std::size_t offset = 0) const;

 private:
  std::string_view m_line;
  std::size_t m_pos = 0;
  std::size_t m_start = 0;
};

// A decimal or 0x hexadecimal number no larger than `max`; `what` names it in the error.
std::uint64_t parse_number(const line_lexer& lx, std::string_view word, std::string_view what,
                           std::uint64_t max, std::size_t offset = 0);
// A source-id written bb:dd.f in hexadecimal.
std::uint16_t parse_bdf(const line_lexer& lx, std::string_view word, std::size_t offset = 0);

}  // namespace vtd::traces
