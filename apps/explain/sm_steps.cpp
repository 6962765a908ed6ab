// The scalable-mode structures explained field by field, with the spec's names: root entry (9.2, two halves),
// context entry (9.4), PASID directory entry (9.5) and PASID-table entry (9.6). Field names and bit ranges
// come from the descriptors in model/spec; what each value means for this request is said here.
#include <fmt/format.h>

#include <array>

#include "apps/explain/step_builders.hpp"
#include "apps/explain/step_parts.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/sm_root_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain::build {

using parts::bin;
using parts::described;
using parts::yn;

namespace {

// Reserved bits of a multi-quadword entry: "0x0", or the quadwords that have some ("QW0 0x400, QW3 0x1").
template <size_t N>
std::string reserved_value(const std::array<uint64_t, N>& bits) {
  std::string out;
  for (size_t i = 0; i < N; ++i)
    if (bits[i]) out += fmt::format("{}QW{} {}", out.empty() ? "" : ", ", i, spec::hex(bits[i]));
  return out.empty() ? "0x0" : out;
}
template <size_t N>
bool any(const std::array<uint64_t, N>& bits) {
  for (uint64_t b : bits)
    if (b) return true;
  return false;
}
template <size_t N>
std::array<uint64_t, N> qwords_of(const step& s) {
  std::array<uint64_t, N> q{};
  for (unsigned i = 0; i < N && i < s.qwords(); ++i) q[i] = s.qw(i);
  return q;
}

std::string pgtt_meaning(unsigned v, const spec::caps& caps) {
  std::string m;
  switch (static_cast<spec::pgtt>(v)) {
    case spec::pgtt::first_stage:
      m = "first-stage only: the IOVA is translated by the IA-32e tables at FLPTPTR";
      break;
    case spec::pgtt::second_stage:
      m = "second-stage only: the IOVA is translated by the tables at SLPTPTR";
      break;
    case spec::pgtt::nested:
      m = "nested: the first stage (guest tables at FLPTPTR) over the second stage (SLPTPTR)";
      break;
    case spec::pgtt::pass_through:
      m = "pass-through: the address is used as the host physical address";
      break;
    case spec::pgtt::reserved0:
      return "reserved encoding";
  }
  if (!spec::pgtt_defined(v)) return "reserved encoding";
  if (!caps.supports_pgtt(v)) m += " (not supported by ECAP)";
  return m;
}

std::string flpm_meaning(const spec::pasid_entry& e, const spec::caps& caps) {
  if (!spec::uses_first_stage(e.type())) return "ignored: this PGTT uses no first stage";
  const unsigned levels = e.fs_levels();
  if (!levels) return "reserved encoding";
  std::string m =
      fmt::format("{}-level first stage: {}-bit canonical input addresses", levels, 12 + 9 * levels);
  if (!caps.supports_flpm(e.flpm())) m += " (not supported: needs CAP.FS5LP)";
  return m;
}

}  // namespace

step sm_root_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid) {
  step s = parts::read_step(w, "sm_root_entry");
  const unsigned devfn = sid & 0xFF;
  const bool upper = spec::sm_root_entry::upper_half(devfn);
  s.wide = true;
  s.title = fmt::format("Scalable-mode root entry for bus 0x{:02x} ({} half: devfn 0x{:02x} {} 0x80)",
                        sid >> 8, upper ? "upper" : "lower", devfn, upper ? ">=" : "<");
  s.address_calc = fmt::format("RTA {} + bus 0x{:02x} x 16 = {}", spec::hex(w.table_base), sid >> 8,
                               spec::hex(w.entry_address));
  const spec::sm_root_entry e{w.raw_lo, w.raw_hi};
  namespace rf = spec::sm_root_fields;
  auto present = [](bool p, bool used, const char* range) {
    return fmt::format("{} context table for devfn {}{}", p ? "present:" : "not present: no", range,
                       used ? " (this request's half)" : "");
  };
  const uint64_t rsv = e.reserved_for(devfn, caps.haw);
  s.fields = {
      described(rf::LP, yn(e.lp()), present(e.lp(), !upper, "0x00-0x7f")),
      described(rf::LCTP, spec::hex(e.lctp())),
      described(rf::UP, yn(e.up()), present(e.up(), upper, "0x80-0xff")),
      described(rf::UCTP, spec::hex(e.uctp())),
      {"reserved", rf::kReservedRanges, spec::hex(rsv),
       rsv ? "SET in the used half: reserved bits must be 0" : "all zero in the used half, as required"}};
  return s;
}

