// Building the explanation of a DMA translation from the core's walk record (see explanation.hpp).
#include <fmt/format.h>

#include "apps/explain/explanation.hpp"
#include "apps/explain/twin.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/entry_rules.hpp"
#include "model/spec/field.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain {

namespace {

using spec::fault_reason;

std::string yn(bool b) {
  return b ? "1" : "0";
}
const char* level_table_name(unsigned level) {
  switch (level) {
    case 5:
      return "PML5 table";
    case 4:
      return "PML4 table";
    case 3:
      return "PDPT";
    case 2:
      return "page directory";
    default:
      return "page table";
  }
}
const char* level_entry_name(unsigned level) {
  switch (level) {
    case 5:
      return "PML5E";
    case 4:
      return "PML4E";
    case 3:
      return "PDPE";
    case 2:
      return "PDE";
    default:
      return "PTE";
  }
}
// A decoded field: name and bit range from the spec's descriptor, the value and what it means here.
field described(const spec::field_desc& d, std::string value, std::string meaning) {
  return {d.name, d.bits(), std::move(value), std::move(meaning)};
}
field described(const spec::field_desc& d, std::string value) {
  return described(d, std::move(value), d.meaning);
}

step root_step(const core::walk_step& w, const core::remapping_unit& u, uint16_t sid) {
  step s;
  s.kind = "root_entry";
  s.title = fmt::format("Root entry for bus 0x{:02x}", sid >> 8);
  s.table_base = w.table_base;
  s.entry_address = w.entry_address;
  s.index = sid >> 8;
  s.wide = true;
  s.read_ok = w.ok;
  s.raw_lo = w.raw_lo;
  s.raw_hi = w.raw_hi;
  s.address_calc = fmt::format("RTA {} + bus 0x{:02x} x 16 = {}", spec::hex(w.table_base), sid >> 8,
                               spec::hex(w.entry_address));
  spec::root_entry e{w.raw_lo, w.raw_hi};
  const unsigned haw = u.caps().haw;
  namespace rf = spec::root_fields;
  s.fields = {described(rf::P, yn(e.present()),
                        e.present() ? "present" : "not present: the bus has no context table"),
              described(rf::CTP, spec::hex(e.ctp())),
              {"reserved", rf::kReservedRanges, spec::hex(e.reserved_lo(haw) | e.reserved_hi()),
               e.has_reserved(haw) ? "SET: reserved bits must be 0" : "all zero, as required"}};
  return s;
}

step context_step(const core::walk_step& w, const core::remapping_unit& u, uint16_t sid) {
  step s;
  s.kind = "context_entry";
  s.title = fmt::format("Context entry for device {:02x}.{} (devfn 0x{:02x})", (sid >> 3) & 0x1F, sid & 7,
                        sid & 0xFF);
  s.table_base = w.table_base;
  s.entry_address = w.entry_address;
  s.index = sid & 0xFF;
  s.wide = true;
  s.read_ok = w.ok;
  s.raw_lo = w.raw_lo;
  s.raw_hi = w.raw_hi;
  s.address_calc = fmt::format("CTP {} + devfn 0x{:02x} x 16 = {}", spec::hex(w.table_base), sid & 0xFF,
                               spec::hex(w.entry_address));
  spec::context_entry e{w.raw_lo, w.raw_hi};
  const spec::caps& caps = u.caps();
  const unsigned aw = e.aw();
  std::string aw_meaning = aw >= 1 && aw <= 3 ? fmt::format("{}-bit address width, {}-level table",
                                                            spec::aw_to_agaw(aw), spec::aw_to_levels(aw))
                                              : "reserved encoding";
  if (!caps.supports_aw(aw)) aw_meaning += fmt::format(" (not in CAP.SAGAW 0b{:05b})", caps.sagaw);
  const uint64_t rsv = e.reserved_lo(caps.haw) | e.reserved_hi(caps.did_bits);
  namespace cf = spec::context_fields;
  s.fields = {
      described(cf::P, yn(e.present()), e.present() ? "present" : "not present: the device is not attached"),
      described(
          cf::FPD, yn(e.fpd()),
          e.fpd() ? "fault processing disabled: qualified faults are not recorded" : "faults are recorded"),
      described(cf::TT, fmt::format("{:02b}b", unsigned(e.tt())),
                fmt::format("translation type: {}", spec::to_string(e.tt()))),
      described(cf::SLPTPTR, spec::hex(e.slptptr())),
      described(cf::AW, fmt::format("{:03b}b", aw), aw_meaning),
      described(cf::DID, fmt::format("{}", e.did())),
      {"reserved", cf::kReservedRanges, spec::hex(rsv), rsv ? "SET: reserved bits must be 0" : "all zero"}};
  return s;
}

step sl_step(const core::walk_step& w, const core::remapping_unit& u, uint64_t iova) {
  step s;
  const unsigned L = w.level;
  s.kind = "sl_entry";
  s.level = L;
  s.title = fmt::format("Level {} {} ({}, index {})", L, level_entry_name(L), level_table_name(L), w.index);
  s.table_base = w.table_base;
  s.entry_address = w.entry_address;
  s.index = w.index;
  s.read_ok = w.ok;
  s.raw_lo = w.raw_lo;
  const unsigned lo = spec::level_shift(L), hi = lo + 8;
  s.address_calc = fmt::format("table {} + IOVA[{}:{}] = 0x{:x} x 8 = {}", spec::hex(w.table_base), hi, lo,
                               spec::level_index(iova, L), spec::hex(w.entry_address));
  spec::sl_entry e{w.raw_lo};
  const spec::sl_check_config cfg = u.caps().sl_check();
  const bool leaf = e.is_leaf(L);
  const uint64_t rsv = e.reserved_bits(L, cfg);
  namespace sf = spec::sl_fields;
  s.fields = {described(sf::R, yn(e.r()), e.r() ? "read allowed" : "no read"),
              described(sf::W, yn(e.w()), e.w() ? "write allowed" : "no write")};
  if (L == 2 || L == 3)
    s.fields.push_back(
        described(sf::PS, yn(e.ps()),
                  e.ps() ? fmt::format("page size: this entry maps a {} page", L == 2 ? "2 MiB" : "1 GiB")
                         : "points to the next-level table"));
  const spec::field_desc& addr = sf::address_field(L, leaf);
  s.fields.push_back(described(addr, spec::hex(e.address(L))));
  s.fields.back().name = fmt::format("{} ({})", addr.name, leaf ? "frame" : "next table");
  if (leaf) {
    s.fields.push_back(described(sf::SNP, yn(e.snp())));
    s.fields.push_back(described(sf::TM, yn(e.tm())));
  }
  s.fields.push_back({"reserved", sf::kReservedRanges, spec::hex(rsv),
                      rsv ? "SET: an entry with reserved bits is never used" : "all zero"});
  return s;
}

void mark(step& s, const std::string& field_name) {
  for (auto& f : s.fields)
    if (f.name.rfind(field_name, 0) == 0) f.culprit = true;
}

}  // namespace

