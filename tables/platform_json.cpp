// Strict platform-file parsing and writing (docs/platform-format.md). Every error names the file and the JSON
// path; syntax errors give line:column.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "model/io/input_file.hpp"
#include "model/spec/presets.hpp"
#include "tables/json_input.hpp"
#include "tables/platform_description.hpp"
#include "tables/platform_units.hpp"
#include "tables/table_error.hpp"
#include "tables/text_parse.hpp"

namespace vtd::tables {

namespace {

using json = nlohmann::json;

class reader {
 public:
  // `prefix`: the JSON path of the object being read ("units[1]" for one unit of a platform with several),
  // put before every path an error names.
  explicit reader(std::string file, std::string prefix = {})
      : m_file(std::move(file)), m_prefix(std::move(prefix)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
    if (m_prefix.empty()) throw table_error(fmt::format("{}: {}: {}", m_file, path, msg));
    throw table_error(fmt::format("{}: {}{}{}: {}", m_file, m_prefix, path.empty() ? "" : ".", path, msg));
  }
  void keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) const {
    if (!obj.is_object()) fail(path, "expected an object");
    for (auto& [k, v] : obj.items()) {
      bool ok = false;
      for (const char* a : allowed) ok |= k == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(path.empty() ? k : path + "." + k, fmt::format("unknown key (allowed here: {})", list));
      }
    }
  }
  uint64_t number(const json& v, const std::string& path) const {
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) return v.get<uint64_t>();
    if (v.is_string()) {
      try {
        return parse_number(v.get<std::string>(), "number");
      } catch (const std::invalid_argument& e) {
        fail(path, e.what());
      }
    }
    fail(path, "expected a non-negative integer, or a string such as \"0x1000\" or \"2MiB\"");
  }
  bool boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean()) fail(path, "expected true or false");
    return v.get<bool>();
  }
  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string");
    return v.get<std::string>();
  }
  uint16_t bdf(const json& v, const std::string& path) const {
    try {
      return parse_bdf(string(v, path));
    } catch (const std::invalid_argument& e) {
      fail(path, e.what());
    }
  }

 private:
  std::string m_file;
  std::string m_prefix;
};

std::string at(const std::string& base, size_t i) {
  return fmt::format("{}[{}]", base, i);
}

void parse_iommu(const reader& r, const json& j, platform_description& p) {
  r.keys(j, "iommu",
         {"preset", "cap", "ecap", "cap_fields", "ecap_fields", "haw", "memory_size", "table_region"});
  if (j.contains("preset")) p.preset = r.string(j["preset"], "iommu.preset");
  if (j.contains("cap")) p.cap = r.number(j["cap"], "iommu.cap");
  if (j.contains("ecap")) p.ecap = r.number(j["ecap"], "iommu.ecap");
  for (const char* which : {"cap_fields", "ecap_fields"}) {
    if (!j.contains(which)) continue;
    const json& f = j[which];
    if (!f.is_object()) r.fail(fmt::format("iommu.{}", which), "expected an object of field: value");
    for (auto& [k, v] : f.items()) {
      auto& list = std::string_view(which) == "cap_fields" ? p.cap_fields : p.ecap_fields;
      list.emplace_back(k, r.number(v, fmt::format("iommu.{}.{}", which, k)));
    }
  }
  if (j.contains("haw")) {
    uint64_t haw = r.number(j["haw"], "iommu.haw");
    if (haw < 32 || haw > 52) r.fail("iommu.haw", fmt::format("{}: must be 32..52", haw));
    p.haw = unsigned(haw);
  }
  if (j.contains("memory_size")) {
    p.memory_size = r.number(j["memory_size"], "iommu.memory_size");
    p.memory_size_given = true;
  }
  if (j.contains("table_region")) {
    const json& t = j["table_region"];
    r.keys(t, "iommu.table_region", {"base", "size"});
    if (t.contains("base")) p.table_base = r.number(t["base"], "iommu.table_region.base");
    if (t.contains("size")) p.table_size = r.number(t["size"], "iommu.table_region.size");
  }
}

spec::source_validation parse_sv(const reader& r, const json& j, const std::string& path, irte_desc& e) {
  r.keys(j, path, {"type", "sid", "sq", "start_bus", "end_bus"});
  std::string type = j.contains("type") ? r.string(j["type"], path + ".type") : "none";
  if (type == "none") return spec::source_validation::none;
  if (type == "requester_id") {
    if (!j.contains("sid")) r.fail(path + ".sid", "required for type requester_id");
    e.sid = r.bdf(j["sid"], path + ".sid");
    e.sq = j.contains("sq") ? unsigned(r.number(j["sq"], path + ".sq")) : 0;
    if (e.sq > 3) r.fail(path + ".sq", "must be 0..3");
    return spec::source_validation::requester_id;
  }
  if (type == "bus_range") {
    uint64_t start = j.contains("start_bus") ? r.number(j["start_bus"], path + ".start_bus") : 0;
    uint64_t end = j.contains("end_bus") ? r.number(j["end_bus"], path + ".end_bus") : 0xFF;
    if (start > 0xFF || end > 0xFF || start > end) r.fail(path, "need 0 <= start_bus <= end_bus <= 255");
    e.sid = uint16_t(start << 8 | end);  // spec 9.10: SID[15:8] start bus, SID[7:0] end bus
    return spec::source_validation::bus_range;
  }
  r.fail(path + ".type", fmt::format("\"{}\": expected none, requester_id or bus_range", type));
}

