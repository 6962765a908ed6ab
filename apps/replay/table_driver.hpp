// What the trace's driver records do to the tables: the replay engine calls these for map/unmap/attach/detach
// records; an adapter implements them with the tables/ builders, so the tables change in simulated memory
// while the trace runs, as they do under a real DMA API.
#pragma once
#include <cstdint>

namespace vtd::replay {

class table_driver {
 public:
  virtual ~table_driver() = default;
  // Throw std::runtime_error for an operation the tables refuse (overlap, unknown domain, ...).
  virtual void map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t bytes, bool read, bool write) = 0;
  // Returns the bytes that were mapped in the range (0: nothing was).
  virtual uint64_t unmap(uint16_t domain, uint64_t iova, uint64_t bytes) = 0;
  virtual void attach(uint16_t sid, uint16_t domain) = 0;
  virtual void detach(uint16_t sid) = 0;
  // Domain a source-id is attached to (for stale-translation reports); -1 if none.
  virtual int domain_of(uint16_t sid) const = 0;
};

}  // namespace vtd::replay
