// link_calendar: a transfer takes the earliest free gap at or after its ready time, so a completion ready
// early is not held behind one reserved before it but ready later (hand-placed intervals).
#include <gtest/gtest.h>

#include "model/timing/link_calendar.hpp"

using vtd::timing::link_calendar;

TEST(LinkCalendar, FillsGapsAndQueuesBehindBusyIntervals) {
  link_calendar c;
  EXPECT_EQ(c.reserve(1000, 100), 1100u);  // [1000, 1100)
  EXPECT_EQ(c.reserve(200, 100), 300u);    // ready earlier, reserved later: before it, not after
  EXPECT_EQ(c.reserve(250, 100), 400u);    // overlaps [200, 300): right after it
  EXPECT_EQ(c.reserve(950, 100), 1200u);   // 950..1050 would overlap [1000, 1100)
  EXPECT_EQ(c.reserve(380, 600), 1000u);   // the gap [400, 1000) is exactly 600 long
  EXPECT_EQ(c.reserve(0, 300), 1500u);     // no gap of 300 before 1200
}

TEST(LinkCalendar, ForgetsOnlyIntervalsThatEnded) {
  link_calendar c;
  c.reserve(0, 100);
  c.reserve(100, 100);
  c.reserve(500, 100);
  c.forget_before(200);
  EXPECT_EQ(c.intervals(), 1u);
  EXPECT_EQ(c.reserve(550, 10), 610u);  // the one that has not ended still counts
}
