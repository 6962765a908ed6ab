// Simulation configuration: presets, JSON, overrides (see header and docs/config.md).
#include "apps/replay/sim_config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "model/io/input_file.hpp"
#include "tables/json_input.hpp"

namespace vtd::replay {
namespace {

using core::cache_config;
using core::replacement_policy;

struct cache_slot {
  const char* name;
  cache_config core::translation_caches_config::*member;
};

cache_config* cache_by_name(sim_config& c, std::string_view name) {
  if (name == "context") return &c.caches.context;
  if (name == "iotlb") return &c.caches.iotlb;
  if (name == "interrupt") return &c.caches.interrupt;
  if (name == "pde") return &c.caches.paging[0];
  if (name == "pdpe") return &c.caches.paging[1];
  if (name == "pml4e") return &c.caches.paging[2];
  if (name == "pml5e") return &c.caches.paging[3];
  // Scalable mode: the PASID-cache and the first-stage paging-structure caches.
  if (name == "pasid") return &c.caches.pasid;
  if (name == "fs_pde") return &c.caches.fs_paging[0];
  if (name == "fs_pdpe") return &c.caches.fs_paging[1];
  if (name == "fs_pml4e") return &c.caches.fs_paging[2];
  if (name == "fs_pml5e") return &c.caches.fs_paging[3];
  return nullptr;
}
// Legacy caches first, in their old order (configurations written before scalable mode read the same).
constexpr const char* kCacheNames[] = {"context",   "iotlb", "pde",    "pdpe",    "pml4e",    "pml5e",
                                       "interrupt", "pasid", "fs_pde", "fs_pdpe", "fs_pml4e", "fs_pml5e"};

std::string known_cache_names() {
  std::string out;
  for (const char* n : kCacheNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

replacement_policy parse_policy(const std::string& s, const std::string& where) {
  if (s == "lru") return replacement_policy::lru;
  if (s == "plru") return replacement_policy::plru;
  if (s == "fifo") return replacement_policy::fifo;
  if (s == "random") return replacement_policy::random;
  throw std::runtime_error(fmt::format("{}: policy '{}': expected lru, plru, fifo or random", where, s));
}

// A number of type T, never truncated or wrapped: integers must be non-negative and fit in T; reals finite.
template <class T>
T get_number(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number()) throw std::runtime_error(fmt::format("{}: expected a number, not {}", where, v.dump()));
  if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_unsigned())
      throw std::runtime_error(fmt::format("{}: {}: expected a non-negative integer", where, v.dump()));
    const uint64_t u = v.get<uint64_t>();
    if (u > std::numeric_limits<T>::max())
      throw std::runtime_error(
          fmt::format("{}: {} is too large (at most {})", where, u, uint64_t(std::numeric_limits<T>::max())));
    return static_cast<T>(u);
  } else {
    const double d = v.get<double>();
    if (!std::isfinite(d)) throw std::runtime_error(fmt::format("{}: expected a finite number", where));
    return static_cast<T>(d);
  }
}

void apply_cache(cache_config& c, const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected an object", where));
  for (auto& [k, v] : j.items()) {
    std::string at = where + "." + k;
    if (k == "entries")
      c.entries = get_number<uint32_t>(v, at);
    else if (k == "ways")
      c.ways = get_number<uint32_t>(v, at);
    else if (k == "seed")
      c.seed = get_number<uint64_t>(v, at);
    else if (k == "policy") {
      if (!v.is_string()) throw std::runtime_error(fmt::format("{}: expected a string", at));
      c.policy = parse_policy(v.get<std::string>(), at);
    } else if (k == "split_by_size") {
      if (!v.is_boolean()) throw std::runtime_error(fmt::format("{}: expected true or false", at));
      c.split_by_size = v.get<bool>();
    } else {
      throw std::runtime_error(
          fmt::format("{}: unknown key (known: entries, ways, policy, seed, split_by_size)", at));
    }
  }
  if (const char* err = core::validate(c)) throw std::runtime_error(fmt::format("{}: {}", where, err));
}

// Timing fields by name: one table serves JSON in, JSON out and overrides.
// `max` bounds each parameter: not a hardware limit, but the point past which a value can only be a typo and
// would overflow picosecond arithmetic (2^64 ps is 213 days) or allocate absurdly (walkers).
struct timing_field {
  const char* name;
  double (*get)(const timing::timing_params&);
  void (*set)(timing::timing_params&, double);
  bool integer;
  double max;
};
#define VTD_TF(field, is_int, max)                                                                    \
  timing_field {                                                                                      \
#field, [](const timing::timing_params& p) { return static_cast<double>(p.field); },                \
        [](timing::timing_params& p, double v) { p.field = static_cast<decltype(p.field)>(v); }, is_int, \
        max \
  }
constexpr double kMaxCycles = 1e6, kMaxNs = 1e9;  // a million cycles; one second
const timing_field kTimingFields[] = {
    VTD_TF(clock_ghz, false, 100),
    VTD_TF(iotlb_hit_cycles, true, kMaxCycles),
    VTD_TF(context_cache_hit_cycles, true, kMaxCycles),
    VTD_TF(pasid_cache_hit_cycles, true, kMaxCycles),
    VTD_TF(psc_hit_cycles, true, kMaxCycles),
    VTD_TF(iec_hit_cycles, true, kMaxCycles),
    VTD_TF(miss_detect_cycles, true, kMaxCycles),
    VTD_TF(lookups_per_cycle, true, 1024),
    VTD_TF(walkers, true, 1024),
    VTD_TF(table_read_ns, false, kMaxNs),
    VTD_TF(dma_access_ns, false, kMaxNs),
    VTD_TF(register_invalidation_ns, false, kMaxNs),
    VTD_TF(queued_descriptor_ns, false, kMaxNs),
    VTD_TF(invalidation_wait_ns, false, kMaxNs),
    VTD_TF(interrupt_delivery_ns, false, kMaxNs),
    VTD_TF(quantum_ps, true, 1e12),
};
#undef VTD_TF

// Device fields by name (the "device" section); "issue" is the one string among them.
struct device_field {
  const char* name;
  unsigned timing::device_params::*member;  // null: memory_ns
  double max;
};
const device_field kDeviceFields[] = {
    {"tags", &timing::device_params::tags,
     4096},  // PCIe 10-bit tags: at most 768 in use; 4096 is a typo guard
    {"posted_credits", &timing::device_params::posted_credits, 4096},
    {"memory_ns", nullptr, kMaxNs},
};
struct link_field {
  const char* name;
  unsigned timing::pcie_link_params::*member;
};
const link_field kLinkFields[] = {
    {"link_generation", &timing::pcie_link_params::generation},
    {"link_lanes", &timing::pcie_link_params::lanes},
    {"max_payload", &timing::pcie_link_params::max_payload},
    {"max_read_request", &timing::pcie_link_params::max_read_request},
    {"read_completion_boundary", &timing::pcie_link_params::read_completion_boundary},
};

// The "ats" object of a device section: the device-TLB's geometry and policy, and the endpoint's answers to
// ATS Invalidate Requests.
void apply_ats(ats_config& a, const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected an object", where));
  ats_config next = a;
  nlohmann::json geometry = nlohmann::json::object();  // checked together: entries must fit ways
  for (auto& [k, v] : j.items()) {
    const std::string at = where + "." + k;
    if (k == "entries" || k == "ways" || k == "policy" || k == "seed") {
      geometry[k] = v;
    } else if (k == "invalidation_ns") {
      next.invalidation_ns = get_number<double>(v, at);
      if (next.invalidation_ns < 0 || next.invalidation_ns > kMaxNs)
        throw std::runtime_error(fmt::format("{}: out of range (0 to {})", at, kMaxNs));
    } else if (k == "answers_invalidations") {
      if (!v.is_boolean()) throw std::runtime_error(fmt::format("{}: expected true or false", at));
      next.answers_invalidations = v.get<bool>();
    } else {
      throw std::runtime_error(fmt::format(
          "{}: unknown key (known: entries, ways, policy, seed, invalidation_ns, answers_invalidations)",
          at));
    }
  }
  if (!geometry.empty()) apply_cache(next.tlb, geometry, where);
  a = next;
}

// `per_device`: a "devices" entry, which may not change the replay's issue mode.
void apply_device(device_config& d, const nlohmann::json& j, const std::string& where,
                  bool per_device = false) {
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected an object", where));
  device_config next = d;
  for (auto& [k, v] : j.items()) {
    const std::string at = where + "." + k;
    if (k == "ats") {
      apply_ats(next.ats, v, at);
      continue;
    }
    if (k == "issue" && per_device)
      throw std::runtime_error(
          fmt::format("{}: the issue mode is the replay's (device.issue), not one device's", at));
    if (k == "issue") {
      if (!v.is_string() || (v != "open" && v != "closed"))
        throw std::runtime_error(fmt::format("{}: expected \"open\" or \"closed\"", at));
      next.issue = v == "closed" ? issue_mode::closed : issue_mode::open;
      continue;
    }
    bool known = false;
    for (const auto& f : kDeviceFields) {
      if (k != f.name) continue;
      known = true;
      if (!f.member) {
        next.memory_ns = get_number<double>(v, at);
        if (next.memory_ns < 0 || next.memory_ns > f.max)
          throw std::runtime_error(fmt::format("{}: out of range (0 to {})", at, f.max));
      } else {
        const unsigned n = get_number<unsigned>(v, at);
        if (n == 0 || n > f.max)
          throw std::runtime_error(fmt::format("{}: out of range (1 to {})", at, f.max));
        next.params.*f.member = n;
      }
    }
    for (const auto& f : kLinkFields) {
      if (k != f.name) continue;
      known = true;
      next.params.link.*f.member = get_number<unsigned>(v, at);
    }
    if (!known)
      throw std::runtime_error(fmt::format(
          "{}: unknown key (known: issue, tags, posted_credits, memory_ns, link_generation, link_lanes, "
          "max_payload, max_read_request, read_completion_boundary, ats)",
          at));
  }
  try {
    timing::pcie_link check(next.params.link);  // the link's own rules (generation, lanes, sizes)
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("{}: {}", where, e.what()));
  }
  d = next;
}

