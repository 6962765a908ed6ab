// Scalable-mode DMA translation, step by step in the order of the spec's scalable-mode fault conditions:
// root entry (SRT), context entry (SCT) and the request-type gates, PASID directory (SPD), PASID-table entry
// (SPT), then the PGTT's translation (SFS / SSS / SGN; scalable_walks.cpp) and the access checks (SGN).
#include "model/core/scalable_mode.hpp"

#include <array>

#include "model/spec/entry_rules.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/sm_root_entry.hpp"

namespace vtd::core {

using spec::fault_reason;
using spec::overlaps_interrupt_range;
using spec::pgtt;

namespace {

translation_stage stage_of(pgtt t) {
  switch (t) {
    case pgtt::first_stage:
      return translation_stage::first;
    case pgtt::second_stage:
      return translation_stage::second;
    case pgtt::nested:
      return translation_stage::nested;
    case pgtt::pass_through:
      return translation_stage::pass_through;
    case pgtt::reserved0:
      return translation_stage::none;
  }
  return translation_stage::none;  // 101b-111b: refused by check_pasid_entry before this is asked
}

// A translation request (ATS) is answered, not faulted, when the walk finds no mapping or no permission: the
// completion carries R=W=0 (the translation-request column of the fault tables, as for LGN.1-LGN.3).
bool answered_with_no_access(fault_reason r) {
  switch (r) {
    case fault_reason::fs_entry_not_present:
    case fault_reason::ss_entry_not_present:
    case fault_reason::sm_address_beyond_width:
    case fault_reason::non_canonical_address:
      return true;
    default:
      return false;
  }
}
}  // namespace

// Write permission for this request: R/W (first stage) and W (second stage) at every level; a supervisor
// request ignores the first stage's R/W unless WPE=1, but never the second stage's W.
bool scalable_mode::write_allowed(const pasid_context& pc, const walk_out& w) {
  if (w.write) return true;
  return pc.privileged && !pc.entry.wpe() && spec::uses_first_stage(pc.entry.type()) && w.ss_write;
}

// A fault, qualified by the FPD bits read so far, with the request's effective PASID and (once the
// PASID-table entry was read) its DID in the result, so that callers can account for it per PASID and domain.
translation_result scalable_mode::fault(const dma_request& req, fault_reason r,
                                        const pasid_context& pc) const {
  translation_result res = m_env.fail(req, r, pc.fpd);
  res.pasid = pc.pasid;
  if (pc.entry.present()) res.domain_id = pc.entry.did();
  res.stage = translation_stage::none;
  return res;
}

translation_result scalable_mode::translate(const dma_request& req, walk_record* rec) {
  pasid_context pc;
  const bool translated = req.at == address_type::translated;
  fault_reason r = fetch_pasid_entry(req, pc, rec, translated);
  if (r != fault_reason::none) return fault(req, r, pc);
  if (translated) return output_is_input(req, pc, translation_stage::none, 0);
  return translate_pasid(req, pc, rec);
}

fault_reason scalable_mode::read_context(const dma_request& req, pasid_context& out, walk_record* rec) const {
  const spec::caps& caps = m_env.caps;
  // Scalable-mode root entry: RTA + bus * 16; the devfn picks the half (SRT.1 38h, SRT.2 39h, SRT.3 3Ah; NQ).
  const uint64_t root_table = m_env.regs.root_table();
  const unsigned bus = sid_bus(req.source_id);
  const unsigned devfn = sid_devfn(req.source_id);
  const uint64_t root_addr = root_table + bus * spec::sm_root_entry::size_bytes;
  uint64_t raw[4] = {};
  bool ok = m_env.mem.read(root_addr, raw, 16);
  if (rec)
    rec->add_read(step_kind::root_entry, structure_kind::sm_root_entry, translation_stage::none, 0, ok, bus,
                  root_table, root_addr, {raw[0], raw[1]});
  if (!ok) return fault_reason::sm_root_read_error;
  const spec::sm_root_entry root{raw[0], raw[1]};
  if (fault_reason r = spec::fault_for(spec::check_sm_root(root, devfn, caps)); r != fault_reason::none)
    return r;

  // Scalable-mode context entry: (L|U)CTP + (devfn & 0x7F) * 32 (SCT.1 40h NQ). FPD is latched before P.
  const uint64_t ctp = root.ctp_for(devfn);
  const unsigned ctx_index = devfn & 0x7F;
  const uint64_t ctx_addr = ctp + ctx_index * spec::sm_context_entry::size_bytes;
  std::fill(std::begin(raw), std::end(raw), 0);
  ok = m_env.mem.read(ctx_addr, raw, spec::sm_context_entry::size_bytes);
  if (rec)
    rec->add_read(step_kind::context_entry, structure_kind::sm_context_entry, translation_stage::none, 0, ok,
                  ctx_index, ctp, ctx_addr, {raw[0], raw[1], raw[2], raw[3]});
  if (!ok) return fault_reason::sm_context_read_error;
  out.context = spec::sm_context_entry{{raw[0], raw[1], raw[2], raw[3]}};
  out.fpd = out.context.fpd();
  return spec::fault_for(spec::check_sm_context(out.context, caps));  // SCT.2 / SCT.3 / SCT.4.x
}

fault_reason scalable_mode::read_pasid_entry(const pasid_context& pc, cached_pasid_entry& out,
                                             walk_record* rec) const {
  const spec::caps& caps = m_env.caps;
  // PASID directory entry: PASIDDIRPTR + PASID[19:6] * 8 (SPD.1 50h NQ); its FPD ORs in even when P=0.
  const uint64_t dir = pc.context.pasiddirptr();
  const unsigned dir_index = spec::pasid_dir_index(pc.pasid);
  const uint64_t dir_addr = dir + uint64_t(dir_index) * spec::pasid_dir_entry::size_bytes;
  const auto dir_raw = m_env.mem.read64(dir_addr);
  if (rec)
    rec->add_read(step_kind::pasid_dir_entry, structure_kind::pasid_dir_entry, translation_stage::none, 0,
                  dir_raw.has_value(), dir_index, dir, dir_addr, {dir_raw.value_or(0)});
  if (!dir_raw) return fault_reason::pasid_dir_read_error;
  const spec::pasid_dir_entry de{*dir_raw};
  out.dir_fpd = de.fpd();
  if (fault_reason r = spec::fault_for(spec::check_pasid_dir(de, caps)); r != fault_reason::none) return r;

  // PASID-table entry: SMPTBLPTR + PASID[5:0] * 64 (SPT.1 58h NQ); FPD ORs in even when P=0.
  const uint64_t table = de.smptblptr();
  const unsigned pe_index = spec::pasid_table_index(pc.pasid);
  const uint64_t pe_addr = table + uint64_t(pe_index) * spec::pasid_entry::size_bytes;
  uint64_t raw[8] = {};
  const bool ok = m_env.mem.read(pe_addr, raw, spec::pasid_entry::size_bytes);
  if (rec)
    rec->add_read(step_kind::pasid_entry, structure_kind::pasid_entry, translation_stage::none, 0, ok,
                  pe_index, table, pe_addr, {raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]});
  if (!ok) return fault_reason::pasid_entry_read_error;
  for (unsigned i = 0; i < 8; ++i) out.entry.qw[i] = raw[i];
  return spec::fault_for(spec::check_pasid_entry(out.entry, caps));  // SPT.2 / SPT.3 / SPT.4.x
}

