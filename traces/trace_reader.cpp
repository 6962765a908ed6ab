// Streaming trace reader (see header).
#include "traces/trace_reader.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "model/io/output_file.hpp"
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"

namespace bio = boost::iostreams;

namespace vtd::traces {

namespace {
constexpr size_t kBlockRecords = 4096;
constexpr size_t kReadChunk = 65536;
// Mapped pages are released behind the reader once this much has been read past the last release: the
// resident part of a mapped trace stays below about twice this, whatever the trace's length.
constexpr size_t kReleaseWindow = size_t(8) << 20;
// madvise takes page-aligned ranges; the mapping starts on a page.
size_t page_size() {
  static const size_t size = [] {
    const long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? size_t(p) : size_t(4096);
  }();
  return size;
}

compression sniff(const unsigned char* b, size_t n) {
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD) return compression::zstd;
  // A zstd stream may start with a skippable frame (magic 0x184D2A5?, e.g. metadata written by pzstd).
  if (n >= 4 && (b[0] & 0xF0) == 0x50 && b[1] == 0x2A && b[2] == 0x4D && b[3] == 0x18)
    return compression::zstd;
  if (n >= 6 && b[0] == 0xFD && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' && b[5] == 0)
    return compression::xz;
  if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B) return compression::gzip;
  return compression::none;
}

// A problem of the input stream itself (a truncated or corrupt compressed stream, a read error); the reader
// adds the file name and where it was.
struct stream_problem : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The decompressor of Boost.Iostreams ends quietly when a zstd stream stops inside a frame, so the reader
// follows the frame structure itself (RFC 8878, section 3.1) from the frame and block headers alone: block
// contents are skipped, never decoded. A stream is complete when it ends between frames.
class zstd_frames {
 public:
  void feed(const char* p, size_t n) {
    m_bytes += n;
    while (n > 0 && !m_error) {
      switch (m_state) {
        case state::magic:
        case state::block_header:
        case state::skippable_size: {
          const size_t field = m_state == state::block_header ? 3 : 4;
          while (n > 0 && m_have < field) m_field[m_have++] = static_cast<unsigned char>(*p++), --n;
          if (m_have == field) field_done();
          break;
        }
        case state::descriptor: {
          const auto d = static_cast<unsigned char>(*p++);
          --n;
          if (d & 0x08) {
            m_error = "reserved bit set in a frame header";
            break;
          }
          const unsigned fcs_flag = d >> 6, single_segment = (d >> 5) & 1, dict_flag = d & 3;
          static constexpr unsigned dict_bytes[4] = {0, 1, 2, 4};
          const unsigned fcs_bytes = fcs_flag == 0 ? single_segment : 1u << fcs_flag;
          m_checksum = (d >> 2) & 1;
          skip(state::header, (single_segment ? 0 : 1) + dict_bytes[dict_flag] + fcs_bytes);
          break;
        }
        case state::header:
        case state::block:
        case state::checksum:
        case state::skippable: {
          const uint64_t k = std::min<uint64_t>(m_skip, n);
          p += k;
          n -= size_t(k);
          m_skip -= k;
          if (m_skip == 0) skipped();
          break;
        }
      }
    }
  }
  // Empty when the stream ended between frames after at least one frame; otherwise what is wrong.
  std::string problem() const {
    if (m_error) return fmt::format("corrupt zstd stream ({})", m_error);
    if (m_state != state::magic || m_have != 0)
      return fmt::format("truncated zstd stream (it ends inside a frame, after {} compressed bytes)",
                         m_bytes);
    if (m_frames == 0) return "empty zstd stream (no frame)";
    return {};
  }