void apply_timing(timing::timing_params& p, const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected an object", where));
  for (auto& [k, v] : j.items()) {
    const timing_field* f = nullptr;
    for (const auto& t : kTimingFields)
      if (k == t.name) f = &t;
    if (!f) throw std::runtime_error(fmt::format("{}.{}: unknown timing parameter", where, k));
    double value = f->integer ? static_cast<double>(get_number<uint64_t>(v, where + "." + k))
                              : get_number<double>(v, where + "." + k);
    if (value < 0) throw std::runtime_error(fmt::format("{}.{}: must not be negative", where, k));
    if (value > f->max)
      throw std::runtime_error(
          fmt::format("{}.{}: {} is out of range (at most {})", where, k, value, f->max));
    f->set(p, value);
  }
  // At least 10 MHz: one cycle is then 100 ps, and every cycle count within its bound stays far inside the
  // picosecond arithmetic (a slower clock would make latencies wrap).
  if (p.clock_ghz < 0.01)
    throw std::runtime_error(
        fmt::format("{}.clock_ghz: {} is out of range (0.01 to 100)", where, p.clock_ghz));
  if (p.walkers == 0) throw std::runtime_error(fmt::format("{}.walkers: at least one walker", where));
  if (p.lookups_per_cycle == 0)
    throw std::runtime_error(fmt::format("{}.lookups_per_cycle: at least one lookup per cycle", where));
  if (p.quantum_ps == 0) throw std::runtime_error(fmt::format("{}.quantum_ps: must be positive", where));
}

