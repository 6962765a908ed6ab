// Which remapping unit(s) a trace record goes to, on a platform with several units (docs/replay.md, "Several
// remapping units"). A trace names no unit: a record goes where what it names lives.
// - By source-id (its device's unit: the unit whose device scope lists it, else the include_all unit): DMA,
//   MSI, attach, detach, pasid-attach, pasid-detach, devtlb-inval, pdevtlb-inval, and a device-selective
//   cc-inval.
// - By domain (every unit whose platform has the domain: a domain attached to devices under several units
//   is mapped, and flushed, on each): map, unmap, and the domain-, page- and PASID-selective invalidations
//   (cc-inval, iotlb-inval, pc-inval, piotlb-inval). A map or unmap of a domain no unit has is an error;
//   an invalidation of one goes to every unit (it finds nothing to remove).
// - To every unit: global invalidations and interrupt-entry-cache invalidations (a driver flushes each
//   unit; the record does not say which).
// - inv-wait: to each unit that received an invalidation since its last wait (the wait completes them, as
//   the driver's wait descriptor follows its descriptors in that unit's queue); a wait with none before it
//   goes to every unit.
// The router keeps that last state, so records must be routed in trace order, each exactly once; two
// routers given the same records route them alike (each thread of a threaded replay keeps its own).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "traces/record.hpp"

namespace vtd::replay {

// One bit per unit (at most 64 units: the platform format's limit).
using unit_mask = uint64_t;

struct unit_scope {
  std::string name;
  std::vector<uint16_t> sids;     // the devices its platform lists
  std::vector<uint16_t> domains;  // the domain ids its platform has
  bool include_all = false;       // takes every source-id no other unit lists
};

class unit_router {
 public:
  explicit unit_router(const std::vector<unit_scope>& units);

  // The units `r` goes to (never empty). Throws std::runtime_error for a record no unit can take: a device
  // no unit's scope covers, a map/unmap of a domain no unit has. Inline for a DMA of a listed device (most
  // records of a trace: every engine of a replay of several units routes every record).
  unit_mask route(const traces::record& r) {
    if (r.kind == traces::record_kind::dma) [[likely]] {
      const uint8_t u = m_unit_of_sid[r.id];
      if (u != kNone) [[likely]]
        return unit_mask{1} << u;
    }
    return route_other(r);
  }

  size_t units() const { return m_names.size(); }
  unit_mask all() const { return m_all; }

 private:
  static constexpr uint8_t kNone = 0xff;
  unit_mask route_other(const traces::record& r);
  unit_mask by_sid(uint16_t sid) const;
  unit_mask by_domain(uint16_t domain, bool must_exist, const char* what) const;
  unit_mask invalidation(unit_mask to) {
    m_pending |= to;
    return to;
  }

  std::vector<std::string> m_names;
  std::array<uint8_t, 65536> m_unit_of_sid;     // unit index, or kNone
  std::array<unit_mask, 65536> m_domain_units;  // bit per unit having the domain
  uint8_t m_include_all = kNone;
  unit_mask m_all = 0;
  unit_mask m_pending = 0;  // units with invalidations not yet followed by a wait
};

}  // namespace vtd::replay
