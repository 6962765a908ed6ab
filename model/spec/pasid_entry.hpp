// Scalable-mode PASID directory entry (VT-d spec 9.5 "Scalable-Mode PASID Directory Entry") and
// PASID-table entry (spec 9.6 "Scalable-Mode PASID Table Entry"). The directory is indexed by
// PASID[19:6] (8-byte entries), a PASID table by PASID[5:0] (64-byte entries, 64 per 4 KiB table).
// Layout as in Rev 3.x (which still defines SLEE, EMT, PWT, PCD, ERE, NXE, SMEP); a 4.x/5.x model keeps those
// bits reserved or ignored through pasid_check_config::rev3. Bits 511:192 are reserved (5.x HPT fields not
// modelled).
#pragma once
#include <array>
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"
#include "model/spec/wide_entry.hpp"

namespace vtd::spec {

// PASIDs are 20 bits (the PASID TLP prefix; FRCD.PV; the 19:0 range of the directory and table indexes).
constexpr uint32_t kMaxPasid = 0xFFFFF;

constexpr unsigned pasid_dir_index(uint32_t pasid) {
  return (pasid >> 6) & 0x3FFF;
}
constexpr unsigned pasid_table_index(uint32_t pasid) {
  return pasid & 0x3F;
}

namespace pasid_dir_fields {
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc FPD{"FPD", 1, 1, "fault processing disable (evaluated even when P=0)"};
constexpr field_desc SMPTBLPTR{"SMPTBLPTR", 63, 12, "scalable-mode PASID table pointer (host physical)"};
constexpr std::array<field_desc, 3> kAll{P, FPD, SMPTBLPTR};
constexpr const char* kReservedRanges = "11:2, 63:HAW";
}  // namespace pasid_dir_fields

struct pasid_dir_fields_t {
  bool p = false, fpd = false;
  uint64_t smptblptr = 0;  // in place
  friend constexpr bool operator==(const pasid_dir_fields_t&, const pasid_dir_fields_t&) = default;
};

struct pasid_dir_entry {
  uint64_t raw = 0;

  bool present() const { return pasid_dir_fields::P.get(raw); }
  bool fpd() const { return pasid_dir_fields::FPD.get(raw); }
  uint64_t smptblptr() const { return pasid_dir_fields::SMPTBLPTR.in_place(raw); }
  // Reserved for a present entry (SPD.3 / fault 52h): 11:2, SMPTBLPTR bits 63:haw.
  static constexpr uint64_t reserved_mask(unsigned haw) { return field_mask(11, 2) | above_width_mask(haw); }
  uint64_t reserved_bits(unsigned haw) const { return raw & reserved_mask(haw); }

