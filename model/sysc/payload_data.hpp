// The data array behind an initiator's payloads. TLM-2.0 requires a payload's data pointer to point to at
// least data_length bytes that a target may read (write command) or fill (read command); a trace gives
// lengths but no data, so one buffer per initiator is grown to the largest length seen and reused. A write's
// data is zero except its first DWORD (an interrupt request's MSI data), whatever an earlier read left
// behind. Memory is taken zero-filled from the system (calloc), so a huge length reserves address space, not
// pages.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vtd::sysc {

class payload_data {
 public:
  payload_data() = default;
  ~payload_data();
  payload_data(const payload_data&) = delete;
  payload_data& operator=(const payload_data&) = delete;

  // At least `length` bytes for a read: a target may write all of them.
  unsigned char* for_read(uint32_t length);
  // At least `length` bytes for a write: zero, except the first min(4, length) bytes hold `first_dword`
  // (host byte order, as TLM data arrays are).
  unsigned char* for_write(uint32_t length, uint32_t first_dword);

  size_t capacity() const { return m_capacity; }

 private:
  void reserve(uint32_t length);  // throws std::bad_alloc

  unsigned char* m_bytes = nullptr;
  size_t m_capacity = 0;
  size_t m_dirty = 0;  // leading bytes that may not be zero (a target's read data, a first DWORD)
};

}  // namespace vtd::sysc