step sm_context_step(const core::walk_step& w, const spec::caps& caps, uint16_t sid, bool has_pasid) {
  step s = parts::read_step(w, "sm_context_entry");
  const unsigned devfn = sid & 0xFF;
  s.title = fmt::format("Scalable-mode context entry for device {:02x}.{} (devfn 0x{:02x}, index 0x{:02x})",
                        (sid >> 3) & 0x1F, sid & 7, devfn, devfn & 0x7F);
  s.address_calc = fmt::format("{} {} + (devfn 0x{:02x} & 0x7f) x 32 = {}",
                               spec::sm_root_entry::upper_half(devfn) ? "UCTP" : "LCTP",
                               spec::hex(w.table_base), devfn, spec::hex(w.entry_address));
  spec::sm_context_entry e;
  e.qw = qwords_of<4>(s);
  namespace cf = spec::sm_context_fields;
  const std::string rid_pasid = !caps.rps ? "RsvdZ without ECAP.RPS: requests without PASID use PASID 0"
                                : !has_pasid
                                    ? "request without PASID: PASID = RID_PASID"
                                    : "PASID of requests without PASID (this request carries its own)";
  const std::string rid_priv =
      !caps.rprivs ? "RsvdZ without ECAP.RPRIVS: requests without PASID are user requests"
      : !has_pasid ? (e.rid_priv() ? "request without PASID: supervisor (RID_PRIV=1)"
                                   : "request without PASID: user (RID_PRIV=0)")
                   : "privilege of requests without PASID (this request carries its own)";
  const auto rsv = e.reserved_bits(caps.sm_context_check());
  s.fields = {
      described(cf::P, yn(e.present()), e.present() ? "present" : "not present: the device is not attached"),
      described(
          cf::FPD, yn(e.fpd()),
          e.fpd() ? "fault processing disabled: qualified faults are not recorded" : "faults are recorded"),
      described(cf::DTE, yn(e.dte()),
                e.dte() ? "device-TLB enabled: translation and translated requests allowed"
                        : "device-TLB disabled: translation and translated requests fault"),
      described(cf::PASIDE, yn(e.paside()),
                e.paside() ? "requests with PASID allowed"
                           : "requests with PASID fault; requests without PASID are not affected"),
      described(cf::PRE, yn(e.pre()), e.pre() ? "page requests allowed" : "no page requests"),
      described(cf::PDTS, bin(e.pdts(), 3),
                fmt::format("PASID directory of 2^(PDTS+7) = {} entries: PASIDs 0x0-{}",
                            spec::pasid_dir_entries(e.pdts()), spec::hex(spec::pasid_limit(e.pdts()) - 1))),
      described(cf::PASIDDIRPTR, spec::hex(e.pasiddirptr())),
      described(cf::RID_PASID, spec::hex(e.rid_pasid()), rid_pasid),
      described(cf::RID_PRIV, yn(e.rid_priv()), rid_priv),
      {"reserved", cf::kReservedRanges, reserved_value(rsv),
       any(rsv) ? "SET: reserved bits must be 0" : "all zero, as required"}};
  return s;
}

step pasid_dir_step(const core::walk_step& w, const spec::caps& caps, uint32_t pasid) {
  step s = parts::read_step(w, "pasid_dir_entry");
  const unsigned index = spec::pasid_dir_index(pasid);
  s.title =
      fmt::format("PASID directory entry for PASID {} (index PASID[19:6] = 0x{:x})", spec::hex(pasid), index);
  s.address_calc = fmt::format("PASIDDIRPTR {} + PASID[19:6] 0x{:x} x 8 = {}", spec::hex(w.table_base), index,
                               spec::hex(w.entry_address));
  const spec::pasid_dir_entry e{w.raw_lo};
  namespace df = spec::pasid_dir_fields;
  const uint64_t rsv = e.reserved_bits(caps.haw);
  s.fields = {described(df::P, yn(e.present()),
                        e.present() ? "present"
                                    : fmt::format("not present: no PASID table for PASIDs {}-{}",
                                                  spec::hex(uint64_t{index} << 6),
                                                  spec::hex((uint64_t{index} << 6) | 0x3F))),
              described(df::FPD, yn(e.fpd()),
                        e.fpd() ? "fault processing disabled: qualified faults are not recorded"
                                : "faults are recorded (unless the context entry disabled them)"),
              described(df::SMPTBLPTR, spec::hex(e.smptblptr())),
              {"reserved", df::kReservedRanges, spec::hex(rsv),
               rsv ? "SET: reserved bits must be 0" : "all zero, as required"}};
  return s;
}