  pasid_dir_fields_t decode() const { return {present(), fpd(), smptblptr()}; }
  static pasid_dir_entry encode(const pasid_dir_fields_t& f) {
    using namespace pasid_dir_fields;
    return pasid_dir_entry{SMPTBLPTR.in_place(f.smptblptr) | FPD.place(f.fpd) | P.place(f.p)};
  }
  static constexpr uint64_t size_bytes = 8;
};

// PGTT (bits 8:6): PASID-granular translation type.
enum class pgtt : uint8_t {
  reserved0 = 0,
  first_stage = 1,   // 001b: first-stage only (needs ECAP.FLTS)
  second_stage = 2,  // 010b: second-stage only (needs ECAP.SLTS)
  nested = 3,        // 011b: first-stage nested over second-stage (needs ECAP.NEST)
  pass_through = 4,  // 100b: pass-through (needs ECAP.PT)
};
constexpr bool pgtt_defined(unsigned v) {
  return v >= 1 && v <= 4;
}

namespace pasid_fields {
// QW0
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc FPD{"FPD", 1, 1, "fault processing disable (evaluated even when P=0)"};
constexpr field_desc AW{"AW", 4, 2, "second-stage address width (context AW encoding)"};
constexpr field_desc SLEE{"SLEE", 5, 5, "second-stage execute enable (Rev 3.x; reserved later)"};
constexpr field_desc PGTT{"PGTT", 8, 6, "PASID-granular translation type"};
constexpr field_desc SLADE{"SLADE", 9, 9, "second-stage accessed/dirty enable"};
constexpr field_desc SLPTPTR{"SLPTPTR", 63, 12, "second-stage page-table pointer (host physical)"};
// QW1
constexpr field_desc DID{"DID", 79, 64, "domain id"};
constexpr field_desc PWSNP{"PWSNP", 87, 87, "page-walk snoop"};
constexpr field_desc PGSNP{"PGSNP", 88, 88, "page snoop: force snoop on all accesses"};
constexpr field_desc CD{"CD", 89, 89, "cache disable"};
constexpr field_desc EMTE{"EMTE", 90, 90, "extended memory type enable"};
constexpr field_desc EMT{"EMT", 93, 91, "extended memory type (Rev 3.x; reserved later)"};
constexpr field_desc PWT{"PWT", 94, 94, "page-level write-through (Rev 3.x; reserved later)"};
constexpr field_desc PCD{"PCD", 95, 95, "page-level cache disable (Rev 3.x; reserved later)"};
constexpr field_desc PAT{"PAT", 127, 96, "page attribute table: PA0..PA7, four bits each"};
// QW2
constexpr field_desc SRE{"SRE", 128, 128, "supervisor requests enable"};
constexpr field_desc ERE{"ERE", 129, 129, "execute requests enable (Rev 3.x; reserved later)"};
constexpr field_desc FLPM{"FLPM", 131, 130, "first-stage paging mode: 00b 4-level, 01b 5-level"};
constexpr field_desc WPE{"WPE", 132, 132, "write-protect enable for supervisor requests"};
constexpr field_desc NXE{"NXE", 133, 133, "no-execute enable (Rev 3.x; ignored later)"};
constexpr field_desc SMEP{"SMEP", 134, 134, "supervisor-mode execute prevention (Rev 3.x; ignored later)"};
constexpr field_desc EAFE{"EAFE", 135, 135, "extended accessed flag enable"};
constexpr field_desc FLPTPTR{"FLPTPTR", 191, 140, "first-stage page-table pointer (GPA when nested)"};
constexpr std::array<field_desc, 24> kAll{P,     FPD,   AW,   SLEE, PGTT, SLADE, SLPTPTR, DID,
                                          PWSNP, PGSNP, CD,   EMTE, EMT,  PWT,   PCD,     PAT,
                                          SRE,   ERE,   FLPM, WPE,  NXE,  SMEP,  EAFE,    FLPTPTR};
constexpr const char* kReservedRanges =
    "11:10, 63:HAW, DID above ND, 86:80, 139:136, 191:128+HAW, 511:192, feature bits per CAP/ECAP";
}  // namespace pasid_fields

// What the reserved-bit check of a PASID-table entry depends on (CAP/ECAP, the platform, the revision).
struct pasid_check_config {
  unsigned haw = 46;               // SLPTPTR bits 63:haw, FLPTPTR bits 191:128+haw are RsvdZ
  unsigned did_bits = 16;          // CAP.ND width: DID bits above it are RsvdZ
  bool ss_ad = false;              // ECAP.SLADS (SSADS): SLADE is RsvdZ without it
  bool page_walk_snoop = false;    // ECAP.SMPWCS: PWSNP is RsvdZ without it
  bool snoop_control = false;      // ECAP.SC: PGSNP is RsvdZ without it
  bool memory_type = false;        // ECAP.MTS: CD, EMTE (and in Rev 3.x EMT, PWT, PCD) RsvdZ without it [?]
  bool supervisor = false;         // ECAP.SRS: SRE is RsvdZ without it
  bool extended_accessed = false;  // ECAP.EAFS: EAFE is RsvdZ without it
  bool rev3 =
      false;  // Rev 3.x fields SLEE, EMT, PWT, PCD, ERE defined (4.1+/5.x: RsvdZ); NXE/SMEP never RsvdZ
  bool rev3_execute = false;  // Rev 3.x ECAP.ERS: ERE RsvdZ without it (only with rev3)
};

struct pasid_fields_t {
  bool p = false, fpd = false;
  unsigned aw = 0;
  bool slee = false;
  pgtt type = pgtt::reserved0;
  bool slade = false;
  uint64_t slptptr = 0;  // in place
  uint16_t did = 0;
  bool pwsnp = false, pgsnp = false, cd = false, emte = false;
  unsigned emt = 0;
  bool pwt = false, pcd = false;
  uint32_t pat = 0;
  bool sre = false, ere = false;
  unsigned flpm = 0;
  bool wpe = false, nxe = false, smep = false, eafe = false;
  uint64_t flptptr = 0;  // in place
  friend constexpr bool operator==(const pasid_fields_t&, const pasid_fields_t&) = default;
};

struct pasid_entry : wide_entry<8> {
  bool present() const { return flag(pasid_fields::P); }
  bool fpd() const { return flag(pasid_fields::FPD); }
  unsigned aw() const { return static_cast<unsigned>(get(pasid_fields::AW)); }
  bool slee() const { return flag(pasid_fields::SLEE); }
  unsigned pgtt_raw() const { return static_cast<unsigned>(get(pasid_fields::PGTT)); }
  pgtt type() const { return static_cast<pgtt>(pgtt_raw()); }
  bool slade() const { return flag(pasid_fields::SLADE); }
  uint64_t slptptr() const { return in_place(pasid_fields::SLPTPTR); }
  uint16_t did() const { return static_cast<uint16_t>(get(pasid_fields::DID)); }
  bool pwsnp() const { return flag(pasid_fields::PWSNP); }
  bool pgsnp() const { return flag(pasid_fields::PGSNP); }
  bool cd() const { return flag(pasid_fields::CD); }
  bool emte() const { return flag(pasid_fields::EMTE); }
  unsigned emt() const { return static_cast<unsigned>(get(pasid_fields::EMT)); }
  bool pwt() const { return flag(pasid_fields::PWT); }
  bool pcd() const { return flag(pasid_fields::PCD); }
  uint32_t pat() const { return static_cast<uint32_t>(get(pasid_fields::PAT)); }
  // PAi (i = 0..7): the memory type of PAT entry i.
  unsigned pat_entry(unsigned i) const { return (pat() >> (4 * (i & 7))) & 0xF; }
  bool sre() const { return flag(pasid_fields::SRE); }
  bool ere() const { return flag(pasid_fields::ERE); }
  unsigned flpm() const { return static_cast<unsigned>(get(pasid_fields::FLPM)); }
  // First-stage levels the paging mode selects: 4 (FLPM=00b) or 5 (01b); 0 for the reserved 1xb.
  unsigned fs_levels() const { return flpm() == 0 ? 4 : flpm() == 1 ? 5 : 0; }
  bool wpe() const { return flag(pasid_fields::WPE); }
  bool nxe() const { return flag(pasid_fields::NXE); }
  bool smep() const { return flag(pasid_fields::SMEP); }
  bool eafe() const { return flag(pasid_fields::EAFE); }
  uint64_t flptptr() const { return in_place(pasid_fields::FLPTPTR); }

