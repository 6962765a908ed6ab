// System setup from a platform file or raw memory images (see header).
#include "apps/vtdsim/system_setup.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/platform_setup.hpp"
#include "model/spec/presets.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {

void add_system_options(po::options_description& desc, system_options& o) {
  po::options_description sys("System (a platform file, or memory images plus register values)");
  sys.add_options()("platform", po::value(&o.platform), "platform JSON (docs/platform-format.md)")(
      "mem", po::value(&o.mem_images)->composing(),
      "FILE@ADDR: raw little-endian bytes loaded at ADDR (repeatable)")(
      "pages", po::value(&o.pages_file), "sparse page file (docs/memory-image.md)")(
      "registers", po::value(&o.registers_file),
      "register values as JSON: rtaddr, irta, preset, cap, ecap, cap_fields, ecap_fields, haw, memory_size, "
      "translation, interrupt_remapping, compat_interrupts (options given on the command line win)")(
      "preset", po::value(&o.preset)->default_value("server"), "capability preset: server | qemu")(
      "cap", po::value(&o.cap), "CAP register value (replaces the preset's)")(
      "ecap", po::value(&o.ecap), "ECAP register value (replaces the preset's)")(
      "cap-field", po::value(&o.cap_fields)->composing(),
      "override one CAP field, e.g. sagaw=6 (repeatable)")("ecap-field",
                                                           po::value(&o.ecap_fields)->composing(),
                                                           "override one ECAP field, e.g. pt=0 (repeatable)")(
      "haw", po::value(&o.haw), "host address width in bits (default: the preset's)")(
      "memory-size", po::value(&o.memory_size)->default_value("1TiB"), "simulated physical memory size")(
      "rtaddr", po::value(&o.rtaddr), "RTADDR value (root table address | TTM<<10), latched with GCMD.SRTP")(
      "irta", po::value(&o.irta), "IRTA value (table address | EIME<<11 | S), latched with GCMD.SIRTP")(
      "translation", po::value(&o.translation)->default_value("auto"), "GCMD.TE: on | off | auto")(
      "interrupt-remapping", po::value(&o.interrupt_remapping)->default_value("auto"),
      "GCMD.IRE: on | off | auto")("compat-interrupts", po::bool_switch(&o.compat_interrupts),
                                   "GCMD.CFI: pass compatibility-format MSIs");
  desc.add(sys);
}

void load_image(vtd::core::physical_memory& mem, const std::string& path, uint64_t addr) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  std::vector<char> buf(1 << 16);
  uint64_t at = addr;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    if (!mem.write(at, buf.data(), n))
      throw std::runtime_error(fmt::format(
          "{}@0x{:x}: image byte offset {} (address 0x{:x}) is past the end of memory (size 0x{:x}); "
          "raise --memory-size",
          path, addr, at - addr, std::max(at, mem.size()), mem.size()));
    at += n;
  }
}

namespace {

bool on_off_auto(const std::string& v, bool automatic, const char* what) {
  if (v == "on") return true;
  if (v == "off") return false;
  if (v == "auto") return automatic;
  throw std::runtime_error(fmt::format("--{}: '{}': expected on, off or auto", what, v));
}

void apply_field_overrides(uint64_t& reg, const std::vector<std::string>& fields, bool is_cap) {
  for (const auto& f : fields) {
    auto eq = f.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error(
          fmt::format("--{}-field '{}': expected name=value", is_cap ? "cap" : "ecap", f));
    std::string name = f.substr(0, eq);
    uint64_t value = parse_number(f.substr(eq + 1), name);
    bool ok =
        is_cap ? vtd::spec::set_cap_field(reg, name, value) : vtd::spec::set_ecap_field(reg, name, value);
    if (!ok)
      throw std::runtime_error(
          fmt::format("--{}-field '{}': unknown field or value out of range", is_cap ? "cap" : "ecap", f));
  }
}

}  // namespace

