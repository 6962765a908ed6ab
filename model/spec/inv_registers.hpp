// Register-based invalidation layouts (VT-d spec 11.4.4 CCMD_REG, 11.4.8 IOTLB_REG and IVA_REG),
// legacy mode only. The granularity encodings are shared with the queued descriptors (cc_inv_dsc G,
// iotlb_inv_dsc G).
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

namespace vtd::spec {

// CCMD.CIRG / CAIG and cc_inv_dsc G: 00 reserved (CAIG: not performed), 01 global, 10 domain, 11 device.
enum class cc_granularity : uint8_t { none = 0, global = 1, domain = 2, device = 3 };
// IOTLB_REG.IIRG / IAIG and iotlb_inv_dsc G: 00 reserved (IAIG: not performed), 01 global, 10 domain,
// 11 page-selective within a domain.
enum class iotlb_granularity : uint8_t { none = 0, global = 1, domain = 2, page = 3 };

namespace ccmd {
constexpr field_desc ICC{"ICC", 63, 63, "invalidate context-cache: set by software, cleared when done"};
constexpr field_desc CIRG{"CIRG", 62, 61, "requested granularity"};
constexpr field_desc CAIG{"CAIG", 60, 59, "actual granularity (00: not performed)"};
constexpr field_desc FM{"FM", 33, 32, "function mask (device-selective)"};
constexpr field_desc SID{"SID", 31, 16, "source-id (device-selective)"};
constexpr field_desc DID{"DID", 15, 0, "domain id (domain- and device-selective)"};
// The bits software may write: ICC, CIRG, FM, SID, DID.
constexpr uint64_t kWritable = field_mask(63, 61) | field_mask(33, 0);

inline uint64_t make(cc_granularity g, uint16_t did, uint16_t sid = 0, unsigned fm = 0) {
  return ICC.place(1) | CIRG.place(uint64_t(g)) | FM.place(fm) | SID.place(sid) | DID.place(did);
}
inline cc_granularity cirg(uint64_t v) {
  return static_cast<cc_granularity>(CIRG.get(v));
}
inline unsigned caig(uint64_t v) {
  return unsigned(CAIG.get(v));
}
}  // namespace ccmd

namespace iotlb_reg {
constexpr field_desc IVT{"IVT", 63, 63, "invalidate IOTLB: set by software, cleared when done"};
constexpr field_desc IIRG{"IIRG", 61, 60, "requested granularity"};
constexpr field_desc IAIG{"IAIG", 58, 57, "actual granularity (00: not performed)"};
constexpr field_desc DR{"DR", 49, 49, "drain reads"};
constexpr field_desc DW{"DW", 48, 48, "drain writes"};
constexpr field_desc DID{"DID", 47, 32, "domain id"};
// The bits software may write: IVT, IIRG, DR, DW, DID.
constexpr uint64_t kWritable = field_mask(63, 63) | field_mask(61, 60) | field_mask(49, 32);

inline uint64_t make(iotlb_granularity g, uint16_t did) {
  return IVT.place(1) | IIRG.place(uint64_t(g)) | DID.place(did);
}
inline iotlb_granularity iirg(uint64_t v) {
  return static_cast<iotlb_granularity>(IIRG.get(v));
}
inline unsigned iaig(uint64_t v) {
  return unsigned(IAIG.get(v));
}
}  // namespace iotlb_reg

namespace iva_reg {
constexpr field_desc ADDR{"ADDR", 63, 12, "page address (bits above MGAW ignored)"};
constexpr field_desc IH{"IH", 6, 6, "invalidation hint: only leaf entries changed"};
constexpr field_desc AM{"AM", 5, 0, "address mask: 2^AM pages"};
// The bits software may write: ADDR, IH, AM.
constexpr uint64_t kWritable = field_mask(63, 12) | field_mask(6, 0);

inline uint64_t make(uint64_t addr, unsigned am, bool ih) {
  return ADDR.in_place(addr) | IH.place(ih) | AM.place(am);
}
}  // namespace iva_reg

}  // namespace vtd::spec
