// Loading a platform file into a loaded_system: the tables/ builders write the tables into memory, then the
// registers are programmed the way a driver would (RTADDR + SRTP, TE, IRTA + SIRTP, IRE, CFI, IQA + QIE).
#include "apps/vtdsim/platform_setup.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "tables/platform_state.hpp"
#include "tables/table_error.hpp"

namespace vtdsim::app {

loaded_system load_platform_system(const std::string& path) {
  std::shared_ptr<vtd::tables::platform_state> platform;
  try {
    platform = std::make_shared<vtd::tables::platform_state>(vtd::tables::load_platform_file(path), path);
  } catch (const vtd::tables::table_error& e) {
    throw std::runtime_error(e.what());
  }
  loaded_system sys;
  const auto& caps = platform->caps();
  sys.config.ver = caps.ver;
  sys.config.cap = caps.cap;
  sys.config.ecap = caps.ecap;
  sys.config.haw = caps.haw;
  // The memory belongs to the platform state; loaded_system.memory stays empty and unit uses the platform's.
  sys.unit = std::make_unique<vtd::core::remapping_unit>(sys.config, platform->memory());
  program_unit(*sys.unit, *platform);
  for (const auto& d : platform->description().devices)
    sys.device_names.emplace_back(d.name.empty() ? format_bdf_name(d.sid) : d.name, d.sid);
  sys.platform = platform;
  return sys;
}

void program_unit(vtd::core::remapping_unit& unit, const vtd::tables::platform_state& platform) {
  const auto& d = platform.description();
  unit.set_root_table(platform.rtaddr());
  unit.enable_translation(d.enable_translation);
  if (auto irta = platform.irta()) {
    unit.set_interrupt_table(*irta);
    unit.allow_compat_interrupts(d.enable_compat);
    unit.enable_interrupt_remapping(d.enable_interrupt_remapping);
  }
}

std::string format_bdf_name(uint16_t sid) {
  return fmt::format("{:02x}:{:02x}.{}", sid >> 8, (sid >> 3) & 0x1F, sid & 7);
}

}  // namespace vtdsim::app
