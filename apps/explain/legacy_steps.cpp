// The legacy-mode root entry (spec 9.1) and context entry (spec 9.3), explained field by field.
#include <fmt/format.h>

#include "apps/explain/step_builders.hpp"
#include "apps/explain/step_parts.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain::build {

using parts::described;
using parts::yn;

step root_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid) {
  step s = parts::read_step(w, "root_entry");
  s.title = fmt::format("Root entry for bus 0x{:02x}", sid >> 8);
  s.index = sid >> 8;
  s.wide = true;
  s.address_calc = fmt::format("RTA {} + bus 0x{:02x} x 16 = {}", spec::hex(w.table_base), sid >> 8,
                               spec::hex(w.entry_address));
  spec::root_entry e{w.raw_lo, w.raw_hi};
  const unsigned haw = caps.haw;
  namespace rf = spec::root_fields;
  s.fields = {described(rf::P, yn(e.present()),
                        e.present() ? "present" : "not present: the bus has no context table"),
              described(rf::CTP, spec::hex(e.ctp())),
              {"reserved", rf::kReservedRanges, spec::hex(e.reserved_lo(haw) | e.reserved_hi()),
               e.has_reserved(haw) ? "SET: reserved bits must be 0" : "all zero, as required"}};
  return s;
}

step context_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid) {
  step s = parts::read_step(w, "context_entry");
  s.title = fmt::format("Context entry for device {:02x}.{} (devfn 0x{:02x})", (sid >> 3) & 0x1F, sid & 7,
                        sid & 0xFF);
  s.index = sid & 0xFF;
  s.wide = true;
  s.address_calc = fmt::format("CTP {} + devfn 0x{:02x} x 16 = {}", spec::hex(w.table_base), sid & 0xFF,
                               spec::hex(w.entry_address));
  spec::context_entry e{w.raw_lo, w.raw_hi};
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

}  // namespace vtd::explain::build
