// Linux-like IOVA allocator (see header).
#include "traces/gen/iova_allocator.hpp"

#include <fmt/format.h>

#include "traces/gen/rng.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

uint64_t component_seed(uint64_t seed, uint64_t component) {
  uint64_t s = seed ^ (component * 0xD1B54A32D192ED03ull);
  return splitmix64(s);
}

uint64_t iova_allocator::alloc(uint64_t bytes, uint64_t now) {
  const uint64_t pages = pages_of(bytes);
  auto it = m_cache.find(pages);
  if (it != m_cache.end() && !it->second.empty() && it->second.top().when <= now) {
    const uint64_t iova = it->second.top().iova;
    it->second.pop();
    return iova;
  }
  // Top-down; power-of-two sizes are naturally aligned (iova.c's size-aligned allocation).
  uint64_t size = pages << 12;
  uint64_t align = 4096;
  if ((pages & (pages - 1)) == 0) align = size;
  if (m_next < m_floor + size)
    throw trace_error(fmt::format("IOVA space exhausted allocating {} bytes", bytes));
  uint64_t iova = (m_next - size) & ~(align - 1);
  // Linux reserves the interrupt address range in every DMA domain (an IOVA there would be an MSI,
  // spec 3.15).
  constexpr uint64_t kMsiBase = 0xFEE00000, kMsiEnd = 0xFEF00000;
  if (iova < kMsiEnd && iova + size > kMsiBase) iova = (kMsiBase - size) & ~(align - 1);
  if (iova < m_floor) throw trace_error(fmt::format("IOVA space exhausted allocating {} bytes", bytes));
  m_next = iova;
  return iova;
}

void iova_allocator::free(uint64_t iova, uint64_t bytes, uint64_t when) {
  m_cache[pages_of(bytes)].push(freed{when, iova});
}

}  // namespace vtd::traces::gen