unsigned parse_dlm(const reader& r, const std::string& s, const std::string& path) {
  static const std::pair<const char*, unsigned> kModes[] = {
      {"fixed", 0}, {"lowest_priority", 1}, {"smi", 2}, {"nmi", 4}, {"init", 5}, {"ext_int", 7}};
  for (auto [name, v] : kModes)
    if (s == name) return v;
  r.fail(path, fmt::format("\"{}\": expected fixed, lowest_priority, smi, nmi, init or ext_int", s));
}

void parse_interrupts(const reader& r, const json& j, platform_description& p) {
  r.keys(j, "interrupts", {"entries_log2", "x2apic", "entries"});
  p.has_interrupts = true;
  if (j.contains("entries_log2")) {
    uint64_t n = r.number(j["entries_log2"], "interrupts.entries_log2");
    if (n < 1 || n > 16) r.fail("interrupts.entries_log2", fmt::format("{}: must be 1..16", n));
    p.ir_entries_log2 = unsigned(n);
  }
  if (j.contains("x2apic")) p.x2apic = r.boolean(j["x2apic"], "interrupts.x2apic");
  if (!j.contains("entries")) return;
  if (!j["entries"].is_array()) r.fail("interrupts.entries", "expected an array");
  std::set<uint32_t> seen;
  for (size_t i = 0; i < j["entries"].size(); ++i) {
    const json& e = j["entries"][i];
    std::string path = at("interrupts.entries", i);
    r.keys(e, path,
           {"index", "vector", "destination", "delivery_mode", "trigger", "dest_mode", "redirection_hint",
            "fpd", "source_validation", "posted"});
    irte_desc d;
    if (!e.contains("index")) r.fail(path + ".index", "required");
    d.index = uint32_t(r.number(e["index"], path + ".index"));
    if (d.index >= (1u << p.ir_entries_log2))
      r.fail(path + ".index",
             fmt::format("{} beyond the table's {} entries", d.index, 1u << p.ir_entries_log2));
    if (!seen.insert(d.index).second) r.fail(path + ".index", fmt::format("{} used twice", d.index));
    if (e.contains("fpd")) d.fpd = r.boolean(e["fpd"], path + ".fpd");
    if (e.contains("source_validation"))
      d.svt = parse_sv(r, e["source_validation"], path + ".source_validation", d);
    if (e.contains("posted")) {
      const json& ps = e["posted"];
      r.keys(ps, path + ".posted", {"vector", "descriptor", "urgent"});
      d.posted = true;
      if (!ps.contains("vector") || !ps.contains("descriptor"))
        r.fail(path + ".posted", "needs vector and descriptor");
      uint64_t v = r.number(ps["vector"], path + ".posted.vector");
      if (v > 255) r.fail(path + ".posted.vector", "must be 0..255");
      d.vector = uint8_t(v);
      d.descriptor = r.number(ps["descriptor"], path + ".posted.descriptor");
      if (ps.contains("urgent")) d.urgent = r.boolean(ps["urgent"], path + ".posted.urgent");
      for (const char* k :
           {"vector", "destination", "delivery_mode", "trigger", "dest_mode", "redirection_hint"})
        if (e.contains(k))
          r.fail(path + "." + k, "not used by a posted entry (the posted object holds its fields)");
    } else {
      if (!e.contains("vector")) r.fail(path + ".vector", "required");
      uint64_t v = r.number(e["vector"], path + ".vector");
      if (v > 255) r.fail(path + ".vector", "must be 0..255");
      d.vector = uint8_t(v);
      if (e.contains("destination")) {
        uint64_t dst = r.number(e["destination"], path + ".destination");
        if (dst > (p.x2apic ? 0xFFFFFFFFull : 0xFFull))
          r.fail(path + ".destination",
                 fmt::format("{} does not fit {} mode", dst, p.x2apic ? "x2APIC" : "xAPIC (8 bits)"));
        d.destination = uint32_t(dst);
      }
      if (e.contains("delivery_mode"))
        d.delivery_mode =
            parse_dlm(r, r.string(e["delivery_mode"], path + ".delivery_mode"), path + ".delivery_mode");
      if (e.contains("trigger")) {
        std::string t = r.string(e["trigger"], path + ".trigger");
        if (t != "edge" && t != "level") r.fail(path + ".trigger", "expected edge or level");
        d.level = t == "level";
      }
      if (e.contains("dest_mode")) {
        std::string m = r.string(e["dest_mode"], path + ".dest_mode");
        if (m != "physical" && m != "logical") r.fail(path + ".dest_mode", "expected physical or logical");
        d.logical = m == "logical";
      }
      if (e.contains("redirection_hint"))
        d.redirection_hint = r.boolean(e["redirection_hint"], path + ".redirection_hint");
    }
    p.interrupts.push_back(d);
  }
}

