// Replay system setup (see header).
#include "apps/vtdsim/replay_system.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "apps/vtdsim/platform_setup.hpp"

namespace vtdsim::app {

void platform_driver::map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t bytes, bool read,
                          bool write) {
  // The same rule the platform loader applies to its mappings: bits 63:HAW of an address field are reserved,
  // so no leaf can point there (a driver that tried would get reserved-bit faults, not its page).
  const unsigned haw = m_platform.caps().haw;
  if (haw < 64 && (hpa >= (uint64_t{1} << haw) || bytes > (uint64_t{1} << haw) - hpa))
    throw std::runtime_error(fmt::format("map hpa [0x{:x}, 0x{:x}): beyond the host address width ({} bits)",
                                         hpa, hpa + bytes, haw));
  m_platform.map(domain, iova, hpa, bytes, read, write);
}
uint64_t platform_driver::unmap(uint16_t domain, uint64_t iova, uint64_t bytes) {
  return m_platform.unmap(domain, iova, bytes);
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
  loaded_platform p = load_platform(platform_path);
  replay_system s;
  s.platform = p.state;
  s.unit = std::make_unique<vtd::core::iommu>(p.config, s.platform->memory(), config.caches,
                                              config.caches_enabled);
  vtd::core::program(s.unit->unit(), p.setup);
  if (s.platform->iqa()) s.unit->setup_queue(s.platform->iq_base(), 0);
  s.driver = std::make_unique<platform_driver>(*s.platform);
  return s;
}

}  // namespace vtdsim::app