// The pcie-bench setup (Neugebauer et al., SIGCOMM'18, Broadwell Xeon E5 with a PCIe Gen3 x8 NIC-class
// device; docs/timing.md gives every number's source): closed loop, 32 tags, the link of the paper's boards.
device_config pcie_bench_device() {
  device_config d;
  d.issue = issue_mode::closed;
  // PCIe Base Specification: without Extended Tag Field Enable a requester uses 5 tag bits (32 tags).
  // Little's law on the published figures agrees: 27.6 Gb/s of 64 B reads = 53.9 M reads/s, x ~600 ns = ~32
  // in flight.
  d.params.tags = 32;
  d.params.posted_credits = 32;  // assumption: writes are not measured by the read test
  d.params.link.generation = 3;  // the paper's NetFPGA-SUME and NFP-6000 boards: Gen3 x8
  d.params.link.lanes = 8;
  d.params.link.max_payload = 256;       // typical Xeon E5 root port (assumption)
  d.params.link.max_read_request = 512;  // Linux default MRRS 512 B (assumption)
  // 64 B read with IOTLB hit, ~600 ns median: minus the request TLP upstream (26 B, 3.3 ns), the IOTLB lookup
  // (3 cycles at 1 GHz) and the completion downstream (86 B, 10.9 ns) leaves ~583 ns for the root complex,
  // the PHYs and DRAM.
  d.memory_ns = 583.0;
  return d;
}

}  // namespace

