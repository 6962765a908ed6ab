// Interrupt remapping table entry (VT-d spec 9.10 remapped format, 9.11 posted format).
// 128 bits; the table has 2^(IRTA.S+1) entries.
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"
#include "model/spec/source_id.hpp"

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

// SQ (81:80) as a 16-bit AND mask over the requester id, for SVT=01 (the FM encoding, source_id.hpp).
constexpr uint16_t sq_mask(unsigned sq) {
  return sid_function_mask(sq);
}

namespace irte_fields {
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc FPD{"FPD", 1, 1, "fault processing disable"};
constexpr field_desc IM{"IM", 15, 15, "IRTE mode: 0 remapped, 1 posted"};
constexpr field_desc SID{"SID", 79, 64, "source identifier"};
constexpr field_desc SQ{"SQ", 81, 80, "source-id qualifier"};
constexpr field_desc SVT{"SVT", 83, 82, "source validation type"};
// Remapped format (IM=0)
constexpr field_desc DM{"DM", 2, 2, "destination mode: 0 physical, 1 logical"};
constexpr field_desc RH{"RH", 3, 3, "redirection hint"};
constexpr field_desc TM{"TM", 4, 4, "trigger mode: 0 edge, 1 level"};
constexpr field_desc DLM{"DLM", 7, 5, "delivery mode"};
constexpr field_desc AVAIL{"AVAIL", 11, 8, "available to software"};
constexpr field_desc V{"V", 23, 16, "vector"};
constexpr field_desc DST{"DST", 63, 32, "destination id"};
// Posted format (IM=1)
constexpr field_desc URG{"URG", 14, 14, "urgent"};
constexpr field_desc VV{"VV", 23, 16, "virtual vector (PIR bit to set)"};
}  // namespace irte_fields

struct irte {
  uint64_t lo = 0;
  uint64_t hi = 0;

  bool present() const { return irte_fields::P.get(lo); }
  bool fpd() const { return irte_fields::FPD.get(lo); }    // evaluated even when P=0
  bool posted() const { return irte_fields::IM.get(lo); }  // 0 remapped, 1 posted
  uint16_t sid() const { return static_cast<uint16_t>(irte_fields::SID.get(hi)); }
  unsigned sq() const { return static_cast<unsigned>(irte_fields::SQ.get(hi)); }
  source_validation svt() const { return static_cast<source_validation>(irte_fields::SVT.get(hi)); }

  // Remapped format (IM=0)
  bool dm() const { return irte_fields::DM.get(lo); }
  bool rh() const { return irte_fields::RH.get(lo); }
  bool tm() const { return irte_fields::TM.get(lo); }
  unsigned dlm() const { return static_cast<unsigned>(irte_fields::DLM.get(lo)); }
  unsigned avail() const { return static_cast<unsigned>(irte_fields::AVAIL.get(lo)); }
  uint8_t vector() const { return static_cast<uint8_t>(irte_fields::V.get(lo)); }
  uint32_t dst_raw() const { return static_cast<uint32_t>(irte_fields::DST.get(lo)); }
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
  bool urgent() const { return irte_fields::URG.get(lo); }
  uint8_t virtual_vector() const { return static_cast<uint8_t>(irte_fields::VV.get(lo)); }
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
