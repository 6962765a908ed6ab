// Sparse page files (docs/memory-image.md): "VTDPAGE1", then {u64 little-endian physical address, 4096 bytes}
// records until the end of the file. Errors name the record index and byte offset.
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "apps/vtdsim/platform_setup.hpp"

namespace vtdsim::app {

namespace {
constexpr char kMagic[8] = {'V', 'T', 'D', 'P', 'A', 'G', 'E', '1'};
}

void load_page_file(vtd::core::physical_memory& mem, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  char magic[8] = {};
  in.read(magic, 8);
  if (in.gcount() != 8 || std::memcmp(magic, kMagic, 8) != 0)
    throw std::runtime_error(
        fmt::format("{}: not a sparse page file (magic \"VTDPAGE1\" expected at byte 0)", path));
  std::vector<char> page(4096);
  for (uint64_t index = 0;; ++index) {
    const uint64_t offset = 8 + index * (8 + 4096);
    uint64_t addr = 0;
    in.read(reinterpret_cast<char*>(&addr), 8);
    if (in.gcount() == 0) break;
    if (in.gcount() != 8)
      throw std::runtime_error(
          fmt::format("{}: record {} at byte offset {}: truncated address", path, index, offset));
    in.read(page.data(), 4096);
    if (in.gcount() != 4096)
      throw std::runtime_error(
          fmt::format("{}: record {} at byte offset {}: truncated page ({} of 4096 bytes)", path, index,
                      offset, in.gcount()));
    if (addr % 4096)
      throw std::runtime_error(fmt::format(
          "{}: record {} at byte offset {}: address 0x{:x} is not 4 KiB aligned", path, index, offset, addr));
    if (!mem.write(addr, page.data(), 4096))
      throw std::runtime_error(
          fmt::format("{}: record {} at byte offset {}: page 0x{:x} is past the end of memory "
                      "(size 0x{:x})",
                      path, index, offset, addr, mem.size()));
  }
}

void save_page_file(const vtd::core::physical_memory& mem, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write", tmp));
    out.write(kMagic, 8);
    for (uint64_t addr : mem.allocated_frames()) {
      out.write(reinterpret_cast<const char*>(&addr), 8);
      out.write(reinterpret_cast<const char*>(mem.frame_at(addr)->data()), 4096);
    }
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error(fmt::format("{}: write failed", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("{}: cannot rename into place", path));
  }
}

}  // namespace vtdsim::app
