// Sparse simulated physical memory: 4 KiB frames allocated on first write, a fixed configured size.
// A read or write outside [0, size) is a defined error (the walker turns it into the spec's read-error
// fault).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace vtd::core {

class physical_memory {
 public:
  static constexpr uint64_t kFrameSize = 4096;
  using frame = std::array<uint8_t, kFrameSize>;

  explicit physical_memory(uint64_t size_bytes);

  uint64_t size() const { return m_size; }
  bool contains(uint64_t addr, uint64_t len) const { return len <= m_size && addr <= m_size - len; }

  // Reads of never-written frames inside the memory return zeros.
  bool read(uint64_t addr, void* dst, size_t len) const;
  bool write(uint64_t addr, const void* src, size_t len);
  // Aligned accesses to a recently used frame (every table walk and table update) are served inline from
  // the frame cache; the rest take the general path.
  std::optional<uint64_t> read64(uint64_t addr) const {
    if (const uint8_t* p = cached(addr, 8)) {
      uint64_t v;
      std::memcpy(&v, p, 8);  // little-endian host assumed (x86-64, as the simulated platform)
      return v;
    }
    return read64_slow(addr);
  }
  bool write64(uint64_t addr, uint64_t value) {
    if (uint8_t* p = cached(addr, 8)) {
      std::memcpy(p, &value, 8);
      return true;
    }
    return write(addr, &value, 8);
  }
  bool write32(uint64_t addr, uint32_t value) {
    if (uint8_t* p = cached(addr, 4)) {
      std::memcpy(p, &value, 4);
      return true;
    }
    return write(addr, &value, 4);
  }
  // Zeroes a range (frees whole frames it covers).
  bool clear(uint64_t addr, uint64_t len);

  size_t frames_allocated() const { return m_frames.size(); }
  // Physical addresses of every allocated frame, ascending.
  std::vector<uint64_t> allocated_frames() const;
  const frame* frame_at(uint64_t frame_addr) const;

 private:
  // Direct-mapped cache of frame pointers by frame number: a walk or a table update touches a few table
  // pages over and over, and the hash map costs far more than a compare. Holds only allocated frames, so a
  // hit needs no other check; erasing a frame drops its slot.
  static constexpr unsigned kSlots = 64;
  // `len` is 4 or 8: a naturally aligned access never crosses a frame.
  uint8_t* cached(uint64_t addr, uint64_t len) const {
    const uint64_t number = addr / kFrameSize;
    const unsigned slot = unsigned(number % kSlots);
    if ((addr & (len - 1)) != 0 || m_slot_number[slot] != number || !contains(addr, len)) return nullptr;
    return m_slot_frame[slot]->data() + addr % kFrameSize;
  }
  std::optional<uint64_t> read64_slow(uint64_t addr) const;
  const frame* find(uint64_t frame_number) const;
  frame& get_or_create(uint64_t frame_number);
  void remember(uint64_t frame_number, frame* f) const {
    m_slot_number[frame_number % kSlots] = frame_number;
    m_slot_frame[frame_number % kSlots] = f;
  }

  uint64_t m_size;
  std::unordered_map<uint64_t, std::unique_ptr<frame>> m_frames;
  // ~0 is never a frame number (addresses are below 2^64, frames 4 KiB).
  mutable std::array<uint64_t, kSlots> m_slot_number;
  mutable std::array<frame*, kSlots> m_slot_frame{};
};

}  // namespace vtd::core
