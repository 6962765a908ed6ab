// The walk record as a tagged record: structure, stage and level of every step, raw entries up to 512 bits,
// no silent cap (a walk longer than the old 24-step limit is kept whole; beyond the capacity the record says
// it is incomplete), and cache_kind::none on steps that are not cache lookups.
#include <gtest/gtest.h>

#include "model/core/cache/cache_hooks.hpp"
#include "model/core/system/iommu.hpp"
#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

walk_step paging_read(unsigned level, translation_stage stage, uint64_t raw) {
  return walk_step::read(step_kind::sl_entry, structure_kind::paging_entry, stage, level, true, level, 0x1000,
                         0x1000 + level * 8, {raw});
}

// A scalable-mode nested walk reads up to 24 entries (each of the 4 first-stage levels and the final output
// translated through 5 second-stage levels) besides its cache lookups: 40 steps here, all kept in order.
TEST(walk_record, keeps_a_walk_longer_than_24_steps_in_full) {
  walk_record rec;
  for (unsigned i = 0; i < 40; ++i) {
    if (i % 6 == 5)
      rec.add(walk_step::lookup(cache_kind::pde, structure_kind::paging_entry, translation_stage::second, 2,
                                false, 7, {}));
    else
      rec.add(paging_read(5 - i % 5, i % 2 ? translation_stage::first : translation_stage::second, i));
  }
  ASSERT_EQ(rec.size(), 40u);
  EXPECT_FALSE(rec.overflowed());
  EXPECT_EQ(rec.dropped(), 0u);
  for (unsigned i = 0; i < 40; ++i) {
    if (i % 6 == 5) {
      EXPECT_TRUE(rec[i].is_cache_lookup()) << i;
    } else {
      EXPECT_EQ(rec[i].raw_lo, i) << i;
      EXPECT_EQ(rec[i].stage, i % 2 ? translation_stage::first : translation_stage::second) << i;
    }
  }
  EXPECT_EQ(rec.memory_reads(), 40u - 6u);
}

TEST(walk_record, says_when_it_is_full_instead_of_dropping_silently) {
  walk_record rec;
  for (unsigned i = 0; i < walk_record::kMaxSteps + 3; ++i)
    rec.add(paging_read(1, translation_stage::second, i));
  EXPECT_EQ(rec.size(), walk_record::kMaxSteps);
  EXPECT_TRUE(rec.overflowed());
  EXPECT_EQ(rec.dropped(), 3u);
  rec.clear();
  EXPECT_EQ(rec.size(), 0u);
  EXPECT_FALSE(rec.overflowed());
}

TEST(walk_record, holds_a_512_bit_entry) {
  const auto s = walk_step::read(step_kind::sl_entry, structure_kind::pasid_entry, translation_stage::none, 0,
                                 true, 5, 0x8000, 0x8140, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(s.raw_bits(), 512u);
  for (unsigned q = 0; q < walk_step::kMaxQwords; ++q) EXPECT_EQ(s.qw(q), q + 1) << q;
  EXPECT_EQ(s.raw_lo, 1u);
  EXPECT_EQ(s.raw_hi, 2u);
  EXPECT_EQ(s.cache, cache_kind::none);
}

class walk_tags : public core_fixture {};

// A legacy walk tags every read with its structure; paging entries are second-stage with their level; only
// cache lookups name a cache.
TEST_F(walk_tags, legacy_walk_steps_carry_structure_stage_and_level) {
  constexpr uint16_t sid = 0x0010;
  const uint64_t pml4 = 0x200000, pdpt = 0x201000, pd = 0x202000, pt = 0x203000;
  put_sl(pml4, 0, sl_entry::make_table(pdpt).raw);
  put_sl(pdpt, 0, sl_entry::make_table(pd).raw);
  put_sl(pd, 0, sl_entry::make_table(pt).raw);
  put_sl(pt, 1, sl_entry::make_leaf(1, 0x5000, true, true).raw);
  install_context(sid, context_entry::make(pml4, 2, 3, translation_type::untranslated_only));
  walk_record rec;
  ASSERT_TRUE(unit->translate(dma(sid, 0x1000), &rec).ok());
  ASSERT_EQ(rec.size(), 6u);
  EXPECT_EQ(rec[0].structure, structure_kind::root_entry);
  EXPECT_EQ(rec[0].raw_bits(), 128u);
  EXPECT_EQ(rec[1].structure, structure_kind::context_entry);
  for (unsigned i = 2; i < 6; ++i) {
    EXPECT_EQ(rec[i].structure, structure_kind::paging_entry);
    EXPECT_EQ(rec[i].stage, translation_stage::second);
    EXPECT_EQ(rec[i].level, 6 - i);
    EXPECT_EQ(rec[i].raw_bits(), 64u);
  }
  for (const auto& s : rec) EXPECT_EQ(s.cache, cache_kind::none);
}

TEST_F(walk_tags, cache_lookups_name_their_cache_structure_and_stage) {
  constexpr uint16_t sid = 0x0010;
  const uint64_t pdpt = 0x201000, pd = 0x202000, pt = 0x203000;
  put_sl(pdpt, 0, sl_entry::make_table(pd).raw);
  put_sl(pd, 0, sl_entry::make_table(pt).raw);
  put_sl(pt, 1, sl_entry::make_leaf(1, 0x5000, true, true).raw);
  put_root(0, root_entry::make(kCtx));
  put_context(kCtx, sid, context_entry::make(pdpt, 1, 3, translation_type::untranslated_only));
  core::iommu u(cfg, mem, translation_caches_config{});
  u.unit().set_root_table(kRoot);
  u.unit().enable_translation(true);
  walk_record rec;
  ASSERT_TRUE(u.translate(dma(sid, 0x1000), &rec).ok());
  rec.clear();
  ASSERT_TRUE(u.translate(dma(sid, 0x1000), &rec).ok());
  ASSERT_EQ(rec.size(), 2u);  // context-cache hit, IOTLB hit
  EXPECT_EQ(rec[0].cache, cache_kind::context);
  EXPECT_EQ(rec[0].structure, structure_kind::context_entry);
  EXPECT_EQ(rec[1].cache, cache_kind::iotlb);
  EXPECT_EQ(rec[1].stage, translation_stage::second);
  EXPECT_TRUE(rec[1].ok);
}

}  // namespace
}  // namespace vtd::test
