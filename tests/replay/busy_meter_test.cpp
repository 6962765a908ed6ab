// busy_meter: busy intervals counted inside a window whose end is known only at the end of the trace.
#include <gtest/gtest.h>

#include "apps/replay/busy_meter.hpp"

using vtd::replay::busy_meter;

TEST(BusyMeter, CountsOnlyInsideTheWindow) {
  busy_meter m;
  m.reset(1000);
  m.add(500, 1500);  // began before the window: only [1000, 1500)
  m.advance(2000);
  m.add(1800, 1900);
  m.add(1900, 5000);  // reaches past the trace's current time
  m.advance(3000);
  EXPECT_EQ(m.busy(3000), 500u + 100u + 1100u);
  EXPECT_EQ(m.busy(4000), 500u + 100u + 2100u);
  EXPECT_EQ(m.latest_end(), 5000u);
}

TEST(BusyMeter, SerialBacklogNeverExceedsTheWindow) {
  // One server, 1000 jobs of 100 submitted at once at t=0, the trace ending at 10'000: busy the whole
  // window and no more, although the jobs together take 100'000.
  busy_meter m;
  m.reset(0);
  for (uint64_t i = 0; i < 1000; ++i) m.add(i * 100, i * 100 + 100);
  m.advance(10'000);
  EXPECT_EQ(m.busy(10'000), 10'000u);
  EXPECT_EQ(m.latest_end(), 100'000u);
}

TEST(BusyMeter, ResetKeepsWorkStillInProgress) {
  // A backlog built during a warmup keeps the resource busy after the window opens: the part of it past the
  // window's start counts (a saturated engine shows occupancy 1, not 0).
  busy_meter m;
  m.reset(0);
  for (uint64_t i = 0; i < 100; ++i) m.add(i * 1000, i * 1000 + 1000);  // busy until 100'000
  m.advance(5000);
  m.reset(5000);
  m.advance(50'000);
  EXPECT_EQ(m.busy(50'000), 45'000u);
  EXPECT_EQ(m.latest_end(), 100'000u);
}

TEST(BusyMeter, ResetForgetsEverythingThatIsOver) {
  busy_meter m;
  m.reset(0);
  m.add(0, 10'000);
  m.reset(20'000);
  m.advance(30'000);
  EXPECT_EQ(m.busy(30'000), 0u);
}

TEST(BusyMeter, OverlappingResourcesAddUp) {
  // Two walkers: intervals of different walkers overlap, and both count.
  busy_meter m;
  m.reset(0);
  m.add(0, 100);    // walker 0
  m.add(50, 150);   // walker 1
  m.add(100, 200);  // walker 0 again
  m.add(150, 250);  // walker 1 again
  m.advance(120);
  EXPECT_EQ(m.busy(120), 100u + 70u + 20u);
  m.advance(1000);
  EXPECT_EQ(m.busy(1000), 400u);
}
