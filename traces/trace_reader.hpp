// Reading traces as streams: text or binary, plain or compressed. The reader detects compression
// (zstd, xz, gzip) and then text vs binary from the first bytes, never from the file name, and never loads
// the whole trace: it decodes fixed-size blocks in place. Regular files are memory-mapped; pipes, FIFOs,
// devices and standard input are read with read(2) and sniffed from a buffer the reader keeps (never by
// seeking or putting bytes back). Every input is bounded: text lines are at most max_text_line_bytes, records
// must be in time order, the first bytes must look like a trace, and compressed streams must be complete.
// Errors carry the position: file:line:column for text, record index and byte offset for binary
// (docs/trace-format.md, "Errors and bounds"). A mapped file's pages are released behind the reader, so that
// replaying a trace of any length keeps a bounded part of it resident.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "traces/binary_format.hpp"
#include "traces/trace_common.hpp"

namespace vtd::traces {

// The longest text line the reader accepts (bytes, without the newline): longer lines, and endless input
// without a newline (/dev/zero, a decompression bomb), end in "FILE:LINE:4097: line too long".
inline constexpr std::size_t max_text_line_bytes = 4096;

class trace_reader {
 public:
  // Sees every raw byte of the input (before decompression) once, in order, as the reader reads it: a pipe,
  // FIFO, device or standard input as read(2) returns it; a mapped regular file in pieces as the reader
  // moves through the mapping, and whatever it never needed (bytes after the last compressed frame) when
  // it reaches the end (next() returns false): an observer that has seen the end has seen the whole file
  // (the replay's fingerprint is computed so, in the one pass that reads the trace).
  using raw_observer = std::function<void(std::string_view bytes)>;

  // path "-" reads standard input. Throws trace_error when the file cannot be opened, is a directory, or does
  // not start like a trace (bad binary header, garbage, an empty or truncated compressed stream).
  explicit trace_reader(const std::string& path, raw_observer observer = {});
  // Reads from memory (fuzzing and tests); `name` is used in messages.
  trace_reader(std::string name, std::string_view bytes);
  ~trace_reader();
  trace_reader(const trace_reader&) = delete;
  trace_reader& operator=(const trace_reader&) = delete;

  // False at the end. Throws trace_error with the position on malformed input, records out of time order,
  // truncation or a corrupt compressed stream.
  bool next(record& r) {
    if (m_pos < m_count) {
      r = m_block[m_pos++];
      return true;
    }
    return refill() && next(r);
  }
  // The records next() would return one by one, a block at a time: the rest of the current block, refilled
  // when it is used up; empty at the end. The same records in the same order, with the same errors at the
  // same points (each block is decoded and checked whole before any of its records is returned, as for
  // next()). Valid until the next call of next() or next_block().
  std::span<const record> next_block() {
    if (m_pos == m_count && !refill()) return {};
    const std::span<const record> out(m_block.data() + m_pos, m_count - m_pos);
    m_pos = m_count;
    return out;
  }

  trace_format format() const { return m_format; }
  compression compressed() const { return m_compression; }
  // Describes the records next() returns: time_unit_ps is always 1, since record times are scaled to
  // picoseconds; the unit the file was written in is file_time_unit_ps(). header().version is the file's
  // format version (records a version-1 file cannot hold are refused). header().flags holds
  // header_closed_loop for a closed-loop trace, in both formats (text: the "#! issue closed" directive, read
  // when the reader is constructed); the other fields are the binary header's (defaults for text).
  const binary_header& header() const { return m_header; }
  std::uint32_t file_time_unit_ps() const { return m_file_time_unit; }
  std::string description() const;  // "binary, zstd"
  uint64_t records_read() const { return m_index; }
  // How far through its input the reader is, 0..1, for progress lines: the position in the (compressed) file
  // for a regular file or memory; -1 for a stream, whose length is unknown.
  double fraction_read() const;
  const std::string& name() const { return m_name; }  // as in messages ("<stdin>" for "-")
  // The reader reached the end of its input and its observer has seen every byte of it (false before the
  // end, and for a descriptor whose decompressor stopped before the descriptor's end).
  bool observed_all() const;

 private:
  struct impl;
  void open();
  void open_path(const std::string& path);
  void classify(const char* head, size_t got);
  bool refill();
  // Runs one step of reading, turning problems of the input stream into trace_error with the position.
  bool guarded(const std::function<bool()>& step);
  bool refill_binary();
  bool refill_text();
  bool next_text_line(std::string_view& line);
  void read_text_directives();
  template <bool Scaled>
  void decode_block(const char* data, size_t whole, uint64_t byte_offset);

  std::string m_name;
  std::unique_ptr<impl> m_impl;
  trace_format m_format = trace_format::text;
  compression m_compression = compression::none;
  binary_header m_header;
  std::uint32_t m_file_time_unit = 1;
  record_checker m_checker;  // binary: record_problem for the file's version
  std::vector<record> m_block;
  size_t m_pos = 0, m_count = 0;
  uint64_t m_index = 0;      // records decoded so far
  uint64_t m_line = 0;       // text: lines consumed
  uint64_t m_last_time = 0;  // time of the last record decoded (records must not go back in time)
  uint64_t m_last_line = 0;  // text: the line of that record
};

}  // namespace vtd::traces
