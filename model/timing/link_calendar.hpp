// Busy intervals of one direction of a link, for transfers that become ready out of the order in which they
// are reserved (issue 13, closed-loop devices). Completions of different tags leave the root complex when
// their data is ready, and PCIe lets completions of different requests pass each other (Transaction Ordering,
// PCI Express Base Specification): a read that hit in the IOTLB must not wait behind one reserved earlier
// that is still walking. So a transfer takes the earliest gap at or after its ready time that is long enough,
// rather than the end of the last reservation (pcie_link::reserve_downstream, which suits in-order traffic).
#pragma once
#include <algorithm>
#include <iterator>
#include <map>

#include "model/timing/timing_params.hpp"

namespace vtd::timing {

class link_calendar {
 public:
  // Reserves `duration` at the earliest time >= ready when the direction is free; returns the end.
  picoseconds reserve(picoseconds ready, picoseconds duration) {
    picoseconds start = ready;
    // The interval that starts at or before `ready` may still be busy at `ready`.
    auto it = m_busy.upper_bound(start);
    if (it != m_busy.begin()) {
      auto prev = std::prev(it);
      start = std::max(start, prev->second);
    }
    // Walk forward until the gap before the next interval is long enough.
    while (it != m_busy.end() && it->first < start + duration) {
      start = std::max(start, it->second);
      ++it;
    }
    if (duration > 0) m_busy.emplace(start, start + duration);
    return start + duration;
  }
  // Intervals that end by `t` can no longer delay anything once every later transfer is ready after `t`.
  void forget_before(picoseconds t) {
    while (!m_busy.empty() && m_busy.begin()->second <= t) m_busy.erase(m_busy.begin());
  }
  size_t intervals() const { return m_busy.size(); }
  void reset() { m_busy.clear(); }

 private:
  std::map<picoseconds, picoseconds> m_busy;  // start -> end, never overlapping
};

}  // namespace vtd::timing
