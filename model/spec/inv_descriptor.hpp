// Queued-invalidation descriptors (VT-d spec 6.5.2): 128-bit layouts of cc_inv_dsc (type 1),
// iotlb_inv_dsc (2), dev_tlb_inv_dsc (3), iec_inv_dsc (4) and inv_wait_dsc (5), their reserved bits, and the
// IQERCD_REG.IQEI error codes. In a DW=1 queue each descriptor occupies 256 bits.
#pragma once
#include <array>
#include <cstdint>

#include "model/spec/bits.hpp"

namespace vtd::spec {

// Type = {QW0[11:9], QW0[3:0]} (7 bits).
enum class inv_type : uint8_t {
  cc = 1,
  iotlb = 2,
  dev_tlb = 3,
  iec = 4,
  wait = 5,  // legacy and scalable
  p_iotlb = 6,
  pc = 7,
  p_dev_tlb = 8,
  page_group_response = 9,
  hpt = 0xA,  // 256-bit only (scalable mode)
};
const char* to_string(inv_type t);

// IQERCD_REG.IQEI (3:0).
enum class iqei : uint8_t {
  none = 0,
  invalid_tail = 1,     // IQT beyond the queue
  fetch_error = 2,      // descriptor read failed
  invalid_type = 3,     // unknown type, or a feature the hardware lacks (e.g. dev-TLB with ECAP.DT=0)
  reserved_field = 4,   // reserved bit set, or a reserved/unsupported field value
  invalid_width = 5,    // DW does not fit the mode (DW=1 without SMTS/ADMS; DW=0 in scalable mode)
  tail_misaligned = 6,  // DW=1 and IQT bit 4 set
  invalid_ttm = 7,      // RTADDR.TTM = 10b
};
const char* to_string(iqei e);

// IQA_REG: 63:12 base, 11 DW, 2:0 QS.
inline uint64_t iqa_base(uint64_t iqa) {
  return iqa & field_mask(63, 12);
}
inline bool iqa_dw(uint64_t iqa) {
  return get_bit(iqa, 11);
}
inline unsigned iqa_qs(uint64_t iqa) {
  return unsigned(get_bits(iqa, 2, 0));
}
inline uint32_t iq_entries(uint64_t iqa) {
  return uint32_t{1} << (iqa_qs(iqa) + (iqa_dw(iqa) ? 7 : 8));
}
inline unsigned iq_descriptor_bytes(uint64_t iqa) {
  return iqa_dw(iqa) ? 32 : 16;
}
inline uint64_t make_iqa(uint64_t base, bool dw, unsigned qs) {
  return (base & field_mask(63, 12)) | (dw ? (uint64_t{1} << 11) : 0) | (qs & 7);
}
// IQH / IQT (18:4): byte offset into the queue; index = value >> 4 (DW=0) or >> 5 (DW=1).
constexpr uint64_t kIqPointerMask = field_mask(18, 4);

struct inv_descriptor {
  std::array<uint64_t, 4> qw{};  // QW2/QW3 only meaningful in a DW=1 queue

  unsigned type() const { return unsigned(get_bits(qw[0], 11, 9) << 4 | get_bits(qw[0], 3, 0)); }
  unsigned granularity() const { return unsigned(get_bits(qw[0], 5, 4)); }  // cc / iotlb G (5:4)

