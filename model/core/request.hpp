// Upstream requests the remapping unit receives: DMA requests and interrupt (MSI) writes.
#pragma once
#include <algorithm>
#include <cstdint>

namespace vtd::core {

enum class access_kind : uint8_t { read = 0, write = 1, atomic = 2 };
// PCIe AT field: untranslated, ATS translation request, translated (the columns of the spec's fault-condition
// tables).
enum class address_type : uint8_t { untranslated = 0, translation_request = 1, translated = 2 };

const char* to_string(access_kind k);
const char* to_string(address_type t);

constexpr uint16_t make_source_id(unsigned bus, unsigned dev, unsigned fn) {
  return static_cast<uint16_t>((bus << 8) | (dev << 3) | fn);
}
constexpr unsigned sid_bus(uint16_t sid) {
  return sid >> 8;
}
constexpr unsigned sid_devfn(uint16_t sid) {
  return sid & 0xFF;
}
constexpr unsigned sid_dev(uint16_t sid) {
  return (sid >> 3) & 0x1F;
}
constexpr unsigned sid_fn(uint16_t sid) {
  return sid & 7;
}

struct dma_request {
  uint16_t source_id = 0;
  uint64_t address = 0;
  uint32_t length = 4;  // bytes; 0 = zero-length read
  access_kind access = access_kind::read;
  address_type at = address_type::untranslated;
  bool has_pasid = false;
  uint32_t pasid = 0;
  // PASID TLP prefix fields (scalable mode; meaningful only with has_pasid): Privileged Mode Requested
  // (supervisor) and Execute Requested. A request without PASID takes its privilege from the context entry's
  // RID_PRIV and never executes.
  bool privileged = false;
  bool execute = false;
};

// PCIe never lets one memory request cross a 4 KiB boundary (PCI Express Base Specification, "Address and
// Length": a request's Address/Length combination must not cross a 4-KB boundary), so the unit translates a
// request within one 4 KiB page. A longer transfer is several requests: inputs that describe one request
// (trace records, queries) are refused when they cross, rather than translated by their first page only.
constexpr bool crosses_4k_boundary(uint64_t address, uint32_t length) {
  return length > 0 && (address & 0xFFF) + uint64_t(length) > 0x1000;
}

// The length a query gets when it names none: a DWORD, or less at the end of a page (so that a query for the
// last byte of a page stays one request).
constexpr uint32_t default_query_length(uint64_t address) {
  return uint32_t(std::min<uint64_t>(4, 0x1000 - (address & 0xFFF)));
}

struct interrupt_request {
  uint16_t source_id = 0;
  uint64_t address = 0;  // MSI address (0xFEEx_xxxx)
  uint32_t data = 0;
};

}  // namespace vtd::core