spec::translation_type parse_tt(const reader& r, const std::string& s, const std::string& path) {
  if (s == "untranslated") return spec::translation_type::untranslated_only;
  if (s == "device_tlb") return spec::translation_type::device_tlb;
  if (s == "pass_through") return spec::translation_type::pass_through;
  r.fail(path, fmt::format("\"{}\": expected untranslated, device_tlb or pass_through", s));
}

constexpr const char* kScalableOnly = "scalable-mode key: needs \"mode\": \"scalable\"";

// Refuses the keys in `keys` that `obj` has, with `why`: keys of the other mode or of another kind of domain
// get a message that says so instead of "unknown key".
void refuse(const reader& r, const json& obj, const std::string& path,
            std::initializer_list<const char*> keys, const std::string& why) {
  if (!obj.is_object()) return;  // reader::keys reports it
  for (const char* k : keys)
    if (obj.contains(k)) r.fail(path + "." + k, why);
}

bool first_stage(platform_mode mode, domain_stage s) {
  return mode == platform_mode::scalable && (s == domain_stage::first || s == domain_stage::nested);
}

domain_stage parse_stage(const reader& r, const json& v, const std::string& path) {
  const std::string s = r.string(v, path);
  for (auto st :
       {domain_stage::first, domain_stage::second, domain_stage::nested, domain_stage::pass_through})
    if (s == to_string(st)) return st;
  r.fail(path, fmt::format("\"{}\": expected first, second, nested or pass_through", s));
}

mapping_desc parse_mapping(const reader& r, const json& m, const std::string& mp, platform_mode mode,
                           domain_stage stage, std::optional<unsigned> haw) {
  const bool fs = first_stage(mode, stage);
  const bool nested = fs && stage == domain_stage::nested;
  if (mode == platform_mode::legacy)
    refuse(r, m, mp, {"gpa", "user", "execute"}, kScalableOnly);
  else if (!fs)
    refuse(r, m, mp, {"gpa", "user", "execute"},
           "first-stage key: only in the mappings of first-stage and nested domains");
  else if (!nested)
    refuse(r, m, mp, {"gpa"}, "only a nested domain maps to GPAs (a first-stage domain's output is \"hpa\")");
  if (fs)
    r.keys(m, mp, {"iova", "hpa", "gpa", "size", "read", "write", "user", "execute"});
  else
    r.keys(m, mp, {"iova", "hpa", "size", "read", "write"});
  // A nested domain's first stage outputs GPAs: "gpa", or "hpa" meaning the same output.
  std::string out = "hpa";
  if (nested) {
    if (m.contains("hpa") && m.contains("gpa"))
      r.fail(mp + ".gpa", "give \"gpa\" or \"hpa\" (both mean the first stage's output), not both");
    if (!m.contains("hpa")) out = "gpa";
  }
  mapping_desc md;
  for (const std::string& req : {std::string("iova"), out, std::string("size")})
    if (!m.contains(req)) r.fail(mp + "." + req, "required");
  md.iova = r.number(m["iova"], mp + ".iova");
  md.hpa = r.number(m[out], mp + "." + out);
  md.size = r.number(m["size"], mp + ".size");
  if (m.contains("read")) md.read = r.boolean(m["read"], mp + ".read");
  if (m.contains("write")) md.write = r.boolean(m["write"], mp + ".write");
  if (m.contains("user")) md.user = r.boolean(m["user"], mp + ".user");
  if (m.contains("execute")) md.execute = r.boolean(m["execute"], mp + ".execute");
  if (fs && !md.read)
    r.fail(mp + ".read", "a present first-stage entry is always readable (P grants read): must be true");
  if ((md.iova | md.hpa | md.size) & 0xFFF || md.size == 0)
    r.fail(mp, fmt::format("iova, {} and size must be 4 KiB aligned and size non-zero", out));
  if (md.iova + md.size < md.iova)
    r.fail(mp + ".size", fmt::format("IOVA range 0x{:x} + 0x{:x} wraps around 2^64", md.iova, md.size));
  if (md.hpa + md.size < md.hpa)
    r.fail(mp + "." + out, fmt::format("{} range 0x{:x} + 0x{:x} wraps around 2^64",
                                       nested ? "guest" : "host", md.hpa, md.size));
  // A GPA is bounded by the parent's second stage, not by the host address width.
  if (!nested && haw && ((md.hpa + md.size - 1) >> *haw) != 0)
    r.fail(mp + ".hpa",
           fmt::format("host range [0x{:x}, 0x{:x}) reaches beyond the host address width ({} bits: host "
                       "addresses end at 0x{:x})",
                       md.hpa, md.hpa + md.size, *haw, (uint64_t{1} << *haw) - 1));
  return md;
}

