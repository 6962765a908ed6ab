// Streaming trace reader (see header).
#include "traces/trace_reader.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"

namespace io = boost::iostreams;

namespace vtd::traces {

namespace {
constexpr size_t kBlockRecords = 4096;

compression sniff(const unsigned char* b, size_t n) {
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD) return compression::zstd;
  if (n >= 6 && b[0] == 0xFD && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' && b[5] == 0)
    return compression::xz;
  if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B) return compression::gzip;
  return compression::none;
}
}  // namespace

// ---------------------------------------------------------------------------------------------------- reader

struct trace_reader::impl {
  std::ifstream file;  // when reading a path that cannot be mapped (a pipe, say)
  std::string memory;  // when reading from memory
  // A regular file is mapped read-only: compressed data is decompressed straight from the mapping, and an
  // uncompressed binary trace is decoded in place (no read() copy, which dominated the replay of big traces).
  const char* view = nullptr;
  size_t view_size = 0;
  void* map = nullptr;
  size_t map_len = 0;
  bool direct = false;  // uncompressed binary decoded from `view`
  ~impl() {
    if (map) munmap(map, map_len);
  }
  io::filtering_istream in;  // decompression chain (or nothing) over the source
  std::vector<char> raw;     // binary block buffer
  uint64_t byte_offset = 0;  // decompressed offset of the next unread byte
  std::string line;
};

trace_reader::trace_reader(const std::string& path) : m_name(path), m_impl(std::make_unique<impl>()) {
  if (path != "-") {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw trace_error(fmt::format("{}: cannot open", path));
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      m_impl->view_size = size_t(st.st_size);
      if (m_impl->view_size > 0) {
        void* m = mmap(nullptr, m_impl->view_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
          madvise(m, m_impl->view_size, MADV_SEQUENTIAL);
          m_impl->map = m;
          m_impl->map_len = m_impl->view_size;
          m_impl->view = static_cast<const char*>(m);
        }
      } else {
        m_impl->view = "";  // an empty regular file reads as an empty text trace
      }
    }
    ::close(fd);
    if (!m_impl->view) {
      m_impl->file.open(path, std::ios::binary);
      if (!m_impl->file) throw trace_error(fmt::format("{}: cannot open", path));
    }
  }
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

void trace_reader::open() {
  std::istream* source = m_impl->file.is_open() ? static_cast<std::istream*>(&m_impl->file) : nullptr;
  // Peek the first bytes of the raw source for compression magic.
  unsigned char magic[8] = {};
  size_t have = 0;
  if (m_impl->view) {
    have = std::min<size_t>(8, m_impl->view_size);
    std::memcpy(magic, m_impl->view, have);
  } else {
    std::istream& s = source ? *source : std::cin;
    s.read(reinterpret_cast<char*>(magic), 8);
    have = size_t(s.gcount());
    s.clear();
    if (source) {
      source->seekg(0);
    } else {
      for (size_t i = have; i-- > 0;) std::cin.putback(char(magic[i]));
    }
  }
  m_compression = sniff(magic, have);
  try {
    switch (m_compression) {
      case compression::zstd:
        m_impl->in.push(io::zstd_decompressor());
        break;
      case compression::xz:
        m_impl->in.push(io::lzma_decompressor());
        break;
      case compression::gzip:
        m_impl->in.push(io::gzip_decompressor());
        break;
      default:
        break;
    }
    if (m_impl->view)
      m_impl->in.push(io::array_source(m_impl->view, m_impl->view_size));
    else
      m_impl->in.push(source ? *source : std::cin);
    // Now look at the decompressed content: binary magic or text.
    char head[binary_header_size];
    m_impl->in.read(head, binary_header_size);
    const size_t got = size_t(m_impl->in.gcount());
    if (got >= binary_magic.size() && std::memcmp(head, binary_magic.data(), binary_magic.size()) == 0) {
      m_format = trace_format::binary;
      if (got < binary_header_size)
        throw trace_error(
            fmt::format("{}: truncated header ({} of {} bytes)", m_name, got, binary_header_size));
      m_header = decode_header(reinterpret_cast<const std::byte*>(head), m_name);
      m_impl->byte_offset = binary_header_size;
      m_impl->direct = m_impl->view && m_compression == compression::none;
      if (!m_impl->direct) m_impl->raw.resize(kBlockRecords * binary_record_size);
    } else {
      m_format = trace_format::text;
      m_impl->line.assign(head, got);  // the start of the first line(s); refill_text continues from here
    }
  } catch (const io::zstd_error& e) {
    throw trace_error(fmt::format("{}: corrupt zstd stream: {}", m_name, e.what()));
  } catch (const io::lzma_error& e) {
    throw trace_error(fmt::format("{}: corrupt xz stream: {}", m_name, e.what()));
  } catch (const io::gzip_error& e) {
    throw trace_error(fmt::format("{}: corrupt gzip stream: {}", m_name, e.what()));
  }
  m_block.resize(kBlockRecords);
}

