// Payload data array of an initiator (see header).
#include "model/sysc/payload_data.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace vtd::sysc {

payload_data::~payload_data() {
  std::free(m_bytes);
}

void payload_data::reserve(uint32_t length) {
  if (m_bytes && length <= m_capacity) return;
  // Grow geometrically so that a trace of rising lengths does not reallocate per request; at least a cache
  // line so that the zero-length and small requests of a trace share the first allocation.
  const size_t want = std::max<size_t>({length, m_capacity * 2, 64});
  void* p = std::calloc(want, 1);
  if (!p) throw std::bad_alloc();
  std::free(m_bytes);
  m_bytes = static_cast<unsigned char*>(p);
  m_capacity = want;
  m_dirty = 0;
}

unsigned char* payload_data::for_read(uint32_t length) {
  reserve(length);
  m_dirty = std::max<size_t>(m_dirty, length);
  return m_bytes;
}

unsigned char* payload_data::for_write(uint32_t length, uint32_t first_dword) {
  reserve(length);
  const size_t zeroed = std::min<size_t>(m_dirty, length);
  std::memset(m_bytes, 0, zeroed);
  if (m_dirty <= length) m_dirty = 0;  // else bytes past `length` may still hold old data
  const size_t n = std::min<size_t>(4, length);
  std::memcpy(m_bytes, &first_dword, n);
  m_dirty = std::max(m_dirty, n);
  return m_bytes;
}

}  // namespace vtd::sysc
