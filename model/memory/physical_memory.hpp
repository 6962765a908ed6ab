// Sparse simulated physical memory: 4 KiB frames allocated on first write, a fixed configured size.
// A read or write outside [0, size) is a defined error (the walker turns it into the spec's read-error
// fault).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
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
  std::optional<uint64_t> read64(uint64_t addr) const;
  bool write64(uint64_t addr, uint64_t value);
  bool write32(uint64_t addr, uint32_t value);
  // Zeroes a range (frees whole frames it covers).
  bool clear(uint64_t addr, uint64_t len);

  size_t frames_allocated() const { return m_frames.size(); }
  // Physical addresses of every allocated frame, ascending.
  std::vector<uint64_t> allocated_frames() const;
  const frame* frame_at(uint64_t frame_addr) const;

 private:
  const frame* find(uint64_t frame_number) const;
  frame& get_or_create(uint64_t frame_number);

  uint64_t m_size;
  std::unordered_map<uint64_t, std::unique_ptr<frame>> m_frames;
  // One-entry lookup cache: walks read the same table page repeatedly.
  mutable uint64_t m_last_number = ~uint64_t{0};
  mutable frame* m_last_frame = nullptr;
};

}  // namespace vtd::core
