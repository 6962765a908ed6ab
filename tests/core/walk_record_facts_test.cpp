// The walk record's facts (memory reads, first lookup of each cache, overflow) and its steps-off mode: two
// units with their own caches replay the same random requests over the same random tables, one keeping the
// steps and one keeping only the facts. The translations must be the same, and both records' facts must be
// what a scan of the kept steps says (the rule the upstream port used to apply by scanning).
#include <gtest/gtest.h>

#include <random>

#include "model/core/cache/cache_hooks.hpp"
#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

// What a reader finds by scanning the steps: structure reads, and the first lookup of each cache.
struct scanned_facts {
  unsigned memory_reads = 0;
  bool seen[kCacheKinds] = {};
  bool hit[kCacheKinds] = {};
};
scanned_facts scan(const walk_record& rec) {
  scanned_facts f;
  for (const walk_step& s : rec) {
    if (s.kind == step_kind::cache_lookup) {
      const unsigned c = unsigned(s.cache);
      if (c < kCacheKinds && !f.seen[c]) f.seen[c] = true, f.hit[c] = s.ok;
    } else if (s.kind != step_kind::status_write) {
      ++f.memory_reads;
    }
  }
  return f;
}

class walk_record_facts : public core_fixture {
 public:
  static constexpr uint64_t kTables = 0x400000;  // one 16 KiB block of tables per device
  static constexpr unsigned kDevices = 6;
  static constexpr uint64_t kSpan = 8 * (uint64_t{1} << 21);  // IOVAs used: 8 PD entries of 2 MiB

  // Device d (devfn d): context present unless d == 5, domain d + 1, 4-level tables; each of 8 PD entries is
  // absent, a 2 MiB leaf or a page table whose 4 KiB leaves are absent, read-only, write-only or read-write.
  void build_random_tables(std::mt19937_64& rng) {
    put_root(0, root_entry::make(kCtx));
    for (unsigned d = 0; d < kDevices; ++d) {
      const uint64_t pml4 = kTables + d * 0x100000, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
      put_context(
          kCtx, d,
          context_entry::make(pml4, 2, uint16_t(d + 1), translation_type::untranslated_only, false, d != 5));
      put_sl(pml4, 0, sl_entry::make_table(pdpt).raw);
      put_sl(pdpt, 0, sl_entry::make_table(pd).raw);
      for (unsigned i = 0; i < 8; ++i) {
        const uint64_t pt = pml4 + 0x3000 + i * 0x1000;
        switch (rng() % 4) {
          case 0:
            break;  // not present
          case 1:
            put_sl(pd, i, sl_entry::make_leaf(2, 0x80000000 + i * (uint64_t{1} << 21), true, rng() % 2).raw);
            break;
          default:
            put_sl(pd, i, sl_entry::make_table(pt).raw);
            for (unsigned j = 0; j < 512; j += 1 + unsigned(rng() % 3)) {
              const unsigned rw = unsigned(rng() % 4);  // 0: absent, 1: R, 2: W, 3: RW
              if (rw)
                put_sl(pt, j,
                       sl_entry::make_leaf(1, 0x90000000 + (i * 512 + j) * 0x1000, rw & 1, rw & 2).raw);
            }
        }
      }
    }
  }
};