// Caches (spec 6.2): the scalable-mode context-cache answers for the root and context entries, the
// PASID-cache for the directory and PASID-table entries; each is filled only with an entry that passed its
// structure checks. The request-type gates depend on the request, so they run on hits and misses alike.
fault_reason scalable_mode::fetch_pasid_entry(const dma_request& req, pasid_context& out, walk_record* rec,
                                              bool stop_after_context) const {
  const spec::caps& caps = m_env.caps;
  translation_hooks* hooks = m_env.hooks;
  out = pasid_context{};
  if (m_env.lookup_sm_context(req.source_id, out.context, rec)) {
    out.fpd = out.context.fpd();
  } else {
    if (fault_reason r = read_context(req, out, rec); r != fault_reason::none) return r;
    if (hooks) hooks->fill_sm_context(req.source_id, out.context);
  }
  const spec::sm_context_entry& ctx = out.context;

  // Request-type gates (the spec does not order them; this model checks them in code order).
  if (req.at != address_type::untranslated && !ctx.dte())
    return fault_reason::sm_device_tlb_disabled;                                                  // SCT.5
  if (req.has_pasid && !ctx.paside()) return fault_reason::sm_pasid_disabled;                     // SCT.6
  if (req.has_pasid && req.pasid >= caps.pasid_count()) return fault_reason::pasid_beyond_width;  // SGN.10
  // Requests without PASID are processed as requests with PASID = RID_PASID (PASID 0 without ECAP.RPS),
  // privilege RID_PRIV (user without ECAP.RPRIVS) and no execute.
  out.pasid = req.has_pasid ? req.pasid : (caps.rps ? ctx.rid_pasid() : 0);
  out.privileged = req.has_pasid ? req.privileged : (caps.rprivs && ctx.rid_priv());
  out.execute = req.has_pasid && req.execute;
  if (out.pasid >= spec::pasid_limit(ctx.pdts())) return fault_reason::sm_pasid_beyond_directory;  // SCT.7
  if (stop_after_context) return fault_reason::none;

  // FPD of the directory and PASID-table entries ORs in as far as they were read (an entry not read stays
  // zero in `pce`), even when P=0.
  cached_pasid_entry pce;
  if (!m_env.lookup_pasid(req.source_id, out.pasid, pce, rec)) {
    const fault_reason r = read_pasid_entry(out, pce, rec);
    out.fpd = out.fpd || pce.dir_fpd || pce.entry.fpd();
    if (r != fault_reason::none) return r;
    if (hooks) hooks->fill_pasid(req.source_id, out.pasid, pce);
  }
  out.entry = pce.entry;
  out.fpd = out.fpd || pce.dir_fpd || pce.entry.fpd();
  const spec::pasid_entry& pe = out.entry;
  // SPT.5: execute requests need ECAP.ERS and ERE (a Rev 3.x feature; later revisions have neither).
  if (out.execute && !(caps.ers && pe.ere())) return fault_reason::execute_request_blocked;
  // SPT.6: supervisor requests need SRE.
  if (out.privileged && !pe.sre()) return fault_reason::supervisor_request_blocked;
  return fault_reason::none;
}

