// Bit-field helpers shared by every VT-d structure layout. Ranges are hi:lo inclusive, as the spec writes
// them.
#pragma once
#include <cstdint>

namespace vtd::spec {

constexpr uint64_t field_mask(unsigned hi, unsigned lo) {
  return (hi - lo + 1 >= 64) ? ~uint64_t{0} : (((uint64_t{1} << (hi - lo + 1)) - 1) << lo);
}

constexpr uint64_t get_bits(uint64_t value, unsigned hi, unsigned lo) {
  return (value & field_mask(hi, lo)) >> lo;
}

constexpr bool get_bit(uint64_t value, unsigned bit) {
  return (value >> bit) & 1;
}

constexpr uint64_t set_bits(uint64_t value, unsigned hi, unsigned lo, uint64_t field) {
  return (value & ~field_mask(hi, lo)) | ((field << lo) & field_mask(hi, lo));
}

constexpr uint64_t set_bit(uint64_t value, unsigned bit, bool on) {
  return on ? (value | (uint64_t{1} << bit)) : (value & ~(uint64_t{1} << bit));
}

// Bits 63:haw of an address field are reserved (HAW: host address width); 51:haw inside paging entries.
constexpr uint64_t above_width_mask(unsigned width, unsigned top_bit = 63) {
  return width > top_bit ? 0 : field_mask(top_bit, width);
}

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPageMask = kPageSize - 1;

}  // namespace vtd::spec
