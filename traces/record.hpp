// One trace record: a device DMA or MSI, or a driver action (map/unmap, attach/detach, invalidation, wait).
// Fixed 32-byte layout, identical in memory and in the binary format (docs/trace-format.md, "Records").
#pragma once

#include <cstdint>
#include <string_view>

namespace vtd::traces {

// A new kind is an enumerator here (the next code; raise record_kind_max) and an entry in record_kinds.cpp.
enum class record_kind : std::uint8_t {
  dma = 1,            // device memory request
  msi = 2,            // device MSI/MSI-X write (to 0xFEEx_xxxx)
  map = 3,            // driver maps [iova, iova+len) -> [hpa, ...) in a domain
  unmap = 4,          // driver removes a mapping
  attach = 5,         // driver attaches a device (source-id) to a domain
  detach = 6,         // driver detaches a device from a domain
  cc_inval = 7,       // context-cache invalidation (CCMD / cc_inv_dsc)
  iotlb_inval = 8,    // IOTLB invalidation (IOTLB_REG / iotlb_inv_dsc)
  iec_inval = 9,      // interrupt-entry-cache invalidation (iec_inv_dsc)
  devtlb_inval = 10,  // device-TLB invalidation (dev_tlb_inv_dsc)
  inv_wait = 11,      // invalidation wait (inv_wait_dsc)
};
inline constexpr std::uint8_t record_kind_max = 11;

enum class dma_op : std::uint8_t { read = 0, write = 1, atomic = 2 };
// PCIe AT field: 00 untranslated, 01 translation request, 10 translated.
enum class address_type : std::uint8_t { untranslated = 0, translation_request = 1, translated = 2 };
// Shared encoding for the invalidation granularities; which values are legal depends on the kind:
// cc_inval: global/domain/device; iotlb_inval: global/domain/page; iec_inval: global/index.
enum class granularity : std::uint8_t { global = 0, domain = 1, device = 2, page = 2, index = 2 };

// Flag bits (byte 31). Bits not listed for a kind are reserved and must be zero.
namespace flag {
inline constexpr std::uint8_t op_mask = 0x03;  // dma: dma_op
inline constexpr std::uint8_t at_shift = 2;    // dma: address_type in bits 3:2
inline constexpr std::uint8_t at_mask = 0x0c;
inline constexpr std::uint8_t has_pasid = 0x10;   // dma: value holds a 20-bit PASID
inline constexpr std::uint8_t perm_read = 0x01;   // map/unmap
inline constexpr std::uint8_t perm_write = 0x02;  // map/unmap
inline constexpr std::uint8_t gran_mask = 0x03;   // invalidations: granularity
inline constexpr std::uint8_t ih = 0x04;          // iotlb_inval: invalidation hint (leaf entries only)
inline constexpr std::uint8_t size = 0x08;        // devtlb_inval: S bit (range encoded in address)
inline constexpr std::uint8_t wait_if = 0x10;     // inv_wait: IF (interrupt on completion)
inline constexpr std::uint8_t wait_sw = 0x20;     // inv_wait: SW (status write)
inline constexpr std::uint8_t wait_fn = 0x40;     // inv_wait: FN (fence)
inline constexpr std::uint8_t queued = 0x80;      // invalidations: queued (QI) rather than register-based
}  // namespace flag

// What each field means for each kind is in the table of kinds (traces/record_kinds.cpp), which also drives
// both formats; docs/trace-format.md, "Records", is made from it.
struct record {
  std::uint64_t time_ps = 0;
  std::uint64_t addr = 0;
  std::uint64_t value = 0;
  std::uint32_t length = 0;
  std::uint16_t id = 0;
  record_kind kind = record_kind::dma;
  std::uint8_t flags = 0;

  friend bool operator==(const record&, const record&) = default;

  // Typed views of the kind-specific fields.
  dma_op op() const { return static_cast<dma_op>(flags & flag::op_mask); }
  address_type at() const { return static_cast<address_type>((flags & flag::at_mask) >> flag::at_shift); }
  bool has_pasid() const { return (flags & flag::has_pasid) != 0; }
  bool readable() const { return (flags & flag::perm_read) != 0; }
  bool writable() const { return (flags & flag::perm_write) != 0; }
  granularity gran() const { return static_cast<granularity>(flags & flag::gran_mask); }
  bool queued() const { return (flags & flag::queued) != 0; }
  std::uint64_t map_bytes() const { return std::uint64_t{length} << 12; }
};
static_assert(sizeof(record) == 32);

// From the table of kinds: the flag bits a kind may set, whether a code is a kind, a kind's text name ("?"
// for a code that is none).
std::uint8_t allowed_flags(record_kind k);
bool valid_kind(std::uint8_t k);
std::string_view kind_name(record_kind k);

// Factories: build records without remembering the field table.
record make_dma(std::uint64_t t, std::uint16_t sid, dma_op op, std::uint64_t addr, std::uint32_t len,
                address_type at = address_type::untranslated);
record make_dma_pasid(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid, dma_op op, std::uint64_t addr,
                      std::uint32_t len, address_type at = address_type::untranslated);
record make_msi(std::uint64_t t, std::uint16_t sid, std::uint64_t addr, std::uint32_t data);
record make_map(std::uint64_t t, std::uint16_t domain, std::uint64_t iova, std::uint64_t hpa,
                std::uint64_t bytes, bool read, bool write);
record make_unmap(std::uint64_t t, std::uint16_t domain, std::uint64_t iova, std::uint64_t bytes);
record make_attach(std::uint64_t t, std::uint16_t sid, std::uint16_t domain);
record make_detach(std::uint64_t t, std::uint16_t sid, std::uint16_t domain);
record make_cc_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint16_t sid, std::uint8_t fm,
                     bool queued);
record make_iotlb_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint64_t addr,
                        std::uint8_t am, bool ih, bool queued);
record make_iec_inval(std::uint64_t t, granularity g, std::uint16_t index, std::uint8_t im, bool queued);
record make_devtlb_inval(std::uint64_t t, std::uint16_t sid, std::uint64_t addr, bool size, bool queued);
record make_inv_wait(std::uint64_t t, std::uint64_t status_addr, std::uint32_t status_data, bool irq,
                     bool status_write, bool fence, bool queued);

// Source-id <-> "bb:dd.f".
inline constexpr std::uint16_t make_sid(unsigned bus, unsigned dev, unsigned fn) {
  return static_cast<std::uint16_t>((bus << 8) | (dev << 3) | fn);
}

}  // namespace vtd::traces
