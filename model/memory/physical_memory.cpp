// Sparse simulated physical memory (see header).
#include "model/memory/physical_memory.hpp"

#include <algorithm>
#include <cstring>

namespace vtd::core {

physical_memory::physical_memory(uint64_t size_bytes) : m_size(size_bytes) {
  m_slot_number.fill(~uint64_t{0});
}

const physical_memory::frame* physical_memory::find(uint64_t number) const {
  if (m_slot_number[number % kSlots] == number) return m_slot_frame[number % kSlots];
  auto it = m_frames.find(number);
  if (it == m_frames.end()) return nullptr;
  remember(number, it->second.get());
  return it->second.get();
}

physical_memory::frame& physical_memory::get_or_create(uint64_t number) {
  if (m_slot_number[number % kSlots] == number) return *m_slot_frame[number % kSlots];
  auto& slot = m_frames[number];
  if (!slot) {
    slot = std::make_unique<frame>();
    slot->fill(0);
  }
  remember(number, slot.get());
  return *slot;
}

bool physical_memory::read(uint64_t addr, void* dst, size_t len) const {
  if (!contains(addr, len)) return false;
  auto* out = static_cast<uint8_t*>(dst);
  while (len > 0) {
    uint64_t offset = addr % kFrameSize;
    size_t chunk = std::min<uint64_t>(len, kFrameSize - offset);
    const frame* f = find(addr / kFrameSize);
    if (f)
      std::memcpy(out, f->data() + offset, chunk);
    else
      std::memset(out, 0, chunk);
    out += chunk;
    addr += chunk;
    len -= chunk;
  }
  return true;
}

bool physical_memory::write(uint64_t addr, const void* src, size_t len) {
  if (!contains(addr, len)) return false;
  auto* in = static_cast<const uint8_t*>(src);
  while (len > 0) {
    uint64_t offset = addr % kFrameSize;
    size_t chunk = std::min<uint64_t>(len, kFrameSize - offset);
    std::memcpy(get_or_create(addr / kFrameSize).data() + offset, in, chunk);
    in += chunk;
    addr += chunk;
    len -= chunk;
  }
  return true;
}

std::optional<uint64_t> physical_memory::read64_slow(uint64_t addr) const {
  uint64_t v = 0;
  if ((addr & 7) == 0 && contains(addr, 8)) {
    const frame* f = find(addr / kFrameSize);
    if (f) std::memcpy(&v, f->data() + addr % kFrameSize, 8);
    return v;  // little-endian host assumed (x86-64, as the simulated platform)
  }
  if (!read(addr, &v, 8)) return std::nullopt;
  return v;
}

bool physical_memory::clear(uint64_t addr, uint64_t len) {
  if (!contains(addr, len)) return false;
  while (len > 0) {
    uint64_t offset = addr % kFrameSize;
    uint64_t chunk = std::min<uint64_t>(len, kFrameSize - offset);
    uint64_t number = addr / kFrameSize;
    if (chunk == kFrameSize) {
      m_frames.erase(number);
      if (m_slot_number[number % kSlots] == number) {
        m_slot_number[number % kSlots] = ~uint64_t{0};
        m_slot_frame[number % kSlots] = nullptr;
      }
    } else if (find(number)) {
      std::memset(get_or_create(number).data() + offset, 0, chunk);
    }
    addr += chunk;
    len -= chunk;
  }
  return true;
}

std::vector<uint64_t> physical_memory::allocated_frames() const {
  std::vector<uint64_t> out;
  out.reserve(m_frames.size());
  for (const auto& [number, f] : m_frames) out.push_back(number * kFrameSize);
  std::sort(out.begin(), out.end());
  return out;
}

const physical_memory::frame* physical_memory::frame_at(uint64_t frame_addr) const {
  return find(frame_addr / kFrameSize);
}

}  // namespace vtd::core
