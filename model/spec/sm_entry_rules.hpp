// The validity rules of the scalable-mode structures, written once and shared by the walker (model/core
// scalable_mode), the table checker (tables/check) and explain: scalable-mode root entry (spec 9.2), context
// entry (9.4), PASID directory entry (9.5), PASID-table entry (9.6) and first-stage paging entry (9.7). As in
// entry_rules.hpp each function returns the first rule a present entry breaks, in the order the hardware
// applies them; fault_for names the fault reason the walker reports for it.
#pragma once
#include <cstdint>

#include "model/spec/caps.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_root_entry.hpp"

namespace vtd::spec {

// Scalable-mode root entry, the half `devfn` uses: LP/UP, then its RsvdZ bits (SRT.2 39h, SRT.3 3Ah).
enum class sm_root_rule : uint8_t { ok, not_present, reserved };
sm_root_rule check_sm_root(const sm_root_entry& e, unsigned devfn, const caps& c);
fault_reason fault_for(sm_root_rule r);

// Scalable-mode context entry: P (SCT.2 41h), RsvdZ bits (SCT.3 42h), then the invalid combinations of
// SCT.4.x (43h): PRE=1 with DTE=0 (4.1), RID_PASID beyond the PASID directory's range (4.2).
enum class sm_context_rule : uint8_t { ok, not_present, reserved, pre_without_dte, rid_pasid_beyond_pdts };
sm_context_rule check_sm_context(const sm_context_entry& e, const caps& c);
fault_reason fault_for(sm_context_rule r);

// PASID directory entry: P (SPD.2 51h), RsvdZ bits (SPD.3 52h).
enum class pasid_dir_rule : uint8_t { ok, not_present, reserved };
pasid_dir_rule check_pasid_dir(const pasid_dir_entry& e, const caps& c);
fault_reason fault_for(pasid_dir_rule r);

// PASID-table entry: P (SPT.2 59h), RsvdZ bits (SPT.3 5Ah), then SPT.4.x (5Bh): PGTT reserved or not in
// ECAP (4.2), AW not in CAP.SAGAW where the second stage is used (4.1), FLPM not supported where the first
// stage is used (4.3), a nested FLPTPTR at or above 2^min(MGAW, AGAW) (4.4).
enum class pasid_entry_rule : uint8_t {
  ok,
  not_present,
  reserved,
  pgtt_unsupported,
  aw_unsupported,
  flpm_unsupported,
  flptptr_beyond_width,
};
pasid_entry_rule check_pasid_entry(const pasid_entry& e, const caps& c);
fault_reason fault_for(pasid_entry_rule r);

// Whether PGTT `t` uses the first stage / the second stage.
constexpr bool uses_first_stage(pgtt t) {
  return t == pgtt::first_stage || t == pgtt::nested;
}
constexpr bool uses_second_stage(pgtt t) {
  return t == pgtt::second_stage || t == pgtt::nested;
}
// The second-stage input width of a PASID-table entry: min(MGAW, AGAW of its AW).
unsigned ss_input_width(const pasid_entry& e, const caps& c);

// First-stage paging entry at `level`: P=0 (SFS.2 71h), then the RsvdZ bits (SFS.3 72h).
enum class fs_rule : uint8_t { ok, not_present, reserved };
fs_rule check_fs(const fs_entry& e, unsigned level, const fs_check_config& c);

// A first-stage input address is canonical when bits 63:N-1 are all equal (N = 48 for 4-level, 57 for
// 5-level paging; SGN.1 80h otherwise). canonical_form copies bit N-1 into 63:N.
constexpr uint64_t canonical_form(uint64_t addr, unsigned levels) {
  const unsigned n = 12 + 9 * levels;  // 48 or 57
  return uint64_t(int64_t(addr << (64 - n)) >> (64 - n));
}
constexpr bool is_canonical(uint64_t addr, unsigned levels) {
  return canonical_form(addr, levels) == addr;
}

}  // namespace vtd::spec
