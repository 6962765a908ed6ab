// Payload data arrays of an initiator (see header).
#include "model/sysc/payload_data.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace vtd::sysc {

payload_data::array::~array() {
  std::free(bytes);
}

void payload_data::array::grow(uint32_t length) {
  // Grow geometrically so that a trace of rising lengths does not reallocate per request; at least a cache
  // line so that the zero-length and small requests of a trace share the first allocation.
  const size_t want = std::max<size_t>({length, capacity * 2, 64});
  void* p = std::calloc(want, 1);
  if (!p) throw std::bad_alloc();
  std::free(bytes);
  bytes = static_cast<unsigned char*>(p);
  capacity = want;
}

}  // namespace vtd::sysc