  // Reserved-bit mask per quadword for a present entry (SPT.3 / fault 5Ah). PGTT and FLPM values that are
  // reserved or unsupported are not reserved bits: they make the entry invalid (SPT.4.x, fault 5Bh).
  static constexpr std::array<uint64_t, 8> reserved_mask(const pasid_check_config& cfg) {
    using namespace pasid_fields;
    auto bit = [](const field_desc& f) { return field_mask(f.hi % 64, f.lo % 64); };
    std::array<uint64_t, 8> m{};
    m[0] = field_mask(11, 10) | above_width_mask(cfg.haw);
    if (!cfg.rev3) m[0] |= bit(SLEE);
    if (!cfg.ss_ad) m[0] |= bit(SLADE);
    m[1] = field_mask(22, 16);  // 86:80
    if (cfg.did_bits < 16) m[1] |= field_mask(15, cfg.did_bits);
    if (!cfg.page_walk_snoop) m[1] |= bit(PWSNP);
    if (!cfg.snoop_control) m[1] |= bit(PGSNP);
    if (!cfg.memory_type) m[1] |= bit(CD) | bit(EMTE);
    if (!cfg.rev3 || !cfg.memory_type) m[1] |= bit(EMT) | bit(PWT) | bit(PCD);
    m[2] = field_mask(11, 8) | above_width_mask(cfg.haw);  // 139:136, FLPTPTR bits 191:128+haw
    if (!cfg.supervisor) m[2] |= bit(SRE);
    if (!cfg.rev3 || !cfg.rev3_execute) m[2] |= bit(ERE);
    if (!cfg.extended_accessed) m[2] |= bit(EAFE);
    for (unsigned i = 3; i < 8; ++i) m[i] = ~uint64_t{0};  // 511:192
    return m;
  }
  std::array<uint64_t, 8> reserved_bits(const pasid_check_config& cfg) const {
    auto m = reserved_mask(cfg);
    for (unsigned i = 0; i < 8; ++i) m[i] &= qw[i];
    return m;
  }
  bool has_reserved(const pasid_check_config& cfg) const {
    for (uint64_t r : reserved_bits(cfg))
      if (r != 0) return true;
    return false;
  }

  pasid_fields_t decode() const {
    pasid_fields_t f;
    f.p = present();
    f.fpd = fpd();
    f.aw = aw();
    f.slee = slee();
    f.type = type();
    f.slade = slade();
    f.slptptr = slptptr();
    f.did = did();
    f.pwsnp = pwsnp();
    f.pgsnp = pgsnp();
    f.cd = cd();
    f.emte = emte();
    f.emt = emt();
    f.pwt = pwt();
    f.pcd = pcd();
    f.pat = pat();
    f.sre = sre();
    f.ere = ere();
    f.flpm = flpm();
    f.wpe = wpe();
    f.nxe = nxe();
    f.smep = smep();
    f.eafe = eafe();
    f.flptptr = flptptr();
    return f;
  }
  static pasid_entry encode(const pasid_fields_t& f) {
    using namespace pasid_fields;
    pasid_entry e;
    e.set(P, f.p);
    e.set(FPD, f.fpd);
    e.set(AW, f.aw);
    e.set(SLEE, f.slee);
    e.set(PGTT, static_cast<uint64_t>(f.type));
    e.set(SLADE, f.slade);
    e.set_in_place(SLPTPTR, f.slptptr);
    e.set(DID, f.did);
    e.set(PWSNP, f.pwsnp);
    e.set(PGSNP, f.pgsnp);
    e.set(CD, f.cd);
    e.set(EMTE, f.emte);
    e.set(EMT, f.emt);
    e.set(PWT, f.pwt);
    e.set(PCD, f.pcd);
    e.set(PAT, f.pat);
    e.set(SRE, f.sre);
    e.set(ERE, f.ere);
    e.set(FLPM, f.flpm);
    e.set(WPE, f.wpe);
    e.set(NXE, f.nxe);
    e.set(SMEP, f.smep);
    e.set(EAFE, f.eafe);
    e.set_in_place(FLPTPTR, f.flptptr);
    return e;
  }
};

}  // namespace vtd::spec