std::string parameter_unit(std::string_view key) {
  auto ends = [&](std::string_view suffix) {
    return key.size() >= suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
  };
  if (ends("_ns")) return "ns";
  if (ends("_ps")) return "ps";
  if (ends("_cycles")) return "cycles";
  if (ends("_ghz")) return "GHz";
  if (ends(".entries")) return "entries";
  if (ends(".ways")) return "ways";
  if (ends("walkers")) return "walkers";
  if (ends("lookups_per_cycle")) return "lookups/cycle";
  return "";
}

std::vector<std::string> sim_preset_names() {
  return {"broadwell", "pcie-bench", "server"};
}

sim_config sim_preset(std::string_view name) {
  sim_config c;
  c.preset = std::string(name);
  if (name == "server") {
    c.timing = *timing::find_timing_preset("server");
    return c;  // cache defaults are the server figures (translation_caches_config)
  }
  if (name == "broadwell" || name == "pcie-bench") {
    c.timing = *timing::find_timing_preset(name);
    // pcie-bench: the knee between 256 KiB and 512 KiB windows means about 64 IOTLB entries of 4 KiB.
    c.caches.iotlb = cache_config{64, 4, replacement_policy::lru, 2, false};
    c.caches.context = cache_config{16, 4, replacement_policy::lru, 1, false};
    c.caches.paging[0] = cache_config{32, 4, replacement_policy::lru, 3, false};
    c.caches.paging[1] = cache_config{16, 4, replacement_policy::lru, 4, false};
    c.caches.paging[2] = cache_config{8, 8, replacement_policy::lru, 5, false};
    c.caches.paging[3] = cache_config{8, 8, replacement_policy::lru, 6, false};
    c.caches.interrupt = cache_config{64, 4, replacement_policy::lru, 7, false};
    // Broadwell has no scalable mode; a replay of a scalable platform with this preset gets caches sized
    // like its legacy ones: a PASID-cache like its context-cache, first-stage caches like the second-stage.
    c.caches.pasid = cache_config{16, 4, replacement_policy::lru, 8, false};
    c.caches.fs_paging[0] = cache_config{32, 4, replacement_policy::lru, 9, false};
    c.caches.fs_paging[1] = cache_config{16, 4, replacement_policy::lru, 10, false};
    c.caches.fs_paging[2] = cache_config{8, 8, replacement_policy::lru, 11, false};
    c.caches.fs_paging[3] = cache_config{8, 8, replacement_policy::lru, 12, false};
    if (name == "pcie-bench") c.device = pcie_bench_device();
    return c;
  }
  throw std::runtime_error(
      fmt::format("configuration preset '{}': unknown (known: broadwell, pcie-bench, server)", name));
}

namespace {
nlohmann::ordered_json ats_json(const ats_config& a) {
  return nlohmann::ordered_json{{"entries", a.tlb.entries},
                                {"ways", a.tlb.ways},
                                {"policy", core::to_string(a.tlb.policy)},
                                {"seed", a.tlb.seed},
                                {"invalidation_ns", a.invalidation_ns},
                                {"answers_invalidations", a.answers_invalidations}};
}
}  // namespace

