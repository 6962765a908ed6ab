// A device's limit on outstanding requests (issue 13, closed-loop devices): PCIe tags for non-posted requests
// (reads, AtomicOps, ATS translation requests), posted-request credits for writes. A request that is ready
// when every slot is held waits for the earliest to be freed; the slot is then held until the request
// completes. Resource reservation like the page walkers of latency_model: no simulation events, just the
// next-free time of each slot.
#pragma once
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "model/timing/timing_params.hpp"

namespace vtd::timing {

class slot_pool {
 public:
  explicit slot_pool(unsigned slots) : m_free(slots, 0) {
    if (slots == 0) throw std::invalid_argument("a device needs at least one tag or credit");
  }

  // Takes the slot that frees first: the request starts at max(ready, that time). Call hold_until() with
  // the request's completion before the next acquire().
  picoseconds acquire(picoseconds ready) {
    m_taken = size_t(std::min_element(m_free.begin(), m_free.end()) - m_free.begin());
    const picoseconds start = std::max(ready, m_free[m_taken]);
    m_stalled += start - ready;
    m_stalls += start > ready;
    return start;
  }
  // The slot taken by the last acquire() is busy until `done`.
  void hold_until(picoseconds start, picoseconds done) {
    m_free[m_taken] = done;
    m_held += done - start;
  }

  unsigned slots() const { return unsigned(m_free.size()); }
  picoseconds stalled() const { return m_stalled; }  // total time requests waited for a slot
  uint64_t stalls() const { return m_stalls; }       // requests that waited
  picoseconds held() const { return m_held; }        // slot-time in use: / span = mean occupancy
  void reset() {
    std::fill(m_free.begin(), m_free.end(), 0);
    m_stalled = m_held = 0;
    m_stalls = 0;
  }

 private:
  std::vector<picoseconds> m_free;
  size_t m_taken = 0;  // index of the slot the last acquire() took
  picoseconds m_stalled = 0, m_held = 0;
  uint64_t m_stalls = 0;
};

}  // namespace vtd::timing