// Output = input, held to HAW (SGN.4.x) and the interrupt range (SGN.8): translated requests (AT=10b) with
// DTE=1, which bypass translation (`stage` none, no PASID entry read), and PGTT=100b pass-through (a request
// without PASID never reaches the interrupt range here: the dispatcher treats it as an interrupt).
translation_result scalable_mode::output_is_input(const dma_request& req, const pasid_context& pc,
                                                  translation_stage stage, uint16_t did) {
  const unsigned haw = m_env.caps.haw;
  if (haw < 64 && (req.address >> haw) != 0) return fault(req, fault_reason::sm_address_beyond_haw, pc);
  if (overlaps_interrupt_range(req.address, req.length))
    return fault(req, fault_reason::sm_interrupt_range_output, pc);
  translation_result res;
  res.status = dma_status::pass_through;
  res.hpa = req.address;
  res.read = res.write = true;
  res.domain_id = did;
  res.pasid = pc.pasid;
  res.stage = stage;
  return res;
}

translation_result scalable_mode::translate_pasid(const dma_request& req, const pasid_context& pc,
                                                  walk_record* rec) {
  const spec::pasid_entry& pe = pc.entry;
  const pgtt type = pe.type();
  if (type == pgtt::pass_through) return output_is_input(req, pc, translation_stage::pass_through, pe.did());
  const bool is_xlat_req = req.at == address_type::translation_request;

  translation_result res;
  res.domain_id = pe.did();
  res.pasid = pc.pasid;
  res.stage = stage_of(type);
  res.levels = uint8_t(spec::uses_first_stage(type) ? pe.fs_levels() : spec::aw_to_levels(pe.aw()));

  // Spec special condition: an ATS translation request without PASID to the interrupt range succeeds with
  // R=0, W=1 so that the device sends its MSIs untranslated. Not a fault.
  if (is_xlat_req && !req.has_pasid && spec::in_interrupt_range(req.address)) {
    res.status = dma_status::translated;
    res.hpa = req.address;
    res.page_size = spec::kPageSize;
    res.write = true;
    return res;
  }

  const cache_tag tag{req.source_id, pe.did(), pc.pasid, res.stage};
  const bool needs_write = req.access != access_kind::read;
  walk_out w;
  bool hit = false;
  if (m_env.hooks) {
    cached_translation t;
    // A write through an entry cached without D walks again so that D gets set.
    if (m_env.lookup_iotlb(tag, req.address, t, rec) && (t.dirty || !needs_write)) {
      w.hpa = t.frame | (req.address & (t.page_size() - 1));
      w.page_size = t.page_size();
      w.read = t.read;
      w.write = t.write;
      w.user = t.user;
      w.execute_disable = t.execute_disable;
      w.dirty = t.dirty;
      w.ss_write = t.ss_write;
      hit = true;
    }
  }
  if (!hit) {
    fault_reason fr =
        type == pgtt::second_stage ? second_stage(req, pc, w, rec) : first_stage(req, pc, w, rec);
    if (fr != fault_reason::none) {
      if (is_xlat_req && answered_with_no_access(fr)) {
        res.status = dma_status::translated;  // R=W=0 completion
        return res;
      }
      return fault(req, fr, pc);
    }
    if (m_env.hooks) {
      cached_translation t{w.hpa & ~(w.page_size - 1), w.page_size, w.read, w.write, res.stage};
      t.user = w.user;
      t.execute_disable = w.execute_disable;
      t.dirty = w.dirty;
      t.ss_write = w.ss_write;
      m_env.hooks->fill_iotlb(tag, req.address, t);
    }
  }

  res.hpa = w.hpa;
  res.page_size = w.page_size;
  // The rights this request has: a user request needs U/S; a supervisor write needs R/W only with WPE.
  const bool user_ok = pc.privileged || w.user;
  res.read = w.read && user_ok;
  res.write = user_ok && write_allowed(pc, w);
  if (!is_xlat_req) {
    fault_reason pr = check_access(req, pc, w);
    if (pr != fault_reason::none) return fault(req, pr, pc);
  }
  // SGN.8: the output may not land in the interrupt range.
  if (overlaps_interrupt_range(res.hpa, is_xlat_req ? 1 : req.length))
    return fault(req, fault_reason::sm_interrupt_range_output, pc);
  res.status = dma_status::translated;
  return res;
}

