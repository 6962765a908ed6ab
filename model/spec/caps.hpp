// The capabilities of one remapping unit, decoded once from VER, CAP and ECAP (VT-d spec 11.4.1 VER_REG,
// 11.4.2 CAP_REG, 11.4.3 ECAP_REG) plus the platform's host address width (ACPI DMAR "Host Address Width" +
// 1). Every part of the model that depends on a capability reads it from here: the translator, the interrupt
// remapper, the register file, invalidation, the table checker, explain and the table builders.
#pragma once
#include <cstdint>

#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/sm_context_entry.hpp"

namespace vtd::spec {

struct caps {
  uint64_t cap_raw = 0;
  uint64_t ecap_raw = 0;
  unsigned ver_major = 1;  // VER_REG.MAX (7:4): register-based invalidation is rejected from 6 on
  unsigned haw = 46;       // host address width: address bits 63:HAW (51:HAW in paging entries) are reserved

  // CAP_REG
  unsigned nd = 0;        // ND (2:0)
  unsigned did_bits = 4;  // domain-id width: 4 + 2 * ND
  bool rwbf = false;      // RWBF (4)
  bool plmr = false;      // PLMR (5)
  bool phmr = false;      // PHMR (6)
  bool cm = false;        // CM (7): caching mode
  unsigned sagaw = 0;     // SAGAW (12:8): bit n set = AW n supported
  unsigned mgaw = 1;      // MGAW (21:16) + 1, in bits
  bool zlr = false;       // ZLR (22)
  unsigned fro = 0;       // FRO (33:24), in 16-byte units
  unsigned sllps = 0;     // SLLPS (37:34)
  bool super_2m = false;  // SLLPS bit 0: 2 MiB second-stage pages
  bool super_1g = false;  // SLLPS bit 1: 1 GiB second-stage pages
  bool psi = false;       // PSI (39): page-selective IOTLB invalidation
  unsigned nfr = 1;       // NFR (47:40) + 1: fault recording registers
  unsigned mamv = 0;      // MAMV (53:48)
  bool dwd = false;       // DWD (54)
  bool drd = false;       // DRD (55)
  bool fs1gp = false;     // FL1GP/FS1GP (56): 1 GiB first-stage pages
  bool pi = false;        // PI (59): posted interrupts
  bool fs5lp = false;     // FL5LP/FS5LP (60): 5-level first-stage paging
  bool esirtps = false;   // ESIRTPS (62)
  bool esrtps = false;    // ESRTPS (63)

  // ECAP_REG
  bool c = false;       // C (0): page-walk coherency
  bool qi = false;      // QI (1): queued invalidation
  bool dt = false;      // DT (2): device-TLB
  bool ir = false;      // IR (3): interrupt remapping
  bool eim = false;     // EIM (4): x2APIC mode
  bool pt = false;      // PT (6): pass-through
  bool sc = false;      // SC (7): snoop control
  unsigned iro = 0;     // IRO (17:8), in 16-byte units
  unsigned mhmv = 0;    // MHMV (23:20)
  bool mts = false;     // MTS (25): memory-type support
  bool nest = false;    // NEST (26): nested translation (PGTT=011b)
  bool prs = false;     // PRS (29): page requests
  bool ers = false;     // ERS (30): execute requests (Rev 3.x; later revisions require 0)
  bool srs = false;     // SRS (31): supervisor requests
  bool nwfs = false;    // NWFS (33)
  bool eafs = false;    // EAFS (34): extended-accessed flag
  unsigned pss = 0;     // PSS (39:35): PASID width - 1
  bool pasid = false;   // PASID (40): requests-with-PASID
  bool pds = false;     // PDS (42): page-request drain
  bool smts = false;    // SMTS (43): scalable-mode translation
  bool slads = false;   // SLADS/SSADS (45): second-stage accessed/dirty
  bool slts = false;    // SLTS/SSTS (46): second-stage translation (PGTT=010b)
  bool flts = false;    // FLTS/FSTS (47): first-stage translation (PGTT=001b)
  bool smpwcs = false;  // SMPWCS (48): PWSNP honoured for scalable-mode paging structures
  bool rps = false;     // RPS (49): RID_PASID field supported
  bool adms = false;    // ADMS (52): abort-DMA mode
  bool rprivs = false;  // RPRIVS (53): RID_PRIV field supported

  static caps decode(uint32_t ver, uint64_t cap, uint64_t ecap, unsigned haw);

  // AW values 1-3 (39/48/57-bit) that CAP.SAGAW allows; AW 0 and 4-7 are never supported.
  bool supports_aw(unsigned aw) const { return aw >= 1 && aw <= 3 && ((sagaw >> aw) & 1); }
  // What the second-stage reserved-bit rules (spec 9.8) depend on.
  sl_check_config sl_check() const { return sl_check_config{haw, super_2m, super_1g, sc, dt}; }
  // PASIDs the unit accepts: 2^(PSS+1) (SGN.10 / fault 89h above that).
  uint64_t pasid_count() const { return uint64_t{1} << (pss + 1); }
  // A PGTT value the unit supports (SPT.4.2 otherwise).
  bool supports_pgtt(unsigned v) const {
    switch (static_cast<pgtt>(v)) {
      case pgtt::first_stage:
        return flts;
      case pgtt::second_stage:
        return slts;
      case pgtt::nested:
        return nest;
      case pgtt::pass_through:
        return pt;
      case pgtt::reserved0:
        return false;
    }
    return false;  // 101b-111b
  }
  // First-stage paging modes: FLPM 00b (4-level) always with FLTS, 01b (5-level) with FS5LP (SPT.4.3).
  bool supports_flpm(unsigned flpm) const { return flpm == 0 || (flpm == 1 && fs5lp); }
  // What the scalable-mode reserved-bit rules (spec 9.4, 9.6, 9.7) depend on. A unit that reports ERS is
  // taken as a Rev 3.x part (SLEE, EMT, PWT, PCD, ERE defined); otherwise those bits are reserved (4.x).
  sm_context_check_config sm_context_check() const {
    return sm_context_check_config{haw, dt, pasid, prs, rps, rprivs};
  }
  pasid_check_config pasid_check() const {
    pasid_check_config p;
    p.haw = haw;
    p.did_bits = did_bits;
    p.ss_ad = slads;
    p.page_walk_snoop = smpwcs;
    p.snoop_control = sc;
    p.memory_type = mts;
    p.supervisor = srs;
    p.extended_accessed = eafs;
    p.rev3 = ers;
    p.rev3_execute = ers;
    return p;
  }
  fs_check_config fs_check() const { return fs_check_config{haw, fs1gp, false}; }

  // Queued invalidation accepts 256-bit descriptors (IQA.DW=1) only with SMTS or ADMS.
  bool wide_descriptors() const { return smts || adms; }
  // Domain-id bits above the ND width are ignored in invalidation requests (CCMD, descriptors).
  uint16_t mask_did(uint16_t did) const {
    return did_bits >= 16 ? did : uint16_t(did & ((1u << did_bits) - 1));
  }
};

}  // namespace vtd::spec