 private:
  enum class state : uint8_t {
    magic,
    descriptor,
    header,
    block_header,
    block,
    checksum,
    skippable_size,
    skippable
  };
  uint32_t field_value() const {
    uint32_t v = 0;
    for (unsigned i = m_have; i-- > 0;) v = (v << 8) | m_field[i];
    return v;
  }
  void field_done() {
    const uint32_t v = field_value();
    m_have = 0;
    switch (m_state) {
      case state::magic:
        if (v == 0xFD2FB528u)
          m_state = state::descriptor;
        else if ((v & 0xFFFFFFF0u) == 0x184D2A50u)
          m_state = state::skippable_size;
        else
          m_error = "bad frame magic";
        return;
      case state::block_header: {
        m_last_block = v & 1;
        const unsigned type = (v >> 1) & 3;
        if (type == 3) {
          m_error = "reserved block type";
          return;
        }
        skip(state::block, type == 1 ? 1 : v >> 3);  // an RLE block holds one byte
        return;
      }
      case state::skippable_size:
        skip(state::skippable, v);
        return;
      case state::descriptor:
      case state::header:
      case state::block:
      case state::checksum:
      case state::skippable:
        return;
    }
  }
  void skip(state s, uint64_t bytes) {
    m_state = s;
    m_skip = bytes;
    if (bytes == 0) skipped();
  }
  void skipped() {
    switch (m_state) {
      case state::header:
        m_state = state::block_header;
        return;
      case state::block:
        if (!m_last_block)
          m_state = state::block_header;
        else if (m_checksum)
          skip(state::checksum, 4);
        else
          end_frame();
        return;
      case state::checksum:
      case state::skippable:
        end_frame();
        return;
      case state::magic:
      case state::descriptor:
      case state::block_header:
      case state::skippable_size:
        return;
    }
  }
  void end_frame() {
    if (m_state != state::skippable) ++m_frames;
    m_state = state::magic;
  }

  state m_state = state::magic;
  unsigned char m_field[4] = {};
  unsigned m_have = 0;
  uint64_t m_skip = 0;
  bool m_checksum = false, m_last_block = false;
  uint64_t m_frames = 0, m_bytes = 0;
  const char* m_error = nullptr;
};

// Bytes as text for messages: printable ASCII as is, the rest as \xNN.
std::string printable(const char* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\')
      s += char(c);
    else
      s += fmt::format("\\x{:02x}", c);
  }
  return s;
}

std::string hex_bytes(const char* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned char>(p[i]));
  return s;
}

// Whether the first line of `head` has bytes no text has: control characters but tab and CR (bytes from 0x80
// are allowed: comments may be UTF-8).
bool binary_bytes_in_first_line(const char* head, size_t n) {
  for (size_t i = 0; i < n && head[i] != '\n'; ++i) {
    const auto c = static_cast<unsigned char>(head[i]);
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) return true;
  }
  return false;
}

// Whether the content can be a text trace at all: a line starts with a time (a digit), '#', a blank or its
// end, and whatever is printable ASCII is left to the parser (which reports it with its position). A NUL or
// other control character, DEL or a non-ASCII byte first is garbage (/dev/zero, an executable, an image).
bool plausible_text_start(const char* head, size_t n) {
  if (n == 0) return true;
  const auto c = static_cast<unsigned char>(head[0]);
  return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n';
}

// Whether `head` looks like a damaged binary header: no text trace starts with 'V' (a line starts with a
// time, '#' or a blank), and a header with most of the magic in place also has binary bytes after it.
bool starts_like_binary_magic(const char* head, size_t n) {
  if (n == 0) return false;
  if (head[0] == binary_magic[0]) return true;
  if (n < binary_magic.size() || !binary_bytes_in_first_line(head, n)) return false;
  unsigned same = 0;
  for (size_t i = 0; i < binary_magic.size(); ++i) same += head[i] == binary_magic[i];
  return same >= 5;
}

