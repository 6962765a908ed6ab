// Loading a platform file (tables built by vtdsim's builders) and sparse page files into a loaded_system.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/vtdsim/system_setup.hpp"
#include "model/core/unit_setup.hpp"

namespace vtd::tables {
class platform_state;
struct platform_description;
}  // namespace vtd::tables

namespace vtdsim::app {

// A platform file, loaded once for every command that runs on one: the tables built into the platform's
// memory, the unit's configuration from its capabilities, and the registers its driver programs (a unit is
// brought up with vtd::core::program(unit, setup); queued invalidation, when `state->iqa()` is set, by the
// owner of a complete core::iommu). Throws std::runtime_error (with the file's position) on a bad file.
struct loaded_platform {
  std::shared_ptr<vtd::tables::platform_state> state;
  vtd::core::unit_config config;
  vtd::core::unit_setup setup;
};
// `unit`: the remapping unit to load when the file has several (docs/platform-format.md, "Several remapping
// units"), by name; empty: the file's only unit (a file with several is then an error saying so).
loaded_platform load_platform(const std::string& path, const std::string& unit = {});
// One remapping unit's platform (a unit of a platform file with several; `filename` names the file in
// errors).
loaded_platform load_platform(const vtd::tables::platform_description& desc, const std::string& filename);

// The platform as a bare remapping unit (translate, walk, interrupt, check, ...).
// The names of a platform file's remapping units ("dmar0" for a one-unit file).
std::vector<std::string> platform_unit_names(const std::string& path);

loaded_system load_platform_system(const std::string& path, const std::string& unit = {});
std::string format_bdf_name(uint16_t sid);

// Sparse page file (docs/memory-image.md): magic "VTDPAGE1", then records of {u64 physical address, 4096
// bytes}.
void load_page_file(vtd::core::physical_memory& mem, const std::string& path);
void save_page_file(const vtd::core::physical_memory& mem, const std::string& path);

}  // namespace vtdsim::app