explanation explain_dma(core::remapping_unit& unit, const core::dma_request& req) {
  explanation x;
  x.kind = "dma";
  x.input = req.address;
  x.request = fmt::format("{} {} of {} bytes at IOVA {} ({}{})", spec::format_bdf(req.source_id),
                          core::to_string(req.access), req.length, spec::hex(req.address),
                          core::to_string(req.at), req.has_pasid ? ", with PASID" : "");
  auto twin = make_uncached_twin(unit);
  core::walk_record rec;
  const core::translation_result r = twin->translate(req, &rec);
  const auto& regs = twin->regs();

  step reg;
  reg.kind = "register";
  reg.title = "RTADDR register (latched by GCMD.SRTP) and GSTS";
  reg.raw_lo = regs.root_table() | (uint64_t(regs.ttm()) << 10);
  reg.fields = {{"RTA", "63:12", spec::hex(regs.root_table()), "root table address"},
                {"TTM", "11:10", fmt::format("{:02b}b", unsigned(regs.ttm())),
                 regs.ttm() == spec::reg::ttm::legacy ? "legacy mode: root -> context -> second-level tables"
                                                      : "not legacy mode"},
                {"GSTS.TES", "31", yn(regs.translation_enabled()),
                 regs.translation_enabled() ? "DMA remapping enabled"
                                            : "DMA remapping disabled: addresses pass untranslated"}};
  reg.verdict = regs.translation_enabled()
                    ? fmt::format("index the root table with the bus number 0x{:02x}", req.source_id >> 8)
                    : "no translation: the DMA goes to the address as given";
  x.steps.push_back(reg);

  unsigned levels = 0;
  for (const auto& w : rec) {
    if (w.kind == core::step_kind::root_entry) {
      x.steps.push_back(root_step(w, *twin, req.source_id));
      spec::root_entry e{w.raw_lo, w.raw_hi};
      x.steps.back().verdict = fmt::format("present: index the context table at {} with devfn 0x{:02x}",
                                           spec::hex(e.ctp()), req.source_id & 0xFF);
    } else if (w.kind == core::step_kind::context_entry) {
      x.steps.push_back(context_step(w, *twin, req.source_id));
      spec::context_entry e{w.raw_lo, w.raw_hi};
      // Pass-through has no walk, so no index slices.
      levels = e.tt() != spec::translation_type::pass_through && e.aw() >= 1 && e.aw() <= 3
                   ? spec::aw_to_levels(e.aw())
                   : 0;
      x.steps.back().verdict =
          e.tt() == spec::translation_type::pass_through
              ? "pass-through (TT=10b): the DMA address is used as the host physical address"
              : fmt::format("domain {}: walk the {}-level second-level table at {}", e.did(), levels,
                            spec::hex(e.slptptr()));
    } else if (w.kind == core::step_kind::sl_entry) {
      x.steps.push_back(sl_step(w, *twin, req.address));
      spec::sl_entry e{w.raw_lo};
      x.steps.back().verdict = e.is_leaf(w.level) ? fmt::format("leaf: {} page at {}",
                                                                w.level == 1   ? "4 KiB"
                                                                : w.level == 2 ? "2 MiB"
                                                                               : "1 GiB",
                                                                spec::hex(e.address(w.level)))
                                                  : fmt::format("go on to the level {} table at {}",
                                                                w.level - 1, spec::hex(e.address(w.level)));
    }
  }
  // The IOVA cut into its index slices (for the levels of this context) and the page offset.
  if (levels) {
    unsigned leaf_level = 1;
    for (const auto& w : rec)
      if (w.kind == core::step_kind::sl_entry && spec::sl_entry{w.raw_lo}.is_leaf(w.level))
        leaf_level = w.level;
    for (unsigned L = levels; L >= leaf_level; --L) {
      const unsigned lo = spec::level_shift(L);
      x.slices.push_back(
          {lo + 8, lo, spec::level_index(req.address, L), fmt::format("{} index", level_table_name(L)), L});
      if (L == 1) break;
    }
    const unsigned off_hi = spec::level_shift(leaf_level) - 1;
    x.slices.push_back({off_hi, 0, req.address & ((uint64_t{1} << (off_hi + 1)) - 1), "page offset", 0});
  }

  x.dma_query = req;
  x.dma_outcome = r;
  x.ok = r.ok();
  if (r.ok()) {
    switch (r.status) {
      case core::dma_status::translated: {
        const uint64_t base = r.hpa & ~(r.page_size - 1);
        x.result = fmt::format("HPA {} = page {} + offset {} ({} page, {}{}, domain {})", spec::hex(r.hpa),
                               spec::hex(base), spec::hex(r.hpa - base),
                               r.page_size >= (1u << 30)   ? "1 GiB"
                               : r.page_size >= (2u << 20) ? "2 MiB"
                                                           : "4 KiB",
                               r.read ? "R" : "-", r.write ? "W" : "-", r.domain_id);
        break;
      }
      case core::dma_status::pass_through:
        x.result = fmt::format("HPA {} (pass-through)", spec::hex(r.hpa));
        break;
      case core::dma_status::untranslated:
        x.result = fmt::format("HPA {} (remapping disabled)", spec::hex(r.hpa));
        break;
      case core::dma_status::interrupt:
        x.result =
            "an interrupt request: a DWORD write to 0xFEEx_xxxx goes to interrupt remapping (vtdsim walk "
            "--msi)";
        break;
      case core::dma_status::fault:
        break;  // not ok(): below
    }
  } else {
    set_fault(x, r.fault, r.fault_recorded);
    const auto& info = spec::info(r.fault);
    step* last = x.steps.size() > 1 ? &x.steps.back() : nullptr;
    switch (r.fault) {
      case fault_reason::root_not_present:
      case fault_reason::context_not_present:
        if (last) mark(*last, "P");
        break;
      case fault_reason::root_reserved:
      case fault_reason::context_reserved:
      case fault_reason::sl_entry_reserved:
        if (last) mark(*last, "reserved");
        break;
      case fault_reason::context_invalid:
        if (last && last->kind == "context_entry") {
          mark(*last, "AW");
          mark(*last, "TT");
        }
        break;
      case fault_reason::translation_type_blocked:
        if (last) mark(*last, "TT");
        break;
      case fault_reason::write_denied:
      case fault_reason::read_denied: {
        // The first level that denied the access is the one to change.
        const char* bit = r.fault == fault_reason::write_denied ? "W" : "R";
        for (auto& s : x.steps)
          if (s.kind == "sl_entry" && ((bit[0] == 'W' && !spec::sl_entry{s.raw_lo}.w()) ||
                                       (bit[0] == 'R' && !spec::sl_entry{s.raw_lo}.r()))) {
            mark(s, bit);
            last = &s;
            break;
          }
        break;
      }
      case fault_reason::interrupt_range_output:
        if (last) mark(*last, "ADDR");
        break;
      // The other reasons mark no single field of the last step (the verdict names them).
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
      case fault_reason::sm_root_not_present:
      case fault_reason::sm_root_reserved:
      case fault_reason::sm_context_read_error:
      case fault_reason::sm_context_not_present:
      case fault_reason::sm_context_reserved:
      case fault_reason::sm_context_invalid:
      case fault_reason::sm_device_tlb_disabled:
      case fault_reason::sm_pasid_disabled:
      case fault_reason::sm_pasid_beyond_directory:
      case fault_reason::pasid_dir_read_error:
      case fault_reason::pasid_dir_not_present:
      case fault_reason::pasid_dir_reserved:
      case fault_reason::pasid_entry_read_error:
      case fault_reason::pasid_entry_not_present:
      case fault_reason::pasid_entry_reserved:
      case fault_reason::pasid_entry_invalid:
      case fault_reason::execute_request_blocked:
      case fault_reason::supervisor_request_blocked:
      case fault_reason::fs_table_read_error:
      case fault_reason::fs_entry_not_present:
      case fault_reason::fs_entry_reserved:
      case fault_reason::fs_top_read_error:
      case fault_reason::fs_address_beyond_width:
      case fault_reason::fs_top_ss_read_denied:
      case fault_reason::fs_ss_read_denied:
      case fault_reason::fs_ss_write_denied:
      case fault_reason::ss_table_read_error:
      case fault_reason::ss_entry_not_present:
      case fault_reason::ss_entry_reserved:
      case fault_reason::ss_top_read_error:
      case fault_reason::ss_ad_not_snooped:
      case fault_reason::non_canonical_address:
      case fault_reason::user_request_supervisor_page:
      case fault_reason::execute_denied:
      case fault_reason::sm_address_beyond_haw:
      case fault_reason::sm_address_beyond_width:
      case fault_reason::sm_write_denied:
      case fault_reason::sm_read_denied:
      case fault_reason::sm_interrupt_range_output:
      case fault_reason::pasid_beyond_width:
      case fault_reason::fs_ad_not_snooped:
        break;
    }
    if (last) {
      last->fault = true;
      last->verdict = fmt::format("stop: fault {} {}", x.fault_code, info.name);
    } else {
      step s;
      s.kind = "check";
      s.title = "Request checks before the walk";
      s.fault = true;
      s.verdict = fmt::format("stop: fault {} {}", x.fault_code, info.name);
      x.steps.push_back(s);
    }
  }
  x.second_access = second_access_dma(unit, req);
  return x;
}

}  // namespace vtd::explain