std::string gzip_problem(const bio::gzip_error& e) {
  const int code = e.error();
  if (code == bio::gzip::zlib_error) {
    const int z = e.zlib_error_code();
    if (z == bio::zlib::data_error) return "corrupt gzip stream (bad deflate data)";
    if (z == bio::zlib::buf_error) return "truncated gzip stream";
    return fmt::format("corrupt gzip stream (zlib error {})", z);
  }
  if (code == bio::gzip::bad_crc) return "corrupt gzip stream (CRC mismatch)";
  if (code == bio::gzip::bad_length) return "corrupt gzip stream (length mismatch)";
  if (code == bio::gzip::bad_header)
    return "truncated or corrupt gzip stream (missing or bad member header, or bytes after the last member)";
  if (code == bio::gzip::bad_footer) return "truncated gzip stream (it ends before the member's footer)";
  if (code == bio::gzip::bad_method) return "gzip stream with an unsupported compression method";
  return fmt::format("corrupt gzip stream (error {})", code);
}

std::string lzma_problem(const bio::lzma_error& e) {
  const int code = e.error();
  if (code == bio::lzma::buf_error) return "truncated xz stream";
  if (code == bio::lzma::data_error) return "corrupt xz stream (bad data)";
  if (code == bio::lzma::mem_error) return "xz stream needs more memory than is available";
  return fmt::format("corrupt xz stream (liblzma error {})", code);
}

