// System setup from a platform file or raw memory images (see header).
#include "apps/vtdsim/system_setup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/platform_setup.hpp"
#include "model/io/input_file.hpp"
#include "model/spec/presets.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {

void add_system_options(po::options_description& desc, system_options& o) {
  po::options_description sys("System (a platform file, or memory images plus register values)");
  sys.add_options()("platform", po::value(&o.platform), "platform JSON (docs/platform-format.md)")(
      "unit", po::value(&o.unit), "with --platform: the remapping unit to use, by name, when it has several")(
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
  uint64_t at = addr;
  vtd::io::read_input_chunks(
      path, vtd::io::max_memory_image_bytes, "memory image", [&](const char* data, size_t n) {
        // Zero chunks are cleared rather than written: the memory stays sparse for images that are mostly
        // zero.
        const bool zero = std::all_of(data, data + n, [](char c) { return c == 0; });
        if (zero ? !mem.clear(at, n) : !mem.write(at, data, n))
          throw std::runtime_error(fmt::format(
              "{}@0x{:x}: image byte offset {} (address 0x{:x}) is past the end of memory (size 0x{:x}); "
              "raise --memory-size",
              path, addr, at - addr, std::max(at, mem.size()), mem.size()));
        at += n;
      });
}

namespace {

// "--haw" or, when a --registers file set it, that file and key.
std::string label(const system_options& o, const std::string& option) {
  auto it = o.origin.find(option);
  return it == o.origin.end() ? "--" + option : it->second;
}

// A bad value is a usage error (exit 2) when the command line gave it, bad input (exit 1) when a file did.
[[noreturn]] void fail(const system_options& o, const std::string& option, const std::string& message) {
  if (o.origin.count(option)) throw std::runtime_error(message);
  throw usage_error(message);
}

bool on_off_auto(const system_options& o, const std::string& v, bool automatic, const char* what) {
  if (v == "on") return true;
  if (v == "off") return false;
  if (v == "auto") return automatic;
  fail(o, what, fmt::format("{}: '{}': expected on, off or auto", label(o, what), v));
}

uint64_t number(const system_options& o, const std::string& text, const char* option) {
  try {
    return parse_number(text, label(o, option));
  } catch (const std::invalid_argument& e) {
    fail(o, option, e.what());
  }
}

void apply_field_overrides(const system_options& o, uint64_t& reg, const std::vector<std::string>& fields,
                           bool is_cap) {
  const std::string where = label(o, is_cap ? "cap-field" : "ecap-field");
  for (const auto& f : fields) {
    auto eq = f.find('=');
    const std::string option = is_cap ? "cap-field" : "ecap-field";
    if (eq == std::string::npos) fail(o, option, fmt::format("{} '{}': expected name=value", where, f));
    std::string name = f.substr(0, eq);
    uint64_t value = 0;
    try {
      value = parse_number(f.substr(eq + 1), where + " " + name);
    } catch (const std::invalid_argument& e) {
      fail(o, option, e.what());
    }
    bool ok =
        is_cap ? vtd::spec::set_cap_field(reg, name, value) : vtd::spec::set_ecap_field(reg, name, value);
    if (!ok) fail(o, option, fmt::format("{} '{}': unknown field or value out of range", where, f));
  }
}

}  // namespace

loaded_system load_system(const system_options& given) {
  const system_options o = with_register_file(given);
  if (!o.unit.empty() && o.platform.empty()) throw std::runtime_error("--unit needs --platform");
  if (!o.platform.empty()) {
    if (!o.mem_images.empty() || !o.pages_file.empty() || !o.rtaddr.empty() || !o.irta.empty())
      throw std::runtime_error(
          "--platform builds its own tables: do not combine it with --mem/--pages/--rtaddr/--irta");
    return load_platform_system(o.platform, o.unit);
  }
  loaded_system sys;
  auto preset = vtd::spec::find_capability_preset(o.preset);
  if (!preset)
    fail(o, "preset",
         fmt::format("{} '{}': unknown (known: {})", label(o, "preset"), o.preset,
                     vtd::spec::capability_preset_names()));
  sys.config = vtd::core::unit_config::from_preset(*preset);
  if (!o.cap.empty()) sys.config.cap = number(o, o.cap, "cap");
  if (!o.ecap.empty()) sys.config.ecap = number(o, o.ecap, "ecap");
  apply_field_overrides(o, sys.config.cap, o.cap_fields, true);
  apply_field_overrides(o, sys.config.ecap, o.ecap_fields, false);
  if (!o.haw.empty()) {
    uint64_t haw = number(o, o.haw, "haw");
    if (haw < 32 || haw > 52) fail(o, "haw", fmt::format("{} {}: must be 32..52", label(o, "haw"), haw));
    sys.config.haw = static_cast<unsigned>(haw);
  }
  const uint64_t memory_size = number(o, o.memory_size, "memory-size");
  if (memory_size == 0 || memory_size % 4096 != 0 || memory_size > (uint64_t(1) << 52))
    fail(o, "memory-size",
         fmt::format("{} {}: must be a non-zero multiple of 4 KiB up to 4 PiB (2^52)",
                     label(o, "memory-size"), o.memory_size));
  sys.memory = std::make_unique<vtd::core::physical_memory>(memory_size);
  for (const auto& m : o.mem_images) {
    auto [file, addr] = parse_file_at(m);
    load_image(*sys.memory, file, addr);
  }
  if (!o.pages_file.empty()) load_page_file(*sys.memory, o.pages_file);
  sys.unit = std::make_unique<vtd::core::remapping_unit>(sys.config, *sys.memory);
  if (!o.rtaddr.empty()) sys.unit->set_root_table(number(o, o.rtaddr, "rtaddr"));
  sys.unit->enable_translation(on_off_auto(o, o.translation, !o.rtaddr.empty(), "translation"));
  if (!o.irta.empty()) sys.unit->set_interrupt_table(number(o, o.irta, "irta"));
  sys.unit->allow_compat_interrupts(o.compat_interrupts);
  sys.unit->enable_interrupt_remapping(
      on_off_auto(o, o.interrupt_remapping, !o.irta.empty(), "interrupt-remapping"));
  return sys;
}

}  // namespace vtdsim::app