step pasid_entry_step(const core::walk_step& w, const spec::caps& caps, uint32_t pasid) {
  step s = parts::read_step(w, "pasid_entry");
  const unsigned index = spec::pasid_table_index(pasid);
  s.title =
      fmt::format("PASID-table entry for PASID {} (index PASID[5:0] = 0x{:x})", spec::hex(pasid), index);
  s.address_calc = fmt::format("SMPTBLPTR {} + PASID[5:0] 0x{:x} x 64 = {}", spec::hex(w.table_base), index,
                               spec::hex(w.entry_address));
  spec::pasid_entry e;
  e.qw = qwords_of<8>(s);
  namespace pf = spec::pasid_fields;
  const spec::pgtt t = e.type();
  const bool first = spec::uses_first_stage(t), second = spec::uses_second_stage(t);
  std::string aw = "ignored: this PGTT uses no second stage";
  if (second) {
    aw = e.aw() >= 1 && e.aw() <= 3 ? fmt::format("{}-bit, {}-level second stage", spec::aw_to_agaw(e.aw()),
                                                  spec::aw_to_levels(e.aw()))
                                    : "reserved encoding";
    if (!caps.supports_aw(e.aw())) aw += fmt::format(" (not in CAP.SAGAW 0b{:05b})", caps.sagaw);
  }
  const auto rsv = e.reserved_bits(caps.pasid_check());
  s.fields = {
      described(pf::P, yn(e.present()), e.present() ? "present" : "not present: this PASID is not set up"),
      described(pf::FPD, yn(e.fpd()),
                e.fpd() ? "fault processing disabled: qualified faults are not recorded"
                        : "faults are recorded (unless an upper level disabled them)"),
      described(pf::PGTT, bin(e.pgtt_raw(), 3), pgtt_meaning(e.pgtt_raw(), caps)),
      described(pf::DID, fmt::format("{}", e.did()), "domain id: tags this PASID's cached translations"),
      described(pf::AW, bin(e.aw(), 3), aw),
      described(
          pf::SLPTPTR, spec::hex(e.slptptr()),
          second ? "second-stage table root (host physical)" : "ignored: this PGTT uses no second stage"),
      described(pf::FLPTPTR, spec::hex(e.flptptr()),
                !first   ? "ignored: this PGTT uses no first stage"
                : second ? "first-stage table root (guest physical: the second stage translates it)"
                         : "first-stage table root (host physical)"),
      described(pf::FLPM, bin(e.flpm(), 2), flpm_meaning(e, caps)),
      described(pf::SRE, yn(e.sre()), e.sre() ? "supervisor requests allowed" : "supervisor requests fault"),
      described(pf::WPE, yn(e.wpe()),
                e.wpe() ? "supervisor writes need R/W=1 like user writes" : "supervisor writes ignore R/W"),
      described(pf::PWSNP, yn(e.pwsnp()),
                e.pwsnp() ? "page walks are snooped: the unit may update A/D in place"
                          : "page walks are not snooped: an A/D update faults"),
      described(pf::SLADE, yn(e.slade()),
                e.slade() ? "second-stage A/D tracking on" : "second-stage A and D are not updated"),
      described(pf::EAFE, yn(e.eafe()),
                e.eafe() ? "EA is set with A in first-stage entries" : "EA (bit 10) is not used")};
  if (caps.ers)  // ERE exists only on a Rev 3.x part that reports execute requests (ECAP.ERS)
    s.fields.push_back(
        described(pf::ERE, yn(e.ere()), e.ere() ? "execute requests allowed" : "execute requests fault"));
  s.fields.push_back({"reserved", pf::kReservedRanges, reserved_value(rsv),
                      any(rsv) ? "SET: reserved bits must be 0" : "all zero, as required"});
  return s;
}

}  // namespace vtd::explain::build