// Fills the options the command line left unset from a register-values JSON file.
system_options with_register_file(system_options o) {
  if (o.registers_file.empty()) return o;
  std::ifstream in(o.registers_file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", o.registers_file));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", o.registers_file, e.what()));
  }
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected a JSON object", o.registers_file));
  auto text = [&](const std::string& key, const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned() || v.is_number_integer()) return std::to_string(v.get<uint64_t>());
    if (v.is_boolean()) return std::string(v.get<bool>() ? "on" : "off");
    throw std::runtime_error(fmt::format("{}: {}: expected a number or a string", o.registers_file, key));
  };
  for (auto& [key, v] : j.items()) {
    auto set = [&](std::string& field, bool is_default) {
      if (is_default) field = text(key, v);
    };
    if (key == "rtaddr")
      set(o.rtaddr, o.rtaddr.empty());
    else if (key == "irta")
      set(o.irta, o.irta.empty());
    else if (key == "preset")
      set(o.preset, o.preset == "server");
    else if (key == "cap")
      set(o.cap, o.cap.empty());
    else if (key == "ecap")
      set(o.ecap, o.ecap.empty());
    else if (key == "haw")
      set(o.haw, o.haw.empty());
    else if (key == "memory_size")
      set(o.memory_size, o.memory_size == "1TiB");
    else if (key == "translation")
      set(o.translation, o.translation == "auto");
    else if (key == "interrupt_remapping")
      set(o.interrupt_remapping, o.interrupt_remapping == "auto");
    else if (key == "compat_interrupts")
      o.compat_interrupts = o.compat_interrupts || text(key, v) == "on";
    else if (key == "cap_fields" || key == "ecap_fields") {
      if (!v.is_object())
        throw std::runtime_error(fmt::format("{}: {}: expected an object", o.registers_file, key));
      for (auto& [field, value] : v.items())
        (key == "cap_fields" ? o.cap_fields : o.ecap_fields)
            .push_back(field + "=" + text(key + "." + field, value));
    } else {
      throw std::runtime_error(fmt::format("{}: unknown key '{}'", o.registers_file, key));
    }
  }
  return o;
}

loaded_system load_system(const system_options& given) {
  const system_options o = with_register_file(given);
  if (!o.platform.empty()) {
    if (!o.mem_images.empty() || !o.pages_file.empty() || !o.rtaddr.empty() || !o.irta.empty())
      throw std::runtime_error(
          "--platform builds its own tables: do not combine it with --mem/--pages/--rtaddr/--irta");
    return load_platform_system(o.platform);
  }
  loaded_system sys;
  auto preset = vtd::spec::find_capability_preset(o.preset);
  if (!preset)
    throw std::runtime_error(fmt::format("--preset '{}': unknown (known: server, qemu)", o.preset));
  sys.config = vtd::core::unit_config::from_preset(*preset);
  if (!o.cap.empty()) sys.config.cap = parse_number(o.cap, "--cap");
  if (!o.ecap.empty()) sys.config.ecap = parse_number(o.ecap, "--ecap");
  apply_field_overrides(sys.config.cap, o.cap_fields, true);
  apply_field_overrides(sys.config.ecap, o.ecap_fields, false);
  if (!o.haw.empty()) {
    uint64_t haw = parse_number(o.haw, "--haw");
    if (haw < 32 || haw > 52) throw std::runtime_error(fmt::format("--haw {}: must be 32..52", haw));
    sys.config.haw = static_cast<unsigned>(haw);
  }
  sys.memory = std::make_unique<vtd::core::physical_memory>(parse_number(o.memory_size, "--memory-size"));
  for (const auto& m : o.mem_images) {
    auto [file, addr] = parse_file_at(m);
    load_image(*sys.memory, file, addr);
  }
  if (!o.pages_file.empty()) load_page_file(*sys.memory, o.pages_file);
  sys.unit = std::make_unique<vtd::core::remapping_unit>(sys.config, *sys.memory);
  if (!o.rtaddr.empty()) sys.unit->set_root_table(parse_number(o.rtaddr, "--rtaddr"));
  sys.unit->enable_translation(on_off_auto(o.translation, !o.rtaddr.empty(), "translation"));
  if (!o.irta.empty()) sys.unit->set_interrupt_table(parse_number(o.irta, "--irta"));
  sys.unit->allow_compat_interrupts(o.compat_interrupts);
  sys.unit->enable_interrupt_remapping(
      on_off_auto(o.interrupt_remapping, !o.irta.empty(), "interrupt-remapping"));
  return sys;
}

}  // namespace vtdsim::app
