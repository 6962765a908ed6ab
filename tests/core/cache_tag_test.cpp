// Cache tags hold source-id, PASID, domain and stage: entries of one domain and address but another PASID or
// another stage never hit each other, legacy entries (no PASID, second stage) keep their behaviour, and
// invalidation by domain reaches PASID-tagged entries too.
#include <gtest/gtest.h>

#include "model/core/cache/cache_hooks.hpp"
#include "model/core/cache/translation_caches.hpp"

namespace {
using namespace vtd::core;

constexpr uint64_t K4 = 1ull << 12;

cache_tag tag(uint16_t did, uint32_t pasid, translation_stage stage) {
  return cache_tag{0x0100, did, pasid, stage};
}

TEST(cache_tags, iotlb_distinguishes_pasids_and_stages) {
  translation_caches c;
  auto& t = c.tlb();
  ASSERT_TRUE(t.fill(tag(4, 7, translation_stage::first), 0x5000,
                     cached_translation{0xA000, K4, true, true, translation_stage::first}));
  const iotlb_entry* e = t.lookup(tag(4, 7, translation_stage::first), 0x5abc);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->frame, 0xA000u);
  EXPECT_EQ(e->stage, translation_stage::first);
  EXPECT_EQ(t.lookup(tag(4, 8, translation_stage::first), 0x5000), nullptr);          // other PASID
  EXPECT_EQ(t.lookup(tag(4, 7, translation_stage::second), 0x5000), nullptr);         // other stage
  EXPECT_EQ(t.lookup(tag(4, kNoPasid, translation_stage::second), 0x5000), nullptr);  // legacy request
  EXPECT_EQ(t.lookup(4, 0x5000), nullptr);                                            // legacy shorthand
  t.fill(4, 0x5000, 0xB000, K4, true, false);  // a legacy entry for the same page coexists
  ASSERT_NE(t.lookup(4, 0x5000), nullptr);
  EXPECT_EQ(t.lookup(4, 0x5000)->frame, 0xB000u);
  EXPECT_EQ(t.lookup(tag(4, 7, translation_stage::first), 0x5000)->frame, 0xA000u);
}

TEST(cache_tags, range_invalidation_reaches_pasid_tagged_entries) {
  translation_caches c;
  auto& t = c.tlb();
  t.fill(tag(4, 7, translation_stage::second), 0x5000, cached_translation{0xA000, K4, true, true});
  t.fill(4, 0x5000, 0xB000, K4, true, true);
  t.fill(5, 0x5000, 0xC000, K4, true, true);
  EXPECT_EQ(t.invalidate_range(4, 0x5000, K4), 2u);  // both entries of domain 4, whatever their PASID
  EXPECT_EQ(t.lookup(tag(4, 7, translation_stage::second), 0x5000), nullptr);
  EXPECT_NE(t.lookup(5, 0x5000), nullptr);
}

TEST(cache_tags, paging_structure_caches_distinguish_pasids_and_stages) {
  translation_caches c;
  auto& psc = c.paging();
  const uint64_t a = 0x12'3440'0000;
  ASSERT_TRUE(psc.fill(tag(4, 9, translation_stage::first), a, 2, psc_entry{0x2000, true, true}));
  psc_hit h;
  ASSERT_TRUE(psc.lookup(tag(4, 9, translation_stage::first), a, 4, h));
  EXPECT_EQ(h.entry.next_table, 0x2000u);
  EXPECT_FALSE(psc.lookup(tag(4, 10, translation_stage::first), a, 4, h));
  EXPECT_FALSE(psc.lookup(tag(4, 9, translation_stage::second), a, 4, h));
  EXPECT_FALSE(psc.lookup(4, a, 4, h));
  EXPECT_EQ(psc.invalidate_range(4, a, K4), 1u);
  EXPECT_FALSE(psc.lookup(tag(4, 9, translation_stage::first), a, 4, h));
}

TEST(cache_tags, hooks_pass_the_tag_and_record_its_stage) {
  translation_caches c;
  cache_hooks hooks(c);
  const cache_tag t = tag(2, 3, translation_stage::nested);
  hooks.fill_iotlb(t, 0x7000, cached_translation{0x9000, K4, true, false, translation_stage::nested});
  walk_record rec;
  cached_translation out;
  EXPECT_FALSE(hooks.lookup_iotlb(cache_tag::legacy(0x0100, 2), 0x7000, out, &rec));
  ASSERT_TRUE(hooks.lookup_iotlb(t, 0x7000, out, &rec));
  EXPECT_EQ(out.frame, 0x9000u);
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_EQ(rec[0].stage, translation_stage::second);
  EXPECT_EQ(rec[1].stage, translation_stage::nested);
  EXPECT_EQ(rec[1].cache, cache_kind::iotlb);
}

}  // namespace
