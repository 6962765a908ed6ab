// Legacy-mode DMA translation, step by step as the spec's legacy-mode fault conditions order it: RTA.2, root
// entry (LRT), context entry (LCT), ATS gates (LCT.5), address width (LGN.1), second-stage walk (LSS),
// permissions (LGN.2 / LGN.3) and the interrupt-range output rule (LGN.4).
#include "model/core/legacy_mode.hpp"

#include <algorithm>

#include "model/spec/entry_rules.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

namespace vtd::core {

using spec::fault_reason;
using spec::translation_type;

using spec::overlaps_interrupt_range;

bool legacy_mode::context_miss(const dma_request& req, walk_record* rec, translation_result& res) {
  cached_context& ctx = m_context;
  // Hooks other than the unit's caches are asked here (the unit's own caches missed already).
  const cache_tag ctx_tag = cache_tag::legacy(req.source_id, 0);
  if (!m_env.caches && m_env.hooks && m_env.hooks->lookup_context(ctx_tag, ctx, rec)) return true;
  context_lookup found;
  fault_reason r = fetch_context(req.source_id, found, rec);
  if (r != fault_reason::none) {
    res = m_env.fail(req, r, found.fpd);
    return false;
  }
  ctx = cached_context::from(found.entry);
  if (m_env.hooks) m_env.hooks->fill_context(ctx_tag, ctx);
  return true;
}

fault_reason legacy_mode::fetch_context(uint16_t sid, context_lookup& out, walk_record* rec) const {
  out.fpd = false;
  // Root entry: RTA + bus * 16 (LRT.1 read error 08h, LRT.2 not present 01h, LRT.3 reserved 0Ah; all NQ).
  const uint64_t root_table = m_env.regs.root_table();
  const unsigned bus = sid_bus(sid);
  const uint64_t root_addr = root_table + bus * spec::root_entry::size_bytes;
  uint64_t raw[2] = {0, 0};
  bool ok = m_env.mem.read(root_addr, raw, sizeof raw);
  if (rec)
    rec->add_read(step_kind::root_entry, structure_kind::root_entry, translation_stage::none, 0, ok, bus,
                  root_table, root_addr, {raw[0], raw[1]});
  if (!ok) return fault_reason::root_read_error;
  const spec::root_entry root{raw[0], raw[1]};
  if (fault_reason r = spec::fault_for(spec::check_root(root, m_env.caps)); r != fault_reason::none) return r;

  // Context entry: CTP + devfn * 16 (LCT.1 read error 09h NQ). FPD is latched before the P check.
  const unsigned devfn = sid_devfn(sid);
  const uint64_t ctx_addr = root.ctp() + devfn * spec::context_entry::size_bytes;
  raw[0] = raw[1] = 0;
  ok = m_env.mem.read(ctx_addr, raw, sizeof raw);
  if (rec)
    rec->add_read(step_kind::context_entry, structure_kind::context_entry, translation_stage::none, 0, ok,
                  devfn, root.ctp(), ctx_addr, {raw[0], raw[1]});
  if (!ok) return fault_reason::context_read_error;
  out.entry = spec::context_entry{raw[0], raw[1]};
  out.fpd = out.entry.fpd();
  return spec::fault_for(spec::check_context(out.entry, m_env.caps));  // LCT.2 / LCT.3 / LCT.4.x
}

void legacy_mode::translate_context(const dma_request& req, const cached_context& ctx, walk_record* rec,
                                    translation_result& res) {
  const translation_type tt = ctx.tt;
  const bool fpd = ctx.fpd;
  const bool is_xlat_req = req.at == address_type::translation_request;
  const unsigned haw = m_env.caps.haw;
  // A fault replaces the whole result (its domain_id stays 0, as m_env.fail leaves it).
  const auto fail = [&](fault_reason r) { res = m_env.fail(req, r, fpd); };
  res.domain_id = ctx.did;

  // ATS gates (LCT.5): translation and translated requests need TT=01.
  if (req.at != address_type::untranslated && tt != translation_type::device_tlb)
    return fail(fault_reason::translation_type_blocked);

  if (req.at == address_type::translated || tt == translation_type::pass_through) {
    // Translated requests (TT=01) and pass-through (TT=10): output = input, checked against HAW (LGN.1.2/1.3)
    // and the interrupt range (LGN.4 uses the input address here).
    if (haw < 64 && (req.address >> haw) != 0) return fail(fault_reason::address_beyond_width);
    if (overlaps_interrupt_range(req.address, req.length)) return fail(fault_reason::interrupt_range_output);
    res.status = dma_status::pass_through;
    res.hpa = req.address;
    res.read = res.write = true;
    return;
  }

  // Spec 5.10 special condition: an ATS translation request without PASID to the interrupt range succeeds
  // with R=0, W=1 so that the device sends its MSIs untranslated. Not a fault.
  if (is_xlat_req && spec::in_interrupt_range(req.address)) {
    res.status = dma_status::translated;
    res.hpa = req.address;
    res.page_size = spec::kPageSize;
    res.write = true;
    return;
  }

  const unsigned levels = spec::aw_to_levels(ctx.aw);
  res.levels = uint8_t(levels);
  const unsigned width = std::min(m_env.caps.mgaw, spec::aw_to_agaw(ctx.aw));
  if (width < 64 && (req.address >> width) != 0) {  // LGN.1.1, before the walk
    if (is_xlat_req) {
      res.status = dma_status::translated;  // translation request: success with R=W=0
      return;
    }
    return fail(fault_reason::address_beyond_width);
  }

  // IOTLB and paging-structure caches are tagged by domain, second stage, no PASID. The unit's own IOTLB
  // hands the cached translation itself. The slow paths build their own tag, so that this one can live in
  // registers.
  const cache_tag tag = cache_tag::legacy(req.source_id, ctx.did);
  const cached_translation* t =
      m_env.caches ? m_env.caches->find_iotlb(tag, req.address, rec) : iotlb_from_hooks(req, ctx.did, rec);
  if (!t) [[unlikely]] {
    fault_reason fr = walk_on_miss(req, ctx, levels, rec, t);
    if (fr != fault_reason::none) return fail(fr);
    if (!t) {
      // R=W=0 entry: the missing permission is the fault (LGN.2 / LGN.3); a translation request instead
      // completes successfully with R=W=0 (translation-request column of the fault-reason table).
      if (is_xlat_req) {
        res.status = dma_status::translated;
        return;
      }
      return fail(check_access(req, false, false));
    }
  }

  const uint64_t page_size = t->page_size();
  res.hpa = t->frame | (req.address & (page_size - 1));
  res.page_size = page_size;
  res.read = t->read;
  res.write = t->write;
  if (!is_xlat_req) {
    fault_reason pr = check_access(req, t->read, t->write);
    if (pr != fault_reason::none) return fail(pr);
  }
  // LGN.4: the output may not land in the interrupt range.
  if (overlaps_interrupt_range(res.hpa, is_xlat_req ? 1 : req.length))
    return fail(fault_reason::interrupt_range_output);
  res.status = dma_status::translated;
}

translation_result legacy_mode::translate(const dma_request& req, walk_record* rec) {
  // One result object for every path (every return names it), so that it is built where the caller keeps it
  // (named return value optimisation) instead of being copied back from a temporary.
  translation_result res;
  if (req.has_pasid) {
    res = m_env.fail(req, fault_reason::pasid_request_legacy, false);  // RTA.2
    return res;
  }

  // Context-cache (tag: source-id), else root and context entries from memory. The unit's own caches hand
  // the cached entry itself (read in place: nothing below fills or invalidates the context-cache).
  const cached_context* ctx = m_env.caches ? m_env.caches->find_context(req.source_id, rec) : nullptr;
  if (!ctx) [[unlikely]] {
    if (!context_miss(req, rec, res)) return res;
    ctx = &m_context;
  }
  translate_context(req, *ctx, rec, res);
  return res;
}

const cached_translation* legacy_mode::iotlb_from_hooks(const dma_request& req, uint16_t did,
                                                        walk_record* rec) {
  const cache_tag tag = cache_tag::legacy(req.source_id, did);
  if (m_env.hooks && m_env.hooks->lookup_iotlb(tag, req.address, m_translation, rec)) return &m_translation;
  return nullptr;
}

fault_reason legacy_mode::walk_on_miss(const dma_request& req, const cached_context& ctx, unsigned levels,
                                       walk_record* rec, const cached_translation*& leaf) {
  leaf = nullptr;
  const cache_tag tag = cache_tag::legacy(req.source_id, ctx.did);
  walk_result w;
  // The walk starts below the deepest paging-structure cache hit, else at the context's top level.
  unsigned start = levels;
  uint64_t table = ctx.slptptr;
  bool r = true, wr = true;
  cached_table ct;
  if (m_env.hooks && m_env.hooks->lookup_paging(tag, req.address, levels, ct, rec)) {
    start = ct.level - 1;
    table = ct.next_table;
    r = ct.read;
    wr = ct.write;
  }
  fault_reason fr = walk_from(start, table, req.address, r, wr, start == levels, tag, w, rec);
  if (fr != fault_reason::none || !w.present) return fr;
  m_translation = cached_translation{w.frame, w.page_size, w.read, w.write, translation_stage::second};
  if (m_env.hooks) m_env.hooks->fill_iotlb(tag, req.address, m_translation);
  leaf = &m_translation;
  return fr;
}

// Permission check on the accumulated R/W (LGN.2 / LGN.3): writes and AtomicOps need W, reads and AtomicOps
// need R, except zero-length reads to write-only pages when CAP.ZLR=1.
fault_reason legacy_mode::check_access(const dma_request& req, bool r, bool w) const {
  const bool need_w = req.access != access_kind::read;
  const bool need_r = req.access != access_kind::write;
  if (need_w && !w) return fault_reason::write_denied;
  if (need_r && !r) {
    const bool zlr_ok = m_env.caps.zlr && req.access == access_kind::read && req.length == 0 && w;
    if (!zlr_ok) return fault_reason::read_denied;
  }
  return fault_reason::none;
}

fault_reason legacy_mode::walk_from(unsigned level, uint64_t table, uint64_t addr, bool read, bool write,
                                    bool top, const cache_tag& tag, walk_result& out,
                                    walk_record* rec) const {
  const spec::sl_check_config sl = m_env.caps.sl_check();
  for (; level >= 1; --level) {
    const unsigned idx = spec::level_index(addr, level);
    const uint64_t ea = table + uint64_t(idx) * 8;
    const auto raw = m_env.mem.read64(ea);
    if (rec)
      rec->add_read(step_kind::sl_entry, structure_kind::paging_entry, translation_stage::second, level,
                    raw.has_value(), idx, table, ea, {raw.value_or(0)});
    if (!raw)
      return top ? fault_reason::context_invalid : fault_reason::sl_table_read_error;  // LCT.4.3 / LSS.1
    top = false;
    const spec::sl_entry e{*raw};
    switch (spec::check_sl(e, level, sl)) {
      case spec::sl_rule::not_present:
        // R=W=0: the walk stops (reported as the missing permission, LGN.2 / LGN.3).
        out = walk_result{};
        return fault_reason::none;
      case spec::sl_rule::reserved:
        return fault_reason::sl_entry_reserved;  // LSS.2: an entry with reserved bits is never used
      case spec::sl_rule::ok:
        break;
    }
    read = read && e.r();
    write = write && e.w();
    if (e.is_leaf(level)) {
      out.present = true;
      out.frame = e.address(level);
      out.page_size = spec::level_page_size(level);
      out.read = read;
      out.write = write;
      return fault_reason::none;
    }
    table = e.address(level);
    if (m_env.hooks) m_env.hooks->fill_paging(tag, addr, cached_table{level, table, read, write, tag.stage});
  }
  return fault_reason::sl_table_read_error;  // unreachable: level 1 is always a leaf
}

}  // namespace vtd::core
