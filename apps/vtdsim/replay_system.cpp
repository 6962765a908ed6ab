// Replay system setup (see header).
#include "apps/vtdsim/replay_system.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "apps/vtdsim/platform_setup.hpp"
#include "model/spec/text.hpp"

namespace vtdsim::app {

using vtd::tables::domain_stage;

platform_driver::platform_driver(vtd::tables::platform_state& p) : m_platform(p) {}

void platform_driver::map(uint16_t domain, uint64_t iova, uint64_t out, uint64_t bytes,
                          const vtd::replay::map_rights& rights) {
  // The same rule the platform loader applies to its mappings: bits 63:HAW of an address field are reserved,
  // so no leaf can point there (a driver that tried would get reserved-bit faults, not its page). A nested
  // domain's first stage outputs guest-physical addresses, which its parent's second stage translates.
  const unsigned haw = m_platform.caps().haw;
  if (m_platform.stage_of(domain) != domain_stage::nested && haw < 64 &&
      (out >= (uint64_t{1} << haw) || bytes > (uint64_t{1} << haw) - out))
    throw std::runtime_error(fmt::format("map hpa [0x{:x}, 0x{:x}): beyond the host address width ({} bits)",
                                         out, out + bytes, haw));
  vtd::tables::fs_perm perm;
  perm.read = rights.read;
  perm.write = rights.write;
  perm.user = rights.user;
  perm.execute = rights.execute;
  m_platform.map(domain, iova, out, bytes, perm);
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
void platform_driver::attach_pasid(uint16_t sid, uint32_t pasid, uint16_t domain, bool supervisor,
                                   bool write_protect) {
  m_platform.attach_pasid(sid, pasid, domain, {supervisor, write_protect});
}
void platform_driver::detach_pasid(uint16_t sid, uint32_t pasid) {
  m_platform.detach_pasid(sid, pasid);
}
int platform_driver::domain_of_pasid(uint16_t sid, uint32_t pasid) const {
  return m_platform.domain_of_pasid(sid, pasid);
}
uint32_t platform_driver::rid_pasid(uint16_t sid) const {
  const auto* sm = m_platform.scalable_tables();
  const auto* dev = sm ? sm->device(sid) : nullptr;
  return dev ? dev->rid_pasid : 0;  // a device not set up yet gets RID_PASID 0 when it is
}
const std::vector<std::pair<uint16_t, uint32_t>>& platform_driver::attachments_of(uint16_t domain) const {
  return m_platform.attachments_of(domain);
}
vtd::core::translation_stage platform_driver::stage_of(uint16_t domain) const {
  const auto stage = m_platform.stage_of(domain);
  if (!stage) return vtd::core::translation_stage::none;
  switch (*stage) {
    case domain_stage::first:
      return vtd::core::translation_stage::first;
    case domain_stage::second:
      return vtd::core::translation_stage::second;
    case domain_stage::nested:
      return vtd::core::translation_stage::nested;
    case domain_stage::pass_through:
      return vtd::core::translation_stage::pass_through;
  }
  return vtd::core::translation_stage::none;
}
std::vector<uint16_t> platform_driver::nested_on(uint16_t domain) const {
  std::vector<uint16_t> out;
  for (const auto& d : m_platform.description().domains)
    if (m_platform.parent_of(d.id) == domain) out.push_back(d.id);
  return out;
}

namespace {

// Every platform device's parameters, and the ATS endpoints of those whose context enables ATS: legacy
// mode's context entry TT=01 (device-TLB), scalable mode's DTE=1 (spec 9.3 and 9.4, "TT" and "DTE"). Each
// "devices" key of the configuration must name a device of the platform, by name or BDF.
void add_devices(replay_system& s, const vtd::replay::sim_config& config) {
  const auto& desc = s.platform->description();
  const bool scalable = s.platform->mode() == vtd::tables::platform_mode::scalable;
  s.ats = std::make_unique<vtd::replay::ats_devices>();
  for (const auto& d : desc.devices) {
    const std::string bdf = vtd::spec::format_bdf(d.sid);
    vtd::replay::device_config dc = vtd::replay::device_config_for(config, d.name, bdf);
    const bool ats = scalable ? d.device_tlb : d.tt == vtd::spec::translation_type::device_tlb;
    if (ats) {
      vtd::device::ats_params p;
      p.tlb = dc.ats.tlb;
      p.answers_invalidations = dc.ats.answers_invalidations;
      // The translation request's link round trip: the open loop's lump access time without its memory part.
      s.ats->add(d.sid, d.name.empty() ? bdf : d.name, p, dc.ats.invalidation_ns,
                 config.timing.dma_access_ns - dc.memory_ns);
    }
    s.devices.emplace(d.sid, std::move(dc));
  }
}

}  // namespace

void check_device_keys(const std::vector<const vtd::tables::platform_description*>& units,
                       const vtd::replay::sim_config& config) {
  std::set<std::string> known;
  for (const auto* desc : units)
    for (const auto& d : desc->devices) {
      known.insert(vtd::spec::format_bdf(d.sid));
      if (!d.name.empty()) known.insert(d.name);
    }
  for (const auto& [key, value] : config.devices)
    if (!known.count(key)) {
      std::string names;
      for (const auto& n : known) names += (names.empty() ? "" : ", ") + n;
      throw std::runtime_error(
          fmt::format("configuration: devices.{}: no device of the platform has that name or BDF (known: {})",
                      key, names));
    }
}

replay_system make_replay_system(const std::string& platform_path, const vtd::replay::sim_config& config) {
  return make_replay_system(load_platform(platform_path), config);
}

replay_system make_replay_system(loaded_platform p, const vtd::replay::sim_config& config) {
  check_device_keys({&p.state->description()}, config);
  return make_unit_system(std::move(p), config);
}

replay_system make_unit_system(loaded_platform p, const vtd::replay::sim_config& config) {
  replay_system s;
  s.platform = p.state;
  s.unit = std::make_unique<vtd::core::iommu>(p.config, s.platform->memory(), config.caches,
                                              config.caches_enabled);
  vtd::core::program(s.unit->unit(), p.setup);
  // Scalable mode fetches only 256-bit descriptors (IQA.DW=1; with DW=0 every descriptor fails with IQE,
  // spec 6.5.2): the platform's one-page queue then holds 128 of them (QS=0).
  if (s.platform->iqa())
    s.unit->setup_queue(s.platform->iq_base(), 0, s.platform->mode() == vtd::tables::platform_mode::scalable);
  s.driver = std::make_unique<platform_driver>(*s.platform);
  add_devices(s, config);
  return s;
}

}  // namespace vtdsim::app
