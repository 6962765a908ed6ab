// The data arrays behind an initiator's payloads. TLM-2.0 requires a payload's data pointer to point to at
// least data_length bytes that a target may read (write command) or fill (read command); a trace gives
// lengths but no data, so the initiator keeps one array for reads and one for writes, each grown to the
// largest length seen and reused. A write's data is zero except its first DWORD (an interrupt request's MSI
// data). A target fills only the read array and must not modify a write's data (TLM-2.0's rule for the
// write command), so the write array never holds more than the last DWORD written, and a write after a read
// costs no clearing of what the target left in the read array. Memory is taken zero-filled from the system
// (calloc), so a huge length reserves address space, not pages.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vtd::sysc {

class payload_data {
 public:
  payload_data() = default;
  payload_data(const payload_data&) = delete;
  payload_data& operator=(const payload_data&) = delete;

  // At least `length` bytes for a read: a target may write all of them.
  unsigned char* for_read(uint32_t length) {
    if (!m_read.fits(length)) m_read.grow(length);
    return m_read.bytes;
  }
  // At least `length` bytes for a write: zero, except the first min(4, length) bytes hold `first_dword`
  // (host byte order, as TLM data arrays are).
  unsigned char* for_write(uint32_t length, uint32_t first_dword) {
    if (!m_write.fits(length)) m_write.grow(length);
    // Only the first m_dword (at most 4) bytes may be non-zero, the previous write's DWORD: a whole DWORD
    // written over them leaves exactly zeros and this DWORD (one store); a shorter write clears them first.
    if (length >= 4) {
      std::memcpy(m_write.bytes, &first_dword, 4);
      m_dword = 4;
    } else {
      std::memset(m_write.bytes, 0, m_dword);
      std::memcpy(m_write.bytes, &first_dword, length);
      m_dword = length;
    }
    return m_write.bytes;
  }

  // The read array's length (what a target may fill without the array growing), and the write array's.
  size_t capacity() const { return m_read.capacity; }
  size_t write_capacity() const { return m_write.capacity; }

 private:
  struct array {
    unsigned char* bytes = nullptr;
    size_t capacity = 0;

    array() = default;
    ~array();
    array(const array&) = delete;
    array& operator=(const array&) = delete;

    bool fits(uint32_t length) const { return bytes && length <= capacity; }
    // Replaces the array by a larger zero-filled one (the old contents are dropped); throws std::bad_alloc.
    void grow(uint32_t length);
  };

  array m_read, m_write;
  size_t m_dword = 0;  // leading bytes of the write array that may not be zero (the last DWORD written)
};

}  // namespace vtd::sysc