std::string zstd_problem(const bio::zstd_error& e) {
  std::string what = e.what();
  if (auto p = what.find(": iostream error"); p != std::string::npos) what.erase(p);
  return fmt::format("corrupt zstd stream ({})", what);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------- reader

struct trace_reader::impl {
  // The raw input is either a view (a mapped regular file, or memory) or a descriptor (anything else).
  std::string memory;  // when reading from memory
  const char* view = nullptr;
  size_t view_size = 0;
  size_t view_pos = 0;  // next unread byte of an uncompressed view
  void* map = nullptr;
  size_t map_len = 0;
  int fd = -1;
  bool own_fd = false;
  raw_observer observer;
  // Descriptor input: the first bytes, read to recognise the compression, are handed out again first.
  std::string prefix;
  size_t prefix_pos = 0;
  bool raw_eof = false;

  compression comp = compression::none;
  zstd_frames frames;         // zstd: follows the frames, to tell a complete stream from a truncated one
  bio::filtering_istream in;  // decompression chain over the view or the descriptor
  bool content_eof = false;
  uint64_t content_offset = 0;  // (decompressed) bytes handed out so far

  // A mapped file: the bytes of the view handed to the observer so far, and the mapped pages given back to
  // the kernel behind the reader (below `released`): a 10^9-record trace must not stay resident.
  size_t observed = 0;
  size_t released = 0;
  bool finished = false;  // the end was reached: the whole view has been observed

  bool direct = false;    // uncompressed binary decoded in place from `view`
  std::vector<char> raw;  // binary block buffer (everything but `direct`)
  std::string text;       // text: bytes read ahead; text_pos is the start of the next line
  size_t text_pos = 0, text_scan = 0;

  ~impl() {
    try {
      in.reset();
    } catch (...) {  // closing a half-read decompressor: nothing to report any more
    }
    if (map) munmap(map, map_len);
    if (own_fd && fd >= 0) ::close(fd);
  }

  // The observer sees the view's bytes up to `end` (once each, in order).
  void observe_to(size_t end) {
    if (observer && end > observed) {
      observer(std::string_view(view + observed, end - observed));
      observed = end;
    }
  }
  // The reader will not read the mapping below `pos` again: whole pages below it (but the last window, so
  // that madvise runs once per window) are dropped from the process. The file is mapped read-only and
  // private, so a page read again would only come back from the page cache with the same bytes.
  void release_below(size_t pos) {
    if (!map || pos < released + kReleaseWindow) return;
    const size_t end = pos & ~(page_size() - 1);
    if (end <= released) return;
    madvise(static_cast<char*>(map) + released, end - released, MADV_DONTNEED);
    released = end;
  }
  // The end of the input was reached: whatever of the view was not read (the bytes after the last zstd
  // frame the decompressor needed, say) is observed too, so that an observer has seen the whole file.
  void finish() {
    if (finished) return;
    finished = true;
    if (view) observe_to(view_size);
  }

  // One read(2) of the descriptor (EINTR retried); 0 at the end.
  size_t read_fd(char* out, size_t n) {
    for (;;) {
      const ssize_t k = ::read(fd, out, n);
      if (k >= 0) {
        if (k > 0 && observer) observer(std::string_view(out, size_t(k)));
        return size_t(k);
      }
      if (errno != EINTR) throw stream_problem(fmt::format("read error: {}", std::strerror(errno)));
    }
  }

  // Raw bytes of a descriptor input: the sniffed prefix, then the descriptor. -1 at the end (Boost's rule).
  std::streamsize read_raw(char* out, std::streamsize n) {
    if (prefix_pos < prefix.size()) {
      const size_t k = std::min(prefix.size() - prefix_pos, size_t(n));
      std::memcpy(out, prefix.data() + prefix_pos, k);
      prefix_pos += k;
      return std::streamsize(k);
    }
    if (raw_eof) return -1;
    const size_t k = read_fd(out, size_t(n));
    if (k == 0) {
      raw_eof = true;
      return -1;
    }
    if (comp == compression::zstd) frames.feed(out, k);
    return std::streamsize(k);
  }

  // The descriptor as a Boost source (under the decompressor).
  struct device {
    using char_type = char;
    using category = bio::source_tag;
    impl* s;
    std::streamsize read(char* out, std::streamsize n) { return s->read_raw(out, n); }
  };

  // A compressed view, read through a position the progress line can see (fraction_read()).
  size_t compressed_pos = 0;
  struct view_device {
    using char_type = char;
    using category = bio::source_tag;
    impl* s;
    std::streamsize read(char* out, std::streamsize n) {
      const size_t k = std::min(size_t(n), s->view_size - s->compressed_pos);
      if (k == 0) return -1;
      std::memcpy(out, s->view + s->compressed_pos, k);
      // The zstd frame follower reads the compressed bytes here, as they go by, not from the mapping at the
      // end: pages behind the reader are released.
      if (s->comp == compression::zstd) s->frames.feed(s->view + s->compressed_pos, k);
      s->compressed_pos += k;
      s->observe_to(s->compressed_pos);
      s->release_below(s->compressed_pos);
      return std::streamsize(k);
    }
  };

  // Up to n bytes of content (decompressed). With `fill`, stops short only at the end; without, returns as
  // soon as it has something (a live pipe is parsed as it comes). 0 only at the end, where a compressed
  // stream must be complete (stream_problem otherwise).
  size_t read_content(char* out, size_t n, bool fill) {
    if (content_eof || n == 0) return 0;
    size_t got = 0;
    if (comp != compression::none) {
      in.read(out, std::streamsize(n));
      got = size_t(in.gcount());
      if (got < n) {
        content_eof = true;
        if (comp == compression::zstd) {
          // A mapped stream's bytes the decompressor did not ask for (view_device fed the others).
          if (view) frames.feed(view + compressed_pos, view_size - compressed_pos);
          if (std::string p = frames.problem(); !p.empty()) throw stream_problem(p);
        }
      }
    } else if (view) {
      got = std::min(n, view_size - view_pos);
      std::memcpy(out, view + view_pos, got);
      view_pos += got;
      content_eof = view_pos == view_size;
      observe_to(view_pos);
      release_below(view_pos);
    } else {
      while (got < n) {
        const std::streamsize k = read_raw(out + got, std::streamsize(n - got));
        if (k < 0) {
          content_eof = true;
          break;
        }
        got += size_t(k);
        if (!fill) break;
      }
    }
    content_offset += got;
    return got;
  }
};

trace_reader::trace_reader(const std::string& path, raw_observer observer)
    : m_name(path == "-" ? "<stdin>" : path), m_impl(std::make_unique<impl>()) {
  m_impl->observer = std::move(observer);
  open_path(path);
  open();
}

trace_reader::trace_reader(std::string name, std::string_view bytes)
    : m_name(std::move(name)), m_impl(std::make_unique<impl>()) {
  m_impl->memory.assign(bytes.data(), bytes.size());
  m_impl->view = m_impl->memory.data();
  m_impl->view_size = m_impl->memory.size();
  open();
}

trace_reader::~trace_reader() = default;

void trace_reader::open_path(const std::string& path) {
  auto& s = *m_impl;
  if (path.empty()) throw trace_error("trace: empty file name");
  if (path == "-") {
    s.fd = 0;  // standard input is always read as a stream (it may be a pipe, or a file read part-way)
  } else {
    s.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (s.fd < 0) throw trace_error(fmt::format("{}: cannot open: {}", m_name, std::strerror(errno)));
    s.own_fd = true;
  }
  struct stat st {};
  if (fstat(s.fd, &st) != 0)
    throw trace_error(fmt::format("{}: cannot read: {}", m_name, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw trace_error(fmt::format("{}: is a directory, not a trace file", m_name));
  try {
    vtd::io::note_input(path);  // an output of the same command must not be this file
  } catch (const vtd::io::output_error& e) {
    throw trace_error(e.what());
  }
  // A regular file is mapped read-only: compressed data is decompressed straight from the mapping, and an
  // uncompressed binary trace is decoded in place (no read() copy, which dominated the replay of big traces).
  // Regular files of size 0 are read (files in /proc say 0 and have content; an empty file reads nothing).
  if (path != "-" && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* m = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, s.fd, 0);
    if (m != MAP_FAILED) {
      madvise(m, size_t(st.st_size), MADV_SEQUENTIAL);
      s.map = m;
      s.map_len = size_t(st.st_size);
      s.view = static_cast<const char*>(m);
      s.view_size = s.map_len;
      ::close(s.fd);
      s.fd = -1;
      s.own_fd = false;
    }
  }
}

void trace_reader::open() {
  auto& s = *m_impl;
  try {
    // The compression, from the first raw bytes: looked at in the view, or read into a prefix that the
    // decompressor (or the text/binary reader) is handed again: a pipe cannot seek back.
    unsigned char magic[8] = {};
    size_t have = 0;
    if (s.view) {
      have = std::min<size_t>(sizeof magic, s.view_size);
      std::memcpy(magic, s.view, have);
    } else {
      s.prefix.resize(sizeof magic);
      while (have < sizeof magic) {
        const size_t k = s.read_fd(s.prefix.data() + have, sizeof magic - have);
        if (k == 0) {
          s.raw_eof = true;
          break;
        }
        have += k;
      }
      s.prefix.resize(have);
      std::memcpy(magic, s.prefix.data(), have);
    }
    m_compression = sniff(magic, have);
    s.comp = m_compression;
    switch (m_compression) {
      case compression::zstd:
        s.in.push(bio::zstd_decompressor());
        if (!s.view) s.frames.feed(s.prefix.data(), s.prefix.size());
        break;
      case compression::xz:
        s.in.push(bio::lzma_decompressor());
        break;
      case compression::gzip:
        s.in.push(bio::gzip_decompressor());
        break;
      case compression::none:
        break;
    }
    if (m_compression != compression::none) {
      if (s.view)
        s.in.push(impl::view_device{&s}, kReadChunk);
      else
        s.in.push(impl::device{&s}, kReadChunk);
      s.in.exceptions(std::ios::badbit);  // decompression errors are thrown, not turned into an early end
    }
    // Then the decompressed content: the binary magic, or text (kept: it is the start of the first lines).
    char head[binary_header_size];
    size_t got = 0;
    while (got < sizeof head) {
      const size_t k = s.read_content(head + got, sizeof head - got, true);
      if (k == 0) break;
      got += k;
    }
    if (got == 0 && m_compression != compression::none)
      throw trace_error(
          fmt::format("{}: the {} stream decompresses to nothing (an empty trace is an empty file)", m_name,
                      to_string(m_compression)));
    classify(head, got);
  } catch (const stream_problem& e) {
    throw trace_error(fmt::format("{}: {}", m_name, e.what()));
  } catch (const bio::zstd_error& e) {
    throw trace_error(fmt::format("{}: {}", m_name, zstd_problem(e)));
  } catch (const bio::lzma_error& e) {
    throw trace_error(fmt::format("{}: {}", m_name, lzma_problem(e)));
  } catch (const bio::gzip_error& e) {
    throw trace_error(fmt::format("{}: {}", m_name, gzip_problem(e)));
  }
  m_block.resize(kBlockRecords);
  if (m_format == trace_format::text)
    guarded([&] {
      read_text_directives();
      return true;
    });
}

void trace_reader::classify(const char* head, size_t got) {
  auto& s = *m_impl;
  const std::string_view inside = m_compression == compression::none
                                      ? ""
                                      : (m_compression == compression::zstd ? " (in its zstd stream)"
                                         : m_compression == compression::xz ? " (in its xz stream)"
                                                                            : " (in its gzip stream)");
  const size_t magic_len = binary_magic.size();
  const bool magic_prefix = got > 0 && std::memcmp(head, binary_magic.data(), std::min(got, magic_len)) == 0;
  if (magic_prefix) {
    m_format = trace_format::binary;
    if (got < binary_header_size)
      throw trace_error(fmt::format("{}: truncated header ({} of {} bytes) of a binary trace{}", m_name, got,
                                    binary_header_size, inside));
    m_header = decode_header(reinterpret_cast<const std::byte*>(head), m_name);
    m_file_time_unit = m_header.time_unit_ps;
    m_header.time_unit_ps = 1;  // next() returns picoseconds
    m_checker = record_checker(m_header.version);
    s.direct = s.view && m_compression == compression::none;
    if (!s.direct) s.raw.resize(kBlockRecords * binary_record_size);
    return;
  }
  if (starts_like_binary_magic(head, got))
    throw trace_error(fmt::format(
        "{}: not a vtdsim binary trace: bad magic '{}' at byte offset 0 (expected '{}'){}", m_name,
        printable(head, std::min(got, magic_len)), std::string_view(binary_magic.data(), magic_len), inside));
  if (!plausible_text_start(head, got))
    throw trace_error(fmt::format(
        "{}: not a vtdsim trace{}: it starts with bytes {}, which are neither text nor a binary trace (magic "
        "VTDTRACE) nor a zstd, xz or gzip stream",
        m_name, inside, hex_bytes(head, std::min<size_t>(got, 16))));
  m_format = trace_format::text;
  s.text.assign(head, got);  // the start of the first line(s); refill_text continues from here
}

double trace_reader::fraction_read() const {
  const impl& s = *m_impl;
  if (!s.view || s.view_size == 0) return -1;
  const size_t pos = s.comp == compression::none ? size_t(s.content_offset) : s.compressed_pos;
  return std::min(1.0, double(pos) / double(s.view_size));
}

bool trace_reader::observed_all() const {
  const impl& s = *m_impl;
  return s.finished && (s.view != nullptr || s.raw_eof);
}

std::string trace_reader::description() const {
  std::string f = m_format == trace_format::binary ? "binary" : "text";
  return m_compression == compression::none ? f : f + ", " + to_string(m_compression);
}

bool trace_reader::refill() {
  m_pos = m_count = 0;
  const bool more =
      guarded([&] { return m_format == trace_format::binary ? refill_binary() : refill_text(); });
  if (!more) m_impl->finish();
  return more;
}

bool trace_reader::guarded(const std::function<bool()>& step) {
  auto where = [&] {
    if (m_format == trace_format::text) return fmt::format("after line {}", m_line);
    return fmt::format("after record {} (byte offset {})", m_index, m_impl->content_offset);
  };
  try {
    return step();
  } catch (const stream_problem& e) {
    throw trace_error(fmt::format("{}: {} {}", m_name, e.what(), where()));
  } catch (const bio::zstd_error& e) {
    throw trace_error(fmt::format("{}: {} {}", m_name, zstd_problem(e), where()));
  } catch (const bio::lzma_error& e) {
    throw trace_error(fmt::format("{}: {} {}", m_name, lzma_problem(e), where()));
  } catch (const bio::gzip_error& e) {
    throw trace_error(fmt::format("{}: {} {}", m_name, gzip_problem(e), where()));
  }
}

// Validates and copies `whole` records starting at `data` (byte offset `byte_offset` of the stream) into
// m_block. Scaled: the header's time unit is not 1 ps, so times are multiplied (and checked for overflow).
template <bool Scaled>
void trace_reader::decode_block(const char* data, size_t whole, uint64_t byte_offset) {
  uint64_t last = m_last_time;
  for (size_t i = 0; i < whole; ++i) {
    record r = decode_record(reinterpret_cast<const std::byte*>(data + i * binary_record_size));
    if (const char* problem = m_checker.problem(r); *problem)
      throw trace_error(fmt::format("{}: {} (kind 0x{:02x}, flags 0x{:02x}) at record {}, byte offset {}",
                                    m_name, problem, unsigned(r.kind), r.flags, m_index + i,
                                    byte_offset + i * binary_record_size));
    if constexpr (Scaled) {
      if (r.time_ps > std::numeric_limits<uint64_t>::max() / m_file_time_unit)
        throw trace_error(fmt::format(
            "{}: time {} in units of {} ps does not fit in 64 bits of picoseconds at record {}, byte offset "
            "{}",
            m_name, r.time_ps, m_file_time_unit, m_index + i, byte_offset + i * binary_record_size));
      r.time_ps *= m_file_time_unit;
    }
    if (r.time_ps < last)
      throw trace_error(fmt::format(
          "{}: time {} ps is earlier than the previous record's {} ps at record {}, byte offset {} (records "
          "must be in time order)",
          m_name, r.time_ps, last, m_index + i, byte_offset + i * binary_record_size));
    last = r.time_ps;
    m_block[i] = r;
  }
  m_last_time = last;
}

bool trace_reader::refill_binary() {
  auto& s = *m_impl;
  const uint64_t offset = s.content_offset;  // stream byte offset of data[0]
  const char* data;
  size_t got;
  if (s.direct) {
    // The records before this block are in m_block or consumed: their pages can go.
    s.release_below(s.view_pos);
    data = s.view + s.view_pos;
    got = std::min(s.view_size - s.view_pos, kBlockRecords * binary_record_size);
    s.view_pos += got;
    s.content_offset += got;
  } else {
    data = s.raw.data();
    got = s.read_content(s.raw.data(), s.raw.size(), true);
  }
  // A header with a record count promises exactly that many records: anything after them is an error.
  // Compared in records, not bytes: a count near 2^64 must not wrap the byte arithmetic.
  const uint64_t promised = m_header.record_count;
  const uint64_t records_after =
      (offset + got - binary_header_size + binary_record_size - 1) / binary_record_size;
  if (promised && records_after > promised)
    throw trace_error(fmt::format(
        "{}: more data than the header's record count of {}: record {} at byte offset {} is past the end the "
        "header promises",
        m_name, promised, promised, binary_header_size + promised * binary_record_size));
  const size_t whole = got / binary_record_size;
  if (m_file_time_unit == 1)
    decode_block<false>(data, whole, offset);
  else
    decode_block<true>(data, whole, offset);
  // The fingerprint's bytes while they are in the cache (after decoding: an observer never sees a block
  // that is refused).
  if (s.direct) s.observe_to(s.view_pos);
  if (got % binary_record_size)
    throw trace_error(fmt::format("{}: truncated at record {}, byte offset {} ({} of {} bytes)", m_name,
                                  m_index + whole, offset + whole * binary_record_size,
                                  got % binary_record_size, binary_record_size));
  m_index += whole;
  m_count = whole;
  if (whole == 0 && promised && m_index < promised)
    throw trace_error(fmt::format("{}: truncated: header promises {} records, file ends after {}", m_name,
                                  promised, m_index));
  return whole > 0;
}

// The next line of a text trace, reading ahead as needed (bounded by the line limit): false at the end. The
// line stays in the buffer until the next call, and NUL bytes and over-long lines are refused here.
bool trace_reader::next_text_line(std::string_view& line) {
  auto& s = *m_impl;
  std::string& buf = s.text;
  for (;;) {
    const void* found = std::memchr(buf.data() + s.text_scan, '\n', buf.size() - s.text_scan);
    size_t end;
    if (found) {
      end = size_t(static_cast<const char*>(found) - buf.data());
    } else {
      if (buf.size() - s.text_pos > max_text_line_bytes)
        throw trace_error(fmt::format(
            "{}:{}:{}: line too long (a text trace line has at most {} bytes; is this a text trace?)", m_name,
            m_line + 1, max_text_line_bytes + 1, max_text_line_bytes));
      if (!s.content_eof) {
        buf.erase(0, s.text_pos);
        s.text_pos = 0;
        s.text_scan = buf.size();
        const size_t old = buf.size();
        buf.resize(old + kReadChunk);
        buf.resize(old + s.read_content(buf.data() + old, kReadChunk, false));
        continue;
      }
      if (s.text_pos == buf.size()) return false;
      end = buf.size();  // the last line has no newline
    }
    line = std::string_view(buf.data() + s.text_pos, end - s.text_pos);
    s.text_pos = s.text_scan = std::min(end + 1, buf.size());
    ++m_line;
    if (line.size() > max_text_line_bytes)
      throw trace_error(fmt::format(
          "{}:{}:{}: line too long (a text trace line has at most {} bytes; is this a text trace?)", m_name,
          m_line, max_text_line_bytes + 1, max_text_line_bytes));
    if (const void* nul = std::memchr(line.data(), '\0', line.size()))
      throw trace_error(fmt::format("{}:{}:{}: NUL byte in a text trace", m_name, m_line,
                                    static_cast<const char*>(nul) - line.data() + 1));
    return true;
  }
}

// Header directives ("#! issue closed") are read when the trace is opened, so that header() describes a text
// trace before its first record, as it does a binary one: the lines before the first record are consumed
// here (blank lines and comments skipped, directives applied) and the first record line is left for
// refill_text.
void trace_reader::read_text_directives() {
  auto& s = *m_impl;
  text_header directives;
  std::string_view line;
  while (next_text_line(line)) {
    try {
      if (parse_header_directive(line, directives)) continue;
    } catch (const text_parse_error& e) {
      throw trace_error(fmt::format("{}:{}:{}: {}", m_name, m_line, e.column(), e.what()));
    }
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    // A record: handed back to refill_text.
    s.text_pos = s.text_scan = size_t(line.data() - s.text.data());
    --m_line;
    break;
  }
  m_header.flags = directives.flags;
}

bool trace_reader::refill_text() {
  size_t n = 0;
  std::string_view line;
  while (n < kBlockRecords && next_text_line(line)) {
    if (line.starts_with("#!"))
      throw trace_error(fmt::format(
          "{}:{}:1: header directive '{}' after the first record (directives come before the records)",
          m_name, m_line, line.substr(0, std::min<size_t>(line.size(), 40))));
    record& r = m_block[n];
    try {
      if (!parse_record_line(line, r)) continue;
    } catch (const text_parse_error& e) {
      throw trace_error(fmt::format("{}:{}:{}: {}", m_name, m_line, e.column(), e.what()));
    }
    if (r.time_ps < m_last_time)
      throw trace_error(fmt::format(
          "{}:{}:{}: time {} ps is earlier than the previous record's {} ps (line {}); records must be in "
          "time "
          "order",
          m_name, m_line, line.find_first_not_of(" \t\r") + 1, r.time_ps, m_last_time, m_last_line));
    m_last_time = r.time_ps;
    m_last_line = m_line;
    ++n;
  }
  m_index += n;
  m_count = n;
  return n > 0;
}

}  // namespace vtd::traces
