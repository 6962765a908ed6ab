// Reading traces as streams: text or binary, plain or compressed. The reader detects compression
// (zstd, xz, gzip) and then text vs binary from the first bytes, never from the file name, and never loads
// the whole trace: it decodes fixed-size blocks in place. Errors carry the position: file:line:column for
// text, record index and byte offset for binary (docs/trace-format.md).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "traces/trace_common.hpp"

namespace vtd::traces {

class trace_reader {
 public:
  // path "-" reads standard input. Throws trace_error when the file cannot be opened or its header is bad.
  explicit trace_reader(const std::string& path);
  // Reads from memory (fuzzing and tests); `name` is used in messages.
  trace_reader(std::string name, std::string_view bytes);
  ~trace_reader();
  trace_reader(const trace_reader&) = delete;
  trace_reader& operator=(const trace_reader&) = delete;

  // False at the end. Throws trace_error with the position on malformed input or truncation.
  bool next(record& r) {
    if (m_pos < m_count) {
      r = m_block[m_pos++];
      return true;
    }
    return refill() && next(r);
  }

  trace_format format() const { return m_format; }
  compression compressed() const { return m_compression; }
  const binary_header& header() const { return m_header; }  // binary only (defaults for text)
  std::string description() const;                          // "binary, zstd"
  uint64_t records_read() const { return m_index; }

 private:
  struct impl;
  void open();
  bool refill();
  bool refill_binary();
  bool refill_text();

  std::string m_name;
  std::unique_ptr<impl> m_impl;
  trace_format m_format = trace_format::text;
  compression m_compression = compression::none;
  binary_header m_header;
  std::vector<record> m_block;
  size_t m_pos = 0, m_count = 0;
  uint64_t m_index = 0;  // records decoded so far
  uint64_t m_line = 0;   // text: lines consumed
};

}  // namespace vtd::traces