  // cc_inv_dsc
  uint16_t cc_did() const { return uint16_t(get_bits(qw[0], 31, 16)); }  // DID (31:16)
  uint16_t cc_sid() const { return uint16_t(get_bits(qw[0], 47, 32)); }  // SID (47:32)
  unsigned cc_fm() const { return unsigned(get_bits(qw[0], 49, 48)); }   // FM (49:48)
  // iotlb_inv_dsc
  bool iotlb_dw() const { return get_bit(qw[0], 6); }  // DW (6): drain writes
  bool iotlb_dr() const { return get_bit(qw[0], 7); }  // DR (7): drain reads
  uint16_t iotlb_did() const { return uint16_t(get_bits(qw[0], 31, 16)); }
  unsigned iotlb_am() const { return unsigned(get_bits(qw[1], 5, 0)); }  // AM (69:64)
  bool iotlb_ih() const { return get_bit(qw[1], 6); }                    // IH (70)
  uint64_t iotlb_addr() const { return qw[1] & field_mask(63, 12); }     // ADDR (127:76)
  // dev_tlb_inv_dsc
  uint16_t dev_sid() const { return uint16_t(get_bits(qw[0], 47, 32)); }
  unsigned dev_mip() const { return unsigned(get_bits(qw[0], 20, 16)); }
  uint16_t dev_pfsid() const { return uint16_t(get_bits(qw[0], 15, 12) | get_bits(qw[0], 63, 52) << 4); }
  bool dev_s() const { return get_bit(qw[1], 0); }
  uint64_t dev_addr() const { return qw[1] & field_mask(63, 12); }
  // iec_inv_dsc
  bool iec_index_selective() const { return get_bit(qw[0], 4); }           // G (4): 0 global, 1 index
  unsigned iec_im() const { return unsigned(get_bits(qw[0], 31, 27)); }    // IM (31:27)
  uint16_t iec_iidx() const { return uint16_t(get_bits(qw[0], 47, 32)); }  // IIDX (47:32)
  // inv_wait_dsc
  bool wait_if() const { return get_bit(qw[0], 4); }  // IF (4): set ICS.IWC
  bool wait_sw() const { return get_bit(qw[0], 5); }  // SW (5): write status data
  bool wait_fn() const { return get_bit(qw[0], 6); }  // FN (6): fence
  bool wait_pd() const { return get_bit(qw[0], 7); }  // PD (7): page-request drain
  uint32_t wait_data() const { return uint32_t(get_bits(qw[0], 63, 32)); }
  uint64_t wait_address() const { return qw[1] & field_mask(63, 2); }

  // Builders (what a driver writes).
  static inv_descriptor make_cc(unsigned g, uint16_t did, uint16_t sid, unsigned fm) {
    return {{1 | uint64_t(g & 3) << 4 | uint64_t(did) << 16 | uint64_t(sid) << 32 | uint64_t(fm & 3) << 48, 0,
             0, 0}};
  }
  static inv_descriptor make_iotlb(unsigned g, uint16_t did, uint64_t addr, unsigned am, bool ih,
                                   bool dr = false, bool dw = false) {
    return {{2 | uint64_t(g & 3) << 4 | (dw ? 1u << 6 : 0u) | (dr ? 1u << 7 : 0u) | uint64_t(did) << 16,
             (addr & field_mask(63, 12)) | (ih ? 1u << 6 : 0u) | (am & 0x3F), 0, 0}};
  }
  static inv_descriptor make_dev_tlb(uint16_t sid, uint16_t pfsid, unsigned mip, uint64_t addr, bool s) {
    return {{3 | uint64_t(pfsid & 0xF) << 12 | uint64_t(mip & 0x1F) << 16 | uint64_t(sid) << 32 |
                 uint64_t(pfsid >> 4) << 52,
             (addr & field_mask(63, 12)) | (s ? 1u : 0u), 0, 0}};
  }
  static inv_descriptor make_iec(bool index_selective, uint16_t iidx, unsigned im) {
    return {
        {4 | (index_selective ? 1u << 4 : 0u) | uint64_t(im & 0x1F) << 27 | uint64_t(iidx) << 32, 0, 0, 0}};
  }
  static inv_descriptor make_wait(bool iflag, bool sw, uint32_t data, uint64_t status_addr, bool fn = false) {
    return {{5 | (iflag ? 1u << 4 : 0u) | (sw ? 1u << 5 : 0u) | (fn ? 1u << 6 : 0u) | uint64_t(data) << 32,
             status_addr & field_mask(63, 2), 0, 0}};
  }
};

// Reserved bits of the 128-bit legacy descriptors (spec 6.5.2.1-6.5.2.8). `pds`: ECAP.PDS (PD is reserved
// without it). DID bits above CAP.ND are ignored, not reserved. Unknown types return all-ones.
struct inv_reserved {
  uint64_t qw0 = ~uint64_t{0};
  uint64_t qw1 = ~uint64_t{0};
};
inline inv_reserved inv_reserved_bits(unsigned type, bool pds) {
  switch (type) {
    case 1:
      return {field_mask(8, 6) | field_mask(15, 12) | field_mask(63, 50), ~uint64_t{0}};
    case 2:
      return {field_mask(8, 8) | field_mask(15, 12) | field_mask(63, 32), field_mask(11, 7)};
    case 3:
      return {field_mask(8, 4) | field_mask(31, 21) | field_mask(51, 48), field_mask(11, 1)};
    case 4:
      return {field_mask(8, 5) | field_mask(26, 12) | field_mask(63, 48), ~uint64_t{0}};
    case 5:
      return {field_mask(8, 8) | field_mask(31, 12) | (pds ? 0 : field_mask(7, 7)), field_mask(1, 0)};
    default:
      return {};
  }
}

}  // namespace vtd::spec
