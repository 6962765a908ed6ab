// Everything a replay runs on: the platform (tables built in memory, builders kept for the trace's driver
// records), the complete remapping unit programmed from it, and the table_driver adapter between them.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "apps/replay/ats_devices.hpp"
#include "apps/replay/sim_config.hpp"
#include "apps/replay/table_driver.hpp"
#include "apps/vtdsim/platform_setup.hpp"
#include "model/core/system/iommu.hpp"
#include "tables/platform_state.hpp"

namespace vtdsim::app {

class platform_driver final : public vtd::replay::table_driver {
 public:
  explicit platform_driver(vtd::tables::platform_state& p);
  void map(uint16_t domain, uint64_t iova, uint64_t out, uint64_t bytes,
           const vtd::replay::map_rights& rights) override;
  uint64_t unmap(uint16_t domain, uint64_t iova, uint64_t bytes) override;
  void attach(uint16_t sid, uint16_t domain) override;
  void detach(uint16_t sid) override;
  int domain_of(uint16_t sid) const override;
  void attach_pasid(uint16_t sid, uint32_t pasid, uint16_t domain, bool supervisor,
                    bool write_protect) override;
  void detach_pasid(uint16_t sid, uint32_t pasid) override;
  int domain_of_pasid(uint16_t sid, uint32_t pasid) const override;
  uint32_t rid_pasid(uint16_t sid) const override;
  const std::vector<std::pair<uint16_t, uint32_t>>& attachments_of(uint16_t domain) const override;
  vtd::core::translation_stage stage_of(uint16_t domain) const override;
  std::vector<uint16_t> nested_on(uint16_t domain) const override;

 private:
  vtd::tables::platform_state& m_platform;
};

struct replay_system {
  std::shared_ptr<vtd::tables::platform_state> platform;
  std::unique_ptr<vtd::core::iommu> unit;
  std::unique_ptr<platform_driver> driver;
  // One endpoint per device whose context enables ATS (legacy TT=01, scalable DTE=1), with its parameters
  // (config.device with the device's "devices" override); empty when there is none.
  std::unique_ptr<vtd::replay::ats_devices> ats;
  // Every platform device's parameters, by source-id (closed-loop lanes; ATS devices).
  std::map<uint16_t, vtd::replay::device_config> devices;
};

// Throws std::runtime_error (with the file's position) on a bad platform file.
replay_system make_replay_system(const std::string& platform_path, const vtd::replay::sim_config& config);
replay_system make_replay_system(loaded_platform p, const vtd::replay::sim_config& config);
// One unit of several: the configuration's "devices" keys are checked against every unit's devices first
// (check_device_keys), not against this unit's alone.
replay_system make_unit_system(loaded_platform p, const vtd::replay::sim_config& config);
// Each "devices" key of the configuration must name a device of one of the units, by name or BDF.
void check_device_keys(const std::vector<const vtd::tables::platform_description*>& units,
                       const vtd::replay::sim_config& config);

}  // namespace vtdsim::app
