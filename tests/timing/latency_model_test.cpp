// Latency model: hand-computed latencies for hits, misses at each depth, paging-structure-cache hits, and
// walker queueing under a burst of misses.
#include <gtest/gtest.h>

#include "model/timing/latency_model.hpp"

using namespace vtd;
using namespace vtd::timing;
using core::cache_kind;
using core::step_kind;
using core::walk_record;
using core::walk_step;

namespace {

timing_params simple_params() {
  timing_params p;
  p.clock_ghz = 1.0;  // 1 cycle = 1000 ps
  p.iotlb_hit_cycles = 3;
  p.context_cache_hit_cycles = 4;
  p.psc_hit_cycles = 5;
  p.miss_detect_cycles = 1;
  p.walkers = 2;
  p.table_read_ns = 100;
  p.dma_access_ns = 500;
  return p;
}

walk_step lookup(cache_kind k, bool hit) {
  walk_step s;
  s.kind = step_kind::cache_lookup;
  s.cache = k;
  s.ok = hit;
  return s;
}
walk_step read(step_kind k, unsigned level = 0) {
  walk_step s;
  s.kind = k;
  s.level = static_cast<uint8_t>(level);
  return s;
}

walk_record iotlb_hit() {
  walk_record w;
  w.add(lookup(cache_kind::context, true));
  w.add(lookup(cache_kind::iotlb, true));
  return w;
}

// Context hit, IOTLB miss, PSC lookup hit at `psc_level` (0 = PSC miss), then reads of the remaining levels.
walk_record miss(unsigned levels_read, bool psc_hit) {
  walk_record w;
  w.add(lookup(cache_kind::context, true));
  w.add(lookup(cache_kind::iotlb, false));
  w.add(lookup(cache_kind::pde, psc_hit));
  for (unsigned l = levels_read; l >= 1; --l) w.add(read(step_kind::sl_entry, l));
  return w;
}

}  // namespace

