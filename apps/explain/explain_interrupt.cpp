// Building the explanation of an interrupt request (VT-d spec 5.1): the MSI decoded, the IRTE read
// and decoded, source-id validation, the delivered interrupt.
#include <fmt/format.h>

#include "apps/explain/explanation.hpp"
#include "apps/explain/twin.hpp"
#include "model/core/interrupt_remapper.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain {

namespace {
std::string yn(bool b) {
  return b ? "1" : "0";
}
const char* svt_meaning(spec::source_validation v) {
  switch (v) {
    case spec::source_validation::none:
      return "no source-id check";
    case spec::source_validation::requester_id:
      return "requester id must equal SID under the SQ mask";
    case spec::source_validation::bus_range:
      return "requester bus must lie in SID[15:8]..SID[7:0]";
    case spec::source_validation::reserved:
      return "reserved (faults 24h)";
  }
  return "reserved (faults 24h)";
}
}  // namespace

explanation explain_interrupt(core::remapping_unit& unit, const core::interrupt_request& req) {
  explanation x;
  x.kind = "interrupt";
  x.input = req.address;
  x.request = fmt::format("{} MSI write: address {}, data {}", spec::format_bdf(req.source_id),
                          spec::hex(req.address), spec::hex(req.data));
  auto twin = make_uncached_twin(unit);
  core::walk_record rec;
  const core::interrupt_result r = twin->remap_interrupt(req, &rec);
  const auto& regs = twin->regs();
  const spec::msi_request msi{req.address, req.data};

  step reg;
  reg.kind = "register";
  reg.title = "IRTA register (latched by GCMD.SIRTP) and GSTS";
  reg.fields = {
      {"IRTA", "63:12", spec::hex(regs.irta_base()), "interrupt remapping table address"},
      {"S", "3:0", fmt::format("{}", regs.irta_size_field()), fmt::format("{} entries", regs.irta_entries())},
      {"EIME", "11", yn(regs.eime()),
       regs.eime() ? "x2APIC mode: 32-bit destinations" : "xAPIC mode: 8-bit destinations"},
      {"GSTS.IRES", "25", yn(regs.ir_enabled()),
       regs.ir_enabled() ? "interrupt remapping enabled" : "interrupt remapping disabled"},
      {"GSTS.CFIS", "23", yn(regs.compat_format_allowed()),
       regs.compat_format_allowed() ? "compatibility-format MSIs pass through"
                                    : "compatibility-format MSIs are blocked"}};
  reg.verdict =
      regs.ir_enabled() ? "decode the MSI" : "interrupts are not remapped: the MSI is delivered as written";
  x.steps.push_back(reg);

  step m;
  m.kind = "msi";
  m.title = "MSI address and data";
  m.raw_lo = req.address;
  m.raw_hi = req.data;
  if (msi.remappable()) {
    m.fields = {
        {"format", "addr 4", "1", "remappable format"},
        {"handle", "addr 19:5 + 2", fmt::format("{}", msi.handle()), "IRTE index (before the subhandle)"},
        {"SHV", "addr 3", yn(msi.shv()),
         msi.shv() ? "subhandle valid: index = handle + data[15:0]" : "index = handle"},
        {"subhandle", "data 15:0", fmt::format("{}", msi.subhandle()),
         msi.shv() ? "added to the handle" : "ignored"}};
    m.verdict = fmt::format("interrupt_index = {}: read IRTE {} at IRTA + {} x 16", msi.interrupt_index(),
                            msi.interrupt_index(), msi.interrupt_index());
  } else {
    m.fields = {{"format", "addr 4", "0", "compatibility format"},
                {"destination", "addr 19:12", fmt::format("{}", msi.compat_destination()), "APIC id"},
                {"vector", "data 7:0", fmt::format("{}", msi.compat_vector()), "vector"},
                {"delivery mode", "data 10:8", spec::delivery_mode_name(msi.compat_delivery_mode()), ""}};
    m.verdict = "compatibility format: not remapped; blocked when EIME=1 or CFIS=0";
  }
  x.steps.push_back(m);

  for (const auto& w : rec) {
    if (w.kind == core::step_kind::irte) {
      step s;
      s.kind = "irte";
      s.title = fmt::format("Interrupt remapping table entry {}", w.index);
      s.wide = true;
      s.index = w.index;
      s.table_base = w.table_base;
      s.entry_address = w.entry_address;
      s.read_ok = w.ok;
      s.raw_lo = w.raw_lo;
      s.raw_hi = w.raw_hi;
      s.address_calc = fmt::format("IRTA {} + index {} x 16 = {}", spec::hex(w.table_base), w.index,
                                   spec::hex(w.entry_address));
      spec::irte e{w.raw_lo, w.raw_hi};
      const bool sid_ok = core::interrupt_remapper::source_id_valid(e, req.source_id);
      namespace f = spec::irte_fields;
      auto add = [&s](const spec::field_desc& d, std::string value, std::string meaning) {
        s.fields.push_back({d.name, d.bits(), std::move(value), std::move(meaning)});
      };
      add(f::P, yn(e.present()), e.present() ? "present" : "not present");
      add(f::FPD, yn(e.fpd()), e.fpd() ? "qualified faults not recorded" : "faults recorded");
      add(f::IM, yn(e.posted()), e.posted() ? "posted format" : "remapped format");
      if (e.posted()) {
        add(f::VV, fmt::format("{}", e.virtual_vector()), f::VV.meaning);
        add(f::URG, yn(e.urgent()), f::URG.meaning);
        // PDA is split over two ranges (127:96 and 63:38): no single descriptor.
        s.fields.push_back(
            {"PDA", "127:96,63:38", spec::hex(e.pda()), "posted-interrupt descriptor address"});
      } else {
        add(f::V, fmt::format("{}", e.vector()), f::V.meaning);
        add(f::DST, spec::hex(e.dst_raw()),
            fmt::format("destination APIC id {}", e.destination(regs.eime())));
        add(f::DLM, fmt::format("{:03b}b", e.dlm()), spec::delivery_mode_name(e.dlm()));
        add(f::TM, yn(e.tm()), e.tm() ? "level" : "edge");
        add(f::DM, yn(e.dm()), e.dm() ? "logical" : "physical");
        add(f::RH, yn(e.rh()), f::RH.meaning);
      }
      add(f::SVT, fmt::format("{:02b}b", unsigned(e.svt())), svt_meaning(e.svt()));
      add(f::SQ, fmt::format("{}", e.sq()), fmt::format("mask 0x{:04x}", spec::sq_mask(e.sq())));
      add(f::SID,
          e.svt() == spec::source_validation::bus_range ? spec::hex(e.sid()) : spec::format_bdf(e.sid()),
          fmt::format("requester {} {}", spec::format_bdf(req.source_id),
                      sid_ok ? "passes" : "FAILS the check"));
      s.verdict = r.ok() ? "valid: deliver" : "";
      x.steps.push_back(s);
    } else if (w.kind == core::step_kind::posted_descriptor) {
      step s;
      s.kind = "posted_descriptor";
      s.title = "Posted-interrupt descriptor";
      s.entry_address = w.entry_address;
      s.read_ok = w.ok;
      s.raw_lo = w.raw_lo;
      s.raw_hi = w.raw_hi;
      s.verdict = "set the PIR bit; notify when ON was clear and URG or SN=0";
      x.steps.push_back(s);
    }
  }
  x.interrupt_query = req;
  x.interrupt_outcome = r;
  x.ok = r.ok();
  if (r.ok()) {
    if (r.status == core::interrupt_status::posted)
      x.result =
          fmt::format("posted to descriptor {}{}", spec::hex(r.pid_address),
                      r.notification_sent ? fmt::format(", notification vector {} to APIC {}",
                                                        r.notification_vector, r.notification_destination)
                                          : ", no notification");
    else
      x.result = fmt::format("vector {} to {} APIC {}{}, {}, {}-triggered", r.vector,
                             r.destination_logical ? "logical" : "physical", r.destination,
                             r.x2apic ? " (x2APIC)" : "", spec::delivery_mode_name(r.delivery_mode),
                             r.level_triggered ? "level" : "edge");
  } else {
    set_fault(x, r.fault, r.fault_recorded);
    const auto& info = spec::info(r.fault);
    step& last = x.steps.back();
    last.fault = true;
    last.verdict = fmt::format("stop: fault {} {}", x.fault_code, info.name);
    const char* culprit = r.fault == spec::fault_reason::ir_entry_not_present   ? "P"
                          : r.fault == spec::fault_reason::ir_source_id_invalid ? "SID"
                          : r.fault == spec::fault_reason::ir_entry_reserved    ? "DLM"
                                                                                : "";
    for (auto& f : last.fields)
      if (*culprit && f.name == culprit) f.culprit = true;
  }
  x.second_access = second_access_interrupt(unit, req);
  return x;
}

}  // namespace vtd::explain
