// Replay system setup (see header).
#include "apps/vtdsim/replay_system.hpp"

#include <stdexcept>

#include "apps/vtdsim/platform_setup.hpp"
#include "tables/table_error.hpp"

namespace vtdsim::app {

void platform_driver::map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t bytes, bool read,
                          bool write) {
  m_platform.map(domain, iova, hpa, bytes, read, write);
}
void platform_driver::unmap(uint16_t domain, uint64_t iova, uint64_t bytes) {
  m_platform.unmap(domain, iova, bytes);
}
void platform_driver::attach(uint16_t sid, uint16_t domain) {
  m_platform.attach(sid, domain);
}
void platform_driver::detach(uint16_t sid) {
  m_platform.detach(sid);
}
int platform_driver::domain_of(uint16_t sid) const {
  return m_platform.domain_of(sid);
}

replay_system make_replay_system(const std::string& platform_path, const vtd::replay::sim_config& config) {
  replay_system s;
  try {
    s.platform = std::make_unique<vtd::tables::platform_state>(vtd::tables::load_platform_file(platform_path),
                                                               platform_path);
  } catch (const vtd::tables::table_error& e) {
    throw std::runtime_error(e.what());
  }
  const auto& caps = s.platform->caps();
  vtd::core::unit_config cfg;
  cfg.ver = caps.ver;
  cfg.cap = caps.cap;
  cfg.ecap = caps.ecap;
  cfg.haw = caps.haw;
  s.unit =
      std::make_unique<vtd::core::iommu>(cfg, s.platform->memory(), config.caches, config.caches_enabled);
  program_unit(s.unit->unit(), *s.platform);
  if (s.platform->iqa()) s.unit->setup_queue(s.platform->iq_base(), 0);
  s.driver = std::make_unique<platform_driver>(*s.platform);
  return s;
}

}  // namespace vtdsim::app
