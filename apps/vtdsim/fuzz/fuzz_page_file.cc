// libFuzzer target: the sparse page-file loader (docs/memory-image.md) on arbitrary bytes, through a memfd so
// that the loader's real file path (bounded chunked reads) is what runs. Built by scripts/fuzz-smoke.sh.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "apps/vtdsim/platform_setup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = memfd_create("fuzz-pages", 0);
  if (fd < 0) return 0;
  if (::write(fd, data, size) != ssize_t(size)) {
    ::close(fd);
    return 0;
  }
  vtd::core::physical_memory mem(uint64_t(1) << 30);
  try {
    vtdsim::app::load_page_file(mem, "/proc/self/fd/" + std::to_string(fd));
  } catch (const std::runtime_error&) {
    // Bad input must end in a named, positioned error, never a crash.
  }
  ::close(fd);
  return 0;
}
