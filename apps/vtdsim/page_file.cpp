// Sparse page files (docs/memory-image.md): "VTDPAGE1", then {u64 little-endian physical address, 4096 bytes}
// records until the end of the file. Errors name the record index and byte offset. Input is read under the
// bounds of model/io/input_file.hpp, output follows model/io/output_file.hpp.
#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

#include "apps/vtdsim/platform_setup.hpp"
#include "model/io/input_file.hpp"
#include "model/io/output_file.hpp"

namespace vtdsim::app {

namespace {
constexpr char kMagic[8] = {'V', 'T', 'D', 'P', 'A', 'G', 'E', '1'};
constexpr size_t kRecord = 8 + 4096;
}  // namespace

void load_page_file(vtd::core::physical_memory& mem, const std::string& path) {
  std::string pending;  // bytes of the record being assembled
  uint64_t offset = 0;  // file offset of pending[0]
  uint64_t index = 0;
  bool have_magic = false;
  auto bad_magic = [&] {
    return std::runtime_error(
        fmt::format("{}: not a sparse page file (magic \"VTDPAGE1\" expected at byte 0)", path));
  };
  vtd::io::read_input_chunks(path, vtd::io::max_memory_image_bytes, "page", [&](const char* data, size_t n) {
    pending.append(data, n);
    size_t at = 0;
    if (!have_magic) {
      if (pending.size() < 8) {
        if (std::memcmp(pending.data(), kMagic, pending.size()) != 0) throw bad_magic();
        return;
      }
      if (std::memcmp(pending.data(), kMagic, 8) != 0) throw bad_magic();
      have_magic = true;
      at = 8;
    }
    for (; pending.size() - at >= kRecord; at += kRecord, ++index) {
      const uint64_t record_offset = offset + at;
      uint64_t addr = 0;
      for (int b = 7; b >= 0; --b) addr = (addr << 8) | uint8_t(pending[at + size_t(b)]);
      if (addr % 4096)
        throw std::runtime_error(
            fmt::format("{}: record {} at byte offset {}: address 0x{:x} is not 4 KiB aligned", path, index,
                        record_offset, addr));
      if (!mem.write(addr, pending.data() + at + 8, 4096))
        throw std::runtime_error(fmt::format(
            "{}: record {} at byte offset {}: page 0x{:x} is past the end of memory (size 0x{:x})", path,
            index, record_offset, addr, mem.size()));
    }
    pending.erase(0, at);
    offset += at;
  });
  if (!have_magic) throw bad_magic();
  if (!pending.empty()) {
    if (pending.size() < 8)
      throw std::runtime_error(
          fmt::format("{}: record {} at byte offset {}: truncated address", path, index, offset));
    throw std::runtime_error(fmt::format("{}: record {} at byte offset {}: truncated page ({} of 4096 bytes)",
                                         path, index, offset, pending.size() - 8));
  }
}

void save_page_file(const vtd::core::physical_memory& mem, const std::string& path) {
  vtd::io::output_file out(path);
  out.write(std::string_view(kMagic, 8));
  for (uint64_t addr : mem.allocated_frames()) {
    char le[8];
    for (int b = 0; b < 8; ++b) le[b] = char((addr >> (8 * b)) & 0xFF);
    out.write(std::string_view(le, 8));
    out.write(std::string_view(reinterpret_cast<const char*>(mem.frame_at(addr)->data()), 4096));
  }
  out.commit();
}

}  // namespace vtdsim::app
