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
#include <stdexcept>
#include <vector>

#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace vtdsim::app {

trace_source open_trace(const std::string& path) {
  std::shared_ptr<vtd::traces::trace_reader> reader;
  try {
    reader = std::make_shared<vtd::traces::trace_reader>(path);
  } catch (const vtd::traces::trace_error& e) {
    throw std::runtime_error(e.what());
  }
  trace_source src;
  src.description = reader->description();
  src.record_count = reader->header().record_count;
  src.seed = reader->header().seed;
  src.state = reader;
  src.next = [r = reader.get()](vtd::traces::record& rec) {
    try {
      return r->next(rec);
    } catch (const vtd::traces::trace_error& e) {
      throw std::runtime_error(e.what());
    }
  };
  return src;
}

std::string trace_fingerprint(const std::string& path) {
  // FNV-1a over 64-bit little-endian words (the tail zero-padded) and the length: one multiply per 8 bytes,
  // read through a mapping (no copy), so fingerprinting a 10^8-record trace costs a fraction of replaying it.
  uint64_t h = 0xcbf29ce484222325ull, length = 0;
  auto mix = [&](const char* p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, std::min<size_t>(8, n - i));
      h = (h ^ w) * 0x100000001b3ull;
    }
    length += n;
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* m = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      madvise(m, size_t(st.st_size), MADV_SEQUENTIAL);
      mix(static_cast<const char*>(m), size_t(st.st_size));
      munmap(m, size_t(st.st_size));
      ::close(fd);
      h = (h ^ length) * 0x100000001b3ull;
      return fmt::format("fnv1a64w:{:016x}", h);
    }
  }
  if (fd >= 0) ::close(fd);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    mix(buf.data(), size_t(in.gcount()));
  }
  h = (h ^ length) * 0x100000001b3ull;
  return fmt::format("fnv1a64w:{:016x}", h);
}

}  // namespace vtdsim::app
