// MSI address/data formats seen by interrupt remapping (VT-d spec 5.1.2).
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"

namespace vtd::spec {

constexpr uint64_t kInterruptRangeBase = 0xFEE00000;  // 0xFEE0_0000-0xFEEF_FFFF (spec 3.15)
constexpr uint64_t kInterruptRangeLast = 0xFEEFFFFF;
constexpr bool in_interrupt_range(uint64_t addr) {
  return addr >= kInterruptRangeBase && addr <= kInterruptRangeLast;
}
// Whether [addr, addr + length) touches the interrupt range (a zero length counts as one byte).
constexpr bool overlaps_interrupt_range(uint64_t addr, uint64_t length) {
  const uint64_t last = addr + (length == 0 ? 0 : length - 1);
  return addr <= kInterruptRangeLast && last >= kInterruptRangeBase;
}

struct msi_request {
  uint64_t address = 0;  // full 64-bit address (upper 32 bits must be 0 to be in the range)
  uint32_t data = 0;

  bool remappable() const { return get_bit(address, 4); }  // addr bit 4: interrupt format

  // Remappable format: addr 19:5 handle[14:0], 3 SHV, 2 handle[15]; data 15:0 subhandle.
  uint16_t handle() const {
    return static_cast<uint16_t>(get_bits(address, 19, 5) | (get_bits(address, 2, 2) << 15));
  }
  bool shv() const { return get_bit(address, 3); }
  uint16_t subhandle() const { return static_cast<uint16_t>(data & 0xFFFF); }
  uint32_t interrupt_index() const { return shv() ? uint32_t(handle()) + subhandle() : handle(); }
  bool reserved_data_set() const { return shv() && (data >> 16) != 0; }  // data 31:16 reserved with SHV=1

  // Compatibility format: addr 19:12 destination, 3 RH, 2 DM; data 7:0 vector, 10:8 delivery mode,
  // 14 level, 15 trigger mode.
  uint8_t compat_destination() const { return static_cast<uint8_t>(get_bits(address, 19, 12)); }
  bool compat_rh() const { return get_bit(address, 3); }
  bool compat_dm() const { return get_bit(address, 2); }
  uint8_t compat_vector() const { return static_cast<uint8_t>(data & 0xFF); }
  unsigned compat_delivery_mode() const { return static_cast<unsigned>(get_bits(data, 10, 8)); }
  bool compat_trigger_level() const { return get_bit(data, 15); }

  static msi_request make_remappable(uint16_t handle, bool shv, uint16_t subhandle) {
    uint64_t a = kInterruptRangeBase | (uint64_t(handle & 0x7FFF) << 5) | (1u << 4) | (shv ? 8u : 0u) |
                 (uint64_t(handle >> 15) << 2);
    return msi_request{a, shv ? subhandle : 0u};
  }
  static msi_request make_compat(uint8_t dest, uint8_t vector, unsigned dlm = 0, bool level = false) {
    return msi_request{kInterruptRangeBase | (uint64_t(dest) << 12),
                       uint32_t(vector) | (uint32_t(dlm & 7) << 8) | (level ? 0xC000u : 0u)};
  }
};

}  // namespace vtd::spec
