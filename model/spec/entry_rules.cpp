// Validity rules of the translation structures (see entry_rules.hpp).
#include "model/spec/entry_rules.hpp"

namespace vtd::spec {

root_rule check_root(const root_entry& e, const caps& c) {
  if (!e.present()) return root_rule::not_present;
  if (e.has_reserved(c.haw)) return root_rule::reserved;
  return root_rule::ok;
}

fault_reason fault_for(root_rule r) {
  switch (r) {
    case root_rule::ok:
      return fault_reason::none;
    case root_rule::not_present:
      return fault_reason::root_not_present;
    case root_rule::reserved:
      return fault_reason::root_reserved;
  }
  return fault_reason::root_reserved;
}

context_rule check_context(const context_entry& e, const caps& c) {
  if (!e.present()) return context_rule::not_present;
  if (e.has_reserved(c.haw, c.did_bits)) return context_rule::reserved;
  switch (e.tt()) {
    case translation_type::untranslated_only:
      break;
    case translation_type::device_tlb:
      if (!c.dt) return context_rule::tt_unsupported;
      break;
    case translation_type::pass_through:
      return c.pt ? context_rule::ok : context_rule::tt_unsupported;  // AW is not used for pass-through
    case translation_type::reserved:
      return context_rule::tt_unsupported;
  }
  if (!c.supports_aw(e.aw())) return context_rule::aw_unsupported;
  return context_rule::ok;
}

fault_reason fault_for(context_rule r) {
  switch (r) {
    case context_rule::ok:
      return fault_reason::none;
    case context_rule::not_present:
      return fault_reason::context_not_present;
    case context_rule::reserved:
      return fault_reason::context_reserved;
    case context_rule::tt_unsupported:
    case context_rule::aw_unsupported:
      return fault_reason::context_invalid;
  }
  return fault_reason::context_invalid;
}

sl_rule check_sl(const sl_entry& e, unsigned level, const sl_check_config& c) {
  if (!e.present()) return sl_rule::not_present;
  if (e.reserved_bits(level, c) != 0) return sl_rule::reserved;
  return sl_rule::ok;
}

unsigned check_irte(const irte& e, const caps& c, bool eime) {
  unsigned v = 0;
  if (e.svt() == source_validation::reserved) v |= irte_svt_reserved;
  if (e.posted()) {
    if (!c.pi)
      v |= irte_posted_unsupported;
    else if (e.reserved_lo_posted() || e.reserved_hi_posted(c.haw))
      v |= irte_posted_reserved;
    return v;
  }
  if (e.reserved_lo_remapped(eime) || e.reserved_hi()) {
    // The destination rule depends on EIME; everything else is reserved in both modes.
    const bool dst_only = !e.reserved_lo_remapped(true) && !e.reserved_hi();
    v |= dst_only ? irte_destination : irte_reserved;
  }
  if (!is_valid_delivery_mode(e.dlm())) v |= irte_delivery_mode;
  return v;
}

}  // namespace vtd::spec