domain_desc parse_domain(const reader& r, const json& d, const std::string& path, platform_mode mode,
                         std::optional<unsigned> haw, std::set<uint16_t>& ids) {
  if (mode == platform_mode::legacy) {
    refuse(r, d, path, {"stage", "parent", "preset_ad"}, kScalableOnly);
    r.keys(d, path, {"id", "address_width", "superpages", "mappings"});
  } else {
    r.keys(d, path, {"id", "stage", "parent", "address_width", "superpages", "preset_ad", "mappings"});
  }
  domain_desc dd;
  if (!d.contains("id")) r.fail(path + ".id", "required");
  uint64_t id = r.number(d["id"], path + ".id");
  if (id > 0xFFFF) r.fail(path + ".id", "must be 0..65535");
  dd.id = uint16_t(id);
  if (!ids.insert(dd.id).second) r.fail(path + ".id", fmt::format("domain {} defined twice", id));
  if (d.contains("stage")) dd.stage = parse_stage(r, d["stage"], path + ".stage");
  const bool fs = first_stage(mode, dd.stage);
  if (dd.stage != domain_stage::nested) refuse(r, d, path, {"parent"}, "only a nested domain has a parent");
  if (dd.stage == domain_stage::pass_through)
    refuse(r, d, path, {"address_width", "superpages", "preset_ad", "mappings"},
           "a pass-through domain has no page tables");
  if (!fs && mode == platform_mode::scalable)
    refuse(r, d, path, {"preset_ad"}, "first-stage key: only first-stage and nested domains");
  if (d.contains("address_width")) {
    uint64_t aw = r.number(d["address_width"], path + ".address_width");
    if (fs && aw != 48 && aw != 57)
      r.fail(path + ".address_width",
             fmt::format("{}: must be 48 or 57 (4- or 5-level first-stage paging)", aw));
    if (!fs && aw != 39 && aw != 48 && aw != 57)
      r.fail(path + ".address_width", fmt::format("{}: must be 39, 48 or 57", aw));
    dd.address_width = unsigned(aw);
  }
  if (dd.stage == domain_stage::nested) {
    if (!d.contains("parent"))
      r.fail(path + ".parent",
             "required for a nested domain (the second-stage domain that translates its GPAs)");
    uint64_t parent = r.number(d["parent"], path + ".parent");
    if (parent > 0xFFFF) r.fail(path + ".parent", fmt::format("{}: no such domain in \"domains\"", parent));
    dd.parent = uint16_t(parent);
  }
  if (d.contains("superpages")) dd.superpages = r.boolean(d["superpages"], path + ".superpages");
  if (d.contains("preset_ad")) dd.preset_ad = r.boolean(d["preset_ad"], path + ".preset_ad");
  if (d.contains("mappings")) {
    if (!d["mappings"].is_array()) r.fail(path + ".mappings", "expected an array");
    for (size_t k = 0; k < d["mappings"].size(); ++k)
      dd.mappings.push_back(
          parse_mapping(r, d["mappings"][k], at(path + ".mappings", k), mode, dd.stage, haw));
  }
  return dd;
}

// A nested domain's parent must be a second-stage domain of the file (it may be listed after it).
void check_parents(const reader& r, const std::vector<domain_desc>& domains) {
  for (size_t i = 0; i < domains.size(); ++i) {
    if (!domains[i].parent) continue;
    const uint16_t parent = *domains[i].parent;
    const std::string path = at("domains", i) + ".parent";
    auto it =
        std::find_if(domains.begin(), domains.end(), [&](const domain_desc& d) { return d.id == parent; });
    if (it == domains.end()) r.fail(path, fmt::format("{}: no such domain in \"domains\"", parent));
    if (it->stage != domain_stage::second)
      r.fail(path,
             fmt::format("{}: domain {} has stage \"{}\"; a nested domain's parent must be a second-stage "
                         "domain",
                         parent, parent, to_string(it->stage)));
  }
}

uint16_t domain_ref(const reader& r, const json& v, const std::string& path, const std::set<uint16_t>& ids) {
  uint64_t dom = r.number(v, path);
  if (dom > 0xFFFF || !ids.count(uint16_t(dom)))
    r.fail(path, fmt::format("{}: no such domain in \"domains\"", dom));
  return uint16_t(dom);
}

