// VT-d register offsets and fields (VT-d spec chapter 11).
#pragma once
#include <cstdint>

#include "model/spec/bits.hpp"

namespace vtd::spec::reg {

// Offsets (spec 11.4 register map). IVA/IOTLB and FRCD are placed by ECAP.IRO and CAP.FRO.
constexpr uint32_t VER = 0x000, CAP = 0x008, ECAP = 0x010, GCMD = 0x018, GSTS = 0x01C, RTADDR = 0x020,
                   CCMD = 0x028, FSTS = 0x034, FECTL = 0x038, FEDATA = 0x03C, FEADDR = 0x040, FEUADDR = 0x044,
                   IQH = 0x080, IQT = 0x088, IQA = 0x090, ICS = 0x09C, IECTL = 0x0A0, IEDATA = 0x0A4,
                   IEADDR = 0x0A8, IEUADDR = 0x0AC, IQERCD = 0x0B0, IRTA = 0x0B8;

// GCMD_REG / GSTS_REG bits.
constexpr uint32_t TE = 1u << 31, SRTP = 1u << 30, WBF = 1u << 27, QIE = 1u << 26, IRE = 1u << 25,
                   SIRTP = 1u << 24, CFI = 1u << 23;
constexpr uint32_t GCMD_ONE_SHOT = SRTP | WBF | SIRTP | (1u << 29);
// GSTS bits share positions: TES, RTPS, WBFS, QIES, IRES, IRTPS, CFIS.

// FSTS_REG bits.
constexpr uint32_t FSTS_PFO = 1u << 0, FSTS_PPF = 1u << 1, FSTS_IQE = 1u << 4, FSTS_ICE = 1u << 5,
                   FSTS_ITE = 1u << 6;
constexpr uint32_t FECTL_IM = 1u << 31, FECTL_IP = 1u << 30;

// CAP_REG fields (decoded once into spec::caps, caps.hpp).
struct cap_reg {
  uint64_t raw = 0;
  unsigned nd() const { return unsigned(get_bits(raw, 2, 0)); }
  unsigned domain_id_bits() const { return 4 + 2 * nd(); }
  bool rwbf() const { return get_bit(raw, 4); }
  bool plmr() const { return get_bit(raw, 5); }
  bool phmr() const { return get_bit(raw, 6); }
  bool cm() const { return get_bit(raw, 7); }
  unsigned sagaw() const { return unsigned(get_bits(raw, 12, 8)); }
  bool supports_aw(unsigned aw) const { return aw <= 4 && ((sagaw() >> aw) & 1) && aw >= 1 && aw <= 3; }
  unsigned mgaw() const { return unsigned(get_bits(raw, 21, 16)) + 1; }
  bool zlr() const { return get_bit(raw, 22); }
  unsigned fro() const { return unsigned(get_bits(raw, 33, 24)); }
  unsigned sllps() const { return unsigned(get_bits(raw, 37, 34)); }
  bool super_2m() const { return sllps() & 1; }
  bool super_1g() const { return sllps() & 2; }
  bool psi() const { return get_bit(raw, 39); }
  unsigned nfr() const { return unsigned(get_bits(raw, 47, 40)) + 1; }
  unsigned mamv() const { return unsigned(get_bits(raw, 53, 48)); }
  bool dwd() const { return get_bit(raw, 54); }
  bool drd() const { return get_bit(raw, 55); }
  bool fs1gp() const { return get_bit(raw, 56); }  // FL1GP / FS1GP: 1 GiB first-stage pages
  bool pi() const { return get_bit(raw, 59); }
  bool fs5lp() const { return get_bit(raw, 60); }  // FL5LP / FS5LP: 5-level first-stage paging
  bool esrtps() const { return get_bit(raw, 63); }
  bool esirtps() const { return get_bit(raw, 62); }
};

// ECAP_REG fields (decoded once into spec::caps, caps.hpp).
struct ecap_reg {
  uint64_t raw = 0;
  bool c() const { return get_bit(raw, 0); }
  bool qi() const { return get_bit(raw, 1); }
  bool dt() const { return get_bit(raw, 2); }
  bool ir() const { return get_bit(raw, 3); }
  bool eim() const { return get_bit(raw, 4); }
  bool pt() const { return get_bit(raw, 6); }
  bool sc() const { return get_bit(raw, 7); }
  unsigned iro() const { return unsigned(get_bits(raw, 17, 8)); }
  unsigned mhmv() const { return unsigned(get_bits(raw, 23, 20)); }
  bool mts() const { return get_bit(raw, 25); }
  bool nest() const { return get_bit(raw, 26); }
  bool prs() const { return get_bit(raw, 29); }
  bool ers() const { return get_bit(raw, 30); }
  bool srs() const { return get_bit(raw, 31); }
  bool nwfs() const { return get_bit(raw, 33); }
  bool eafs() const { return get_bit(raw, 34); }
  unsigned pss() const { return unsigned(get_bits(raw, 39, 35)); }
  bool pasid() const { return get_bit(raw, 40); }
  bool dit() const { return get_bit(raw, 41); }
  bool pds() const { return get_bit(raw, 42); }
  bool smts() const { return get_bit(raw, 43); }
  bool slads() const { return get_bit(raw, 45); }  // SLADS / SSADS
  bool slts() const { return get_bit(raw, 46); }   // SLTS / SSTS
  bool flts() const { return get_bit(raw, 47); }   // FLTS / FSTS
  bool smpwcs() const { return get_bit(raw, 48); }
  bool rps() const { return get_bit(raw, 49); }
  bool adms() const { return get_bit(raw, 52); }
  bool rprivs() const { return get_bit(raw, 53); }
};

// RTADDR_REG: 63:12 RTA, 11:10 TTM; 9:8 RsvdZ, 7 SSIRWE (5.x only: RsvdZ in this 3.x/4.x model),
// 6:0 RsvdZ. Spec chapter 11, RTADDR_REG field RTA: "Hardware may ignore and not implement bits 63:HAW".
// This model does not implement them (as Intel chipsets, whose RTADDR bits 63:HAW are read-only 0), so a root
// table programmed at or above 2^HAW is read at its address modulo 2^HAW.
enum class ttm : uint8_t { legacy = 0, scalable = 1, reserved = 2, abort_dma = 3 };
inline uint64_t rtaddr_rta(uint64_t v) {
  return v & field_mask(63, 12);
}
// The RTADDR value software writes for a root table at `rta` in mode `t`.
inline uint64_t make_rtaddr(uint64_t rta, ttm t) {
  return rtaddr_rta(rta) | set_bits(0, 11, 10, uint64_t(t));
}
inline ttm rtaddr_ttm(uint64_t v) {
  return static_cast<ttm>(get_bits(v, 11, 10));
}
// The RTADDR bits the register implements: RTA below HAW and TTM. The register file keeps only these bits of
// what software writes; the table checker uses the same mask to find the table the hardware reads.
inline uint64_t rtaddr_implemented(unsigned haw) {
  return (field_mask(63, 12) & ~above_width_mask(haw)) | field_mask(11, 10);
}
// RsvdZ bits of an RTADDR value: 9:0, and RTA bits 63:HAW (reserved in every address field above
// the host address width).
inline uint64_t rtaddr_reserved(uint64_t v, unsigned haw) {
  return v & ~rtaddr_implemented(haw);
}

// IRTA_REG: 63:12 base, 11 EIME, 10:4 RsvdZ, 3:0 S (2^(S+1) entries). EIME is reserved without
// ECAP.EIM (no x2APIC mode). Spec chapter 11, IRTA_REG field IRTA: hardware may ignore and not implement
// bits 63:HAW, as for RTADDR.RTA.
inline uint64_t irta_base(uint64_t v) {
  return v & field_mask(63, 12);
}
inline bool irta_eime(uint64_t v) {
  return get_bit(v, 11);
}
inline unsigned irta_size_field(uint64_t v) {
  return unsigned(get_bits(v, 3, 0));
}
inline uint32_t irta_entries(uint64_t v) {
  return uint32_t{1} << (irta_size_field(v) + 1);
}
inline uint64_t make_irta(uint64_t base, unsigned s, bool eime) {
  return (base & field_mask(63, 12)) | (eime ? (1u << 11) : 0u) | (s & 0xF);
}
// The IRTA bits the register implements (`eim` = ECAP.EIM): base below HAW, EIME when x2APIC mode exists, S.
inline uint64_t irta_implemented(unsigned haw, bool eim) {
  return (field_mask(63, 12) & ~above_width_mask(haw)) | (eim ? field_mask(11, 11) : 0) | field_mask(3, 0);
}
// RsvdZ bits 10:4 of an IRTA value.
inline uint64_t irta_reserved(uint64_t v) {
  return v & field_mask(10, 4);
}
// Base bits 63:HAW of an IRTA value (reserved; not implemented by the register).
inline uint64_t irta_above_haw(uint64_t v, unsigned haw) {
  return v & field_mask(63, 12) & above_width_mask(haw);
}

}  // namespace vtd::spec::reg
