// Errors raised while reading or writing a trace; they carry the position (docs/trace-format.md, "Errors").
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vtd::traces {

// what() is the full message, e.g. "nic.trace:12:7: expected a number, got 'x12'" (text) or
// "t.bin: bad record kind 0x2a at record 17, byte offset 608" (binary).
class trace_error : public std::runtime_error {
 public:
  explicit trace_error(const std::string& message) : std::runtime_error(message) {}
};

// Raised by the line parser with the 1-based column; the reader adds file and line.
class text_parse_error : public std::runtime_error {
 public:
  text_parse_error(std::size_t column, const std::string& message)
      : std::runtime_error(message), m_column(column) {}
  std::size_t column() const { return m_column; }

 private:
  std::size_t m_column;
};

}  // namespace vtd::traces
