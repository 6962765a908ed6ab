// Validity rules of the scalable-mode structures (see sm_entry_rules.hpp).
#include "model/spec/sm_entry_rules.hpp"

#include <algorithm>

#include "model/spec/context_entry.hpp"

namespace vtd::spec {

sm_root_rule check_sm_root(const sm_root_entry& e, unsigned devfn, const caps& c) {
  if (!e.present_for(devfn)) return sm_root_rule::not_present;
  if (e.reserved_for(devfn, c.haw) != 0) return sm_root_rule::reserved;
  return sm_root_rule::ok;
}

fault_reason fault_for(sm_root_rule r) {
  switch (r) {
    case sm_root_rule::ok:
      return fault_reason::none;
    case sm_root_rule::not_present:
      return fault_reason::sm_root_not_present;
    case sm_root_rule::reserved:
      return fault_reason::sm_root_reserved;
  }
  return fault_reason::sm_root_reserved;
}

sm_context_rule check_sm_context(const sm_context_entry& e, const caps& c) {
  if (!e.present()) return sm_context_rule::not_present;
  if (e.has_reserved(c.sm_context_check())) return sm_context_rule::reserved;
  if (e.pre() && !e.dte()) return sm_context_rule::pre_without_dte;
  if (e.rid_pasid() >= pasid_limit(e.pdts())) return sm_context_rule::rid_pasid_beyond_pdts;
  return sm_context_rule::ok;
}

fault_reason fault_for(sm_context_rule r) {
  switch (r) {
    case sm_context_rule::ok:
      return fault_reason::none;
    case sm_context_rule::not_present:
      return fault_reason::sm_context_not_present;
    case sm_context_rule::reserved:
      return fault_reason::sm_context_reserved;
    case sm_context_rule::pre_without_dte:
    case sm_context_rule::rid_pasid_beyond_pdts:
      return fault_reason::sm_context_invalid;
  }
  return fault_reason::sm_context_invalid;
}

pasid_dir_rule check_pasid_dir(const pasid_dir_entry& e, const caps& c) {
  if (!e.present()) return pasid_dir_rule::not_present;
  if (e.reserved_bits(c.haw) != 0) return pasid_dir_rule::reserved;
  return pasid_dir_rule::ok;
}

fault_reason fault_for(pasid_dir_rule r) {
  switch (r) {
    case pasid_dir_rule::ok:
      return fault_reason::none;
    case pasid_dir_rule::not_present:
      return fault_reason::pasid_dir_not_present;
    case pasid_dir_rule::reserved:
      return fault_reason::pasid_dir_reserved;
  }
  return fault_reason::pasid_dir_reserved;
}

unsigned ss_input_width(const pasid_entry& e, const caps& c) {
  return std::min(c.mgaw, aw_to_agaw(e.aw()));
}

pasid_entry_rule check_pasid_entry(const pasid_entry& e, const caps& c) {
  if (!e.present()) return pasid_entry_rule::not_present;
  if (e.has_reserved(c.pasid_check())) return pasid_entry_rule::reserved;
  if (!c.supports_pgtt(e.pgtt_raw())) return pasid_entry_rule::pgtt_unsupported;
  const pgtt t = e.type();
  if (uses_second_stage(t) && !c.supports_aw(e.aw())) return pasid_entry_rule::aw_unsupported;
  if (uses_first_stage(t) && !c.supports_flpm(e.flpm())) return pasid_entry_rule::flpm_unsupported;
  if (t == pgtt::nested) {
    const unsigned width = ss_input_width(e, c);
    if (width < 64 && (e.flptptr() >> width) != 0) return pasid_entry_rule::flptptr_beyond_width;
  }
  return pasid_entry_rule::ok;
}

fault_reason fault_for(pasid_entry_rule r) {
  switch (r) {
    case pasid_entry_rule::ok:
      return fault_reason::none;
    case pasid_entry_rule::not_present:
      return fault_reason::pasid_entry_not_present;
    case pasid_entry_rule::reserved:
      return fault_reason::pasid_entry_reserved;
    case pasid_entry_rule::pgtt_unsupported:
    case pasid_entry_rule::aw_unsupported:
    case pasid_entry_rule::flpm_unsupported:
    case pasid_entry_rule::flptptr_beyond_width:
      return fault_reason::pasid_entry_invalid;
  }
  return fault_reason::pasid_entry_invalid;
}

fs_rule check_fs(const fs_entry& e, unsigned level, const fs_check_config& c) {
  if (!e.present()) return fs_rule::not_present;
  if (e.reserved_bits(level, c) != 0) return fs_rule::reserved;
  return fs_rule::ok;
}

}  // namespace vtd::spec
