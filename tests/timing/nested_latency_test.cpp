// Hand-computed latencies of scalable-mode walks priced from the core's own walk records: a cold nested
// 4-level-over-4-level miss reads 4 structures and 24 paging entries, a first-stage miss 4 + 4, and a repeat
// of the same request on a cached unit costs only its lookups (context-cache, PASID cache, IOTLB).
#include <gtest/gtest.h>

#include "model/core/system/iommu.hpp"
#include "model/timing/latency_model.hpp"
#include "tests/core/sm_fixture.hpp"

namespace vtd::test {
namespace {

constexpr uint64_t kIova = 0x123456789000;
constexpr uint64_t kFsRoot = 0x2F0000, kSsRoot = 0x2E0000;

timing::timing_params simple_params() {
  timing::timing_params p;
  p.clock_ghz = 1.0;  // 1 cycle = 1000 ps
  p.iotlb_hit_cycles = 3;
  p.context_cache_hit_cycles = 4;
  p.pasid_cache_hit_cycles = 6;
  p.psc_hit_cycles = 5;
  p.miss_detect_cycles = 1;
  p.walkers = 2;
  p.table_read_ns = 100;
  p.dma_access_ns = 500;
  return p;
}

class nested_latency : public sm_fixture {
 public:
  // Nested PASID 0: the first-stage tables identity-mapped by the second stage, data GPA 0x40000000 ->
  // HPA 0x60000000; or first-stage only with the same first-stage tables.
  void build(bool nested_walk) {
    install(nested_walk ? nested(3, kFsRoot, kSsRoot) : first_stage(3, kFsRoot));
    map_fs(kFsRoot, 4, kIova, 0x40000000);
    if (!nested_walk) return;
    uint64_t table = kFsRoot;
    for (unsigned level = 4; level >= 1; --level) {
      map_ss(kSsRoot, 4, table, table);
      if (level > 1) table = fs_entry{*mem.read64(table + level_index(kIova, level) * 8)}.address(level);
    }
    map_ss(kSsRoot, 4, 0x40000000, 0x60000000);
  }
  timing::picoseconds latency(const walk_record& rec) {
    timing::latency_model m(simple_params());
    const auto t = m.price_dma(0, rec, true);
    return t.done - t.arrival;
  }
};

TEST_F(nested_latency, cold_nested_miss_costs_28_reads) {
  build(true);
  walk_record rec;
  ASSERT_TRUE(unit->dma().translate(dma(kSid, kIova), &rec).ok());  // no caches: every structure from memory
  ASSERT_EQ(rec.memory_reads(), 28u);
  // miss detect 1 cycle + 28 reads x 100 ns + the access 500 ns.
  EXPECT_EQ(latency(rec), 1000u + 28u * 100000u + 500000u);
}

TEST_F(nested_latency, cold_first_stage_miss_costs_8_reads) {
  build(false);
  walk_record rec;
  ASSERT_TRUE(unit->dma().translate(dma(kSid, kIova), &rec).ok());
  ASSERT_EQ(rec.memory_reads(), 8u);
  EXPECT_EQ(latency(rec), 1000u + 8u * 100000u + 500000u);
}

TEST_F(nested_latency, repeat_on_a_cached_unit_costs_its_lookups) {
  build(true);
  core::iommu cached(cfg, mem, core::translation_caches_config{});
  cached.unit().set_root_table(kRoot | kTtmScalable);
  cached.unit().enable_translation(true);
  walk_record first, second;
  ASSERT_TRUE(cached.unit().dma().translate(dma(kSid, kIova), &first).ok());
  ASSERT_TRUE(cached.unit().dma().translate(dma(kSid, kIova), &second).ok());
  ASSERT_EQ(second.memory_reads(), 0u);
  // Context-cache hit 4 cycles + PASID cache hit 6 + IOTLB hit 3, then the access.
  EXPECT_EQ(latency(second), 13000u + 500000u);
  // The cold walk on the cached unit shares the second stage's upper levels between its sub-walks through
  // the second-stage paging-structure cache: 4 structure reads; the first sub-walk's 4; 1 for each of the
  // three later table GPAs (all under the same PD entry: only their PTE); 3 for the output GPA 0x40000000
  // (PDPT index 1: only the PML4 entry is shared); 4 first-stage reads: 18.
  EXPECT_EQ(first.memory_reads(), 18u);
  EXPECT_GT(latency(first), latency(second) + 18u * 100000u);
}

}  // namespace
}  // namespace vtd::test
