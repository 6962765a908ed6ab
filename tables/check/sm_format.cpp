// Rendering the scalable-mode parts of check and dump reports (see sm_format.hpp and docs/check.md).
#include "tables/check/sm_format.hpp"

#include <fmt/format.h>

#include "model/spec/text.hpp"

namespace vtd::tables::detail {

std::string size_text(uint64_t b) {
  if (b >= (1ull << 30) && b % (1ull << 30) == 0) return fmt::format("{}GiB", b >> 30);
  if (b >= (1ull << 20) && b % (1ull << 20) == 0) return fmt::format("{}MiB", b >> 20);
  return fmt::format("{}KiB", b >> 10);
}

const char* stage_text(translation_stage s) {
  switch (s) {
    case translation_stage::first:
      return "first-stage";
    case translation_stage::second:
      return "second-stage";
    case translation_stage::nested:
      return "nested";
    case translation_stage::pass_through:
      return "pass-through";
  }
  return "pass-through";
}

namespace {

// The tables a PASID entry's stage uses (spec 9.6: SLPTPTR/AW for second-stage and nested, FLPTPTR/FLPM for
// first-stage and nested).
std::string pasid_tables_text(const pasid_info& p, translation_stage s) {
  const std::string ss = fmt::format("AW {} ({}-level) SLPTPTR {}", p.aw, p.aw + 2, spec::hex(p.slptptr));
  const std::string fs = fmt::format("{}-level FLPTPTR {}", p.fs_levels, spec::hex(p.flptptr));
  switch (s) {
    case translation_stage::first:
      return fs;
    case translation_stage::second:
      return ss;
    case translation_stage::nested:
      return fs + " (GPA) over " + ss;
    case translation_stage::pass_through:
      return {};
  }
  return {};
}

std::string users_text(const domain_info& d) {
  std::string o;
  for (size_t i = 0; i < d.devices.size(); ++i)
    o += fmt::format(" {} PASID {}", spec::format_bdf(d.devices[i]), i < d.pasids.size() ? d.pasids[i] : 0);
  return o;
}

std::string tables_text(const domain_info& d) {
  if (d.stage == translation_stage::nested)
    return fmt::format("first stage {}-level at GPA {} over second stage {}-level at {}", d.levels,
                       spec::hex(d.root), d.ss_levels, spec::hex(d.ss_root));
  return fmt::format("{}-level table at {}", d.levels, spec::hex(d.root));
}

// "RW", and for first-stage rights "RW user" / "R- supervisor XD".
std::string rights_text(const domain_info& d, const mapped_range& r) {
  std::string o = fmt::format("{}{}", r.read ? "R" : "-", r.write ? "W" : "-");
  if (d.stage != translation_stage::second)
    o += fmt::format(" {}{}", r.user ? "user" : "supervisor", r.execute_disable ? " XD" : "");
  return o;
}

}  // namespace

std::string sm_device_text(const device_info& d) {
  std::string o =
      fmt::format("  {}  scalable      PASID directory {} (PDTS {}: PASIDs 0-{})  RID_PASID {}{}{}{}{}{}\n",
                  spec::format_bdf(d.sid), spec::hex(d.pasid_dir), d.pdts, (uint64_t{1} << (d.pdts + 13)) - 1,
                  d.rid_pasid, d.rid_priv ? "  RID_PRIV" : "", d.paside ? "  PASIDE" : "",
                  d.dte ? "  DTE" : "", d.pre ? "  PRE" : "", d.fpd ? "  FPD" : "");
  for (const auto& p : d.pasids) {
    const auto s = p.stage();
    std::string what = s ? stage_text(*s) : fmt::format("PGTT {:03b}b", p.pgtt);
    if (!p.valid) what = "invalid " + what;
    std::string line = fmt::format("    PASID {:<7} {:<22} DID {:<5}", p.pasid, what, p.did);
    if (s && p.valid && *s != translation_stage::pass_through) line += "  " + pasid_tables_text(p, *s);
    line += fmt::format("{}{}{}{}", p.sre ? "  SRE" : "", p.wpe ? "  WPE" : "", p.fpd ? "  FPD" : "",
                        p.rid_pasid ? "  (RID_PASID)" : "");
    line.erase(line.find_last_not_of(' ') + 1);
    o += line + "\n";
  }
  return o;
}

std::string sm_domain_heading(const domain_info& d) {
  return fmt::format("domain {} ({}, {}, users{})", d.did, stage_text(d.stage), tables_text(d),
                     users_text(d));
}

void sm_mappings_text(std::string& o, const domain_info& d) {
  o += fmt::format("  domain {} ({}): {}, {} table pages, {} mapped in {} ranges, users{}\n", d.did,
                   stage_text(d.stage), tables_text(d), d.table_pages, size_text(d.mapped_bytes),
                   d.ranges.size(), users_text(d));
  for (const auto& r : d.ranges) {
    if (d.stage == translation_stage::nested)
      o += fmt::format(
          "    IOVA 0x{:012x}-0x{:012x} -> GPA 0x{:012x}-0x{:012x} -> HPA 0x{:012x}-0x{:012x}  {}  {} pages, "
          "second stage {}\n",
          r.iova, r.iova + r.size - 1, r.gpa, r.gpa + r.size - 1, r.hpa, r.hpa + r.size - 1,
          rights_text(d, r), size_text(r.page_size), size_text(r.ss_page_size));
    else
      o += fmt::format("    IOVA 0x{:012x}-0x{:012x} -> HPA 0x{:012x}-0x{:012x}  {}  {} x {}\n", r.iova,
                       r.iova + r.size - 1, r.hpa, r.hpa + r.size - 1, rights_text(d, r),
                       r.size / r.page_size, size_text(r.page_size));
  }
}

nlohmann::ordered_json sm_device_json(const device_info& d) {
  auto pasids = nlohmann::ordered_json::array();
  for (const auto& p : d.pasids) {
    const auto s = p.stage();
    nlohmann::ordered_json j{{"pasid", p.pasid},
                             {"stage", s ? nlohmann::ordered_json(to_string(*s)) : nullptr},
                             {"pgtt", p.pgtt},
                             {"valid", p.valid},
                             {"did", p.did}};
    if (s == translation_stage::second || s == translation_stage::nested) {
      j["aw"] = p.aw;
      j["slptptr"] = spec::hex(p.slptptr);
    }
    if (s == translation_stage::first || s == translation_stage::nested) {
      j["fs_levels"] = p.fs_levels;
      j["flptptr"] = spec::hex(p.flptptr);
    }
    j["sre"] = p.sre;
    j["wpe"] = p.wpe;
    j["fpd"] = p.fpd;
    j["rid_pasid"] = p.rid_pasid;
    pasids.push_back(std::move(j));
  }
  return {{"device", spec::format_bdf(d.sid)},
          {"translation", "scalable"},
          {"fpd", d.fpd},
          {"pasid_dir", spec::hex(d.pasid_dir)},
          {"pdts", d.pdts},
          {"rid_pasid", d.rid_pasid},
          {"rid_priv", d.rid_priv},
          {"dte", d.dte},
          {"paside", d.paside},
          {"pre", d.pre},
          {"pasids", pasids}};
}

nlohmann::ordered_json sm_domain_json(const domain_info& d) {
  const bool fs = d.stage != translation_stage::second, nested = d.stage == translation_stage::nested;
  auto ranges = nlohmann::ordered_json::array();
  for (const auto& m : d.ranges) {
    nlohmann::ordered_json r{{"iova", spec::hex(m.iova)}};
    if (nested) r["gpa"] = spec::hex(m.gpa);
    r["hpa"] = spec::hex(m.hpa);
    r["size"] = spec::hex(m.size);
    r["page_size"] = m.page_size;
    if (nested) r["ss_page_size"] = m.ss_page_size;
    r["read"] = m.read;
    r["write"] = m.write;
    if (fs) {
      r["user"] = m.user;
      r["execute_disable"] = m.execute_disable;
    }
    ranges.push_back(std::move(r));
  }
  auto users = nlohmann::ordered_json::array();
  for (size_t i = 0; i < d.devices.size(); ++i)
    users.push_back(
        {{"device", spec::format_bdf(d.devices[i])}, {"pasid", i < d.pasids.size() ? d.pasids[i] : 0}});
  nlohmann::ordered_json j{
      {"did", d.did}, {"stage", to_string(d.stage)}, {"levels", d.levels}, {"root", spec::hex(d.root)}};
  if (nested) {
    j["ss_levels"] = d.ss_levels;
    j["ss_root"] = spec::hex(d.ss_root);
  }
  j["users"] = users;
  j["table_pages"] = d.table_pages;
  j["mapped_bytes"] = d.mapped_bytes;
  j["ranges"] = ranges;
  return j;
}

}  // namespace vtd::tables::detail
