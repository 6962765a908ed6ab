// busy_meter::due() (issue 16): the replay engine advances its meters only when the trace reaches the
// earliest time one of them has something to settle. Advancing so must count exactly what advancing at every
// record counts, and that is the sum of the intervals clipped to the window (checked against a brute-force
// sum).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "apps/replay/busy_meter.hpp"

using vtd::replay::busy_meter;

namespace {

uint64_t next_random(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  return z ^ (z >> 31);
}

}  // namespace

TEST(BusyMeterDue, IdleMeterIsNeverDue) {
  busy_meter m;
  m.reset(100);
  EXPECT_EQ(m.due(), std::numeric_limits<uint64_t>::max());
  m.add(200, 300);
  EXPECT_EQ(m.due(), 300u);  // the chain settles when the trace reaches its end
  m.add(300, 450);           // continues it
  EXPECT_EQ(m.due(), 450u);
  m.add(500, 520);  // a new chain; [200, 450) waits as pending
  EXPECT_EQ(m.due(), 450u);
  m.advance(449);
  EXPECT_EQ(m.due(), 450u);
  m.advance(460);
  EXPECT_EQ(m.due(), 520u);
  m.advance(600);
  EXPECT_EQ(m.due(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(m.busy(600), 250u + 20u);
}

TEST(BusyMeterDue, AdvancingOnlyWhenDueCountsWhatAdvancingAlwaysCounts) {
  // Two servers' worth of random intervals (so that they overlap, chain and reach past the trace time), a
  // warmup reset in the middle, and windows closed at several times.
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    uint64_t s = seed;
    busy_meter always, lazy;
    const uint64_t open = 1000;
    always.reset(open);
    lazy.reset(open);
    std::vector<std::pair<uint64_t, uint64_t>> intervals;  // since the last reset, for the brute force
    uint64_t now = open, window_open = open;
    for (int step = 0; step < 400; ++step) {
      now += next_random(s) % 50;
      always.advance(now);
      if (now >= lazy.due()) lazy.advance(now);
      if (step == 150) {  // the warmup ends: both start a new window at `now`
        always.reset(now);
        lazy.reset(now);
        // What reaches past `now` is carried, clipped to the new window.
        std::vector<std::pair<uint64_t, uint64_t>> carried;
        for (auto [a, b] : intervals)
          if (b > now) carried.emplace_back(std::max(a, now), b);
        intervals = carried;
        window_open = now;
      }
      for (int k = int(next_random(s) % 3); k > 0; --k) {
        const uint64_t start = now - std::min<uint64_t>(now - window_open, next_random(s) % 80);
        const uint64_t end = start + 1 + next_random(s) % 120;
        always.add(start, end);
        lazy.add(start, end);
        intervals.emplace_back(std::max(start, window_open), end);
      }
    }
    for (uint64_t close : {now, now + 10, now + 1000}) {
      uint64_t expected = 0;
      for (auto [a, b] : intervals)
        if (a < close && b > a) expected += std::min(b, close) - a;
      EXPECT_EQ(always.busy(close), expected) << "seed " << seed << " close " << close;
      EXPECT_EQ(lazy.busy(close), expected) << "seed " << seed << " close " << close;
    }
    EXPECT_EQ(lazy.latest_end(), always.latest_end()) << "seed " << seed;
  }
}
