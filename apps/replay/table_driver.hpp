// What the trace's driver records do to the tables: the replay engine calls these for map/unmap/attach/detach
// records and, in scalable mode, pasid-attach/pasid-detach; an adapter implements them with the tables/
// builders, so the tables change in simulated memory while the trace runs, as they do under a real DMA API.
// The scalable-mode calls have defaults for a legacy-only driver: they refuse (std::runtime_error) or answer
// "nothing attached".
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/core/walk_record.hpp"

namespace vtd::replay {

// The rights a map record gives its leaf entries. `user` and `execute` exist only in first-stage entries
// (U/S and !XD, spec 9.7); their defaults are what a second-stage domain has and what Linux's DMA API writes.
struct map_rights {
  bool read = true;
  bool write = true;
  bool user = true;     // U/S=1: user requests (PASID prefix without PMR) allowed
  bool execute = true;  // XD=0: execute requests allowed
};

class table_driver {
 public:
  virtual ~table_driver() = default;
  // Throw std::runtime_error for an operation the tables refuse (overlap, unknown domain, a first-stage right
  // in a second-stage domain, ...). `out` is an HPA, or a GPA for a nested domain's first stage.
  virtual void map(uint16_t domain, uint64_t iova, uint64_t out, uint64_t bytes,
                   const map_rights& rights) = 0;
  // Returns the bytes that were mapped in the range (0: nothing was).
  virtual uint64_t unmap(uint16_t domain, uint64_t iova, uint64_t bytes) = 0;
  // Legacy mode: the device's context entry. Scalable mode: its RID_PASID's PASID-table entry.
  virtual void attach(uint16_t sid, uint16_t domain) = 0;
  virtual void detach(uint16_t sid) = 0;
  // Domain a source-id (scalable mode: its RID_PASID) is attached to, for stale-translation reports; -1 if
  // none.
  virtual int domain_of(uint16_t sid) const = 0;

  // Scalable mode: one PASID-table entry (spec 9.6) with SRE and WPE, replacing what the PASID had.
  virtual void attach_pasid(uint16_t sid, uint32_t pasid, uint16_t /*domain*/, bool /*supervisor*/,
                            bool /*write_protect*/) {
    refuse(sid, pasid);
  }
  virtual void detach_pasid(uint16_t sid, uint32_t pasid) { refuse(sid, pasid); }
  virtual int domain_of_pasid(uint16_t /*sid*/, uint32_t /*pasid*/) const { return -1; }
  // The PASID a request without PASID is processed with (the context entry's RID_PASID; 0 without RPS).
  virtual uint32_t rid_pasid(uint16_t /*sid*/) const { return 0; }
  // Every (source-id, PASID) attached to `domain` now, in ascending order; valid until the next attach or
  // detach.
  virtual const std::vector<std::pair<uint16_t, uint32_t>>& attachments_of(uint16_t /*domain*/) const {
    static const std::vector<std::pair<uint16_t, uint32_t>> none;
    return none;
  }
  // The stage a domain's tables are (legacy domains are second-stage); none for an unknown domain.
  virtual core::translation_stage stage_of(uint16_t /*domain*/) const {
    return core::translation_stage::second;
  }
  // The nested domains whose second stage is `domain` (a nested domain's cached translations go through its
  // parent's tables).
  virtual std::vector<uint16_t> nested_on(uint16_t /*domain*/) const { return {}; }

 private:
  [[noreturn]] static void refuse(uint16_t, uint32_t pasid) {
    throw std::runtime_error("PASID " + std::to_string(pasid) +
                             ": PASID attachments need a scalable-mode platform (\"mode\": \"scalable\")");
  }
};

}  // namespace vtd::replay
