// Tests of the VT-d caches built on the generic cache: IOTLB multi-size lookup (shared and split arrays),
// per-size statistics, paging-structure caches returning the lowest level, context-cache and IEC fill rules,
// named counters, and the translation_hooks adapter's walk-record steps.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "model/core/cache/cache_hooks.hpp"
#include "model/core/cache/translation_caches.hpp"

namespace {
using namespace vtd::core;
using vtd::spec::context_entry;
using vtd::spec::translation_type;

constexpr uint64_t K4 = 1ull << 12, M2 = 1ull << 21, G1 = 1ull << 30;

class iotlb_both : public ::testing::TestWithParam<bool> {};

TEST_P(iotlb_both, finds_an_entry_of_any_size_covering_the_address) {
  cache_config cfg{256, 4, replacement_policy::lru, 1, GetParam()};
  iotlb t(cfg);
  EXPECT_EQ(t.capacity(), GetParam() ? 768u : 256u);
  ASSERT_TRUE(t.fill(1, 0x4000'0000 + 0x20'1234, 0x1'8000'0000, G1, true, false));  // 1 GiB at 1 GiB
  ASSERT_TRUE(t.fill(1, 0x0060'0000, 0x7'0020'0000, M2, true, true));               // 2 MiB at 6 MiB
  ASSERT_TRUE(t.fill(1, 0x0000'5000, 0x9'9999'9000, K4, false, true));              // 4 KiB at 20 KiB
  EXPECT_FALSE(t.fill(1, 0, 0, 8192, true, true));                                  // not a page size

  const iotlb_entry* e = t.lookup(1, 0x7FFF'FFFF);  // last byte of the 1 GiB page
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->page_size(), G1);
  EXPECT_EQ(e->frame, 0x1'8000'0000u);
  EXPECT_TRUE(e->read);
  EXPECT_FALSE(e->write);
  e = t.lookup(1, 0x0060'0000 + M2 - 1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->page_size(), M2);
  e = t.lookup(1, 0x5FFF);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->frame, 0x9'9999'9000u);
  EXPECT_EQ(t.lookup(1, 0x6000), nullptr);       // next 4 KiB page
  EXPECT_EQ(t.lookup(1, 0x0080'0000), nullptr);  // next 2 MiB page
  EXPECT_EQ(t.lookup(1, 0x8000'0000), nullptr);  // next 1 GiB page
  EXPECT_EQ(t.lookup(2, 0x5000), nullptr);       // other domain

  const auto& s = t.stats();
  EXPECT_EQ(s.total.lookups, 7u);
  EXPECT_EQ(s.total.hits, 3u);
  EXPECT_EQ(s.total.misses, 4u);
  EXPECT_EQ(s.by_size[0].hits, 1u);
  EXPECT_EQ(s.by_size[1].hits, 1u);
  EXPECT_EQ(s.by_size[2].hits, 1u);
  EXPECT_EQ(s.total.fills, 3u);
  EXPECT_EQ(t.valid_entries(0) + t.valid_entries(1) + t.valid_entries(2), 3u);
}

TEST_P(iotlb_both, eviction_statistics_per_size) {
  cache_config cfg{8, 1, replacement_policy::lru, 1, GetParam()};  // direct-mapped, 8 sets per array
  iotlb t(cfg);
  for (uint64_t p = 0; p < 64; ++p) t.fill(3, p * K4, p * K4, K4, true, true);
  const auto& s = t.stats();
  EXPECT_EQ(s.by_size[0].fills, 64u);
  EXPECT_EQ(s.by_size[0].evictions, 56u);  // 8 sets keep 8 of them
  EXPECT_EQ(t.valid_entries(0), 8u);
  for (uint64_t p = 56; p < 64; ++p)
    EXPECT_NE(t.lookup(3, p * K4), nullptr) << p;  // sequential pages: no conflict
}

INSTANTIATE_TEST_SUITE_P(shared_and_split, iotlb_both, ::testing::Values(false, true));

TEST(cache_translation, split_arrays_keep_sizes_from_evicting_each_other) {
  cache_config cfg{4, 4, replacement_policy::lru, 1, true};
  iotlb t(cfg);
  t.fill(1, 0, 0, G1, true, true);
  for (uint64_t p = 1; p <= 16; ++p) t.fill(1, p * K4 + G1, p * K4, K4, true, true);
  EXPECT_NE(t.lookup(1, 0x1234), nullptr);  // the 1 GiB entry survived 16 small fills
  cache_config shared = cfg;
  shared.split_by_size = false;
  iotlb u(shared);
  u.fill(1, 0, 0, G1, true, true);
  for (uint64_t p = 1; p <= 16; ++p) u.fill(1, p * K4 + G1, p * K4, K4, true, true);
  EXPECT_EQ(u.lookup(1, 0x1234), nullptr);  // one shared 4-entry array: it was evicted
}

TEST(cache_translation, paging_structure_lookup_returns_lowest_level) {
  translation_caches c;
  auto& psc = c.paging();
  uint64_t a = 0x12'3440'0000;  // 2 MiB aligned, not at a 1 GiB boundary
  psc.fill(4, a, 5, psc_entry{0x5000, true, true});
  psc.fill(4, a, 4, psc_entry{0x4000, true, true});
  psc.fill(4, a, 3, psc_entry{0x3000, true, false});
  psc_hit h;
  ASSERT_TRUE(psc.lookup(4, a, 5, h));
  EXPECT_EQ(h.level, 3u);
  EXPECT_EQ(h.entry.next_table, 0x3000u);
  EXPECT_FALSE(h.entry.write);
  psc.fill(4, a, 2, psc_entry{0x2000, true, true});
  ASSERT_TRUE(psc.lookup(4, a + 0x1F'F000, 5, h));  // same 2 MiB region
  EXPECT_EQ(h.level, 2u);
  ASSERT_TRUE(psc.lookup(4, a + M2, 5, h));  // next 2 MiB region, same 1 GiB: the PDPE
  EXPECT_EQ(h.level, 3u);
  ASSERT_TRUE(psc.lookup(4, a + G1, 5, h));  // next 1 GiB region, same 512 GiB: the PML4E
  EXPECT_EQ(h.level, 4u);
  EXPECT_FALSE(psc.lookup(4, a + G1, 3, h));  // a 3-level table never uses PML4E / PML5E entries
  EXPECT_FALSE(psc.lookup(5, a, 5, h));       // other domain
  auto s = psc.stats();
  EXPECT_EQ(s.total.lookups, 6u);
  EXPECT_EQ(s.total.hits, 4u);
  EXPECT_EQ(s.total.hits + s.total.misses, s.total.lookups);
  EXPECT_EQ(s.total.fills, 4u);
  EXPECT_FALSE(psc.fill(4, a, 1, psc_entry{}));  // level 1 entries are leaves (IOTLB), never here
  EXPECT_FALSE(psc.fill(4, a, 6, psc_entry{}));
}

TEST(cache_translation, context_cache_refuses_non_present_entries) {
  translation_caches c;
  auto e = context_entry::make(0x7000, 2, 9, translation_type::untranslated_only, true);
  EXPECT_TRUE(c.context().fill(0x0310, e));
  EXPECT_FALSE(c.context().fill(
      0x0311, context_entry::make(0x7000, 2, 9, translation_type::untranslated_only, false, false)));
  const context_cache_entry* hit = c.context().lookup(0x0310);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->did, 9);
  EXPECT_EQ(hit->aw, 2);
  EXPECT_TRUE(hit->fpd);
  EXPECT_EQ(hit->slptptr, 0x7000u);
  EXPECT_EQ(hit->to_entry().lo, e.lo);
  EXPECT_EQ(hit->to_entry().hi, e.hi);
  EXPECT_EQ(c.context().lookup(0x0311), nullptr);
}

TEST(cache_translation, interrupt_cache_refuses_non_present_entries) {
  translation_caches c;
  vtd::spec::irte::remapped_fields f;
  f.vector = 0x41;
  auto e = vtd::spec::irte::make_remapped(f, true);
  EXPECT_TRUE(c.interrupt().fill(17, e));
  EXPECT_FALSE(c.interrupt().fill(18, vtd::spec::irte{}));
  ASSERT_NE(c.interrupt().lookup(17), nullptr);
  EXPECT_EQ(c.interrupt().lookup(17)->vector(), 0x41);
  EXPECT_EQ(c.interrupt().lookup(18), nullptr);
}

TEST(cache_translation, named_counters_add_up) {
  translation_caches c;
  c.tlb().fill(1, 0x1000, 0x2000, K4, true, true);
  c.tlb().lookup(1, 0x1000);
  c.tlb().lookup(1, 0x3000);
  c.context().fill(1, context_entry::make(0x1000, 2, 1, translation_type::untranslated_only));
  c.context().lookup(1);
  c.context().lookup(2);
  c.context().lookup(1);
  std::map<std::string, uint64_t> m;
  for (auto& [k, v] : c.stats().counters()) m[k] = v;
  EXPECT_EQ(m.at("iotlb_lookup"), 2u);
  EXPECT_EQ(m.at("iotlb_hit"), 1u);
  EXPECT_EQ(m.at("iotlb_4k_hit"), 1u);
  EXPECT_EQ(m.at("iotlb_2m_hit"), 0u);
  EXPECT_EQ(m.at("ctxt_cache_lookup"), 3u);
  EXPECT_EQ(m.at("ctxt_cache_hit"), 2u);
  for (const char* k : {"ss_nonleaf_lookup", "ss_nonleaf_hit", "int_cache_lookup", "int_cache_hit",
                        "iotlb_1g_invalidation", "ss_pde_hit", "ss_pml5e_fill"})
    EXPECT_TRUE(m.count(k)) << k;
  c.reset_stats();
  for (auto& [k, v] : c.stats().counters()) EXPECT_EQ(v, 0u) << k;
}

TEST(cache_translation, hooks_record_cache_lookup_steps) {
  translation_caches c;
  cache_hooks h(c);
  walk_record rec;
  cached_translation t;
  EXPECT_FALSE(h.lookup_iotlb(0x100, 3, 0x5000, t, &rec));
  h.fill_iotlb(0x100, 3, 0x5000, cached_translation{0xA000, K4, true, false});
  ASSERT_TRUE(h.lookup_iotlb(0x100, 3, 0x5abc, t, &rec));
  EXPECT_EQ(t.frame, 0xA000u);
  EXPECT_FALSE(t.write);
  h.fill_paging(3, 0x5000, cached_table{3, 0xB000, true, true});
  cached_table ct;
  ASSERT_TRUE(h.lookup_paging(3, 0x5000, 4, ct, &rec));
  EXPECT_EQ(ct.level, 3u);
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_EQ(rec[0].kind, step_kind::cache_lookup);
  EXPECT_EQ(rec[0].cache, cache_kind::iotlb);
  EXPECT_FALSE(rec[0].ok);
  EXPECT_TRUE(rec[1].ok);
  EXPECT_EQ(rec[2].cache, cache_kind::pdpe);
  EXPECT_EQ(rec.memory_reads(), 0u);
}

}  // namespace
