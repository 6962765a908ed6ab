// Strict platform-file parsing and writing (docs/platform-format.md). Every error names the file and the JSON
// path; syntax errors give line:column.
#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "model/io/input_file.hpp"
#include "model/spec/presets.hpp"
#include "tables/json_input.hpp"
#include "tables/platform_description.hpp"
#include "tables/table_error.hpp"
#include "tables/text_parse.hpp"

namespace vtd::tables {

namespace {

using json = nlohmann::json;

class reader {
 public:
  explicit reader(std::string file) : m_file(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
    throw table_error(fmt::format("{}: {}: {}", m_file, path, msg));
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

}  // namespace

platform_description parse_platform(const std::string& text, const std::string& filename) {
  json j;
  try {
    j = parse_json_input(text, filename);
  } catch (const json_input_error& e) {
    throw table_error(e.what());
  }
  reader r(filename);
  r.keys(j, "", {"schema", "iommu", "enable", "domains", "devices", "interrupts"});
  platform_description p;
  if (j.contains("schema") && r.number(j["schema"], "schema") != 1)
    r.fail("schema", "unsupported schema version (this vtdsim reads 1)");
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
    for (size_t i = 0; i < j["domains"].size(); ++i) {
      const json& d = j["domains"][i];
      std::string path = at("domains", i);
      r.keys(d, path, {"id", "address_width", "superpages", "mappings"});
      domain_desc dd;
      if (!d.contains("id")) r.fail(path + ".id", "required");
      uint64_t id = r.number(d["id"], path + ".id");
      if (id > 0xFFFF) r.fail(path + ".id", "must be 0..65535");
      dd.id = uint16_t(id);
      if (!domain_ids.insert(dd.id).second) r.fail(path + ".id", fmt::format("domain {} defined twice", id));
      if (d.contains("address_width")) {
        uint64_t aw = r.number(d["address_width"], path + ".address_width");
        if (aw != 39 && aw != 48 && aw != 57)
          r.fail(path + ".address_width", fmt::format("{}: must be 39, 48 or 57", aw));
        dd.address_width = unsigned(aw);
      }
      if (d.contains("superpages")) dd.superpages = r.boolean(d["superpages"], path + ".superpages");
      if (d.contains("mappings")) {
        if (!d["mappings"].is_array()) r.fail(path + ".mappings", "expected an array");
        for (size_t k = 0; k < d["mappings"].size(); ++k) {
          const json& m = d["mappings"][k];
          std::string mp = at(path + ".mappings", k);
          r.keys(m, mp, {"iova", "hpa", "size", "read", "write"});
          mapping_desc md;
          for (const char* req : {"iova", "hpa", "size"})
            if (!m.contains(req)) r.fail(mp + "." + req, "required");
          md.iova = r.number(m["iova"], mp + ".iova");
          md.hpa = r.number(m["hpa"], mp + ".hpa");
          md.size = r.number(m["size"], mp + ".size");
          if (m.contains("read")) md.read = r.boolean(m["read"], mp + ".read");
          if (m.contains("write")) md.write = r.boolean(m["write"], mp + ".write");
          if ((md.iova | md.hpa | md.size) & 0xFFF || md.size == 0)
            r.fail(mp, "iova, hpa and size must be 4 KiB aligned and size non-zero");
          if (md.iova + md.size < md.iova)
            r.fail(mp + ".size",
                   fmt::format("IOVA range 0x{:x} + 0x{:x} wraps around 2^64", md.iova, md.size));
          if (md.hpa + md.size < md.hpa)
            r.fail(mp + ".hpa", fmt::format("host range 0x{:x} + 0x{:x} wraps around 2^64", md.hpa, md.size));
          if (haw && ((md.hpa + md.size - 1) >> *haw) != 0)
            r.fail(mp + ".hpa",
                   fmt::format(
                       "host range [0x{:x}, 0x{:x}) reaches beyond the host address width ({} bits: host "
                       "addresses end at 0x{:x})",
                       md.hpa, md.hpa + md.size, *haw, (uint64_t{1} << *haw) - 1));
          dd.mappings.push_back(md);
        }
      }
      p.domains.push_back(std::move(dd));
    }
  }
  std::set<uint16_t> sids;
  if (j.contains("devices")) {
    if (!j["devices"].is_array()) r.fail("devices", "expected an array");
    for (size_t i = 0; i < j["devices"].size(); ++i) {
      const json& d = j["devices"][i];
      std::string path = at("devices", i);
      r.keys(d, path, {"bdf", "name", "domain", "translation", "fpd"});
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
        uint64_t dom = r.number(d["domain"], path + ".domain");
        if (dom > 0xFFFF || !domain_ids.count(uint16_t(dom)))
          r.fail(path + ".domain", fmt::format("{}: no such domain in \"domains\"", dom));
        dev.domain = uint16_t(dom);
      } else if (dev.tt != spec::translation_type::pass_through) {
        r.fail(path + ".domain", "required unless translation is \"pass_through\"");
      }
      p.devices.push_back(std::move(dev));
    }
  }
  if (j.contains("interrupts")) parse_interrupts(r, j["interrupts"], p);
  return p;
}

platform_description load_platform_file(const std::string& path) {
  std::string text;
  try {
    text = vtd::io::read_input_file(path, vtd::io::max_json_bytes, "platform");
  } catch (const vtd::io::input_error& e) {
    throw table_error(e.what());
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw table_error(fmt::format("{}: empty platform file (expected a JSON object)", path));
  return parse_platform(text, path);
}

nlohmann::ordered_json to_json(const platform_description& p) {
  using oj = nlohmann::ordered_json;
  auto hex = [](uint64_t v) { return fmt::format("0x{:x}", v); };
  oj j;
  j["schema"] = 1;
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
  oj domains = oj::array();
  for (const auto& d : p.domains) {
    oj maps = oj::array();
    for (const auto& m : d.mappings)
      maps.push_back({{"iova", hex(m.iova)},
                      {"hpa", hex(m.hpa)},
                      {"size", hex(m.size)},
                      {"read", m.read},
                      {"write", m.write}});
    domains.push_back(
        {{"id", d.id}, {"address_width", d.address_width}, {"superpages", d.superpages}, {"mappings", maps}});
  }
  j["domains"] = domains;
  oj devices = oj::array();
  for (const auto& d : p.devices) {
    oj e;
    e["bdf"] = format_bdf(d.sid);
    if (!d.name.empty()) e["name"] = d.name;
    if (d.domain) e["domain"] = *d.domain;
    e["translation"] = d.tt == spec::translation_type::pass_through ? "pass_through"
                       : d.tt == spec::translation_type::device_tlb ? "device_tlb"
                                                                    : "untranslated";
    e["fpd"] = d.fpd;
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

}  // namespace vtd::tables