device_config device_config_for(const sim_config& c, const std::string& name, const std::string& bdf) {
  const auto by_name = name.empty() ? c.devices.end() : c.devices.find(name);
  const auto by_bdf = c.devices.find(bdf);
  if (by_name != c.devices.end() && by_bdf != c.devices.end() && name != bdf)
    throw std::runtime_error(
        fmt::format("devices: both \"{}\" and \"{}\" name the same device: use one", name, bdf));
  device_config d = c.device;
  const auto it = by_name != c.devices.end() ? by_name : by_bdf;
  if (it != c.devices.end()) apply_device(d, it->second, fmt::format("devices.{}", it->first), true);
  return d;
}

nlohmann::ordered_json to_json(const sim_config& c) {
  nlohmann::ordered_json j;
  j["preset"] = c.preset;
  j["caches_enabled"] = c.caches_enabled;
  nlohmann::ordered_json caches;
  for (const char* name : kCacheNames) {
    const cache_config* cc = cache_by_name(const_cast<sim_config&>(c), name);
    nlohmann::ordered_json e{{"entries", cc->entries},
                             {"ways", cc->ways},
                             {"policy", core::to_string(cc->policy)},
                             {"seed", cc->seed}};
    if (std::string_view(name) == "iotlb") e["split_by_size"] = cc->split_by_size;
    caches[name] = e;
  }
  j["caches"] = caches;
  nlohmann::ordered_json t;
  for (const auto& f : kTimingFields) {
    if (f.integer)
      t[f.name] = static_cast<uint64_t>(f.get(c.timing));
    else
      t[f.name] = f.get(c.timing);
  }
  j["timing"] = t;
  // Written only for a closed-loop configuration or a changed ATS section, so that an open-loop replay's
  // statistics JSON reads byte for byte as before the device section existed.
  const bool ats_default = c.device.ats == ats_config{};
  if (c.device.issue == issue_mode::closed || !ats_default) {
    nlohmann::ordered_json d;
    d["issue"] = to_string(c.device.issue);
    for (const auto& f : kDeviceFields) {
      if (f.member)
        d[f.name] = c.device.params.*f.member;
      else
        d[f.name] = c.device.memory_ns;
    }
    for (const auto& f : kLinkFields) d[f.name] = c.device.params.link.*f.member;
    if (!ats_default) d["ats"] = ats_json(c.device.ats);
    j["device"] = d;
  }
  if (!c.devices.empty()) {
    nlohmann::ordered_json per;
    for (const auto& [name, o] : c.devices) per[name] = nlohmann::ordered_json::parse(o.dump());
    j["devices"] = per;
  }
  return j;
}

void apply_json(sim_config& c, const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected a JSON object", where));
  for (auto& [k, v] : j.items()) {
    if (k == "preset") continue;  // handled by load_sim_config
    if (k == "caches_enabled") {
      if (!v.is_boolean())
        throw std::runtime_error(fmt::format("{}: caches_enabled: expected true or false", where));
      c.caches_enabled = v.get<bool>();
    } else if (k == "caches") {
      if (!v.is_object()) throw std::runtime_error(fmt::format("{}: caches: expected an object", where));
      for (auto& [name, cj] : v.items()) {
        cache_config* cc = cache_by_name(c, name);
        if (!cc)
          throw std::runtime_error(
              fmt::format("{}: caches.{}: unknown cache (known: {})", where, name, known_cache_names()));
        apply_cache(*cc, cj, fmt::format("{}: caches.{}", where, name));
      }
    } else if (k == "timing") {
      apply_timing(c.timing, v, fmt::format("{}: timing", where));
    } else if (k == "device") {
      apply_device(c.device, v, fmt::format("{}: device", where));
    } else if (k == "devices") {
      if (!v.is_object()) throw std::runtime_error(fmt::format("{}: devices: expected an object", where));
      for (auto& [name, dj] : v.items()) {
        const std::string at = fmt::format("{}: devices.{}", where, name);
        nlohmann::json merged = c.devices.count(name) ? c.devices[name] : nlohmann::json::object();
        if (!dj.is_object()) throw std::runtime_error(fmt::format("{}: expected an object", at));
        merged.merge_patch(dj);
        device_config check = c.device;  // every key and value checked now, not when the replay starts
        apply_device(check, merged, at, true);
        c.devices[name] = merged;
      }
    } else {
      throw std::runtime_error(fmt::format(
          "{}: unknown key '{}' (known: preset, caches_enabled, caches, timing, device, devices)", where, k));
    }
  }
}

