// The bare cost of reading a binary trace (issue 16's yardstick for the replay): `vtdsim_scan MODE FILE`
// touches every record of an uncompressed binary trace and prints records per second (whole process: time
// it with /usr/bin/time for the wall time and the peak resident size).
//   map          mmap the file and sum a field of every record (what a replay could never beat)
//   map-release  the same, giving pages back behind the scan with madvise(MADV_DONTNEED) every 8 MiB
//   pread        pread(2) into one reusable 128 KiB buffer (no mapping: nothing to release)
//   reader       traces::trace_reader::next_block (decoding, the per-record checks, the time order)
//   observed     the reader with an observer that hashes every byte (the replay's fingerprint)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "traces/binary_format.hpp"
#include "traces/trace_reader.hpp"

namespace {

using vtd::traces::binary_header_size;
using vtd::traces::binary_record_size;

// The sum of the records' address fields (offset 8): every record is read.
uint64_t sum_records(const char* p, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t addr;
    std::memcpy(&addr, p + i * binary_record_size + 8, sizeof addr);
    sum += addr;
  }
  return sum;
}

int usage() {
  std::fprintf(stderr, "usage: vtdsim_scan map|map-release|pread|reader|observed FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return usage();
  const std::string mode = argv[1], path = argv[2];
  const auto start = std::chrono::steady_clock::now();
  uint64_t records = 0, sum = 0;
  if (mode == "map" || mode == "map-release" || mode == "pread") {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < off_t(binary_header_size)) {
      std::fprintf(stderr, "%s: cannot read\n", path.c_str());
      return 1;
    }
    const size_t size = size_t(st.st_size);
    records = (size - binary_header_size) / binary_record_size;
    if (mode == "pread") {
      std::vector<char> buf(4096 * binary_record_size);
      off_t at = off_t(binary_header_size);
      for (;;) {
        const ssize_t got = ::pread(fd, buf.data(), buf.size(), at);
        if (got <= 0) break;
        sum += sum_records(buf.data(), size_t(got) / binary_record_size);
        at += got;
      }
    } else {
      void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m == MAP_FAILED) return 1;
      madvise(m, size, MADV_SEQUENTIAL);
      const char* base = static_cast<const char*>(m);
      const size_t block = 4096 * binary_record_size, window = size_t(8) << 20;
      size_t released = 0;
      for (size_t off = binary_header_size; off < size; off += block) {
        const size_t n = std::min(block, size - off) / binary_record_size;
        sum += sum_records(base + off, n);
        if (mode == "map-release" && off >= released + window) {
          const size_t end = off & ~size_t(4095);
          madvise(const_cast<char*>(base) + released, end - released, MADV_DONTNEED);
          released = end;
        }
      }
      munmap(m, size);
    }
    ::close(fd);
  } else if (mode == "reader" || mode == "observed") {
    uint64_t h = 0xcbf29ce484222325ull;
    vtd::traces::trace_reader::raw_observer observer;
    if (mode == "observed")
      observer = [&h](std::string_view bytes) {  // FNV-1a over words, as the replay's fingerprint
        for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
          uint64_t w;
          std::memcpy(&w, bytes.data() + i, 8);
          h = (h ^ w) * 0x100000001b3ull;
        }
      };
    vtd::traces::trace_reader reader(path, std::move(observer));
    for (std::span<const vtd::traces::record> b; !(b = reader.next_block()).empty();) {
      records += b.size();
      for (const auto& r : b) sum += r.addr;
    }
    sum += h;
  } else {
    return usage();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %llu records in %.3f s: %.1f M records/s (checksum %llx)\n", mode.c_str(),
              static_cast<unsigned long long>(records), s, double(records) / s / 1e6,
              static_cast<unsigned long long>(sum));
  return 0;
}
