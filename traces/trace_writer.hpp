// Writing traces as streams: text or binary, plain or compressed (docs/trace-format.md).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "traces/trace_common.hpp"

namespace vtd::traces {

class trace_writer {
 public:
  // Follows the output-file rules of model/io/output_file.hpp: a regular file appears only on close()
  // (destroying an unclosed writer leaves no trace of it), devices and FIFOs are written directly, symbolic
  // links are written through, "-" is standard output.
  trace_writer(const std::string& path, trace_format format, compression comp,
               const binary_header& header = {});
  ~trace_writer();
  trace_writer(const trace_writer&) = delete;
  trace_writer& operator=(const trace_writer&) = delete;

  void write(const record& r) {
    m_buffer[m_used++] = r;
    ++m_written;
    if (m_used == m_buffer.size()) flush();
  }
  // The same bytes as writing each record in turn.
  void write(std::span<const record> records);
  void close();
  uint64_t written() const { return m_written; }

 private:
  struct impl;
  void flush();

  std::string m_path;
  trace_format m_format;
  compression m_compression;
  binary_header m_header;
  std::unique_ptr<impl> m_impl;
  std::vector<record> m_buffer;
  size_t m_used = 0;
  uint64_t m_written = 0;
  bool m_closed = false;
};

}  // namespace vtd::traces
