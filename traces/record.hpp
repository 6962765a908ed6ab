// One trace record: a device DMA or MSI, or a driver action (map/unmap, attach/detach of a device or of one
// of its PASIDs, invalidation, wait). Fixed 32-byte layout, identical in memory and in the binary format
// (docs/trace-format.md, "Records").
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
  // Scalable mode (binary format version 2 on).
  pasid_attach = 12,   // driver attaches one PASID of a device to a domain (a PASID-table entry)
  pasid_detach = 13,   // driver tears down one PASID of a device
  pc_inval = 14,       // PASID-cache invalidation (pc_inv_dsc; queued only)
  piotlb_inval = 15,   // PASID-based IOTLB invalidation (p_iotlb_inv_dsc; queued only)
  pdevtlb_inval = 16,  // PASID-based device-TLB invalidation (p_dev_tlb_inv_dsc; queued only)
};
inline constexpr std::uint8_t record_kind_max = 16;

enum class dma_op : std::uint8_t { read = 0, write = 1, atomic = 2 };
// PCIe AT field: 00 untranslated, 01 translation request, 10 translated.
enum class address_type : std::uint8_t { untranslated = 0, translation_request = 1, translated = 2 };
// Shared encoding for the invalidation granularities, from the widest; which values are legal depends on the
// kind: cc_inval: global/domain/device; iotlb_inval: global/domain/page; iec_inval: global/index; pc_inval:
// global/domain/pasid; piotlb_inval: domain (every PASID of the DID)/pasid/page_in_pasid (no global).
enum class granularity : std::uint8_t {
  global = 0,
  domain = 1,
  device = 2,
  page = 2,
  index = 2,
  pasid = 2,
  page_in_pasid = 3,
};

// Flag bits (byte 31). Bits not listed for a kind are reserved and must be zero.
namespace flag {
inline constexpr std::uint8_t op_mask = 0x03;  // dma: dma_op
inline constexpr std::uint8_t at_shift = 2;    // dma: address_type in bits 3:2
inline constexpr std::uint8_t at_mask = 0x0c;
inline constexpr std::uint8_t has_pasid = 0x10;  // dma: value holds a 20-bit PASID
// dma, with PASID only (the PCIe PASID TLP prefix carries both): Privileged Mode Requested (a supervisor
// request) and Execute Requested (reads only). Binary format version 2 on.
inline constexpr std::uint8_t privileged = 0x20;
inline constexpr std::uint8_t execute = 0x40;
inline constexpr std::uint8_t perm_read = 0x01;   // map/unmap
inline constexpr std::uint8_t perm_write = 0x02;  // map/unmap
// map, first-stage and nested domains: rights beyond R/W whose zero value is what Linux's DMA API writes
// (U/S=1, XD=0). Binary format version 2 on.
inline constexpr std::uint8_t supervisor_only = 0x04;  // U/S=0: user requests (PMR=0) refused
inline constexpr std::uint8_t no_execute = 0x08;       // XD=1: execute requests refused
inline constexpr std::uint8_t sre = 0x01;              // pasid_attach: SRE (supervisor requests enabled)
inline constexpr std::uint8_t wpe = 0x02;              // pasid_attach: WPE (write protect enable)
inline constexpr std::uint8_t gran_mask = 0x03;        // invalidations: granularity
inline constexpr std::uint8_t ih = 0x04;  // iotlb_inval, piotlb_inval: invalidation hint (leaf entries only)
inline constexpr std::uint8_t size = 0x08;  // devtlb_inval, pdevtlb_inval: S bit (range encoded in address)
inline constexpr std::uint8_t wait_if = 0x10;  // inv_wait: IF (interrupt on completion)
inline constexpr std::uint8_t wait_sw = 0x20;  // inv_wait: SW (status write)
inline constexpr std::uint8_t wait_fn = 0x40;  // inv_wait: FN (fence)
inline constexpr std::uint8_t queued = 0x80;   // invalidations: queued (QI) rather than register-based
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
  bool privileged() const { return (flags & flag::privileged) != 0; }
  bool execute() const { return (flags & flag::execute) != 0; }
  // The 20-bit PASID of a dma (with has-PASID), pasid-attach/-detach and the PASID-based invalidations.
  std::uint32_t pasid() const { return static_cast<std::uint32_t>(value & 0xfffff); }
  bool readable() const { return (flags & flag::perm_read) != 0; }
  bool writable() const { return (flags & flag::perm_write) != 0; }
  bool supervisor_only() const { return (flags & flag::supervisor_only) != 0; }
  bool no_execute() const { return (flags & flag::no_execute) != 0; }
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
// A first-stage (or nested: `out` is then a GPA) mapping, with the platform file's mapping keys: a present
// first-stage entry is always readable; `user` is U/S, `execute` is !XD.
record make_fs_map(std::uint64_t t, std::uint16_t domain, std::uint64_t iova, std::uint64_t out,
                   std::uint64_t bytes, bool write, bool user, bool execute);
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
// Scalable mode. The PASID-based invalidations exist only as queued descriptors.
record make_pasid_attach(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid, std::uint16_t domain,
                         bool supervisor, bool write_protect);
record make_pasid_detach(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid);
record make_pc_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint32_t pasid);
record make_piotlb_inval(std::uint64_t t, granularity g, std::uint16_t domain, std::uint32_t pasid,
                         std::uint64_t addr, std::uint8_t am, bool ih);
record make_pdevtlb_inval(std::uint64_t t, std::uint16_t sid, std::uint32_t pasid, std::uint64_t addr,
                          bool size);

// Source-id <-> "bb:dd.f".
inline constexpr std::uint16_t make_sid(unsigned bus, unsigned dev, unsigned fn) {
  return static_cast<std::uint16_t>((bus << 8) | (dev << 3) | fn);
}

}  // namespace vtd::traces
