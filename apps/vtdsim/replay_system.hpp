// Everything a replay runs on: the platform (tables built in memory, builders kept for the trace's driver
// records), the complete remapping unit programmed from it, and the table_driver adapter between them.
#pragma once
#include <memory>
#include <string>

#include "apps/replay/sim_config.hpp"
#include "apps/replay/table_driver.hpp"
#include "model/core/system/iommu.hpp"
#include "tables/platform_state.hpp"

namespace vtdsim::app {

class platform_driver final : public vtd::replay::table_driver {
 public:
  explicit platform_driver(vtd::tables::platform_state& p) : m_platform(p) {}
  void map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t bytes, bool read, bool write) override;
  uint64_t unmap(uint16_t domain, uint64_t iova, uint64_t bytes) override;
  void attach(uint16_t sid, uint16_t domain) override;
  void detach(uint16_t sid) override;
  int domain_of(uint16_t sid) const override;

 private:
  vtd::tables::platform_state& m_platform;
};

struct replay_system {
  std::shared_ptr<vtd::tables::platform_state> platform;
  std::unique_ptr<vtd::core::iommu> unit;
  std::unique_ptr<platform_driver> driver;
};

// Throws std::runtime_error (with the file's position) on a bad platform file.
replay_system make_replay_system(const std::string& platform_path, const vtd::replay::sim_config& config);

}  // namespace vtdsim::app
