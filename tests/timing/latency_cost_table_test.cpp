// The latency model prices steps from costs converted once from the parameters (per cache, table read, miss
// detection, access, delivery, invalidation work). Checked against hand-computed values at clocks where a
// cycle is not a whole number of picoseconds (the conversion rounds), and against a reference pricing
// written here from the documented rule (lookups before the first memory step on the pipeline; from it on
// a walker, the earliest free; every later step at its own cost) over random walk records.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "model/timing/latency_model.hpp"

using namespace vtd;
using namespace vtd::timing;
using core::cache_kind;
using core::step_kind;
using core::walk_record;
using core::walk_step;

namespace {

walk_step lookup(cache_kind k, bool hit) {
  walk_step s;
  s.kind = step_kind::cache_lookup;
  s.cache = k;
  s.ok = hit;
  return s;
}
walk_step read(step_kind k) {
  walk_step s;
  s.kind = k;
  return s;
}

// 2.4 GHz: a cycle is 416.67 ps; n cycles cost round(n * 1000 / 2.4) ps.
timing_params odd_clock() {
  timing_params p;
  p.clock_ghz = 2.4;
  p.iotlb_hit_cycles = 3;          // 1250 ps
  p.context_cache_hit_cycles = 5;  // 2083.33 -> 2083 ps
  p.pasid_cache_hit_cycles = 7;    // 2916.67 -> 2917 ps
  p.psc_hit_cycles = 2;            // 833.33 -> 833 ps
  p.iec_hit_cycles = 4;            // 1666.67 -> 1667 ps
  p.miss_detect_cycles = 1;        // 416.67 -> 417 ps
  p.lookups_per_cycle = 1;
  p.walkers = 1;
  p.table_read_ns = 70.25;  // 70250 ps
  p.dma_access_ns = 590.4;  // 590400 ps
  p.interrupt_delivery_ns = 50.5;
  return p;
}

}  // namespace

TEST(LatencyCostTable, EveryCacheAtAnOddClockIsHandComputed) {
  latency_model m(odd_clock());
  walk_record w;
  w.add(lookup(cache_kind::context, true));  // 2083
  w.add(lookup(cache_kind::pasid, true));    // 2917
  w.add(lookup(cache_kind::iotlb, false));   // 1250
  w.add(lookup(cache_kind::pml4e, false));   // 833
  w.add(read(step_kind::fs_entry));          // walker from here: 70250
  w.add(lookup(cache_kind::pde, true));      // 833, on the walker
  w.add(read(step_kind::fs_entry));          // 70250
  const auto t = m.price_dma(1'000'000, w, true);
  const picoseconds lookups = 2083 + 2917 + 1250 + 833;
  EXPECT_EQ(t.lookup_start, 1'000'000u);
  EXPECT_EQ(t.walk_start, 1'000'000u + lookups + 417);
  EXPECT_EQ(t.translation_done, 1'000'000u + lookups + 417 + 70250 + 833 + 70250);
  EXPECT_EQ(t.memory_reads, 2u);
  EXPECT_EQ(t.done, t.translation_done + 590400);

  walk_record irq;
  irq.add(lookup(cache_kind::interrupt, true));  // 1667
  // The lookup pipeline takes one request per cycle (417 ps): the second request starts after the first.
  const auto i = m.price_interrupt(1'000'000, irq, true);
  EXPECT_EQ(i.lookup_start, 1'000'417u);
  EXPECT_EQ(i.translation_done, 1'000'417u + 1667);
  EXPECT_EQ(i.done, 1'000'417u + 1667 + 50500);
}

