// The stage walks of scalable mode: second-stage (spec 9.8 entries through the PASID-table entry's SLPTPTR
// and AW, with SLADE accessed/dirty updates), first-stage (IA-32e entries of spec 9.7 through FLPTPTR, 4 or 5
// levels per FLPM, accessed/dirty/extended-accessed updates) and nested (every first-stage table address and
// the first-stage output are guest-physical and translated by the second stage). Every read and every update
// is a walk step labelled with its stage and level. Each walk starts from the deepest paging-structure cache
// entry that covers its address (second-stage caches for second-stage walks and nested sub-walks,
// first-stage caches for the first stage).
#include <algorithm>
#include <array>

#include "model/core/scalable_mode.hpp"
#include "model/spec/entry_rules.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/sm_entry_rules.hpp"

namespace vtd::core {

using spec::fault_reason;
using spec::pgtt;

namespace {
// A second-stage walk of a request's own address (PGTT=010b, or the final GPA of a nested walk).
fault_reason ss_fault(scalable_mode::ss_end e) {
  using ss_end = scalable_mode::ss_end;
  switch (e) {
    case ss_end::leaf:
      return fault_reason::none;
    case ss_end::not_present:
      return fault_reason::ss_entry_not_present;  // SSS.2
    case ss_end::top_read_error:
      return fault_reason::ss_top_read_error;  // SSS.4
    case ss_end::read_error:
      return fault_reason::ss_table_read_error;  // SSS.1
    case ss_end::reserved:
      return fault_reason::ss_entry_reserved;  // SSS.3
    case ss_end::ad_not_snooped:
      return fault_reason::ss_ad_not_snooped;  // SSS.5
  }
  return fault_reason::ss_entry_reserved;
}

// A second-stage walk of a first-stage table address (nested): no mapping is the first stage's fault
// (SFS.6 for the top table, SFS.7 below); what breaks inside the second stage keeps its SSS code.
fault_reason fs_table_ss_fault(scalable_mode::ss_end e, bool top) {
  if (e == scalable_mode::ss_end::not_present)
    return top ? fault_reason::fs_top_ss_read_denied : fault_reason::fs_ss_read_denied;
  return ss_fault(e);
}

bool beyond(uint64_t addr, unsigned width) {
  return width < 64 && (addr >> width) != 0;
}
}  // namespace

cache_tag scalable_mode::ss_paging_tag(uint16_t sid, const spec::pasid_entry& pe) {
  return cache_tag{sid, pe.did(), kNoPasid, translation_stage::second};
}

cache_tag scalable_mode::fs_paging_tag(uint16_t sid, const spec::pasid_entry& pe, uint32_t pasid) {
  const translation_stage stage =
      pe.type() == pgtt::nested ? translation_stage::nested : translation_stage::first;
  return cache_tag{sid, pe.did(), pasid, stage};
}

scalable_mode::ss_walk_result scalable_mode::ss_walk(const spec::pasid_entry& pe, uint64_t addr, bool write,
                                                     const cache_tag& tag, walk_record* rec) const {
  const unsigned levels = spec::aw_to_levels(pe.aw());
  const spec::sl_check_config cfg = m_env.caps.sl_check();
  ss_walk_result out;
  unsigned level = levels;
  uint64_t table = pe.slptptr();
  bool r = true, w = true, top = true;
  if (m_env.hooks) {
    cached_table ct;
    if (m_env.hooks->lookup_paging(tag, addr, levels, ct, rec)) {
      level = ct.level - 1;
      table = ct.next_table;
      r = ct.read;
      w = ct.write;
      top = false;
    }
  }
  for (; level >= 1; --level) {
    const unsigned idx = spec::level_index(addr, level);
    const uint64_t ea = table + uint64_t(idx) * 8;
    const auto raw = m_env.mem.read64(ea);
    if (rec)
      rec->add_read(step_kind::sl_entry, structure_kind::paging_entry, translation_stage::second, level,
                    raw.has_value(), idx, table, ea, {raw.value_or(0)});
    if (!raw) {
      out.end = top ? ss_end::top_read_error : ss_end::read_error;  // SSS.4 / SSS.1
      return out;
    }
    top = false;
    const spec::sl_entry e{*raw};
    switch (spec::check_sl(e, level, cfg)) {
      case spec::sl_rule::not_present:
        out.end = ss_end::not_present;
        return out;
      case spec::sl_rule::reserved:
        out.end = ss_end::reserved;
        return out;
      case spec::sl_rule::ok:
        break;
    }
    r = r && e.r();
    w = w && e.w();
    if (!r && !w) {  // SSS.2: cumulative R and W both 0
      out.end = ss_end::not_present;
      return out;
    }
    const bool leaf = e.is_leaf(level);
    bool dirty = e.d();
    if (pe.slade()) {
      // SLADE=1: A in every entry used, D in the leaf of a permitted write. The update is an atomic
      // read-modify-write the hardware may do only on a snooped walk (SSS.5 otherwise).
      uint64_t updated = *raw | spec::sl_fields::A.place(1);
      if (leaf && write && w) updated |= spec::sl_fields::D.place(1);
      if (updated != *raw) {
        if (!pe.pwsnp()) {
          out.end = ss_end::ad_not_snooped;
          return out;
        }
        const bool ok = m_env.mem.write64(ea, updated);
        if (rec)
          rec->add_read(step_kind::status_write, structure_kind::paging_entry, translation_stage::second,
                        level, ok, idx, table, ea, {updated});
        dirty = spec::sl_fields::D.get(updated);
      }
    }
    if (leaf) {
      out.end = ss_end::leaf;
      out.frame = e.address(level);
      out.page_size = spec::level_page_size(level);
      out.read = r;
      out.write = w;
      out.dirty = !pe.slade() || dirty;
      return out;
    }
    table = e.address(level);
    if (m_env.hooks)
      m_env.hooks->fill_paging(tag, addr, cached_table{level, table, r, w, translation_stage::second});
  }
  out.end = ss_end::read_error;  // unreachable: level 1 is always a leaf
  return out;
}

// PGTT=010b: the request's address through the second stage (SGN.5 before the walk).
fault_reason scalable_mode::second_stage(const dma_request& req, const pasid_context& pc, walk_out& out,
                                         walk_record* rec) const {
  const spec::pasid_entry& pe = pc.entry;
  if (beyond(req.address, spec::ss_input_width(pe, m_env.caps))) return fault_reason::sm_address_beyond_width;
  const bool write = req.access != access_kind::read;
  const ss_walk_result s = ss_walk(pe, req.address, write, ss_paging_tag(req.source_id, pe), rec);
  if (fault_reason r = ss_fault(s.end); r != fault_reason::none) return r;
  out.hpa = s.output(req.address);
  out.page_size = s.page_size;
  out.read = s.read;
  out.write = s.write;
  out.ss_write = s.write;
  out.dirty = s.dirty;
  return fault_reason::none;
}

// PGTT=001b and 011b: the first-stage walk, nested through the second stage for 011b. It resumes below the
// deepest first-stage paging-structure cache entry for the address (a nested one holds the host address of
// the next table, so the second-stage sub-walks of the levels above it are skipped too), and caches the
// non-leaf entries it read once their A (and EA) bits are set, i.e. after the accessed/dirty updates.
fault_reason scalable_mode::first_stage(const dma_request& req, const pasid_context& pc, walk_out& out,
                                        walk_record* rec) const {
  const spec::pasid_entry& pe = pc.entry;
  const spec::caps& caps = m_env.caps;
  translation_hooks* hooks = m_env.hooks;
  const bool nested = pe.type() == pgtt::nested;
  const unsigned levels = pe.fs_levels();
  if (!spec::is_canonical(req.address, levels)) return fault_reason::non_canonical_address;  // SGN.1
  const unsigned ss_width = nested ? spec::ss_input_width(pe, caps) : 64;
  const cache_tag ss_tag = ss_paging_tag(req.source_id, pe);
  const cache_tag fs_tag = fs_paging_tag(req.source_id, pe, pc.pasid);
  const spec::fs_check_config cfg = caps.fs_check();

  struct used_entry {
    uint64_t address = 0;
    uint64_t table = 0;
    uint64_t raw = 0;
    unsigned level = 0;
    unsigned index = 0;
    bool table_writable = true;             // nested: the second stage lets the unit write this table page
    bool rw = true, us = true, xd = false;  // accumulated down to and including this entry
  };
  std::array<used_entry, 5> path{};
  unsigned used = 0;
  bool rw = true, us = true, xd = false;
  uint64_t frame = 0, page_size = 0;
  unsigned level = levels;
  uint64_t table_gpa = pe.flptptr();
  // A cached table address is already a host address (nested: already through the second stage).
  bool have_hpa = false;
  uint64_t table_hpa = 0;
  bool hpa_writable = true;
  if (hooks) {
    cached_table ct;
    if (hooks->lookup_paging(fs_tag, req.address, levels, ct, rec)) {
      level = ct.level - 1;
      have_hpa = true;
      table_hpa = ct.next_table;
      hpa_writable = ct.next_writable;
      rw = ct.write;
      us = ct.user;
      xd = ct.execute_disable;
    }
  }
  for (; level >= 1; --level) {
    const bool top = level == levels;
    uint64_t table = table_gpa;
    bool table_writable = true;
    if (have_hpa) {
      table = table_hpa;
      table_writable = hpa_writable;
      have_hpa = false;
    } else if (nested) {
      if (beyond(table_gpa, ss_width)) return fault_reason::fs_address_beyond_width;  // SFS.5
      const ss_walk_result s = ss_walk(pe, table_gpa, false, ss_tag, rec);
      if (fault_reason r = fs_table_ss_fault(s.end, top); r != fault_reason::none) return r;
      if (!s.read) return top ? fault_reason::fs_top_ss_read_denied : fault_reason::fs_ss_read_denied;
      table = s.output(table_gpa);
      table_writable = s.write;
    }
    const unsigned idx = spec::level_index(req.address, level);
    const uint64_t ea = table + uint64_t(idx) * 8;
    const auto raw = m_env.mem.read64(ea);
    if (rec)
      rec->add_read(step_kind::fs_entry, structure_kind::paging_entry, translation_stage::first, level,
                    raw.has_value(), idx, table, ea, {raw.value_or(0)});
    if (!raw) return top ? fault_reason::fs_top_read_error : fault_reason::fs_table_read_error;  // SFS.4/.1
    const spec::fs_entry e{*raw};
    switch (spec::check_fs(e, level, cfg)) {
      case spec::fs_rule::not_present:
        return fault_reason::fs_entry_not_present;  // SFS.2
      case spec::fs_rule::reserved:
        return fault_reason::fs_entry_reserved;  // SFS.3
      case spec::fs_rule::ok:
        break;
    }
    rw = rw && e.rw();
    us = us && e.us();
    xd = xd || e.xd();
    path[used++] = used_entry{ea, table, *raw, level, idx, table_writable, rw, us, xd};
    if (e.is_leaf(level)) {
      frame = e.address(level);
      page_size = spec::level_page_size(level);
      break;
    }
    table_gpa = e.address(level);
  }

  // The first stage's output, then (nested) the second stage's translation of it.
  const uint64_t fs_output = frame | (req.address & (page_size - 1));
  out.user = us;
  out.execute_disable = xd;
  out.read = true;  // a present first-stage entry is readable
  out.write = rw;
  out.ss_write = true;
  out.hpa = fs_output;
  out.page_size = page_size;
  const bool wants_write = req.access != access_kind::read;
  if (nested) {
    if (beyond(fs_output, ss_width))
      return fault_reason::fs_address_beyond_width;  // SFS.5 (the page address)
    const ss_walk_result s = ss_walk(pe, fs_output, wants_write && rw, ss_tag, rec);
    if (fault_reason r = ss_fault(s.end); r != fault_reason::none) return r;
    out.hpa = s.output(fs_output);
    out.page_size = std::min(page_size, s.page_size);
    out.read = s.read;
    out.write = rw && s.write;
    out.ss_write = s.write;
    out.dirty = s.dirty;
  }

  // Accessed/dirty updates only for a request that passes its checks (the spec lets hardware set A
  // speculatively; this model does not). A in every entry used, EA too with EAFE=1, D in the leaf of a write.
  const bool is_xlat_req = req.at == address_type::translation_request;
  if (!is_xlat_req) {
    if (fault_reason r = check_access(req, pc, out); r != fault_reason::none) return r;
  }
  const bool sets_dirty = is_xlat_req ? write_allowed(pc, out) : wants_write;
  std::array<uint64_t, 5> updated{};
  bool any_update = false;
  for (unsigned i = 0; i < used; ++i) {
    uint64_t v = path[i].raw | spec::fs_fields::A.place(1);
    if (pe.eafe()) v |= spec::fs_fields::EA.place(1);
    if (i + 1 == used && sets_dirty) v |= spec::fs_fields::D.place(1);
    updated[i] = v;
    any_update = any_update || v != path[i].raw;
  }
  if (any_update) {
    if (!pe.pwsnp()) return fault_reason::fs_ad_not_snooped;  // SFS.9: only a snooped walk may update
    for (unsigned i = 0; i < used; ++i)
      if (updated[i] != path[i].raw && !path[i].table_writable)
        return fault_reason::fs_ss_write_denied;  // SFS.8
    for (unsigned i = 0; i < used; ++i) {
      if (updated[i] == path[i].raw) continue;
      const bool ok = m_env.mem.write64(path[i].address, updated[i]);
      if (rec)
        rec->add_read(step_kind::status_write, structure_kind::paging_entry, translation_stage::first,
                      path[i].level, ok, path[i].index, path[i].table, path[i].address, {updated[i]});
    }
  }
  out.dirty = out.dirty && spec::fs_fields::D.get(updated[used - 1]);

  // Every non-leaf entry read now has A (and EA with EAFE) set: cache it with the host address and the
  // second-stage writability of the table it points at, which the next path entry read from.
  if (hooks)
    for (unsigned i = 0; i + 1 < used; ++i) {
      const used_entry& u = path[i];
      const used_entry& next = path[i + 1];
      hooks->fill_paging(
          fs_tag, req.address,
          cached_table{u.level, next.table, true, u.rw, fs_tag.stage, u.us, u.xd, next.table_writable});
    }
  return fault_reason::none;
}

}  // namespace vtd::core
