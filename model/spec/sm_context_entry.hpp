// Scalable-mode context entry (VT-d spec 9.4 "Scalable-Mode Context Entry"): 256 bits,
// 128 per 4 KiB context table, indexed by devfn & 0x7F in the table the root entry's half selects. Layout as
// in Rev 3.x/4.x; the 5.x bits 5 (HPTE) and 6 (EPTR) are kept reserved.
#pragma once
#include <array>
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"
#include "model/spec/wide_entry.hpp"

namespace vtd::spec {

namespace sm_context_fields {
constexpr field_desc P{"P", 0, 0, "present"};
constexpr field_desc FPD{"FPD", 1, 1, "fault processing disable (evaluated even when P=0)"};
constexpr field_desc DTE{"DTE", 2, 2, "device-TLB enable: translation and translated requests allowed"};
constexpr field_desc PASIDE{"PASIDE", 3, 3, "PASID enable: requests-with-PASID allowed"};
constexpr field_desc PRE{"PRE", 4, 4, "page request enable"};
constexpr field_desc PDTS{"PDTS", 11, 9, "PASID directory size: 2^(PDTS+7) entries"};
constexpr field_desc PASIDDIRPTR{"PASIDDIRPTR", 63, 12, "PASID directory pointer (host physical)"};
constexpr field_desc RID_PASID{"RID_PASID", 83, 64, "PASID used for requests-without-PASID"};
constexpr field_desc RID_PRIV{"RID_PRIV", 84, 84, "privilege of requests-without-PASID (1: supervisor)"};
constexpr std::array<field_desc, 9> kAll{P, FPD, DTE, PASIDE, PRE, PDTS, PASIDDIRPTR, RID_PASID, RID_PRIV};
// RsvdZ in a present entry: 8:5, PASIDDIRPTR bits 63:HAW, 255:85; DTE without ECAP.DT, PASIDE without
// ECAP.PASID, PRE without ECAP.PRS, RID_PASID without ECAP.RPS, RID_PRIV without ECAP.RPRIVS.
constexpr const char* kReservedRanges = "8:5, 63:HAW, 255:85, DTE/PASIDE/PRE/RID_PASID/RID_PRIV per ECAP";
}  // namespace sm_context_fields

// Entries in a PASID directory of size PDTS, and the PASIDs it covers (64 per PASID table).
constexpr uint64_t pasid_dir_entries(unsigned pdts) {
  return uint64_t{1} << (pdts + 7);
}
constexpr uint64_t pasid_limit(unsigned pdts) {
  return uint64_t{1} << (pdts + 13);  // PASIDs 0 .. 2^(PDTS+13)-1
}

// What the reserved-bit check of a scalable-mode context entry depends on (ECAP and the platform).
struct sm_context_check_config {
  unsigned haw = 46;           // PASIDDIRPTR bits 63:haw are RsvdZ
  bool device_tlb = false;     // ECAP.DT: DTE is RsvdZ without it
  bool pasid = false;          // ECAP.PASID: PASIDE is RsvdZ without it
  bool page_requests = false;  // ECAP.PRS: PRE is RsvdZ without it
  bool rid_pasid = false;      // ECAP.RPS: RID_PASID is RsvdZ without it (PASID 0 used)
  bool rid_priv = false;       // ECAP.RPRIVS: RID_PRIV is RsvdZ without it (user privilege used)
};

struct sm_context_fields_t {
  bool p = false, fpd = false, dte = false, paside = false, pre = false;
  unsigned pdts = 0;
  uint64_t pasiddirptr = 0;  // in place (4 KiB aligned)
  uint32_t rid_pasid = 0;    // 20 bits
  bool rid_priv = false;
  friend constexpr bool operator==(const sm_context_fields_t&, const sm_context_fields_t&) = default;
};

struct sm_context_entry : wide_entry<4> {
  bool present() const { return flag(sm_context_fields::P); }
  bool fpd() const { return flag(sm_context_fields::FPD); }
  bool dte() const { return flag(sm_context_fields::DTE); }
  bool paside() const { return flag(sm_context_fields::PASIDE); }
  bool pre() const { return flag(sm_context_fields::PRE); }
  unsigned pdts() const { return static_cast<unsigned>(get(sm_context_fields::PDTS)); }
  uint64_t pasiddirptr() const { return in_place(sm_context_fields::PASIDDIRPTR); }
  uint32_t rid_pasid() const { return static_cast<uint32_t>(get(sm_context_fields::RID_PASID)); }
  bool rid_priv() const { return flag(sm_context_fields::RID_PRIV); }

  // Reserved-bit mask per quadword for a present entry (SCT.3 / fault 42h).
  static constexpr std::array<uint64_t, 4> reserved_mask(const sm_context_check_config& cfg) {
    using namespace sm_context_fields;
    uint64_t q0 = field_mask(8, 5) | above_width_mask(cfg.haw);
    if (!cfg.device_tlb) q0 |= field_mask(DTE.hi, DTE.lo);
    if (!cfg.pasid) q0 |= field_mask(PASIDE.hi, PASIDE.lo);
    if (!cfg.page_requests) q0 |= field_mask(PRE.hi, PRE.lo);
    uint64_t q1 = field_mask(63, 21);  // 127:85
    if (!cfg.rid_pasid) q1 |= field_mask(RID_PASID.hi % 64, RID_PASID.lo % 64);
    if (!cfg.rid_priv) q1 |= field_mask(RID_PRIV.hi % 64, RID_PRIV.lo % 64);
    return {q0, q1, ~uint64_t{0}, ~uint64_t{0}};
  }
  std::array<uint64_t, 4> reserved_bits(const sm_context_check_config& cfg) const {
    auto m = reserved_mask(cfg);
    for (unsigned i = 0; i < 4; ++i) m[i] &= qw[i];
    return m;
  }
  bool has_reserved(const sm_context_check_config& cfg) const {
    for (uint64_t r : reserved_bits(cfg))
      if (r != 0) return true;
    return false;
  }

  sm_context_fields_t decode() const {
    return {present(), fpd(), dte(), paside(), pre(), pdts(), pasiddirptr(), rid_pasid(), rid_priv()};
  }
  static sm_context_entry encode(const sm_context_fields_t& f) {
    using namespace sm_context_fields;
    sm_context_entry e;
    e.set(P, f.p);
    e.set(FPD, f.fpd);
    e.set(DTE, f.dte);
    e.set(PASIDE, f.paside);
    e.set(PRE, f.pre);
    e.set(PDTS, f.pdts);
    e.set_in_place(PASIDDIRPTR, f.pasiddirptr);
    e.set(RID_PASID, f.rid_pasid);
    e.set(RID_PRIV, f.rid_priv);
    return e;
  }
};

}  // namespace vtd::spec
