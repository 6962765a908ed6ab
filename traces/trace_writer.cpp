// Streaming trace writer (see header).
#include "traces/trace_writer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <boost/iostreams/device/file_descriptor.hpp>
#include <cerrno>
// GCC 12 reports a false -Wrestrict inside Boost's gzip_compressor header (GCC bug 105329, std::string
// insert inlined at -O3); it is not in vtdsim's code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <optional>

#include "model/io/output_file.hpp"
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"

namespace bio = boost::iostreams;

namespace vtd::traces {

namespace {
// Records buffered between writes: 8192 records are 256 KiB, large enough that the kernel's per-write cost
// is small against the copy (4 KiB writes cost some 3x the system time of 64 KiB ones for a 320 MB trace).
constexpr size_t kBlockRecords = 8192;

// The records' in-memory layout is the binary format's on a little-endian host (record.hpp, "identical in
// memory and in the binary format"), so an uncompressed binary trace is written straight from the buffer.
constexpr bool kRawRecords = std::endian::native == std::endian::little;
}  // namespace

// ---------------------------------------------------------------------------------------------------- writer

struct trace_writer::impl {
  std::optional<vtd::io::output_file> file;  // the output rules of model/io/output_file.hpp
  // An uncompressed binary trace goes to the file descriptor in whole buffers; anything else through the
  // stream (Boost's stream hands its device 4 KiB at a time).
  bool direct = false;
  bio::filtering_ostream out;
  std::string text;
};

namespace {
// Writes all of `bytes` to `fd` (a pipe or a terminal may take fewer at a time; a signal may interrupt).
bool write_all(int fd, const void* bytes, size_t n) {
  const char* p = static_cast<const char*>(bytes);
  while (n) {
    const ssize_t k = ::write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= size_t(k);
  }
  return true;
}
}  // namespace

trace_writer::trace_writer(const std::string& path, trace_format format, compression comp,
                           const binary_header& header)
    : m_path(path),
      m_format(format),
      m_compression(comp),
      m_header(header),
      m_impl(std::make_unique<impl>()),
      m_buffer(kBlockRecords) {
  try {
    m_impl->file.emplace(path);
  } catch (const vtd::io::output_error& e) {
    throw trace_error(e.what());
  }
  m_impl->direct = format == trace_format::binary && comp == compression::none && kRawRecords;
  if (m_impl->direct) {
    std::byte h[binary_header_size];
    encode_header(m_header, h);
    if (!write_all(m_impl->file->fd(), h, binary_header_size))
      throw trace_error(fmt::format("{}: write failed", m_path));
    return;
  }
  switch (comp) {
    // zstd level 3 (its default): fast enough to keep up with the generator, and far smaller than raw.
    case compression::zstd:
      m_impl->out.push(bio::zstd_compressor(bio::zstd_params(3)));
      break;
    case compression::xz:
      m_impl->out.push(bio::lzma_compressor());
      break;
    case compression::gzip:
      m_impl->out.push(bio::gzip_compressor());
      break;
    case compression::none:
      break;
  }
  m_impl->out.push(bio::file_descriptor_sink(m_impl->file->fd(), bio::never_close_handle));
  if (format == trace_format::binary) {
    std::byte h[binary_header_size];
    encode_header(m_header, h);
    m_impl->out.write(reinterpret_cast<const char*>(h), binary_header_size);
  } else {
    // A text trace says its header flags in directive lines before the first record ("#! issue closed").
    const std::string directives = format_header_directives(m_header.flags);
    m_impl->out.write(directives.data(), std::streamsize(directives.size()));
  }
}

// Without close(), the output_file removes its temporary: a failed run never leaves a half-written trace.
trace_writer::~trace_writer() = default;

void trace_writer::write(std::span<const record> records) {
  // A block at least half the buffer long goes to the file as it is when nothing is buffered before it: the
  // generator's blocks are written without a copy.
  if (m_impl->direct && m_used == 0 && records.size() >= m_buffer.size() / 2) {
    if (!write_all(m_impl->file->fd(), records.data(), records.size_bytes()))
      throw trace_error(fmt::format("{}: write failed", m_path));
    m_written += records.size();
    return;
  }
  while (!records.empty()) {
    const size_t n = std::min(records.size(), m_buffer.size() - m_used);
    std::copy_n(records.begin(), n, m_buffer.begin() + std::ptrdiff_t(m_used));
    m_used += n;
    m_written += n;
    records = records.subspan(n);
    if (m_used == m_buffer.size()) flush();
  }
}

void trace_writer::flush() {
  if (m_impl->direct) {
    static_assert(sizeof(record) == binary_record_size);
    if (!write_all(m_impl->file->fd(), m_buffer.data(), m_used * sizeof(record)))
      throw trace_error(fmt::format("{}: write failed", m_path));
    m_used = 0;
    return;
  }
  if (m_format == trace_format::binary) {
    static_assert(sizeof(record) == binary_record_size);
    std::byte buf[binary_record_size];
    if constexpr (std::endian::native == std::endian::little) {
      m_impl->out.write(reinterpret_cast<const char*>(m_buffer.data()),
                        std::streamsize(m_used * sizeof(record)));
    } else {
      for (size_t i = 0; i < m_used; ++i) {
        encode_record(m_buffer[i], buf);
        m_impl->out.write(reinterpret_cast<const char*>(buf), binary_record_size);
      }
    }
  } else {
    auto& t = m_impl->text;
    t.clear();
    for (size_t i = 0; i < m_used; ++i) {
      format_record(m_buffer[i], t);
      t += '\n';
    }
    m_impl->out.write(t.data(), std::streamsize(t.size()));
  }
  m_used = 0;
  if (!m_impl->out) throw trace_error(fmt::format("{}: write failed", m_path));
}

void trace_writer::close() {
  if (m_closed) return;
  // A compressed stream that decompresses to nothing is refused by the reader (it cannot be told from a
  // truncated one), so an empty compressed text trace says what it is in a comment line.
  if (m_format == trace_format::text && m_compression != compression::none && m_written == 0) {
    static constexpr std::string_view kEmpty = "# vtdsim text trace with no records\n";
    m_impl->out.write(kEmpty.data(), std::streamsize(kEmpty.size()));
  }
  flush();
  if (!m_impl->direct) m_impl->out.reset();  // flushes and finishes the compressed frame
  // An uncompressed binary trace written to a regular file gets its record count patched into the header;
  // a stream keeps 0 ("unknown": the reader reads to the end).
  if (m_format == trace_format::binary && m_compression == compression::none && m_impl->file->seekable()) {
    m_header.record_count = m_written;
    std::byte h[binary_header_size];
    encode_header(m_header, h);
    if (::pwrite(m_impl->file->fd(), h, binary_header_size, 0) != ssize_t(binary_header_size))
      throw trace_error(fmt::format("{}: write failed", m_path));
  }
  try {
    m_impl->file->commit();
  } catch (const vtd::io::output_error& e) {
    throw trace_error(e.what());
  }
  m_closed = true;
}

}  // namespace vtd::traces