TEST_F(walk_record_facts, steps_off_gives_the_same_translations_and_facts_over_random_tables) {
  std::mt19937_64 rng(16);
  build_random_tables(rng);
  // A small IOTLB and context-cache so that hits, misses and evictions all occur.
  translation_caches_config cc;
  cc.iotlb = cache_config{16, 4, replacement_policy::lru, 2, false};
  cc.context = cache_config{4, 2, replacement_policy::lru, 1, false};
  translation_caches caches_full(cc), caches_facts(cc);
  cache_hooks hooks_full(caches_full), hooks_facts(caches_facts);
  remapping_unit& full = *unit;
  remapping_unit facts_only(cfg, mem);
  full.set_hooks(&hooks_full);
  facts_only.set_hooks(&hooks_facts);
  for (remapping_unit* u : {&full, &facts_only}) {
    u->set_root_table(kRoot);
    u->enable_translation(true);
  }

  walk_record rec_full, rec_facts;
  rec_facts.keep_steps(false);
  unsigned hits = 0, faults = 0, walks = 0;
  for (unsigned i = 0; i < 20000; ++i) {
    // Mostly a few hot pages (IOTLB hits), sometimes anywhere in the span (walks, faults).
    const uint64_t addr = rng() % 4 ? (rng() % 24) * 0x1000 + 0x40 : (rng() % kSpan) & ~uint64_t{3};
    const dma_request req =
        dma(uint16_t(rng() % kDevices), addr, rng() % 3 ? access_kind::read : access_kind::write, 4);
    rec_full.clear();
    rec_facts.clear();
    const translation_result a = full.translate(req, &rec_full);
    const translation_result b = facts_only.translate(req, &rec_facts);
    ASSERT_EQ(a.status, b.status) << i;
    ASSERT_EQ(a.fault, b.fault) << i;
    ASSERT_EQ(a.hpa, b.hpa) << i;
    ASSERT_EQ(a.read, b.read) << i;
    ASSERT_EQ(a.write, b.write) << i;
    ASSERT_EQ(a.page_size, b.page_size) << i;
    ASSERT_EQ(a.domain_id, b.domain_id) << i;

    const scanned_facts f = scan(rec_full);
    EXPECT_EQ(rec_facts.size(), 0u) << i;
    ASSERT_EQ(rec_full.memory_reads(), f.memory_reads) << i;
    ASSERT_EQ(rec_facts.memory_reads(), f.memory_reads) << i;
    ASSERT_EQ(rec_facts.overflowed(), rec_full.overflowed()) << i;
    for (unsigned c = 0; c < kCacheKinds; ++c) {
      const cache_kind k = cache_kind(c);
      ASSERT_EQ(rec_full.looked_up(k), f.seen[c]) << i << " cache " << c;
      ASSERT_EQ(rec_full.first_lookup_hit(k), f.hit[c]) << i << " cache " << c;
      ASSERT_EQ(rec_facts.looked_up(k), f.seen[c]) << i << " cache " << c;
      ASSERT_EQ(rec_facts.first_lookup_hit(k), f.hit[c]) << i << " cache " << c;
    }
    hits += f.hit[unsigned(cache_kind::iotlb)];
    faults += !a.ok();
    walks += f.memory_reads > 0;
  }
  // The mix the test is for: every kind of outcome occurred many times.
  EXPECT_GT(hits, 1000u);
  EXPECT_GT(faults, 1000u);
  EXPECT_GT(walks, 1000u);
}

// The facts count only the steps the record kept, with steps on or off: beyond kMaxSteps nothing is noted.
TEST(walk_record_facts_limits, facts_stop_where_the_record_is_full) {
  for (bool keep : {true, false}) {
    walk_record rec;
    rec.keep_steps(keep);
    for (unsigned i = 0; i < walk_record::kMaxSteps; ++i)
      rec.add_read(step_kind::sl_entry, structure_kind::paging_entry, translation_stage::second, 1, true, 0,
                   0, 0, {i});
    // A lookup after the record is full is dropped: the IOTLB counts as never looked up.
    rec.add_lookup(cache_kind::iotlb, structure_kind::none, translation_stage::second, 0, true, 1, {0, 0});
    EXPECT_EQ(rec.memory_reads(), walk_record::kMaxSteps) << keep;
    EXPECT_FALSE(rec.looked_up(cache_kind::iotlb)) << keep;
    EXPECT_EQ(rec.dropped(), 1u) << keep;
    EXPECT_EQ(rec.size(), keep ? walk_record::kMaxSteps : 0u) << keep;
    rec.clear();
    EXPECT_EQ(rec.memory_reads(), 0u) << keep;
    // The first lookup of a cache decides; a status write is not a read.
    rec.add_lookup(cache_kind::context, structure_kind::context_entry, translation_stage::none, 0, false, 1,
                   {});
    rec.add_lookup(cache_kind::context, structure_kind::context_entry, translation_stage::none, 0, true, 1,
                   {});
    rec.add_read(step_kind::status_write, structure_kind::paging_entry, translation_stage::first, 1, true, 0,
                 0, 0, {1});
    EXPECT_TRUE(rec.looked_up(cache_kind::context)) << keep;
    EXPECT_FALSE(rec.first_lookup_hit(cache_kind::context)) << keep;
    EXPECT_EQ(rec.memory_reads(), 0u) << keep;
  }
}

}  // namespace
}  // namespace vtd::test