// Scalable-mode device keys: the context entry (spec 9.4) and the PASIDs attached (spec 9.6).
void parse_scalable_device(const reader& r, const json& d, const std::string& path, device_desc& dev,
                           const std::set<uint16_t>& ids) {
  if (d.contains("max_pasids")) {
    uint64_t n = r.number(d["max_pasids"], path + ".max_pasids");
    if (n < 64 || n > (1u << 20) || (n & (n - 1)) != 0)
      r.fail(path + ".max_pasids", fmt::format("{}: must be a power of two from 64 to 1048576 (2^20)", n));
    dev.max_pasids = uint32_t(n);
  }
  if (d.contains("rid_pasid")) {
    uint64_t n = r.number(d["rid_pasid"], path + ".rid_pasid");
    if (n >= dev.max_pasids)
      r.fail(path + ".rid_pasid",
             fmt::format("PASID {} beyond the device's max_pasids {}", n, dev.max_pasids));
    dev.rid_pasid = uint32_t(n);
  }
  if (d.contains("pasid_enable")) dev.pasid_enable = r.boolean(d["pasid_enable"], path + ".pasid_enable");
  if (d.contains("device_tlb")) dev.device_tlb = r.boolean(d["device_tlb"], path + ".device_tlb");
  if (d.contains("rid_priv")) dev.rid_priv = r.boolean(d["rid_priv"], path + ".rid_priv");
  if (!d.contains("pasids")) return;
  if (!d["pasids"].is_array()) r.fail(path + ".pasids", "expected an array");
  std::set<uint32_t> seen;
  if (dev.domain) seen.insert(dev.rid_pasid);  // "domain" attaches the RID_PASID
  for (size_t k = 0; k < d["pasids"].size(); ++k) {
    const json& e = d["pasids"][k];
    const std::string pp = at(path + ".pasids", k);
    r.keys(e, pp, {"pasid", "domain", "supervisor", "write_protect"});
    pasid_desc pd;
    for (const char* req : {"pasid", "domain"})
      if (!e.contains(req)) r.fail(pp + "." + req, "required");
    uint64_t n = r.number(e["pasid"], pp + ".pasid");
    if (n >= dev.max_pasids)
      r.fail(pp + ".pasid", fmt::format("PASID {} beyond the device's max_pasids {}", n, dev.max_pasids));
    pd.pasid = uint32_t(n);
    if (!seen.insert(pd.pasid).second)
      r.fail(pp + ".pasid", dev.domain && pd.pasid == dev.rid_pasid
                                ? fmt::format("PASID {} is the RID_PASID, already attached by \"domain\"", n)
                                : fmt::format("PASID {} attached twice", n));
    pd.domain = domain_ref(r, e["domain"], pp + ".domain", ids);
    if (e.contains("supervisor")) pd.supervisor = r.boolean(e["supervisor"], pp + ".supervisor");
    if (e.contains("write_protect")) pd.write_protect = r.boolean(e["write_protect"], pp + ".write_protect");
    dev.pasids.push_back(pd);
  }
}

device_desc parse_device(const reader& r, const json& d, const std::string& path, platform_mode mode,
                         const std::set<uint16_t>& ids, std::set<uint16_t>& sids) {
  if (mode == platform_mode::legacy) {
    refuse(r, d, path, {"rid_pasid", "pasids", "pasid_enable", "device_tlb", "rid_priv", "max_pasids"},
           kScalableOnly);
    r.keys(d, path, {"bdf", "name", "domain", "translation", "fpd"});
  } else {
    refuse(r, d, path, {"translation"},
           "legacy-mode key: in scalable mode the domain's \"stage\" says how the device translates "
           "(\"device_tlb\" sets DTE)");
    r.keys(d, path,
           {"bdf", "name", "domain", "rid_pasid", "pasids", "pasid_enable", "device_tlb", "rid_priv",
            "max_pasids", "fpd"});
  }
  device_desc dev;
  if (!d.contains("bdf")) r.fail(path + ".bdf", "required");
  dev.sid = r.bdf(d["bdf"], path + ".bdf");
  if (!sids.insert(dev.sid).second)
    r.fail(path + ".bdf", fmt::format("{} listed twice", format_bdf(dev.sid)));
  if (d.contains("name")) dev.name = r.string(d["name"], path + ".name");
  if (d.contains("translation"))
    dev.tt = parse_tt(r, r.string(d["translation"], path + ".translation"), path + ".translation");
  if (d.contains("fpd")) dev.fpd = r.boolean(d["fpd"], path + ".fpd");
  if (d.contains("domain")) {
    dev.domain = domain_ref(r, d["domain"], path + ".domain", ids);
  } else if (mode == platform_mode::legacy && dev.tt != spec::translation_type::pass_through) {
    r.fail(path + ".domain", "required unless translation is \"pass_through\"");
  }
  if (mode == platform_mode::scalable) parse_scalable_device(r, d, path, dev, ids);
  return dev;
}

}  // namespace

