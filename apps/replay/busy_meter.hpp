// Busy time of a resource (or of several identical ones) inside the replay's measured window, whose end is
// only known when the trace ends: the time of its last record. The timed layer reports each piece of work as
// an interval [start, end) that may reach past the trace's current time (a walk queued behind others, an
// invalidation behind a backlog); the meter keeps those intervals, earliest end first, and settles them as
// trace time advances. Work after the window's end is not counted, so the busy time can never exceed
// (window length x resources) when the intervals of one resource never overlap. Memory is bounded by the
// work still in progress or queued at the current trace time, and an interval that starts where the previous
// one ended joins it: a single saturated resource (the invalidation engine) costs one entry, not one per
// queued piece of work.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

namespace vtd::replay {

class busy_meter {
 public:
  // Starts a window at `open` (the first measured record's time) and forgets everything counted so far, but
  // not work still in progress: the part of an earlier interval that reaches past `open` (a backlog built up
  // during a warmup) keeps the resource busy inside the window and is counted from `open`.
  void reset(uint64_t open) {
    std::vector<std::pair<uint64_t, uint64_t>> carried;  // (start, end) clipped to the new window
    if (m_chain_end > open && m_chain_end > m_chain_start)
      carried.emplace_back(std::max(m_chain_start, open), m_chain_end);
    for (const auto& [end, start] : m_pending)
      if (end > open) carried.emplace_back(std::max(start, open), end);
    m_open = m_now = open;
    m_settled = 0;
    m_pending.clear();
    m_chain_start = m_chain_end = open;
    m_latest_end = open;
    m_due = kNever;
    std::sort(carried.begin(), carried.end());
    for (const auto& [start, end] : carried) add(start, end);
  }

  // One busy interval [start, end), in picoseconds.
  void add(uint64_t start, uint64_t end) {
    start = std::max(start, m_open);
    if (end <= start) return;
    m_latest_end = std::max(m_latest_end, end);
    if (start == m_chain_end && m_chain_end > m_chain_start) {
      m_chain_end = end;
      update_due();
      return;
    }
    settle(m_chain_start, m_chain_end);
    m_chain_start = start;
    m_chain_end = end;
    update_due();
  }

  // The earliest trace time at which advance() has something to settle (no time when nothing is pending):
  // the replay engine advances its meters only once the trace reaches it, so that a replay whose meters
  // are idle (the functional mode) pays one comparison per record. When advance() is called changes only
  // the memory the meter holds, never busy(): an interval is counted clipped to the window either way.
  uint64_t due() const { return m_due; }

  // Trace time reached `now`: the window reaches at least that far, so intervals ending by then are inside.
  void advance(uint64_t now) {
    m_now = std::max(m_now, now);
    if (m_now < m_due) return;
    if (m_chain_end > m_chain_start && m_chain_end <= m_now) {
      m_settled += m_chain_end - m_chain_start;
      m_chain_start = m_chain_end = m_now;
    }
    while (!m_pending.empty() && m_pending.front().first <= m_now) {
      m_settled += m_pending.front().first - m_pending.front().second;
      std::pop_heap(m_pending.begin(), m_pending.end(), std::greater<>{});
      m_pending.pop_back();
    }
    update_due();
  }

  // Busy time inside [open, close]; `close` is the window's end, at or after every time passed to advance().
  uint64_t busy(uint64_t close) const {
    uint64_t busy = m_settled;
    for (const auto& [end, start] : m_pending)
      if (start < close) busy += std::min(end, close) - start;
    if (m_chain_start < close) busy += std::min(m_chain_end, close) - m_chain_start;
    return busy;
  }

  // The latest end of any interval counted (open when none): how far the work reaches past the window.
  uint64_t latest_end() const { return m_latest_end; }

 private:
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  // The chain settles when the trace reaches its end, a pending interval when it reaches the earliest end.
  void update_due() {
    m_due = m_chain_end > m_chain_start ? m_chain_end : kNever;
    if (!m_pending.empty()) m_due = std::min(m_due, m_pending.front().first);
  }

  // Counts [start, end) now when it is over by the trace's current time, else keeps it for later.
  void settle(uint64_t start, uint64_t end) {
    if (end <= start) return;
    if (end <= m_now) {
      m_settled += end - start;
      return;
    }
    m_pending.emplace_back(end, start);
    std::push_heap(m_pending.begin(), m_pending.end(), std::greater<>{});
  }

  uint64_t m_open = 0, m_now = 0, m_settled = 0, m_latest_end = 0;
  uint64_t m_chain_start = 0, m_chain_end = 0;  // the latest interval, grown by those that continue it
  uint64_t m_due = kNever;                      // see due()
  std::vector<std::pair<uint64_t, uint64_t>> m_pending;  // (end, start), min-heap on end
};

}  // namespace vtd::replay