TEST(LatencyModel, IotlbHitOnIdleUnit) {
  latency_model m(simple_params());
  auto t = m.price_dma(10'000, iotlb_hit(), true);
  // 4 cycles context + 3 cycles IOTLB = 7 ns, then the 500 ns access.
  EXPECT_EQ(t.translation_done, 10'000u + 7'000u);
  EXPECT_EQ(t.done, 10'000u + 7'000u + 500'000u);
  EXPECT_FALSE(t.used_walker);
  EXPECT_EQ(t.latency(), 507'000u);
}

TEST(LatencyModel, MissAtEachDepthCostsOneReadPerLevel) {
  for (unsigned levels = 1; levels <= 5; ++levels) {
    latency_model m(simple_params());
    auto t = m.price_dma(0, miss(levels, levels < 4), true);
    // lookups 4+3+5 = 12 cycles, miss detect 1 cycle, then `levels` reads of 100 ns each.
    EXPECT_EQ(t.translation_done, 13'000u + levels * 100'000u) << levels;
    EXPECT_EQ(t.memory_reads, levels);
    EXPECT_EQ(t.walker_queue_delay, 0u);
  }
}

TEST(LatencyModel, FullColdWalkIncludesRootAndContextReads) {
  latency_model m(simple_params());
  walk_record w;
  w.add(lookup(cache_kind::context, false));
  w.add(read(step_kind::root_entry));
  w.add(read(step_kind::context_entry));
  w.add(lookup(cache_kind::iotlb, false));
  for (unsigned l = 4; l >= 1; --l) w.add(read(step_kind::sl_entry, l));
  auto t = m.price_dma(0, w, false);
  // Context-cache miss (4 cycles) + miss detect (1), then every later step on the walker:
  // 2 reads + IOTLB lookup (3 cycles) + 4 reads = 600 ns + 3 ns.
  EXPECT_EQ(t.translation_done, 5'000u + 600'000u + 3'000u);
  EXPECT_EQ(t.done, t.translation_done);  // no access for a fault / translation request
}

TEST(LatencyModel, BurstOfMissesQueuesForWalkers) {
  auto p = simple_params();
  latency_model m(p);
  // Four misses arriving together, each a 2-read walk (200 ns) after 13 ns of lookups; lookups pipeline at
  // one per cycle, so request i reaches the walkers at 13 ns + i ns.
  std::vector<request_timing> t;
  for (int i = 0; i < 4; ++i) t.push_back(m.price_dma(0, miss(2, true), false));
  EXPECT_EQ(t[0].walk_start, 13'000u);
  EXPECT_EQ(t[1].walk_start, 14'000u);
  EXPECT_EQ(t[0].translation_done, 213'000u);
  EXPECT_EQ(t[1].translation_done, 214'000u);
  // Both walkers busy: request 2 waits for walker 0 (free at 213 ns), request 3 for walker 1 (214 ns).
  EXPECT_EQ(t[2].walk_start, 213'000u);
  EXPECT_EQ(t[2].walker_queue_delay, 213'000u - 15'000u);
  EXPECT_EQ(t[3].walk_start, 214'000u);
  EXPECT_EQ(t[3].walker_queue_delay, 214'000u - 16'000u);
  EXPECT_EQ(t[3].translation_done, 414'000u);
  EXPECT_EQ(m.walkers_busy(100'000), 2u);
  EXPECT_EQ(m.walker_queue_depth(100'000), 2u);
  EXPECT_EQ(m.walker_queue_depth(213'500), 1u);
}

TEST(LatencyModel, DoneAtExactTimeNotOneEarlier) {
  latency_model m(simple_params());
  auto t = m.price_dma(0, miss(1, true), true);
  EXPECT_EQ(m.walkers_busy(t.translation_done - 1), 1u);
  EXPECT_EQ(m.walkers_busy(t.translation_done), 0u);
}

TEST(LatencyModel, InvalidationsSerialize) {
  auto p = simple_params();
  p.queued_descriptor_ns = 100;
  p.invalidation_wait_ns = 1000;
  latency_model m(p);
  auto first = m.price_invalidation(0, 2, true, true);
  EXPECT_EQ(first.start, 0u);
  EXPECT_EQ(first.done, 1'200'000u);
  // Submitted at 500 ns while the engine is busy: it starts when the first ends, and is busy only 100 ns.
  auto second = m.price_invalidation(500'000, 1, true, false);
  EXPECT_EQ(second.start, 1'200'000u);
  EXPECT_EQ(second.done, 1'300'000u);
  EXPECT_EQ(second.busy(), 100'000u);
}

// A burst of invalidations submitted together: the engine's busy time is the sum of the service times,
// never more than the time from the first submission to the last completion (summing completion minus
// submission counted every queued invalidation's wait again, growing with the square of the burst).
TEST(LatencyModel, InvalidationBusyTimeIsServiceTimeNotWait) {
  auto p = simple_params();
  p.queued_descriptor_ns = 100;
  latency_model m(p);
  picoseconds busy = 0, last_done = 0;
  for (int i = 0; i < 1000; ++i) {
    auto r = m.price_invalidation(0, 1, true, false);
    EXPECT_GE(r.start, last_done) << "busy intervals of the one engine never overlap";
    busy += r.busy();
    last_done = r.done;
  }
  EXPECT_EQ(busy, 1000u * 100'000u);
  EXPECT_LE(busy, last_done);
}

// Walker busy intervals are reported per request, and per walker they never overlap: their sum stays
// within walkers x (last completion - first arrival) however hard the walkers are driven.
TEST(LatencyModel, WalkerBusyTimeWithinSpanTimesWalkers) {
  auto p = simple_params();
  latency_model m(p);
  picoseconds busy = 0, end = 0;
  unsigned max_depth = 0;
  for (int i = 0; i < 200; ++i) {
    auto t = m.price_dma(picoseconds(i) * 1000, miss(4, false), false);
    busy += t.walker_busy();
    end = std::max(end, t.translation_done);
    max_depth = std::max(max_depth, t.walker_queue_depth);
  }
  EXPECT_EQ(busy, 200u * 400'000u);
  EXPECT_LE(busy, p.walkers * end);
  EXPECT_GT(max_depth, 100u) << "a 200-request burst on 2 walkers queues most of it";
  EXPECT_LE(max_depth, 200u);
}

TEST(TimingPresets, BroadwellHitAndMissMatchPcieBench) {
  auto p = find_timing_preset("broadwell");
  ASSERT_TRUE(p);
  latency_model m(*p);
  auto hit = m.price_dma(0, iotlb_hit(), true);
  // pcie-bench: ~600 ns median for IOTLB-resident windows, ~880 ns beyond the IOTLB's reach.
  EXPECT_NEAR(hit.latency() / 1000.0, 600.0, 15.0);
  latency_model m2(*p);
  auto missed = m2.price_dma(0, miss(1, true), true);  // PDE-cache hit, one PTE read
  EXPECT_NEAR(missed.latency() / 1000.0, 880.0, 20.0);
}
