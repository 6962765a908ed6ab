// The device models' pending-record queue (traces/gen/pending_records.hpp): records come out in (time,
// emission order) order whichever of its two structures (the in-order run, the heap) holds them. Checked by
// hand on a small case and against a shadow multiset ordered by (time, emission index) over random pushes and
// pops that grow the run's ring and reuse the heap's slots.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <utility>

#include "traces/gen/pending_records.hpp"
#include "traces/gen/rng.hpp"

using namespace vtd::traces;
using vtd::traces::gen::pending_records;

namespace {

// A record that says its emission index in `addr`, so the test can tell records of one time apart.
record tagged(uint64_t time, uint64_t index) {
  record r = make_dma(time, 0x1000, dma_op::read, index, 64);
  return r;
}

}  // namespace

TEST(GenSpeedPending, TiesGoInEmissionOrderAcrossRunAndHeap) {
  pending_records q;
  // Emission order: 10 (run), 5 (heap: before the run's tail), 10 (run: not before the tail), 7 (heap),
  // 10 (run), 5 (heap). Released: 5 (#1), 5 (#5), 7 (#3), 10 (#0), 10 (#2), 10 (#4).
  const uint64_t times[] = {10, 5, 10, 7, 10, 5};
  for (uint64_t i = 0; i < 6; ++i) q.push(tagged(times[i], i));
  EXPECT_EQ(q.size(), 6u);
  const std::pair<uint64_t, uint64_t> expected[] = {{5, 1}, {5, 5}, {7, 3}, {10, 0}, {10, 2}, {10, 4}};
  for (auto [time, index] : expected) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.head_time(), time);
    const record r = q.pop();
    EXPECT_EQ(r.time_ps, time);
    EXPECT_EQ(r.addr, index);
  }
  EXPECT_TRUE(q.empty());
}

TEST(GenSpeedPending, RunRecordBeforeHeapRecordOfTheSameTime) {
  pending_records q;
  // 10 (run), 12 (run), 10 (heap: before the tail 12), 12 (run), 11 (heap). Released: 10 #0, 10 #2 (same
  // time, emitted later), 11 #4, 12 #1, 12 #3.
  const uint64_t times[] = {10, 12, 10, 12, 11};
  for (uint64_t i = 0; i < 5; ++i) q.push(tagged(times[i], i));
  for (uint64_t index : {0u, 2u, 4u, 1u, 3u}) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.head_time(), times[index]);
    EXPECT_EQ(q.pop().addr, index);
  }
  EXPECT_TRUE(q.empty());
}

TEST(GenSpeedPending, HeapDrainsBeforeTheRunEmpties) {
  pending_records q;
  q.push(tagged(20, 0));  // run
  q.push(tagged(15, 1));  // heap
  EXPECT_EQ(q.pop().addr, 1u);
  // The run is now {20 #0}; a push at 20 joins the run behind #0, a push at 15 goes to the heap.
  q.push(tagged(20, 2));
  q.push(tagged(15, 3));
  EXPECT_EQ(q.pop().addr, 3u);
  EXPECT_EQ(q.pop().addr, 0u);
  EXPECT_EQ(q.pop().addr, 2u);
  EXPECT_TRUE(q.empty());
  // Emptied, the run takes any time again: 3 after 20 is appended, not heaped, and still comes out first.
  q.push(tagged(3, 4));
  q.push(tagged(2, 5));
  EXPECT_EQ(q.pop().addr, 5u);
  EXPECT_EQ(q.pop().addr, 4u);
}

TEST(GenSpeedPending, MatchesAnOrderedShadowOverRandomTraffic) {
  gen::rng rng(12345);
  for (int round = 0; round < 20; ++round) {
    pending_records q;
    std::set<std::pair<uint64_t, uint64_t>> shadow;  // (time, emission index): the release order
    uint64_t index = 0, now = 0;
    // Bursts like a device's events: records at the event time and up to some window after it; the window
    // and the burst length vary by round so that both structures fill past their first allocation.
    const uint64_t window = 1 + rng.below(round % 2 ? 5000 : 50);
    for (int step = 0; step < 3000; ++step) {
      const uint64_t burst = rng.below(round % 3 == 0 ? 200 : 8);
      for (uint64_t k = 0; k < burst; ++k) {
        const uint64_t t = now + rng.below(window);
        q.push(tagged(t, index));
        shadow.emplace(t, index);
        ++index;
      }
      ASSERT_EQ(q.size(), shadow.size());
      // Release everything no later event can precede (the device model's rule), or a random amount.
      now += rng.below(window);
      while (!shadow.empty() && (shadow.begin()->first <= now || rng.chance(1, 4))) {
        ASSERT_EQ(q.head_time(), shadow.begin()->first);
        const record r = q.pop();
        ASSERT_EQ(r.time_ps, shadow.begin()->first);
        ASSERT_EQ(r.addr, shadow.begin()->second) << "round " << round << " step " << step;
        shadow.erase(shadow.begin());
      }
      if (!shadow.empty()) now = std::max(now, shadow.begin()->first);
    }
    while (!shadow.empty()) {
      ASSERT_EQ(q.pop().addr, shadow.begin()->second);
      shadow.erase(shadow.begin());
    }
    EXPECT_TRUE(q.empty());
  }
}
