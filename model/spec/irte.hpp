// Interrupt remapping table entry (VT-d spec 9.10 remapped format, 9.11 posted format; digest 7.2/7.3).
// 128 bits; the table has 2^(IRTA.S+1) entries.
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"

namespace vtd::spec {

// DLM (7:5) delivery modes; other values are reserved (fault 24h).
enum class delivery_mode : uint8_t {
  fixed = 0,
  lowest_priority = 1,
  smi = 2,
  nmi = 4,
  init = 5,
  ext_int = 7
};
bool is_valid_delivery_mode(unsigned dlm);
const char* delivery_mode_name(unsigned dlm);

// SVT (83:82): source-id validation type.
enum class source_validation : uint8_t { none = 0, requester_id = 1, bus_range = 2, reserved = 3 };

// SQ (81:80) as a 16-bit AND mask over the requester id, for SVT=01.
constexpr uint16_t sq_mask(unsigned sq) {
  constexpr uint16_t masks[4] = {0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8};
  return masks[sq & 3];
}

struct irte {
  uint64_t lo = 0;
  uint64_t hi = 0;

  bool present() const { return get_bit(lo, 0); }  // P (0)
  bool fpd() const { return get_bit(lo, 1); }      // FPD (1), evaluated even when P=0
  bool posted() const { return get_bit(lo, 15); }  // IM (15): 0 remapped, 1 posted
  uint16_t sid() const { return static_cast<uint16_t>(get_bits(hi, 15, 0)); }  // SID (79:64)
  unsigned sq() const { return static_cast<unsigned>(get_bits(hi, 17, 16)); }  // SQ (81:80)
  source_validation svt() const {
    return static_cast<source_validation>(get_bits(hi, 19, 18));
  }  // SVT (83:82)

  // Remapped format (IM=0)
  bool dm() const { return get_bit(lo, 2); }                                  // DM (2): 0 physical, 1 logical
  bool rh() const { return get_bit(lo, 3); }                                  // RH (3)
  bool tm() const { return get_bit(lo, 4); }                                  // TM (4): 0 edge, 1 level
  unsigned dlm() const { return static_cast<unsigned>(get_bits(lo, 7, 5)); }  // DLM (7:5)
  unsigned avail() const { return static_cast<unsigned>(get_bits(lo, 11, 8)); }     // AVAIL (11:8)
  uint8_t vector() const { return static_cast<uint8_t>(get_bits(lo, 23, 16)); }     // V (23:16)
  uint32_t dst_raw() const { return static_cast<uint32_t>(get_bits(lo, 63, 32)); }  // DST (63:32)
  // Destination as the APIC sees it: xAPIC mode (EIME=0) uses DST bits 47:40 only.
  uint32_t destination(bool eime) const {
    return eime ? dst_raw() : static_cast<uint32_t>(get_bits(lo, 47, 40));
  }

  // Reserved bits of a present remapped-format entry (fault 24h). In xAPIC mode DST 39:32 and 63:48 are
  // reserved.
  uint64_t reserved_lo_remapped(bool eime) const {
    uint64_t m = field_mask(14, 12) | field_mask(31, 24);
    if (!eime) m |= field_mask(39, 32) | field_mask(63, 48);
    return lo & m;
  }
  uint64_t reserved_hi() const { return hi & field_mask(63, 20); }  // 127:84

  // Posted format (IM=1)
  bool urgent() const { return get_bit(lo, 14); }                                              // URG (14)
  uint8_t virtual_vector() const { return static_cast<uint8_t>(get_bits(lo, 23, 16)); }        // VV (23:16)
  uint64_t pda() const { return (get_bits(lo, 63, 38) << 6) | (get_bits(hi, 63, 32) << 32); }  // PDA
  uint64_t reserved_lo_posted() const {
    return lo & (field_mask(7, 2) | field_mask(13, 12) | field_mask(37, 24));
  }
  uint64_t reserved_hi_posted(unsigned haw) const {
    uint64_t m = field_mask(31, 20);
    if (haw < 64) m |= (above_width_mask(haw) >> 32) << 32;  // PDA bits above HAW live in 127:96
    return hi & m;
  }

  struct remapped_fields {
    uint8_t vector = 0;
    uint32_t destination = 0;  // already placed: xAPIC id in bits 15:8 of DST for EIME=0 is handled by make
    unsigned dlm = 0;
    bool dm = false, rh = false, tm = false, fpd = false;
    uint16_t sid = 0;
    unsigned sq = 0;
    source_validation svt = source_validation::none;
  };
  static irte make_remapped(const remapped_fields& f, bool eime) {
    irte e;
    uint64_t dst = eime ? uint64_t(f.destination) : (uint64_t(f.destination & 0xFF) << 8);
    e.lo = 1 | (f.fpd ? 2u : 0u) | (f.dm ? 4u : 0u) | (f.rh ? 8u : 0u) | (f.tm ? 16u : 0u) |
           (uint64_t(f.dlm & 7) << 5) | (uint64_t(f.vector) << 16) | (dst << 32);
    e.hi = uint64_t(f.sid) | (uint64_t(f.sq & 3) << 16) | (uint64_t(f.svt) << 18);
    return e;
  }
  static irte make_posted(uint8_t vv, uint64_t pid_addr, bool urgent, uint16_t sid, unsigned sq,
                          source_validation svt) {
    irte e;
    e.lo = 1 | (urgent ? (1u << 14) : 0u) | (1u << 15) | (uint64_t(vv) << 16) |
           ((get_bits(pid_addr, 31, 6)) << 38);
    e.hi =
        uint64_t(sid) | (uint64_t(sq & 3) << 16) | (uint64_t(svt) << 18) | (get_bits(pid_addr, 63, 32) << 32);
    return e;
  }
  static constexpr uint64_t size_bytes = 16;
};

}  // namespace vtd::spec