namespace {

json parse_document(const std::string& text, const std::string& filename) {
  try {
    return parse_json_input(text, filename);
  } catch (const json_input_error& e) {
    throw table_error(e.what());
  }
}

void check_schema(const reader& r, const json& j) {
  if (j.contains("schema") && r.number(j["schema"], "schema") != 1)
    r.fail("schema", "unsupported schema version (this vtdsim reads 1)");
}

// One remapping unit's description: the whole file of a one-unit platform, or one object of "units" (which
// also has "name" and "include_all", read by the caller).
platform_description parse_unit(const reader& r, const json& j, bool in_units) {
  if (in_units)
    r.keys(j, "", {"name", "include_all", "mode", "iommu", "enable", "domains", "devices", "interrupts"});
  else
    r.keys(j, "", {"schema", "mode", "iommu", "enable", "domains", "devices", "interrupts", "units"});
  platform_description p;
  if (j.contains("mode")) {
    const std::string mode = r.string(j["mode"], "mode");
    if (mode != "legacy" && mode != "scalable")
      r.fail("mode", fmt::format("\"{}\": expected legacy or scalable", mode));
    p.mode = mode == "scalable" ? platform_mode::scalable : platform_mode::legacy;
  }
  if (j.contains("iommu")) parse_iommu(r, j["iommu"], p);
  // Host address width (HAW) the mappings must fit: address bits 51:HAW of a paging entry
  // are reserved, so a leaf can never point there). An unknown preset is reported when the platform is built.
  std::optional<unsigned> haw = p.haw;
  if (!haw)
    if (auto preset = spec::find_capability_preset(p.preset)) haw = preset->haw;
  if (j.contains("enable")) {
    const json& e = j["enable"];
    r.keys(e, "enable", {"translation", "interrupt_remapping", "compat_interrupts", "queued_invalidation"});
    if (e.contains("translation")) p.enable_translation = r.boolean(e["translation"], "enable.translation");
    if (e.contains("interrupt_remapping"))
      p.enable_interrupt_remapping = r.boolean(e["interrupt_remapping"], "enable.interrupt_remapping");
    if (e.contains("compat_interrupts"))
      p.enable_compat = r.boolean(e["compat_interrupts"], "enable.compat_interrupts");
    if (e.contains("queued_invalidation"))
      p.enable_qi = r.boolean(e["queued_invalidation"], "enable.queued_invalidation");
  }
  std::set<uint16_t> domain_ids;
  if (j.contains("domains")) {
    if (!j["domains"].is_array()) r.fail("domains", "expected an array");
    for (size_t i = 0; i < j["domains"].size(); ++i)
      p.domains.push_back(parse_domain(r, j["domains"][i], at("domains", i), p.mode, haw, domain_ids));
    check_parents(r, p.domains);
  }
  std::set<uint16_t> sids;
  if (j.contains("devices")) {
    if (!j["devices"].is_array()) r.fail("devices", "expected an array");
    for (size_t i = 0; i < j["devices"].size(); ++i)
      p.devices.push_back(parse_device(r, j["devices"][i], at("devices", i), p.mode, domain_ids, sids));
  }
  if (j.contains("interrupts")) parse_interrupts(r, j["interrupts"], p);
  return p;
}

}  // namespace

platform_description parse_platform(const std::string& text, const std::string& filename) {
  const json j = parse_document(text, filename);
  const reader r(filename);
  if (j.is_object() && j.contains("units"))
    r.fail("units", fmt::format("this platform has several remapping units ({} given): this use takes one",
                                j["units"].is_array() ? j["units"].size() : 0));
  check_schema(r, j);
  return parse_unit(r, j, false);
}

