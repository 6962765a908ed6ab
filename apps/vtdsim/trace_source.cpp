// Trace opening for replay (see header).
#include "apps/vtdsim/trace_source.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cstring>

#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace vtdsim::app {

namespace {

// FNV-1a over 64-bit little-endian words (the tail zero-padded) and the length: one multiply per 8 bytes.
// Fed in pieces of any size; the value depends only on the bytes.
class fnv1a64w {
 public:
  void add(const char* p, size_t n) {
    m_length += n;
    if (m_carry_len) {
      const size_t k = std::min(n, 8 - m_carry_len);
      std::memcpy(m_carry + m_carry_len, p, k);
      m_carry_len += k;
      p += k;
      n -= k;
      if (m_carry_len < 8) return;
      mix(m_carry, 8);
      m_carry_len = 0;
    }
    const size_t whole = n & ~size_t(7);
    mix(p, whole);
    std::memcpy(m_carry, p + whole, n - whole);
    m_carry_len = n - whole;
  }
  std::string value() const {
    uint64_t h = m_h;
    if (m_carry_len) {
      uint64_t w = 0;
      std::memcpy(&w, m_carry, m_carry_len);
      h = (h ^ w) * 0x100000001b3ull;
    }
    h = (h ^ m_length) * 0x100000001b3ull;
    return fmt::format("fnv1a64w:{:016x}", h);
  }

 private:
  void mix(const char* p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      m_h = (m_h ^ w) * 0x100000001b3ull;
    }
  }
  uint64_t m_h = 0xcbf29ce484222325ull, m_length = 0;
  char m_carry[8] = {};
  size_t m_carry_len = 0;
};

// A regular file can be read twice (the fingerprint maps it again after the replay); a pipe, FIFO, device or
// standard input cannot: its fingerprint is computed from the bytes as the reader reads them, and kept here
// for trace_fingerprint (reopening a FIFO would wait for a new writer, and a pipe is empty by then).
bool is_regular_file(const std::string& path) {
  struct stat st {};
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::mutex g_streamed_mutex;
std::map<std::string, std::shared_ptr<fnv1a64w>>& streamed() {
  static std::map<std::string, std::shared_ptr<fnv1a64w>> m;
  return m;
}

}  // namespace

trace_source open_trace(const std::string& path, bool hash_while_reading) {
  std::shared_ptr<vtd::traces::trace_reader> reader;
  // Every input is hashed as it is read (a mapped file too: no second pass over it after the replay); a
  // stream's value is also kept by path for trace_fingerprint.
  auto hash = std::make_shared<fnv1a64w>();
  const bool regular = is_regular_file(path);
  if (!regular) {
    std::lock_guard lock(g_streamed_mutex);
    streamed()[path] = hash;
  }
  vtd::traces::trace_reader::raw_observer observer;
  if (hash_while_reading || !regular)
    observer = [hash](std::string_view bytes) { hash->add(bytes.data(), bytes.size()); };
  try {
    reader = std::make_shared<vtd::traces::trace_reader>(path, std::move(observer));
  } catch (const vtd::traces::trace_error& e) {
    throw std::runtime_error(e.what());
  }
  trace_source src;
  src.description = reader->description();
  src.record_count = reader->header().record_count;
  src.seed = reader->header().seed;
  src.state = reader;
  src.fraction_read = [r = reader.get()] { return r->fraction_read(); };
  src.next = [r = reader.get()](vtd::traces::record& rec) {
    try {
      return r->next(rec);
    } catch (const vtd::traces::trace_error& e) {
      throw std::runtime_error(e.what());
    }
  };
  src.next_block = [r = reader.get()] {
    try {
      return r->next_block();
    } catch (const vtd::traces::trace_error& e) {
      throw std::runtime_error(e.what());
    }
  };
  // A regular file's hash is whole once the reader reached its end (it then observed every byte); before
  // that, the file is read again. A stream's is whatever was read of it, as trace_fingerprint says.
  src.fingerprint = [hash, path, regular, hash_while_reading, r = reader.get()] {
    if (regular && (!hash_while_reading || !r->observed_all())) return trace_fingerprint(path);
    return hash->value();
  };
  return src;
}

std::string trace_fingerprint(const std::string& path) {
  if (!is_regular_file(path)) {
    std::lock_guard lock(g_streamed_mutex);
    auto it = streamed().find(path);
    return it != streamed().end() ? it->second->value() : std::string("unavailable (not a regular file)");
  }
  // Read through a mapping (no copy), so fingerprinting a 10^8-record trace costs a fraction of replaying it.
  fnv1a64w h;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* m = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      madvise(m, size_t(st.st_size), MADV_SEQUENTIAL);
      h.add(static_cast<const char*>(m), size_t(st.st_size));
      munmap(m, size_t(st.st_size));
      ::close(fd);
      return h.value();
    }
  }
  if (fd >= 0) ::close(fd);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    h.add(buf.data(), size_t(in.gcount()));
  }
  return h.value();
}

}  // namespace vtdsim::app
