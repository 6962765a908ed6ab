// Loading a platform file (tables built by vtdsim's builders) and sparse page files into a loaded_system.
#pragma once
#include <string>

#include "apps/vtdsim/system_setup.hpp"

namespace vtd::tables {
class platform_state;
}

namespace vtdsim::app {

loaded_system load_platform_system(const std::string& path);
// Programs a unit's registers from a built platform as a driver would (queued invalidation is set up by the
// caller that owns a complete iommu, see replay).
void program_unit(vtd::core::remapping_unit& unit, const vtd::tables::platform_state& platform);
std::string format_bdf_name(uint16_t sid);

// Sparse page file (docs/memory-image.md): magic "VTDPAGE1", then records of {u64 physical address, 4096
// bytes}.
void load_page_file(vtd::core::physical_memory& mem, const std::string& path);
void save_page_file(const vtd::core::physical_memory& mem, const std::string& path);

}  // namespace vtdsim::app
