// Rendering check and dump reports: text grouped by device and domain (what an engineer pastes into a bug
// report) and JSON (docs/check.md).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/text.hpp"
#include "tables/check/checker.hpp"
#include "tables/check/sm_format.hpp"

namespace vtd::tables {

namespace {

std::string bdf(int bus, int devfn) {
  return spec::format_bdf(uint16_t(((bus & 0xFF) << 8) | (devfn & 0xFF)));
}
std::string bdf(uint16_t sid) {
  return spec::format_bdf(sid);
}
using detail::size_text;
const char* tt_name(unsigned tt) {
  return spec::to_string(static_cast<spec::translation_type>(tt));
}

// A root (legacy or scalable-mode), legacy context or IRTE entry is 128 bits; a paging entry or PASID
// directory entry 64; scalable-mode context (256) and PASID-table entries (512) keep every quadword in
// raw_wide.
bool wide(const finding& f) {
  return f.structure == "root" || f.structure == "context" || f.structure == "irte" ||
         f.structure == "sm_root";
}

// The highest non-zero quadword of a 256/512-bit entry (at least QW1, as for 128-bit entries).
size_t top_quadword(const finding& f) {
  size_t top = 1;
  for (size_t i = 2; i < f.raw_wide.size(); ++i)
    if (f.raw_wide[i]) top = i;
  return top;
}

// The raw value as one hexadecimal integer (bits 127:64 first for 128-bit entries, the highest quadword
// first for wider ones), or null when the finding is about a page or a register as a whole (docs/check.md).
nlohmann::ordered_json raw_json(const finding& f) {
  if (!f.entry_address) return nullptr;
  if (!f.raw_wide.empty()) {
    size_t top = top_quadword(f);
    while (top > 0 && !f.raw_wide[top]) --top;
    std::string s = fmt::format("0x{:x}", f.raw_wide[top]);
    for (size_t i = top; i-- > 0;) s += fmt::format("{:016x}", f.raw_wide[i]);
    return s;
  }
  if (wide(f) && f.raw_hi) return fmt::format("0x{:x}{:016x}", f.raw_hi, f.raw_lo);
  return spec::hex(f.raw_lo);
}

// " raw 0x<QWn>_..._<QW0>" for 256/512-bit entries, from the highest non-zero quadword.
std::string wide_raw_text(const finding& f) {
  std::string s = " raw 0x";
  for (size_t i = top_quadword(f) + 1; i-- > 0;) s += fmt::format("{:016x}{}", f.raw_wide[i], i ? "_" : "");
  return s;
}

std::string where(const finding& f) {
  std::string w;
  if (f.structure == "sl")
    w = f.index >= 0 ? fmt::format("domain {} level {} index {}", f.domain, f.paging_level, f.index)
                     : fmt::format("domain {}", f.domain);
  else if (f.structure == "context")
    w = fmt::format("device {} context entry", bdf(f.bus, f.devfn));
  else if (f.structure == "root")
    w = fmt::format("bus 0x{:02x} root entry", f.bus);
  else if (f.structure == "irte")
    w = fmt::format("IRTE {}", f.index);
  else if (f.structure == "sm_root")
    w = fmt::format("bus 0x{:02x} scalable-mode root entry", f.bus);
  else if (f.structure == "sm_context")
    w = fmt::format("device {} scalable-mode context entry", bdf(f.bus, f.devfn));
  else if (f.structure == "pasid_dir")
    w = fmt::format("device {} PASID directory entry {} (PASIDs {}-{})", bdf(f.bus, f.devfn), f.index,
                    f.index * 64, f.index * 64 + 63);
  else if (f.structure == "pasid")
    w = fmt::format("device {} PASID {} table entry", bdf(f.bus, f.devfn), f.pasid);
  else if (f.structure == "fs")
    w = f.index >= 0
            ? fmt::format("domain {} first-stage level {} index {}", f.domain, f.paging_level, f.index)
            : fmt::format("domain {} first stage", f.domain);
  else
    w = f.structure;
  if (f.entry_address)
    w += !f.raw_wide.empty() ? fmt::format(" at {}{}", spec::hex(*f.entry_address), wide_raw_text(f))
         : wide(f)
             ? fmt::format(" at {} raw 0x{:016x}_{:016x}", spec::hex(*f.entry_address), f.raw_hi, f.raw_lo)
             : fmt::format(" at {} raw 0x{:016x}", spec::hex(*f.entry_address), f.raw_lo);
  if (f.page) w += fmt::format(" (table page {})", spec::hex(*f.page));
  return w;
}

void mappings_text(std::string& o, const domain_info& d) {
  if (d.scalable) return detail::sm_mappings_text(o, d);
  o +=
      fmt::format("  domain {}: {}-level table at {}, {} table pages, {} mapped in {} ranges, devices", d.did,
                  d.levels, spec::hex(d.root), d.table_pages, size_text(d.mapped_bytes), d.ranges.size());
  for (auto sid : d.devices) {
    o += ' ';
    o += bdf(sid);
  }
  o += "\n";
  for (const auto& r : d.ranges)
    o += fmt::format("    IOVA 0x{:012x}-0x{:012x} -> HPA 0x{:012x}-0x{:012x}  {}{}  {} x {}\n", r.iova,
                     r.iova + r.size - 1, r.hpa, r.hpa + r.size - 1, r.read ? "R" : "-", r.write ? "W" : "-",
                     r.size / r.page_size, size_text(r.page_size));
}

nlohmann::ordered_json finding_json(const finding& f) {
  nlohmann::ordered_json j{
      {"severity", to_string(f.level)}, {"code", f.code}, {"message", f.message}, {"structure", f.structure}};
  if (f.bus >= 0) j["bus"] = f.bus;
  if (f.devfn >= 0) j["device"] = bdf(f.bus, f.devfn);
  if (f.domain >= 0) j["domain"] = f.domain;
  if (f.paging_level) j["level"] = f.paging_level;
  if (f.index >= 0) j["index"] = f.index;
  if (f.pasid >= 0) j["pasid"] = f.pasid;
  j["entry_address"] = f.entry_address ? nlohmann::ordered_json(spec::hex(*f.entry_address)) : nullptr;
  j["raw"] = raw_json(f);
  if (f.page) j["table_page"] = spec::hex(*f.page);
  return j;
}

nlohmann::ordered_json devices_json(const check_report& r) {
  auto a = nlohmann::ordered_json::array();
  for (const auto& d : r.devices)
    if (d.scalable)
      a.push_back(detail::sm_device_json(d));
    else
      a.push_back({{"device", bdf(d.sid)},
                   {"translation", tt_name(d.tt)},
                   {"fpd", d.fpd},
                   {"did", d.did},
                   {"aw", d.aw},
                   {"slptptr", spec::hex(d.slptptr)}});
  return a;
}

nlohmann::ordered_json domains_json(const check_report& r) {
  auto a = nlohmann::ordered_json::array();
  for (const auto& d : r.domains) {
    if (d.scalable) {
      a.push_back(detail::sm_domain_json(d));
      continue;
    }
    auto ranges = nlohmann::ordered_json::array();
    for (const auto& m : d.ranges)
      ranges.push_back({{"iova", spec::hex(m.iova)},
                        {"hpa", spec::hex(m.hpa)},
                        {"size", spec::hex(m.size)},
                        {"page_size", m.page_size},
                        {"read", m.read},
                        {"write", m.write}});
    auto devs = nlohmann::ordered_json::array();
    for (auto sid : d.devices) devs.push_back(bdf(sid));
    a.push_back({{"did", d.did},
                 {"levels", d.levels},
                 {"root", spec::hex(d.root)},
                 {"devices", devs},
                 {"table_pages", d.table_pages},
                 {"mapped_bytes", d.mapped_bytes},
                 {"ranges", ranges}});
  }
  return a;
}

nlohmann::ordered_json interrupts_json(const check_report& r) {
  auto a = nlohmann::ordered_json::array();
  for (const auto& i : r.interrupts) {
    spec::irte e{i.lo, i.hi};
    nlohmann::ordered_json o{
        {"index", i.index}, {"raw", {spec::hex(i.lo), spec::hex(i.hi)}}, {"fpd", e.fpd()}};
    if (e.posted()) {
      o["format"] = "posted";
      o["virtual_vector"] = e.virtual_vector();
      o["descriptor"] = spec::hex(e.pda());
      o["urgent"] = e.urgent();
    } else {
      o["format"] = "remapped";
      o["vector"] = e.vector();
      o["destination"] = e.destination(r.irta_eime);
      o["delivery_mode"] = spec::delivery_mode_name(e.dlm());
      o["trigger"] = e.tm() ? "level" : "edge";
      o["dest_mode"] = e.dm() ? "logical" : "physical";
    }
    o["svt"] = unsigned(e.svt());
    o["sq"] = e.sq();
    o["sid"] = spec::hex(e.sid());
    a.push_back(o);
  }
  return a;
}

void interrupts_text(std::string& o, const check_report& r) {
  if (r.interrupts.empty()) return;
  o += fmt::format("\ninterrupt remapping table ({} mode): {} present entries\n",
                   r.irta_eime ? "x2APIC" : "xAPIC", r.interrupts.size());
  for (const auto& i : r.interrupts) {
    spec::irte e{i.lo, i.hi};
    const char* svt[] = {"any source", "SID", "bus range", "reserved SVT"};
    const std::string check = e.svt() == spec::source_validation::requester_id
                                  ? fmt::format("SID {} SQ {}", bdf(e.sid()), e.sq())
                              : e.svt() == spec::source_validation::bus_range
                                  ? fmt::format("buses 0x{:02x}-0x{:02x}", e.sid() >> 8, e.sid() & 0xFF)
                                  : std::string(svt[unsigned(e.svt())]);
    if (e.posted())
      o += fmt::format("  {:>5}  posted  vv {:>3} -> descriptor {}{}  {}\n", i.index, e.virtual_vector(),
                       spec::hex(e.pda()), e.urgent() ? " urgent" : "", check);
    else
      o += fmt::format("  {:>5}  vector {:>3} -> {} APIC {:<4} {:<15} {:<5} {}\n", i.index, e.vector(),
                       e.dm() ? "logical" : "physical", e.destination(r.irta_eime),
                       spec::delivery_mode_name(e.dlm()), e.tm() ? "level" : "edge", check);
  }
}

}  // namespace

std::string format_check_text(const check_report& r, bool include_mappings) {
  std::string o = fmt::format("vtdsim check: {} errors, {} warnings ({} entries examined{})\n",
                              r.count(severity::error), r.count(severity::warning), r.entries_examined,
                              r.truncated ? ", stopped at the work limit" : "");
  if (r.scalable) {
    size_t pasids = 0;
    for (const auto& d : r.devices) pasids += d.pasids.size();
    o += fmt::format("  scalable mode: {} devices, {} PASID entries, {} domains, {} interrupt entries\n",
                     r.devices.size(), pasids, r.domains.size(), r.interrupts.size());
  } else {
    o += fmt::format("  {} devices, {} domains, {} interrupt entries\n", r.devices.size(), r.domains.size(),
                     r.interrupts.size());
  }
  // Findings grouped by where they are: registers/root table, each device, each domain, the interrupt table.
  auto group = [&](const std::string& heading, auto pred) {
    bool first = true;
    for (const auto& f : r.findings) {
      if (!pred(f)) continue;
      if (first) o += "\n" + heading + "\n";
      first = false;
      o += fmt::format("  {:<7} {:<28} {}\n          {}\n", to_string(f.level), f.code, f.message, where(f));
    }
  };
  group("registers and root table", [](const finding& f) {
    return f.structure == "rtaddr" || f.structure == "root" || f.structure == "sm_root" ||
           f.structure == "check";
  });
  // Everything from a device's context entry to its PASID-table entries is the device's.
  auto device_structure = [](const finding& f) {
    return f.structure == "context" || f.structure == "sm_context" || f.structure == "pasid_dir" ||
           f.structure == "pasid";
  };
  std::set<std::pair<int, int>> devices;
  for (const auto& f : r.findings)
    if (device_structure(f)) devices.insert({f.bus, f.devfn});
  for (const auto& device : devices) {
    const int bus = device.first, devfn = device.second;  // (clang 14 cannot capture structured bindings)
    group(fmt::format("device {}", bdf(bus, devfn)),
          [&](const finding& f) { return device_structure(f) && f.bus == bus && f.devfn == devfn; });
  }
  for (const auto& d : r.domains) {
    std::string heading;
    if (d.scalable) {
      heading = detail::sm_domain_heading(d);
    } else {
      heading = fmt::format("domain {} ({}-level table at {}, devices", d.did, d.levels, spec::hex(d.root));
      for (auto sid : d.devices) {
        heading += ' ';
        heading += bdf(sid);
      }
      heading += ')';
    }
    group(heading, [&](const finding& f) {
      return (f.structure == "sl" || f.structure == "fs") && f.domain == d.did;
    });
  }
  group("interrupt remapping table",
        [](const finding& f) { return f.structure == "irte" || f.structure == "irta"; });
  if (include_mappings) {
    o += "\nmappings\n";
    for (const auto& d : r.domains) mappings_text(o, d);
  }
  return o;
}

std::string format_check_json(const check_report& r) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["summary"] = {{"errors", r.count(severity::error)},
                  {"warnings", r.count(severity::warning)},
                  {"entries_examined", r.entries_examined},
                  {"truncated", r.truncated}};
  auto f = nlohmann::ordered_json::array();
  for (const auto& x : r.findings) f.push_back(finding_json(x));
  j["findings"] = f;
  j["devices"] = devices_json(r);
  j["domains"] = domains_json(r);
  j["interrupts"] = interrupts_json(r);
  return j.dump(2);
}

std::string format_dump_text(const check_report& r) {
  std::string o = fmt::format("devices ({}):\n", r.devices.size());
  for (const auto& d : r.devices)
    o += d.scalable
             ? detail::sm_device_text(d)
             : fmt::format("  {}  {:<13} DID {:<5} AW {} ({}-level)  SLPTPTR {}{}\n", bdf(d.sid),
                           tt_name(d.tt), d.did, d.aw, d.aw + 2, spec::hex(d.slptptr), d.fpd ? "  FPD" : "");
  o += fmt::format("\ndomains ({}):\n", r.domains.size());
  for (const auto& d : r.domains) mappings_text(o, d);
  interrupts_text(o, r);
  if (!r.findings.empty())
    o += fmt::format("\n({} errors, {} warnings: run vtdsim check for details)\n", r.count(severity::error),
                     r.count(severity::warning));
  return o;
}

std::string format_dump_json(const check_report& r) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["devices"] = devices_json(r);
  j["domains"] = domains_json(r);
  j["interrupts"] = interrupts_json(r);
  return j.dump(2);
}

}  // namespace vtd::tables