namespace {

std::string read_platform_text(const std::string& path) {
  std::string text;
  try {
    text = vtd::io::read_input_file(path, vtd::io::max_json_bytes, "platform");
  } catch (const vtd::io::input_error& e) {
    throw table_error(e.what());
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw table_error(fmt::format("{}: empty platform file (expected a JSON object)", path));
  return text;
}

// Unit names become parts of statistic names (unit.NAME.iotlb.hit_rate): letters, digits, '_' and '-'.
bool good_unit_name(const std::string& n) {
  if (n.empty() || n.size() > 32) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

void check_units(const reader& r, const platform_units& pu) {
  std::map<uint16_t, size_t> scope;  // source-id -> unit
  const unit_desc* all = nullptr;
  for (size_t i = 0; i < pu.units.size(); ++i) {
    const unit_desc& u = pu.units[i];
    const std::string path = at("units", i);
    for (size_t k = 0; k < i; ++k)
      if (pu.units[k].name == u.name)
        r.fail(path + ".name", fmt::format("\"{}\": already the name of units[{}]", u.name, k));
    if (u.include_all) {
      if (all)
        r.fail(
            path + ".include_all",
            fmt::format("unit {} has include_all already (the DMAR table allows one such unit)", all->name));
      all = &u;
    }
    const platform_description& p = u.platform;
    for (size_t k = 0; k < i; ++k) {
      const platform_description& q = pu.units[k].platform;
      if (p.table_base < q.table_base + q.table_size && q.table_base < p.table_base + p.table_size)
        r.fail(path + ".iommu.table_region",
               fmt::format("[0x{:x}, 0x{:x}) overlaps unit {}'s tables [0x{:x}, 0x{:x})", p.table_base,
                           p.table_base + p.table_size, pu.units[k].name, q.table_base,
                           q.table_base + q.table_size));
    }
    for (size_t d = 0; d < p.devices.size(); ++d) {
      const auto [it, fresh] = scope.emplace(p.devices[d].sid, i);
      if (!fresh)
        r.fail(fmt::format("{}.devices[{}].bdf", path, d),
               fmt::format("{} is already in unit {}'s device scope (a device sits under one remapping unit)",
                           format_bdf(p.devices[d].sid), pu.units[it->second].name));
    }
  }
}

}  // namespace

platform_description load_platform_file(const std::string& path) {
  return parse_platform(read_platform_text(path), path);
}

platform_units parse_platform_units(const std::string& text, const std::string& filename) {
  const json j = parse_document(text, filename);
  const reader r(filename);
  platform_units pu;
  if (!j.is_object() || !j.contains("units")) {
    check_schema(r, j);
    pu.units.push_back({"dmar0", true, parse_unit(r, j, false)});
    return pu;
  }
  r.keys(j, "", {"schema", "units"});
  check_schema(r, j);
  const json& units = j["units"];
  if (!units.is_array() || units.empty()) r.fail("units", "expected a non-empty array of remapping units");
  if (units.size() > 64) r.fail("units", fmt::format("{} units: at most 64", units.size()));
  pu.several = true;
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string path = at("units", i);
    const reader ur(filename, path);
    unit_desc u;
    u.platform = parse_unit(ur, units[i], true);
    u.name = units[i].contains("name") ? ur.string(units[i]["name"], "name") : fmt::format("dmar{}", i);
    if (!good_unit_name(u.name))
      ur.fail("name", fmt::format("\"{}\": 1 to 32 letters, digits, '_' or '-'", u.name));
    if (units[i].contains("include_all")) u.include_all = ur.boolean(units[i]["include_all"], "include_all");
    const bool region_given = units[i].contains("iommu") && units[i]["iommu"].contains("table_region");
    if (!region_given) {
      u.platform.table_base = default_unit_table_base(i);
      u.platform.table_size = kUnitTableSize;
    }
    pu.units.push_back(std::move(u));
  }
  check_units(r, pu);
  return pu;
}

platform_units load_platform_units(const std::string& path) {
  return parse_platform_units(read_platform_text(path), path);
}

namespace {

std::string hex(uint64_t v) {
  return fmt::format("0x{:x}", v);
}

nlohmann::ordered_json scalable_domain_json(const domain_desc& d) {
  using oj = nlohmann::ordered_json;
  oj e;
  e["id"] = d.id;
  e["stage"] = to_string(d.stage);
  if (d.stage == domain_stage::pass_through) return e;
  const bool fs = d.stage == domain_stage::first || d.stage == domain_stage::nested;
  if (d.parent) e["parent"] = *d.parent;
  e["address_width"] = d.address_width;
  e["superpages"] = d.superpages;
  if (fs) e["preset_ad"] = d.preset_ad;
  oj maps = oj::array();
  for (const auto& m : d.mappings) {
    oj o;
    o["iova"] = hex(m.iova);
    o[d.stage == domain_stage::nested ? "gpa" : "hpa"] = hex(m.hpa);
    o["size"] = hex(m.size);
    o["read"] = m.read;
    o["write"] = m.write;
    if (fs) {
      o["user"] = m.user;
      o["execute"] = m.execute;
    }
    maps.push_back(o);
  }
  e["mappings"] = maps;
  return e;
}

void add_scalable_device_json(const device_desc& d, nlohmann::ordered_json& e) {
  using oj = nlohmann::ordered_json;
  e["rid_pasid"] = d.rid_pasid;
  e["max_pasids"] = d.max_pasids;
  e["pasid_enable"] = d.pasid_enabled();
  e["device_tlb"] = d.device_tlb;
  e["rid_priv"] = d.rid_priv;
  e["fpd"] = d.fpd;
  oj pasids = oj::array();
  for (const auto& pd : d.pasids)
    pasids.push_back({{"pasid", pd.pasid},
                      {"domain", pd.domain},
                      {"supervisor", pd.supervisor},
                      {"write_protect", pd.write_protect}});
  e["pasids"] = pasids;
}

}  // namespace

const char* to_string(domain_stage s) {
  switch (s) {
    case domain_stage::first:
      return "first";
    case domain_stage::second:
      return "second";
    case domain_stage::nested:
      return "nested";
    case domain_stage::pass_through:
      return "pass_through";
  }
  return "?";
}

nlohmann::ordered_json to_json(const platform_description& p) {
  using oj = nlohmann::ordered_json;
  oj j;
  j["schema"] = 1;
  if (p.mode == platform_mode::scalable) j["mode"] = "scalable";  // legacy files stay as they always were
  oj iommu;
  iommu["preset"] = p.preset;
  if (p.cap) iommu["cap"] = hex(*p.cap);
  if (p.ecap) iommu["ecap"] = hex(*p.ecap);
  if (!p.cap_fields.empty()) {
    oj f = oj::object();
    for (auto& [k, v] : p.cap_fields) f[k] = v;
    iommu["cap_fields"] = f;
  }
  if (!p.ecap_fields.empty()) {
    oj f = oj::object();
    for (auto& [k, v] : p.ecap_fields) f[k] = v;
    iommu["ecap_fields"] = f;
  }
  if (p.haw) iommu["haw"] = *p.haw;
  if (p.memory_size_given) iommu["memory_size"] = hex(p.memory_size);
  iommu["table_region"] = {{"base", hex(p.table_base)}, {"size", hex(p.table_size)}};
  j["iommu"] = iommu;
  j["enable"] = {{"translation", p.enable_translation},
                 {"interrupt_remapping", p.enable_interrupt_remapping},
                 {"compat_interrupts", p.enable_compat},
                 {"queued_invalidation", p.enable_qi}};
  const bool scalable = p.mode == platform_mode::scalable;
  oj domains = oj::array();
  for (const auto& d : p.domains) {
    if (!scalable) {
      oj maps = oj::array();
      for (const auto& m : d.mappings)
        maps.push_back({{"iova", hex(m.iova)},
                        {"hpa", hex(m.hpa)},
                        {"size", hex(m.size)},
                        {"read", m.read},
                        {"write", m.write}});
      domains.push_back({{"id", d.id},
                         {"address_width", d.address_width},
                         {"superpages", d.superpages},
                         {"mappings", maps}});
      continue;
    }
    domains.push_back(scalable_domain_json(d));
  }
  j["domains"] = domains;
  oj devices = oj::array();
  for (const auto& d : p.devices) {
    oj e;
    e["bdf"] = format_bdf(d.sid);
    if (!d.name.empty()) e["name"] = d.name;
    if (d.domain) e["domain"] = *d.domain;
    if (scalable) {
      add_scalable_device_json(d, e);
    } else {
      e["translation"] = d.tt == spec::translation_type::pass_through ? "pass_through"
                         : d.tt == spec::translation_type::device_tlb ? "device_tlb"
                                                                      : "untranslated";
      e["fpd"] = d.fpd;
    }
    devices.push_back(e);
  }
  j["devices"] = devices;
  if (p.has_interrupts) {
    oj entries = oj::array();
    for (const auto& e : p.interrupts) {
      oj o;
      o["index"] = e.index;
      if (e.posted) {
        o["posted"] = {{"vector", e.vector}, {"descriptor", hex(e.descriptor)}, {"urgent", e.urgent}};
      } else {
        o["vector"] = e.vector;
        o["destination"] = e.destination;
        o["delivery_mode"] = spec::delivery_mode_name(e.delivery_mode);
        o["trigger"] = e.level ? "level" : "edge";
        o["dest_mode"] = e.logical ? "logical" : "physical";
        o["redirection_hint"] = e.redirection_hint;
      }
      o["fpd"] = e.fpd;
      if (e.svt == spec::source_validation::requester_id)
        o["source_validation"] = {{"type", "requester_id"}, {"sid", format_bdf(e.sid)}, {"sq", e.sq}};
      else if (e.svt == spec::source_validation::bus_range)
        o["source_validation"] = {
            {"type", "bus_range"}, {"start_bus", e.sid >> 8}, {"end_bus", e.sid & 0xFF}};
      else
        o["source_validation"] = {{"type", "none"}};
      entries.push_back(o);
    }
    j["interrupts"] = {{"entries_log2", p.ir_entries_log2}, {"x2apic", p.x2apic}, {"entries", entries}};
  }
  return j;
}

nlohmann::ordered_json to_json(const platform_units& p) {
  if (!p.several && p.units.size() == 1) return to_json(p.units.front().platform);
  nlohmann::ordered_json units = nlohmann::ordered_json::array();
  for (const unit_desc& u : p.units) {
    nlohmann::ordered_json one = to_json(u.platform);
    nlohmann::ordered_json j;
    j["name"] = u.name;
    if (u.include_all) j["include_all"] = true;
    for (auto& [k, v] : one.items())
      if (k != "schema") j[k] = v;
    units.push_back(std::move(j));
  }
  return {{"schema", 1}, {"units", std::move(units)}};
}

}  // namespace vtd::tables