TEST(LatencyCostTable, InvalidationWorkAtFractionalNanoseconds) {
  timing_params p;
  p.register_invalidation_ns = 999.9996;  // 999999.6 -> 1000000 ps
  p.queued_descriptor_ns = 100.0004;      // 100000.4 -> 100000 ps
  p.invalidation_wait_ns = 1500.25;       // 1500250 ps
  latency_model m(p);
  invalidation_work w;
  w.register_commands = 2;
  w.descriptors = 3;
  w.waits = 1;
  const auto r = m.price_invalidation(10, w);
  EXPECT_EQ(r.start, 10u);
  EXPECT_EQ(r.done, 10u + 2 * 1'000'000 + 3 * 100'000 + 1'500'250);
}

// The reference: the rule of latency_model.hpp, step by step, with the costs computed per step.
struct reference_pricer {
  timing_params p;
  picoseconds lookup_free = 0;
  std::vector<picoseconds> walker_free;

  explicit reference_pricer(const timing_params& params) : p(params), walker_free(params.walkers, 0) {}

  picoseconds cost(const walk_step& s) const {
    if (s.kind != step_kind::cache_lookup) return timing_params::ns(p.table_read_ns);
    switch (s.cache) {
      case cache_kind::iotlb:
        return p.cycles(p.iotlb_hit_cycles);
      case cache_kind::context:
        return p.cycles(p.context_cache_hit_cycles);
      case cache_kind::pasid:
        return p.cycles(p.pasid_cache_hit_cycles);
      case cache_kind::interrupt:
        return p.cycles(p.iec_hit_cycles);
      case cache_kind::pde:
      case cache_kind::pdpe:
      case cache_kind::pml4e:
      case cache_kind::pml5e:
      case cache_kind::none:
        return p.cycles(p.psc_hit_cycles);
    }
    return 0;
  }

  request_timing price(picoseconds arrival, const walk_record& w, bool access) {
    request_timing t;
    t.arrival = arrival;
    t.lookup_start = std::max(arrival, lookup_free);
    lookup_free = t.lookup_start + std::max<picoseconds>(1, p.cycles(1) / std::max(1u, p.lookups_per_cycle));
    picoseconds now = t.lookup_start;
    unsigned i = 0;
    for (; i < w.size() && w[i].kind == step_kind::cache_lookup; ++i) now += cost(w[i]);
    t.walk_start = now;
    if (i < w.size()) {
      now += p.cycles(p.miss_detect_cycles);
      auto walker = std::min_element(walker_free.begin(), walker_free.end());
      const picoseconds start = std::max(now, *walker);
      t.walker_queue_delay = start - now;
      t.walk_start = now = start;
      for (; i < w.size(); ++i) {
        now += cost(w[i]);
        t.memory_reads += w[i].kind != step_kind::cache_lookup;
      }
      *walker = now;
      t.used_walker = true;
    }
    t.translation_done = now;
    t.done = access ? now + timing_params::ns(p.dma_access_ns) : now;
    return t;
  }
};

TEST(LatencyCostTable, RandomWalksPriceAsTheReference) {
  std::mt19937_64 rng(16);
  const step_kind reads[] = {step_kind::root_entry,  step_kind::context_entry,     step_kind::pasid_dir_entry,
                             step_kind::pasid_entry, step_kind::sl_entry,          step_kind::fs_entry,
                             step_kind::irte,        step_kind::posted_descriptor, step_kind::status_write};
  for (double ghz : {1.0, 1.3, 2.4, 3.7}) {
    timing_params p = odd_clock();
    p.clock_ghz = ghz;
    p.walkers = 3;
    p.lookups_per_cycle = 2;
    latency_model m(p);
    reference_pricer ref(p);
    picoseconds arrival = 0;
    for (int n = 0; n < 2000; ++n) {
      walk_record w;
      const unsigned steps = unsigned(rng() % 12);
      for (unsigned s = 0; s < steps; ++s) {
        if (rng() % 2)
          w.add(lookup(static_cast<cache_kind>(rng() % (core::kCacheKinds + 1)), rng() % 2));
        else
          w.add(read(reads[rng() % std::size(reads)]));
      }
      arrival += rng() % 50'000;
      const bool access = rng() % 2;
      const auto got = m.price_dma(arrival, w, access);
      const auto want = ref.price(arrival, w, access);
      ASSERT_EQ(got.lookup_start, want.lookup_start) << ghz << " " << n;
      ASSERT_EQ(got.walk_start, want.walk_start) << ghz << " " << n;
      ASSERT_EQ(got.translation_done, want.translation_done) << ghz << " " << n;
      ASSERT_EQ(got.done, want.done) << ghz << " " << n;
      ASSERT_EQ(got.walker_queue_delay, want.walker_queue_delay) << ghz << " " << n;
      ASSERT_EQ(got.memory_reads, want.memory_reads) << ghz << " " << n;
      ASSERT_EQ(got.used_walker, want.used_walker) << ghz << " " << n;
    }
  }
}
