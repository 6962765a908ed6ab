// The culprit field of each fault reason (see fault_marks.hpp). Where the condition names a field (P, a
// reserved bit, PGTT, U/S, ...) that field is marked in the entry that has it; where it is about the request
// alone (a non-canonical address, a PASID beyond ECAP.PSS, an address above HAW) nothing is marked and the
// verdict names the fault. A read error marks the pointer that led to the unreadable address.
#include "apps/explain/fault_marks.hpp"

#include <functional>
#include <string_view>

#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/sm_root_entry.hpp"

namespace vtd::explain {

namespace {

using spec::fault_reason;

// Marks the field called `name` (or "name (frame)" / "name (next table)") in `s`.
void mark(step* s, std::string_view name) {
  if (!s) return;
  for (auto& f : s->fields) {
    const std::string_view n = f.name;
    if (n == name || (n.size() > name.size() && n.substr(0, name.size()) == name && n[name.size()] == ' '))
      f.culprit = true;
  }
}

step* last_of(explanation& x, std::string_view kind) {
  for (auto it = x.steps.rbegin(); it != x.steps.rend(); ++it)
    if (it->kind == kind) return &*it;
  return nullptr;
}
// The last step of `kind` before `s`.
step* previous_of(explanation& x, const step* s, std::string_view kind) {
  step* found = nullptr;
  for (auto& t : x.steps) {
    if (&t == s) break;
    if (t.kind == kind) found = &t;
  }
  return found;
}
step* first_where(explanation& x, const std::function<bool(const step&)>& pred) {
  for (auto& s : x.steps)
    if (pred(s)) return &s;
  return nullptr;
}

spec::sm_context_entry context_of(const step& s) {
  spec::sm_context_entry e;
  for (unsigned i = 0; i < e.qw.size() && i < s.qwords(); ++i) e.qw[i] = s.qw(i);
  return e;
}
spec::pasid_entry pasid_entry_of(const step& s) {
  spec::pasid_entry e;
  for (unsigned i = 0; i < e.qw.size() && i < s.qwords(); ++i) e.qw[i] = s.qw(i);
  return e;
}

bool is_sl(const step& s) {
  return s.kind == "sl_entry";
}
bool is_fs(const step& s) {
  return s.kind == "fs_entry";
}
// In a nested walk the second-stage reads for the request's own GPA come last (after the first-stage leaf);
// the other groups translate first-stage tables. Without nesting every second-stage read is the request's.
bool translates_a_table(const explanation& x, const step& s) {
  if (s.group.empty()) return false;
  bool after = false;
  for (const auto& t : x.steps) {
    if (after && is_fs(t)) return true;  // a first-stage read follows: the group translated its table
    after = after || &t == &s;
  }
  return false;
}

}  // namespace

step* mark_fault(explanation& x, fault_reason r, const spec::caps& caps, const core::dma_request& req) {
  step* last = x.steps.size() > 1 ? &x.steps.back() : nullptr;
  switch (r) {
    // Legacy mode.
    case fault_reason::root_not_present:
    case fault_reason::context_not_present:
      mark(last, "P");
      break;
    case fault_reason::root_reserved:
    case fault_reason::context_reserved:
    case fault_reason::sl_entry_reserved:
      mark(last, "reserved");
      break;
    case fault_reason::context_invalid:
      if (last && last->kind == "context_entry") {
        mark(last, "AW");
        mark(last, "TT");
      }
      break;
    case fault_reason::translation_type_blocked:
      mark(last, "TT");
      break;
    case fault_reason::write_denied:
    case fault_reason::read_denied: {
      // The first level that denied the access is the one to change.
      const bool write = r == fault_reason::write_denied;
      if (step* s = first_where(x, [&](const step& t) {
            return is_sl(t) && !(write ? spec::sl_entry{t.raw_lo}.w() : spec::sl_entry{t.raw_lo}.r());
          })) {
        mark(s, write ? "W" : "R");
        last = s;
      }
      break;
    }
    case fault_reason::interrupt_range_output:
      mark(last, "ADDR");
      break;

    // Scalable mode: the structures before the walk (SRT, SCT, SPD, SPT).
    case fault_reason::sm_root_not_present:
      mark(last, spec::sm_root_entry::upper_half(req.source_id & 0xFF) ? "UP" : "LP");
      break;
    case fault_reason::sm_context_read_error:  // the root half's pointer leads nowhere
      mark(previous_of(x, last, "sm_root_entry"),
           spec::sm_root_entry::upper_half(req.source_id & 0xFF) ? "UCTP" : "LCTP");
      break;
    case fault_reason::sm_context_not_present:
    case fault_reason::pasid_dir_not_present:
    case fault_reason::pasid_entry_not_present:
    case fault_reason::fs_entry_not_present:
      mark(last, "P");
      break;
    case fault_reason::sm_root_reserved:
    case fault_reason::sm_context_reserved:
    case fault_reason::pasid_dir_reserved:
    case fault_reason::pasid_entry_reserved:
    case fault_reason::fs_entry_reserved:
    case fault_reason::ss_entry_reserved:
      mark(last, "reserved");
      break;
    case fault_reason::sm_context_invalid:  // SCT.4.1 or SCT.4.2, as the shared rule finds it
      if (last && last->kind == "sm_context_entry") {
        switch (spec::check_sm_context(context_of(*last), caps)) {
          case spec::sm_context_rule::pre_without_dte:
            mark(last, "PRE");
            mark(last, "DTE");
            break;
          case spec::sm_context_rule::rid_pasid_beyond_pdts:
            mark(last, "RID_PASID");
            mark(last, "PDTS");
            break;
          case spec::sm_context_rule::ok:
          case spec::sm_context_rule::not_present:
          case spec::sm_context_rule::reserved:
            break;
        }
      }
      break;
    case fault_reason::sm_device_tlb_disabled:
      mark(last, "DTE");
      break;
    case fault_reason::sm_pasid_disabled:
      mark(last, "PASIDE");
      break;
    case fault_reason::sm_pasid_beyond_directory:
      mark(last, "PDTS");
      if (!req.has_pasid) mark(last, "RID_PASID");
      break;
    case fault_reason::pasid_dir_read_error:
      mark(previous_of(x, last, "sm_context_entry"), "PASIDDIRPTR");
      break;
    case fault_reason::pasid_entry_read_error:
      mark(previous_of(x, last, "pasid_dir_entry"), "SMPTBLPTR");
      break;
    case fault_reason::pasid_entry_invalid:  // SPT.4.x, as the shared rule finds it
      if (last && last->kind == "pasid_entry") {
        switch (spec::check_pasid_entry(pasid_entry_of(*last), caps)) {
          case spec::pasid_entry_rule::pgtt_unsupported:
            mark(last, "PGTT");
            break;
          case spec::pasid_entry_rule::aw_unsupported:
            mark(last, "AW");
            break;
          case spec::pasid_entry_rule::flpm_unsupported:
            mark(last, "FLPM");
            break;
          case spec::pasid_entry_rule::flptptr_beyond_width:
            mark(last, "FLPTPTR");
            mark(last, "AW");
            break;
          case spec::pasid_entry_rule::ok:
          case spec::pasid_entry_rule::not_present:
          case spec::pasid_entry_rule::reserved:
            break;
        }
      }
      break;
    case fault_reason::execute_request_blocked:
      mark(last, "ERE");
      break;
    case fault_reason::supervisor_request_blocked:
      mark(last, "SRE");
      if (!req.has_pasid) mark(last_of(x, "sm_context_entry"), "RID_PRIV");
      break;

    // The walks (SFS, SSS): a read error blames the pointer to the unreadable table.
    case fault_reason::fs_top_read_error:
      mark(last_of(x, "pasid_entry"), "FLPTPTR");
      break;
    case fault_reason::ss_top_read_error:
      mark(last_of(x, "pasid_entry"), "SLPTPTR");
      break;
    case fault_reason::fs_table_read_error:
      mark(previous_of(x, last, "fs_entry"), "ADDR");
      break;
    case fault_reason::ss_table_read_error:
      mark(previous_of(x, last, "sl_entry"), "ADDR");
      break;
    case fault_reason::fs_address_beyond_width:  // nested: a first-stage address the second stage cannot take
      if (step* fs = last_of(x, "fs_entry"))
        mark(fs, "ADDR");
      else
        mark(last_of(x, "pasid_entry"), "FLPTPTR");
      break;
    case fault_reason::fs_top_ss_read_denied:
    case fault_reason::fs_ss_read_denied:
    case fault_reason::ss_entry_not_present:
      // R (and W) lost on the way down the last second-stage walk: blame the first entry that has each 0
      // (an entry with R=W=0 is not present; cumulative R=W=0 is treated the same: SSS.2).
      if (last && is_sl(*last)) {
        const std::string group = last->group;
        auto in_walk = [&](const step& t) { return is_sl(t) && t.group == group; };
        mark(first_where(x, [&](const step& t) { return in_walk(t) && !spec::sl_entry{t.raw_lo}.r(); }), "R");
        if (r == fault_reason::ss_entry_not_present)
          mark(first_where(x, [&](const step& t) { return in_walk(t) && !spec::sl_entry{t.raw_lo}.w(); }),
               "W");
      }
      break;
    case fault_reason::fs_ss_write_denied:
      // SFS.8: the A/D update of a first-stage entry needs write access to its table page in the second
      // stage.
      if (step* s = first_where(x, [&](const step& t) {
            return is_sl(t) && translates_a_table(x, t) && !spec::sl_entry{t.raw_lo}.w();
          })) {
        mark(s, "W");
        last = s;
      }
      break;
    case fault_reason::ss_ad_not_snooped:
    case fault_reason::fs_ad_not_snooped:
      mark(last_of(x, "pasid_entry"), "PWSNP");
      break;

    // After the walk (SGN): the rights and the address.
    case fault_reason::user_request_supervisor_page:
      if (step* s =
              first_where(x, [](const step& t) { return is_fs(t) && !spec::fs_entry{t.raw_lo}.us(); })) {
        mark(s, "U/S");
        last = s;
      }
      break;
    case fault_reason::execute_denied:
      if (step* s = first_where(x, [](const step& t) { return is_fs(t) && spec::fs_entry{t.raw_lo}.xd(); })) {
        mark(s, "XD");
        last = s;
      }
      break;
    case fault_reason::sm_address_beyond_width:
      mark(last_of(x, "pasid_entry"), "AW");
      break;
    case fault_reason::sm_write_denied:
    case fault_reason::sm_read_denied: {
      // The first entry of the request's own walk without the right: R/W (first stage) or W / R (second).
      const bool write = r == fault_reason::sm_write_denied;
      step* s = write
                    ? first_where(x, [](const step& t) { return is_fs(t) && !spec::fs_entry{t.raw_lo}.rw(); })
                    : nullptr;
      if (s) {
        mark(s, "R/W");
        if (step* pe = last_of(x, "pasid_entry"); pe && pasid_entry_of(*pe).wpe()) mark(pe, "WPE");
      } else {
        s = first_where(x, [&](const step& t) {
          return is_sl(t) && !translates_a_table(x, t) &&
                 !(write ? spec::sl_entry{t.raw_lo}.w() : spec::sl_entry{t.raw_lo}.r());
        });
        mark(s, write ? "W" : "R");
      }
      if (s) last = s;
      break;
    }
    case fault_reason::sm_interrupt_range_output:
      // The leaf that produced the output: the last paging entry read.
      if (step* s = last_of(x, x.translation == "first" ? "fs_entry" : "sl_entry")) {
        mark(s, "ADDR");
        last = s;
      }
      break;

    // The request alone, or a read error of the first structure: no field of an entry is to blame.
    case fault_reason::abort_dma_mode:
    case fault_reason::address_beyond_width:
    case fault_reason::context_read_error:
    case fault_reason::ir_compat_blocked:
    case fault_reason::ir_entry_not_present:
    case fault_reason::ir_entry_reserved:
    case fault_reason::ir_index_beyond_table:
    case fault_reason::ir_not_an_interrupt:
    case fault_reason::ir_pid_read_error:
    case fault_reason::ir_pid_reserved:
    case fault_reason::ir_request_reserved:
    case fault_reason::ir_source_id_invalid:
    case fault_reason::ir_table_read_error:
    case fault_reason::none:
    case fault_reason::page_request_legacy:
    case fault_reason::pasid_request_legacy:
    case fault_reason::root_read_error:
    case fault_reason::rtaddr_invalid:
    case fault_reason::sl_table_read_error:
    case fault_reason::sm_root_read_error:
    case fault_reason::non_canonical_address:
    case fault_reason::sm_address_beyond_haw:
    case fault_reason::pasid_beyond_width:
      break;
  }
  return last;
}

}  // namespace vtd::explain
