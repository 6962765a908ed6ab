// How vtdsim writes a source-id and an address in messages, reports and JSON: one place for both.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "model/spec/fault_reason.hpp"

namespace vtd::spec {

// A requester id as PCI writes it: bus:device.function, "bb:dd.f" in hexadecimal.
inline std::string format_bdf(uint16_t sid) {
  return fmt::format("{:02x}:{:02x}.{}", sid >> 8, (sid >> 3) & 0x1F, sid & 7);
}

// A fault reason as the spec writes it, two hexadecimal digits: "0x05" (the spec's 05h).
inline std::string format_fault_code(fault_reason r) {
  return fmt::format("0x{:02x}", unsigned(r));
}

// An address or raw value: "0x" and lower-case hexadecimal without leading zeros.
inline std::string hex(uint64_t v) {
  return fmt::format("0x{:x}", v);
}

}  // namespace vtd::spec
