// Legacy-mode DMA translation, following digest 8.2 step by step (VT-d spec 3.4.x, 3.6, 3.15, Table 30).
#include "model/core/dma_translator.hpp"

#include <algorithm>

#include "model/spec/msi.hpp"
#include "model/spec/root_entry.hpp"

namespace vtd::core {

using spec::fault_reason;
using spec::translation_type;

dma_translator::dma_translator(const unit_config& cfg, const register_file& regs, const physical_memory& mem,
                               fault_recorder& faults)
    : m_regs(regs), m_mem(mem), m_faults(faults) {
  auto cap = cfg.cap_fields();
  auto ecap = cfg.ecap_fields();
  m_sl.haw = cfg.haw;
  m_sl.super_2m = cap.super_2m();
  m_sl.super_1g = cap.super_1g();
  m_sl.snoop_control = ecap.sc();
  m_sl.device_tlb = ecap.dt();
  m_haw = cfg.haw;
  m_mgaw = cap.mgaw();
  m_sagaw = cap.sagaw();
  m_did_bits = cap.domain_id_bits();
  m_zlr = cap.zlr();
  m_dt = ecap.dt();
  m_pt = ecap.pt();
  m_adms = ecap.adms();
}

// Reports a fault unless it is qualified and FPD is set (digest 5.4), and blocks the request either way.
translation_result dma_translator::fail(const dma_request& req, fault_reason r, bool fpd) {
  translation_result res;
  res.status = dma_status::fault;
  res.fault = r;
  if (!(fpd && spec::is_qualified(r))) {
    fault_info f;
    f.reason = r;
    f.source_id = req.source_id;
    f.access = req.access;
    f.at = req.at;
    f.has_pasid = req.has_pasid;
    f.pasid = req.pasid;
    f.fault_info = fault_info::dma_fi(req.address);
    res.fault_recorded = m_faults.record(f);
  }
  return res;
}

static bool overlaps_interrupt_range(uint64_t addr, uint32_t length) {
  uint64_t last = addr + (length == 0 ? 0 : length - 1);
  return addr <= spec::kInterruptRangeLast && last >= spec::kInterruptRangeBase;
}

translation_result dma_translator::translate(const dma_request& req, walk_record* rec) {
  // Spec 3.15 / digest 8.1: untranslated requests without PASID to 0xFEEx_xxxx are never DMA-remapped.
  // A DWORD write is an interrupt request; a zero-length read completes; anything else is blocked (29h).
  if (req.at == address_type::untranslated && !req.has_pasid && spec::in_interrupt_range(req.address)) {
    translation_result res;
    if (req.access == access_kind::write && req.length == 4) {
      res.status = dma_status::interrupt;
      return res;
    }
    if (req.access == access_kind::read && req.length == 0) {
      res.status = dma_status::untranslated;  // completes with obfuscated data, no memory access
      res.hpa = req.address;
      return res;
    }
    return fail(req, fault_reason::ir_not_an_interrupt, false);
  }

  if (!m_regs.translation_enabled()) {  // GSTS.TES=0: no remapping
    translation_result res;
    res.status = dma_status::untranslated;
    res.hpa = req.address;
    res.read = res.write = true;
    return res;
  }

  // RTADDR.TTM (digest 1.6, RTA.1.x / RTA.4). Only legacy mode is modelled, so TTM=01 is reported as 30h even
  // on hardware that advertises SMTS.
  switch (m_regs.ttm()) {
    case spec::reg::ttm::legacy:
      break;
    case spec::reg::ttm::abort_dma:
      return fail(req, m_adms ? fault_reason::abort_dma_mode : fault_reason::rtaddr_invalid, false);
    default:
      return fail(req, fault_reason::rtaddr_invalid, false);
  }
  if (req.has_pasid) return fail(req, fault_reason::pasid_request_legacy, false);  // RTA.2

  context_lookup ctx;
  if (m_hooks && m_hooks->lookup_context(req.source_id, ctx.entry, rec)) {
    ctx.fpd = ctx.entry.fpd();
  } else {
    fault_reason r = fetch_context(req.source_id, ctx, rec);
    if (r != fault_reason::none) return fail(req, r, ctx.fpd);
    if (m_hooks) m_hooks->fill_context(req.source_id, ctx.entry);
  }
  return translate_context(req, ctx.entry, ctx.fpd, rec);
}

fault_reason dma_translator::fetch_context(uint16_t sid, context_lookup& out, walk_record* rec) const {
  out.fpd = false;
  // Root entry: RTA + bus * 16 (LRT.1 read error 08h, LRT.2 not present 01h, LRT.3 reserved 0Ah; all NQ).
  uint64_t root_table = m_regs.root_table();
  unsigned bus = sid_bus(sid);
  uint64_t root_addr = root_table + bus * spec::root_entry::size_bytes;
  uint64_t raw[2] = {0, 0};
  bool ok = m_mem.read(root_addr, raw, sizeof raw);
  if (rec)
    rec->add({step_kind::root_entry, cache_kind::context, 0, ok, uint16_t(bus), root_table, root_addr, raw[0],
              raw[1]});
  if (!ok) return fault_reason::root_read_error;
  spec::root_entry root{raw[0], raw[1]};
  if (!root.present()) return fault_reason::root_not_present;
  if (root.has_reserved(m_haw)) return fault_reason::root_reserved;

  // Context entry: CTP + devfn * 16 (LCT.1 read error 09h NQ). FPD is latched before the P check.
  unsigned devfn = sid_devfn(sid);
  uint64_t ctx_addr = root.ctp() + devfn * spec::context_entry::size_bytes;
  raw[0] = raw[1] = 0;
  ok = m_mem.read(ctx_addr, raw, sizeof raw);
  if (rec)
    rec->add({step_kind::context_entry, cache_kind::context, 0, ok, uint16_t(devfn), root.ctp(), ctx_addr,
              raw[0], raw[1]});
  if (!ok) return fault_reason::context_read_error;
  out.entry = spec::context_entry{raw[0], raw[1]};
  out.fpd = out.entry.fpd();
  return check_context(out.entry);
}

fault_reason dma_translator::check_context(const spec::context_entry& e) const {
  if (!e.present()) return fault_reason::context_not_present;                    // LCT.2
  if (e.has_reserved(m_haw, m_did_bits)) return fault_reason::context_reserved;  // LCT.3
  switch (e.tt()) {                                                              // LCT.4.2
    case translation_type::untranslated_only:
      break;
    case translation_type::device_tlb:
      if (!m_dt) return fault_reason::context_invalid;
      break;
    case translation_type::pass_through:
      if (!m_pt) return fault_reason::context_invalid;
      return fault_reason::none;  // AW is not used for pass-through
    default:
      return fault_reason::context_invalid;
  }
  unsigned aw = e.aw();  // LCT.4.1
  if (aw < 1 || aw > 3 || !((m_sagaw >> aw) & 1)) return fault_reason::context_invalid;
  return fault_reason::none;
}

translation_result dma_translator::translate_context(const dma_request& req, const spec::context_entry& ctx,
                                                     bool fpd, walk_record* rec) {
  translation_type tt = ctx.tt();
  bool is_xlat_req = req.at == address_type::translation_request;
  translation_result res;
  res.domain_id = ctx.did();

  // ATS gates (LCT.5): translation and translated requests need TT=01.
  if (req.at != address_type::untranslated && tt != translation_type::device_tlb)
    return fail(req, fault_reason::translation_type_blocked, fpd);

  if (req.at == address_type::translated || tt == translation_type::pass_through) {
    // Translated requests (TT=01) and pass-through (TT=10): output = input, checked against HAW (LGN.1.2/1.3)
    // and the interrupt range (LGN.4 uses the input address here).
    if (m_haw < 64 && (req.address >> m_haw) != 0) return fail(req, fault_reason::address_beyond_width, fpd);
    if (overlaps_interrupt_range(req.address, req.length))
      return fail(req, fault_reason::interrupt_range_output, fpd);
    res.status = dma_status::pass_through;
    res.hpa = req.address;
    res.read = res.write = true;
    return res;
  }

  // Spec 5.10 special condition: an ATS translation request without PASID to the interrupt range succeeds
  // with R=0, W=1 so that the device sends its MSIs untranslated. Not a fault.
  if (is_xlat_req && spec::in_interrupt_range(req.address)) {
    res.status = dma_status::translated;
    res.hpa = req.address;
    res.page_size = spec::kPageSize;
    res.write = true;
    return res;
  }

  unsigned aw = ctx.aw();
  unsigned levels = spec::aw_to_levels(aw);
  res.levels = uint8_t(levels);
  unsigned width = std::min(m_mgaw, spec::aw_to_agaw(aw));
  if (width < 64 && (req.address >> width) != 0) {  // LGN.1.1, before the walk
    if (is_xlat_req) {
      res.status = dma_status::translated;  // translation request: success with R=W=0
      return res;
    }
    return fail(req, fault_reason::address_beyond_width, fpd);
  }

  walk_result w;
  bool hit = false;
  if (m_hooks) {
    cached_translation t;
    if (m_hooks->lookup_iotlb(req.source_id, ctx.did(), req.address, t, rec)) {
      w = walk_result{true, t.frame, t.page_size, t.read, t.write};
      hit = true;
    }
  }
  if (!hit) {
    unsigned start = levels;
    uint64_t table = ctx.slptptr();
    bool r = true, wr = true;
    cached_table ct;
    if (m_hooks && m_hooks->lookup_paging(ctx.did(), req.address, levels, ct, rec)) {
      start = ct.level - 1;
      table = ct.next_table;
      r = ct.read;
      wr = ct.write;
    }
    fault_reason fr = walk_from(start, table, req.address, r, wr, start == levels, ctx.did(), w, rec);
    if (fr != fault_reason::none) return fail(req, fr, fpd);
    if (!w.present) {
      // R=W=0 entry: the missing permission is the fault (LGN.2 / LGN.3); a translation request instead
      // completes successfully with R=W=0 (Table 30, translation-request column).
      if (is_xlat_req) {
        res.status = dma_status::translated;
        return res;
      }
      return fail(req, check_access(req, false, false), fpd);
    }
    if (m_hooks)
      m_hooks->fill_iotlb(req.source_id, ctx.did(), req.address,
                          cached_translation{w.frame, w.page_size, w.read, w.write});
  }

  res.hpa = w.frame | (req.address & (w.page_size - 1));
  res.page_size = w.page_size;
  res.read = w.read;
  res.write = w.write;
  if (!is_xlat_req) {
    fault_reason pr = check_access(req, w.read, w.write);
    if (pr != fault_reason::none) return fail(req, pr, fpd);
  }
  // LGN.4: the output may not land in the interrupt range.
  if (overlaps_interrupt_range(res.hpa, is_xlat_req ? 1 : req.length))
    return fail(req, fault_reason::interrupt_range_output, fpd);
  res.status = dma_status::translated;
  return res;
}

// Permission check on the accumulated R/W (LGN.2 / LGN.3): writes and AtomicOps need W, reads and AtomicOps
// need R, except zero-length reads to write-only pages when CAP.ZLR=1.
fault_reason dma_translator::check_access(const dma_request& req, bool r, bool w) const {
  bool need_w = req.access != access_kind::read;
  bool need_r = req.access != access_kind::write;
  if (need_w && !w) return fault_reason::write_denied;
  if (need_r && !r) {
    bool zlr_ok = m_zlr && req.access == access_kind::read && req.length == 0 && w;
    if (!zlr_ok) return fault_reason::read_denied;
  }
  return fault_reason::none;
}

fault_reason dma_translator::walk_from(unsigned level, uint64_t table, uint64_t addr, bool read, bool write,
                                       bool top, uint16_t did, walk_result& out, walk_record* rec) const {
  for (; level >= 1; --level) {
    unsigned idx = spec::level_index(addr, level);
    uint64_t ea = table + uint64_t(idx) * 8;
    auto raw = m_mem.read64(ea);
    if (rec)
      rec->add({step_kind::sl_entry, cache_kind::context, uint8_t(level), raw.has_value(), uint16_t(idx),
                table, ea, raw.value_or(0), 0});
    if (!raw)
      return top ? fault_reason::context_invalid : fault_reason::sl_table_read_error;  // LCT.4.3 / LSS.1
    top = false;
    spec::sl_entry e{*raw};
    // R=W=0: not present, the walk stops (reported as the missing permission, LGN.2 / LGN.3).
    if (!e.present()) {
      out = walk_result{};  // present=false: no frame, no permission
      return fault_reason::none;
    }
    // An entry with reserved bits set is never used (LSS.2), so this comes before any permission check.
    if (e.reserved_bits(level, m_sl) != 0) return fault_reason::sl_entry_reserved;
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
    if (m_hooks) m_hooks->fill_paging(did, addr, cached_table{level, table, read, write});
  }
  return fault_reason::sl_table_read_error;  // unreachable: level 1 is always a leaf
}

}  // namespace vtd::core