// The access checks after the walk (SGN.2, SGN.3, SGN.6, SGN.7): a user request needs U/S=1 at every
// first-stage level; writes and AtomicOps need write permission (for a supervisor request through a
// first-stage-only entry only when WPE=1); reads and AtomicOps need read permission (ZLR: a zero-length read
// of a write-only page is allowed); an execute request needs XD=0 where XD is defined (Rev 3.x NXE=1).
fault_reason scalable_mode::check_access(const dma_request& req, const pasid_context& pc,
                                         const walk_out& w) const {
  const spec::pasid_entry& pe = pc.entry;
  const bool first = spec::uses_first_stage(pe.type());
  if (first && !pc.privileged && !w.user) return fault_reason::user_request_supervisor_page;
  if (first && pc.execute && w.execute_disable && m_env.caps.ers && pe.nxe())
    return fault_reason::execute_denied;
  const bool need_w = req.access != access_kind::read;
  const bool need_r = req.access != access_kind::write;
  if (need_w && !write_allowed(pc, w)) return fault_reason::sm_write_denied;
  if (need_r && !w.read) {
    const bool zlr_ok = m_env.caps.zlr && req.access == access_kind::read && req.length == 0 && w.write;
    if (!zlr_ok) return fault_reason::sm_read_denied;
  }
  return fault_reason::none;
}

}  // namespace vtd::core