sim_config load_sim_config(const std::string& path) {
  return parse_sim_config(vtd::io::read_input_file(path, vtd::io::max_json_bytes, "configuration"), path);
}

sim_config parse_sim_config(std::string_view text, const std::string& path) {
  const nlohmann::json j = tables::parse_json_input(text, path);
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected a JSON object", path));
  sim_config c;
  try {
    c = sim_preset(j.contains("preset") && j["preset"].is_string() ? j["preset"].get<std::string>()
                                                                   : "server");
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: preset: {}", path, e.what()));
  }
  apply_json(c, j, path);
  return c;
}

namespace {
// "a.b.c" = v as {"a": {"b": {"c": v}}}.
nlohmann::json nest(const std::string& path, const nlohmann::json& v) {
  const size_t dot = path.find('.');
  if (dot == std::string::npos) return nlohmann::json{{path, v}};
  return nlohmann::json{{path.substr(0, dot), nest(path.substr(dot + 1), v)}};
}
}  // namespace

void apply_override(sim_config& c, std::string_view assignment, std::string_view label) {
  auto eq = assignment.find('=');
  const std::string shown = label.empty() ? fmt::format("--set '{}'", assignment) : std::string(label);
  if (eq == std::string_view::npos)
    throw std::invalid_argument(fmt::format("{}: expected key=value, e.g. iotlb.entries=64", shown));
  std::string key(assignment.substr(0, eq));
  std::string value(assignment.substr(eq + 1));
  if (value.empty()) throw std::invalid_argument(fmt::format("{}: no value", shown));
  nlohmann::json v;
  try {
    v = nlohmann::json::parse(value);
  } catch (const nlohmann::json::exception&) {
    v = value;  // a bare word such as lru (or a number JSON cannot hold: then the key's check rejects it)
  }
  // JSON reads 2^64 and beyond as a double: say "too large" rather than print 1.8446744073709552e+19.
  if (v.is_number_float() && value.find_first_not_of("0123456789") == std::string::npos)
    throw std::invalid_argument(fmt::format("{}: {} is too large", shown, value));
  std::string where = label.empty() ? fmt::format("--set {}", key) : std::string(label);
  // A value given on the command line is a usage error when wrong (exit 2): the same checks as a
  // configuration file's, reported as invalid_argument.
  try {
    auto dot = key.find('.');
    if (dot == std::string::npos) {
      apply_json(c, nlohmann::json{{key, v}}, where);
      return;
    }
    std::string head = key.substr(0, dot), field = key.substr(dot + 1);
    if (head == "timing") {
      apply_json(c, nlohmann::json{{"timing", {{field, v}}}}, where);
    } else if (head == "device") {
      apply_json(c, nlohmann::json{{"device", nest(field, v)}}, where);
    } else if (head == "devices") {
      // devices.NAME.FIELD; a BDF name has a dot of its own (00:02.0).
      size_t end = field.find('.');
      if (field.size() > 8 && field[2] == ':' && field[5] == '.' && field[7] == '.') end = 7;
      if (end == std::string::npos || end + 1 >= field.size())
        throw std::runtime_error(fmt::format("{}: expected devices.NAME.FIELD", where));
      apply_json(c, nlohmann::json{{"devices", {{field.substr(0, end), nest(field.substr(end + 1), v)}}}},
                 where);
    } else if (head == "caches") {
      auto dot2 = field.find('.');
      if (dot2 == std::string::npos)
        throw std::runtime_error(fmt::format("{}: expected caches.NAME.FIELD", where));
      apply_json(c, nlohmann::json{{"caches", {{field.substr(0, dot2), {{field.substr(dot2 + 1), v}}}}}},
                 where);
    } else if (cache_by_name(c, head)) {
      apply_json(c, nlohmann::json{{"caches", {{head, {{field, v}}}}}}, where);
    } else {
      throw std::runtime_error(
          fmt::format("{}: unknown key (use CACHE.FIELD, timing.FIELD, device.FIELD, devices.NAME.FIELD or "
                      "caches_enabled)",
                      where));
    }
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
}

}  // namespace vtd::replay
