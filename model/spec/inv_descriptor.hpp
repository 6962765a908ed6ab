// Queued-invalidation descriptors (VT-d spec 6.5.2): the 128-bit layouts of cc_inv_dsc (type 1),
// iotlb_inv_dsc (2), dev_tlb_inv_dsc (3), iec_inv_dsc (4) and inv_wait_dsc (5), the 256-bit scalable-mode
// layouts of p_iotlb_inv_dsc (6), pc_inv_dsc (7) and p_dev_tlb_inv_dsc (8), their reserved bits, and the
// IQERCD_REG.IQEI error codes. In a DW=1 queue every descriptor occupies 256 bits (a 128-bit one with bits
// 255:128 zero); the 256-bit types exist only there.
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

// pc_inv_dsc G (QW0 5:4, "PASID-cache Invalidate Descriptor"): 00 domain-selective (every entry of DID),
// 01 PASID-selective within the domain (DID and PASID), 10 reserved, 11 global.
enum class pc_granularity : uint8_t { domain = 0, pasid = 1, reserved = 2, global = 3 };
// p_iotlb_inv_dsc G (QW0 5:4, "PASID-based-IOTLB Invalidate Descriptor"): 00 and 01 reserved (Rev 2.x's
// extended-IOTLB descriptor used them for all-PASID scopes; from Rev 3.0 on, all PASIDs of a domain are
// iotlb_inv_dsc's domain-selective scope), 10 PASID-selective within the domain, 11 page-selective within
// the PASID (ADDR, AM, IH).
enum class piotlb_granularity : uint8_t { reserved0 = 0, reserved1 = 1, pasid = 2, page = 3 };

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
  // pc_inv_dsc (256-bit): G (5:4), DID (31:16), PASID (51:32); QW1-QW3 reserved.
  pc_granularity pc_g() const { return static_cast<pc_granularity>(get_bits(qw[0], 5, 4)); }
  uint16_t pc_did() const { return uint16_t(get_bits(qw[0], 31, 16)); }
  uint32_t pc_pasid() const { return uint32_t(get_bits(qw[0], 51, 32)); }
  // p_iotlb_inv_dsc (256-bit): G (5:4), DID (31:16), PASID (51:32); AM (69:64), IH (70), ADDR (127:76).
  piotlb_granularity piotlb_g() const { return static_cast<piotlb_granularity>(get_bits(qw[0], 5, 4)); }
  uint16_t piotlb_did() const { return uint16_t(get_bits(qw[0], 31, 16)); }
  uint32_t piotlb_pasid() const { return uint32_t(get_bits(qw[0], 51, 32)); }
  unsigned piotlb_am() const { return unsigned(get_bits(qw[1], 5, 0)); }
  bool piotlb_ih() const { return get_bit(qw[1], 6); }
  uint64_t piotlb_addr() const { return qw[1] & field_mask(63, 12); }
  // p_dev_tlb_inv_dsc (256-bit): MIP (8:4), PFSID (15:12 low, 63:52 high), SID (31:16), PASID (51:32);
  // G (64: every PASID), S (75: size in ADDR), ADDR (127:76).
  unsigned pdev_mip() const { return unsigned(get_bits(qw[0], 8, 4)); }
  uint16_t pdev_pfsid() const { return uint16_t(get_bits(qw[0], 15, 12) | get_bits(qw[0], 63, 52) << 4); }
  uint16_t pdev_sid() const { return uint16_t(get_bits(qw[0], 31, 16)); }
  uint32_t pdev_pasid() const { return uint32_t(get_bits(qw[0], 51, 32)); }
  bool pdev_global() const { return get_bit(qw[1], 0); }
  bool pdev_s() const { return get_bit(qw[1], 11); }
  uint64_t pdev_addr() const { return qw[1] & field_mask(63, 12); }

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
  // 256-bit scalable-mode descriptors (QW2 and QW3 are reserved in all three).
  static inv_descriptor make_pc(pc_granularity g, uint16_t did, uint32_t pasid) {
    return {{7 | uint64_t(g) << 4 | uint64_t(did) << 16 | uint64_t(pasid & 0xFFFFF) << 32, 0, 0, 0}};
  }
  static inv_descriptor make_pc_global() { return make_pc(pc_granularity::global, 0, 0); }
  static inv_descriptor make_pc_domain(uint16_t did) { return make_pc(pc_granularity::domain, did, 0); }
  static inv_descriptor make_pc_pasid(uint16_t did, uint32_t pasid) {
    return make_pc(pc_granularity::pasid, did, pasid);
  }
  static inv_descriptor make_piotlb(piotlb_granularity g, uint16_t did, uint32_t pasid, uint64_t addr = 0,
                                    unsigned am = 0, bool ih = false) {
    return {{6 | uint64_t(g) << 4 | uint64_t(did) << 16 | uint64_t(pasid & 0xFFFFF) << 32,
             (addr & field_mask(63, 12)) | (ih ? 1u << 6 : 0u) | (am & 0x3F), 0, 0}};
  }
  static inv_descriptor make_piotlb_pasid(uint16_t did, uint32_t pasid) {
    return make_piotlb(piotlb_granularity::pasid, did, pasid);
  }
  static inv_descriptor make_piotlb_page(uint16_t did, uint32_t pasid, uint64_t addr, unsigned am, bool ih) {
    return make_piotlb(piotlb_granularity::page, did, pasid, addr, am, ih);
  }
  static inv_descriptor make_p_dev_tlb(uint16_t sid, uint16_t pfsid, unsigned mip, uint32_t pasid,
                                       uint64_t addr, bool s, bool global = false) {
    return {{8 | uint64_t(mip & 0x1F) << 4 | uint64_t(pfsid & 0xF) << 12 | uint64_t(sid) << 16 |
                 uint64_t(pasid & 0xFFFFF) << 32 | uint64_t(pfsid >> 4) << 52,
             (addr & field_mask(63, 12)) | (s ? 1u << 11 : 0u) | (global ? 1u : 0u), 0, 0}};
  }
};

// Reserved bits of the descriptors (spec 6.5.2), per quadword. `pds`: ECAP.PDS (PD is reserved without it).
// DID bits above CAP.ND are ignored, not reserved. QW2/QW3 are all reserved: the 128-bit types have bits
// 255:128 zero in a DW=1 queue, and the 256-bit types 6-8 define nothing there. Unknown types return
// all-ones.
struct inv_reserved {
  uint64_t qw0 = ~uint64_t{0};
  uint64_t qw1 = ~uint64_t{0};
  uint64_t qw2 = ~uint64_t{0};
  uint64_t qw3 = ~uint64_t{0};
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
    case 6:  // p_iotlb_inv_dsc: 8:6 (it always drains: no DR/DW), 15:12, 63:52; QW1 11:7
      return {field_mask(8, 6) | field_mask(15, 12) | field_mask(63, 52), field_mask(11, 7)};
    case 7:  // pc_inv_dsc: 8:6, 15:12, 63:52; QW1 all
      return {field_mask(8, 6) | field_mask(15, 12) | field_mask(63, 52), ~uint64_t{0}};
    case 8:  // p_dev_tlb_inv_dsc: QW0 fully defined; QW1 10:1
      return {0, field_mask(10, 1)};
    default:
      return {};
  }
}

}  // namespace vtd::spec