std::string trace_reader::description() const {
  std::string f = m_format == trace_format::binary ? "binary" : "text";
  return m_compression == compression::none ? f : f + ", " + to_string(m_compression);
}

bool trace_reader::refill() {
  m_pos = m_count = 0;
  try {
    return m_format == trace_format::binary ? refill_binary() : refill_text();
  } catch (const io::zstd_error& e) {
    throw trace_error(fmt::format("{}: corrupt zstd stream after record {}: {}", m_name, m_index, e.what()));
  } catch (const io::lzma_error& e) {
    throw trace_error(fmt::format("{}: corrupt xz stream after record {}: {}", m_name, m_index, e.what()));
  } catch (const io::gzip_error& e) {
    throw trace_error(fmt::format("{}: corrupt gzip stream after record {}: {}", m_name, m_index, e.what()));
  }
}

bool trace_reader::refill_binary() {
  const char* data;
  size_t got;
  if (m_impl->direct) {
    data = m_impl->view + m_impl->byte_offset;
    got = std::min(m_impl->view_size - m_impl->byte_offset, kBlockRecords * binary_record_size);
  } else {
    auto& in = m_impl->in;
    in.read(m_impl->raw.data(), std::streamsize(m_impl->raw.size()));
    data = m_impl->raw.data();
    got = size_t(in.gcount());
  }
  const size_t whole = got / binary_record_size;
  for (size_t i = 0; i < whole; ++i) {
    record r = decode_record(reinterpret_cast<const std::byte*>(data + i * binary_record_size));
    if (const char* problem = record_problem(r); problem && *problem)
      throw trace_error(fmt::format("{}: {} (kind 0x{:02x}, flags 0x{:02x}) at record {}, byte offset {}",
                                    m_name, problem, unsigned(r.kind), r.flags, m_index + i,
                                    m_impl->byte_offset + i * binary_record_size));
    m_block[i] = r;
  }
  if (got % binary_record_size)
    throw trace_error(fmt::format("{}: truncated at record {}, byte offset {} ({} of {} bytes)", m_name,
                                  m_index + whole, m_impl->byte_offset + whole * binary_record_size,
                                  got % binary_record_size, binary_record_size));
  m_impl->byte_offset += got;
  m_index += whole;
  m_count = whole;
  if (whole == 0 && m_header.record_count && m_index < m_header.record_count)
    throw trace_error(fmt::format("{}: truncated: header promises {} records, file ends after {}", m_name,
                                  m_header.record_count, m_index));
  return whole > 0;
}

bool trace_reader::refill_text() {
  auto& in = m_impl->in;
  std::string& pending = m_impl->line;  // bytes read ahead of the current line
  size_t n = 0;
  std::string line;
  while (n < kBlockRecords) {
    // Take one line out of `pending`, reading more when it holds no newline.
    size_t nl;
    while ((nl = pending.find('\n')) == std::string::npos && in) {
      char buf[65536];
      in.read(buf, sizeof buf);
      pending.append(buf, size_t(in.gcount()));
    }
    if (nl == std::string::npos) {
      if (pending.empty()) break;
      line.swap(pending);
      pending.clear();
    } else {
      line.assign(pending, 0, nl);
      pending.erase(0, nl + 1);
    }
    ++m_line;
    try {
      if (parse_record_line(line, m_block[n])) ++n;
    } catch (const text_parse_error& e) {
      throw trace_error(fmt::format("{}:{}:{}: {}", m_name, m_line, e.column(), e.what()));
    }
  }
  m_index += n;
  m_count = n;
  return n > 0;
}

}  // namespace vtd::traces
