// Loading a platform file into a loaded_system: the tables/ builders write the tables into memory, then the
// registers are programmed the way a driver would (RTADDR + SRTP, TE, IRTA + SIRTP, IRE, CFI, IQA + QIE).
#include "apps/vtdsim/platform_setup.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "model/spec/text.hpp"
#include "tables/platform_state.hpp"
#include "tables/platform_units.hpp"
#include "tables/table_error.hpp"

namespace vtdsim::app {

loaded_platform load_platform(const std::string& path, const std::string& unit) {
  vtd::tables::platform_units pu;
  try {
    pu = vtd::tables::load_platform_units(path);
  } catch (const vtd::tables::table_error& e) {
    throw std::runtime_error(e.what());
  }
  std::string names;
  for (const auto& u : pu.units) names += fmt::format("{}{}", names.empty() ? "" : ", ", u.name);
  if (unit.empty()) {
    if (pu.units.size() > 1)
      throw std::runtime_error(fmt::format("{} has {} remapping units ({}): pick one with --unit NAME", path,
                                           pu.units.size(), names));
    return load_platform(pu.units.front().platform, path);
  }
  for (size_t i = 0; i < pu.units.size(); ++i)
    if (pu.units[i].name == unit)
      return load_platform(pu.units[i].platform, pu.several ? fmt::format("{}: units[{}]", path, i) : path);
  throw std::runtime_error(
      fmt::format("--unit {}: {} has no such remapping unit (it has: {})", unit, path, names));
}

loaded_platform load_platform(const vtd::tables::platform_description& desc, const std::string& filename) {
  loaded_platform p;
  try {
    p.state = std::make_shared<vtd::tables::platform_state>(desc, filename);
  } catch (const vtd::tables::table_error& e) {
    throw std::runtime_error(e.what());
  }
  const auto& caps = p.state->caps();
  p.config.ver = caps.ver;
  p.config.cap = caps.cap;
  p.config.ecap = caps.ecap;
  p.config.haw = caps.haw;
  const auto& d = p.state->description();
  p.setup.rtaddr = p.state->rtaddr();
  p.setup.translation = d.enable_translation;
  if (auto irta = p.state->irta()) {
    p.setup.irta = *irta;
    p.setup.compat_interrupts = d.enable_compat;
    p.setup.interrupt_remapping = d.enable_interrupt_remapping;
  }
  return p;
}

std::vector<std::string> platform_unit_names(const std::string& path) {
  std::vector<std::string> names;
  try {
    for (const auto& u : vtd::tables::load_platform_units(path).units) names.push_back(u.name);
  } catch (const vtd::tables::table_error& e) {
    throw std::runtime_error(e.what());
  }
  return names;
}

loaded_system load_platform_system(const std::string& path, const std::string& unit) {
  loaded_platform p = load_platform(path, unit);
  loaded_system sys;
  sys.config = p.config;
  // The memory belongs to the platform state; loaded_system.memory stays empty and unit uses the platform's.
  sys.unit = std::make_unique<vtd::core::remapping_unit>(sys.config, p.state->memory());
  vtd::core::program(*sys.unit, p.setup);
  for (const auto& d : p.state->description().devices)
    sys.device_names.emplace_back(d.name.empty() ? format_bdf_name(d.sid) : d.name, d.sid);
  sys.platform = p.state;
  return sys;
}

std::string format_bdf_name(uint16_t sid) {
  return vtd::spec::format_bdf(sid);
}

}  // namespace vtdsim::app
