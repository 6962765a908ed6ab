// Routing trace records to remapping units (see header).
#include "apps/replay/unit_router.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "model/spec/text.hpp"

namespace vtd::replay {

unit_router::unit_router(const std::vector<unit_scope>& units) {
  if (units.empty() || units.size() > 64) throw std::invalid_argument("unit_router: 1 to 64 units");
  m_unit_of_sid.fill(kNone);
  m_domain_units.fill(0);
  for (size_t i = 0; i < units.size(); ++i) {
    const unit_scope& u = units[i];
    m_names.push_back(u.name);
    m_all |= unit_mask{1} << i;
    for (uint16_t sid : u.sids) m_unit_of_sid[sid] = static_cast<uint8_t>(i);
    for (uint16_t d : u.domains) m_domain_units[d] |= unit_mask{1} << i;
    if (u.include_all) m_include_all = static_cast<uint8_t>(i);
  }
}

unit_mask unit_router::by_sid(uint16_t sid) const {
  uint8_t u = m_unit_of_sid[sid];
  if (u == kNone) u = m_include_all;
  if (u == kNone)
    throw std::runtime_error(fmt::format(
        "source-id {} is in no remapping unit's device scope (list it under a unit's devices, or give one "
        "unit \"include_all\": true, as the DMAR table's INCLUDE_PCI_ALL flag)",
        spec::format_bdf(sid)));
  return unit_mask{1} << u;
}

unit_mask unit_router::by_domain(uint16_t domain, bool must_exist, const char* what) const {
  const unit_mask m = m_domain_units[domain];
  if (m) return m;
  if (must_exist)
    throw std::runtime_error(fmt::format("{}: domain {} is in no remapping unit's platform", what, domain));
  return m_all;
}

unit_mask unit_router::route_other(const traces::record& r) {
  using traces::granularity;
  using traces::record_kind;
  const bool global = r.gran() == granularity::global;
  switch (r.kind) {
    case record_kind::dma:
    case record_kind::msi:
    case record_kind::attach:
    case record_kind::detach:
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
      return by_sid(r.id);
    case record_kind::map:
      return by_domain(r.id, true, "map");
    case record_kind::unmap:
      return by_domain(r.id, true, "unmap");
    case record_kind::devtlb_inval:
    case record_kind::pdevtlb_inval:
      return invalidation(by_sid(r.id));
    case record_kind::cc_inval:
      // Domain-selective: DID in `value`; device-selective (granularity 2): the source-id in `id`.
      if (global) return invalidation(m_all);
      return invalidation(r.gran() == granularity::device ? by_sid(r.id)
                                                          : by_domain(uint16_t(r.value), false, "cc-inval"));
    case record_kind::iotlb_inval:
      return invalidation(global ? m_all : by_domain(uint16_t(r.value), false, "iotlb-inval"));
    case record_kind::pc_inval:
      return invalidation(global ? m_all : by_domain(r.id, false, "pc-inval"));
    case record_kind::piotlb_inval:  // no global granularity: the DID is in `id`
      return invalidation(by_domain(r.id, false, "piotlb-inval"));
    case record_kind::iec_inval:
      return invalidation(m_all);
    case record_kind::inv_wait: {
      const unit_mask to = m_pending ? m_pending : m_all;
      m_pending = 0;
      return to;
    }
  }
  return m_all;  // the readers refuse other kinds
}

}  // namespace vtd::replay
