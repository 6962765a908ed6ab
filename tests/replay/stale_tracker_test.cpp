// Missing-invalidation bookkeeping in scalable mode: changes pend per (domain, PASID) and PASID-based
// invalidations clear only their PASID; untagged changes (second-stage structures) only DID-based ones; the
// PASID-cache pends per (source-id, PASID) and is cleared by the pc_inv_dsc scopes that name the DID the
// cached entry holds. Checked case by case, then against a page-by-page shadow kept by the test under a
// seeded random sequence of changes and invalidations.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

#include "apps/replay/stale_tracker.hpp"

using namespace vtd::replay;

namespace {

table_change unmap_of(uint64_t iova, uint64_t pages, uint64_t index = 0) {
  table_change c;
  c.record_index = index;
  c.iova = iova;
  c.bytes = pages * 0x1000;
  c.unmap = true;
  return c;
}

}  // namespace

TEST(StaleTracker, PasidSelectiveInvalidationClearsOnlyItsPasid) {
  stale_tracker t;
  // A first-stage domain 3 attached to PASIDs 5 and 6: one unmap is pending for both.
  t.changed_range(3, 5, unmap_of(0x7f0000, 1));
  t.changed_range(3, 6, unmap_of(0x7f0000, 1));
  t.invalidated_pasid_range(3, 5, 0, 0);
  EXPECT_FALSE(t.pending_range(3, 5, 0x7f0040));
  ASSERT_TRUE(t.pending_range(3, 6, 0x7f0040)) << "PASID 6's entries were not invalidated";
  EXPECT_EQ(t.pending_range(3, 6, 0x7f0040)->pasid, 6u);
  // Another domain's or another PASID's invalidation changes nothing.
  t.invalidated_pasid_range(4, 6, 0, 0);
  t.invalidated_pasid_range(3, 7, 0, 0);
  EXPECT_TRUE(t.pending_range(3, 6, 0x7f0fff));
  EXPECT_FALSE(t.pending_range(3, 6, 0x7f1000)) << "past the range";
  // A DID-based invalidation clears every PASID of the domain.
  t.invalidated_domain(3);
  EXPECT_FALSE(t.pending_range(3, 6, 0x7f0040));
  EXPECT_FALSE(t.any());
}

TEST(StaleTracker, PageSelectiveWithinPasidSplitsTheRange) {
  stale_tracker t;
  t.changed_range(3, 5, unmap_of(0x100000, 4, 9));  // [0x100000, 0x104000)
  t.invalidated_pasid_range(3, 5, 0x101000, 0x2000);
  EXPECT_TRUE(t.pending_range(3, 5, 0x100000));
  EXPECT_FALSE(t.pending_range(3, 5, 0x101000));
  EXPECT_FALSE(t.pending_range(3, 5, 0x102fff));
  ASSERT_TRUE(t.pending_range(3, 5, 0x103000));
  EXPECT_EQ(t.pending_range(3, 5, 0x103000)->record_index, 9u) << "the piece keeps its change";
  EXPECT_EQ(t.pending_range(3, 5, 0x103000)->iova, 0x103000u);
}

TEST(StaleTracker, UntaggedChangesIgnorePasidBasedInvalidations) {
  stale_tracker t;
  // A second-stage change: cached walks through the second-stage paging-structure caches have no PASID.
  t.changed_range(2, kUntagged, unmap_of(0x40000000, 1));
  t.invalidated_pasid_range(2, 0, 0, 0);
  ASSERT_TRUE(t.pending_range(2, 0, 0x40000010)) << "a PASID-tagged request still sees the untagged change";
  EXPECT_EQ(t.pending_range(2, 0, 0x40000010)->pasid, kUntagged);
  EXPECT_TRUE(t.pending_range(2, kUntagged, 0x40000010));
  t.invalidated_range(2, 0x40000000, 0x1000);
  EXPECT_FALSE(t.pending_range(2, 0, 0x40000010));
}

TEST(StaleTracker, WholeSpaceChangeOfANestedDomain) {
  stale_tracker t;
  table_change c = unmap_of(0, 0);
  c.bytes = ~uint64_t{0};
  c.parent = 2;
  t.changed_range(4, kUntagged, c);
  ASSERT_TRUE(t.pending_range(4, 7, 0x7fff'ffff'f000));
  EXPECT_EQ(t.pending_range(4, 7, 0x7fff'ffff'f000)->parent, 2);
  t.invalidated_range(4, 0x1000, 0x1000);
  EXPECT_TRUE(t.pending_range(4, 7, 0x0));
  EXPECT_FALSE(t.pending_range(4, 7, 0x1000));
  EXPECT_TRUE(t.pending_range(4, 7, 0x2000));
  t.invalidated_all();
  EXPECT_FALSE(t.any());
}

TEST(StaleTracker, PasidCacheScopesSelectByTheCachedDomain) {
  stale_tracker t;
  // PASID 5 of 40:00.0 moves from domain 3 to domain 9: the PASID-cache may hold it with DID 3.
  t.changed_pasid(0x4000, 5, 3, 10, 1000);
  t.changed_pasid(0x4000, 5, 9, 11, 2000);  // a later change: the cached entry still predates the first
  ASSERT_TRUE(t.pending_pasid(0x4000, 5));
  EXPECT_EQ(t.pending_pasid(0x4000, 5)->domain, 3);
  EXPECT_EQ(t.pending_pasid(0x4000, 5)->record_index, 10u);
  EXPECT_FALSE(t.pending_pasid(0x4000, 6));
  EXPECT_FALSE(t.pending_pasid(0x4100, 5));
  t.invalidated_pasid_cache(9, 5);  // the DID the entry names now, not the cached one
  EXPECT_TRUE(t.pending_pasid(0x4000, 5));
  t.invalidated_pasid_cache(3, 6);  // the right DID, another PASID
  EXPECT_TRUE(t.pending_pasid(0x4000, 5));
  t.invalidated_pasid_cache(3, 5);
  EXPECT_FALSE(t.pending_pasid(0x4000, 5));

  t.changed_pasid(0x4000, 1, 0x100, 12, 3000);
  t.changed_pasid(0x4000, 2, 0x101, 13, 3000);
  t.invalidated_pasid_cache_domain(0x100);
  EXPECT_FALSE(t.pending_pasid(0x4000, 1));
  EXPECT_TRUE(t.pending_pasid(0x4000, 2));
  t.invalidated_pasid_cache_all();
  EXPECT_FALSE(t.any());
}

TEST(StaleTracker, RemembersEveryPasidEverAttached) {
  stale_tracker t;
  EXPECT_TRUE(t.attached_pasids(3).empty());
  for (uint32_t p : {6u, 5u, 6u, 0u}) t.remember_attachment(3, p);
  EXPECT_EQ(t.attached_pasids(3), (std::vector<uint32_t>{0, 5, 6}));
  EXPECT_TRUE(t.attached_pasids(4).empty());
}

// Seeded random changes and invalidations against a shadow of pending (domain, PASID, page) triples: after
// every operation, every page of every (domain, PASID) is pending exactly when the shadow says so.
TEST(StaleTracker, MatchesAPageByPageShadow) {
  constexpr unsigned kPages = 48;
  const uint32_t pasids[] = {0, 1, 2, kUntagged};
  const uint16_t domains[] = {1, 2};
  std::mt19937_64 rng(12345);
  auto pick = [&](uint64_t n) { return uint64_t(rng() % n); };
  stale_tracker t;
  std::set<std::tuple<uint16_t, uint32_t, uint64_t>> shadow;  // (domain, PASID key, page)
  for (int step = 0; step < 4000; ++step) {
    const uint16_t d = domains[pick(2)];
    const uint32_t p = pasids[pick(4)];
    const uint64_t first = pick(kPages), pages = 1 + pick(kPages - first);
    switch (pick(6)) {
      case 0:
      case 1:
        t.changed_range(d, p, unmap_of(first * 0x1000, pages, step));
        for (uint64_t i = first; i < first + pages; ++i) shadow.insert({d, p, i});
        break;
      case 2:  // iotlb_inv_dsc page-selective: every key of the domain
        t.invalidated_range(d, first * 0x1000, pages * 0x1000);
        for (uint32_t q : pasids)
          for (uint64_t i = first; i < first + pages; ++i) shadow.erase({d, q, i});
        break;
      case 3:  // p_iotlb_inv_dsc page-selective: its PASID only
        if (p == kUntagged) break;
        t.invalidated_pasid_range(d, p, first * 0x1000, pages * 0x1000);
        for (uint64_t i = first; i < first + pages; ++i) shadow.erase({d, p, i});
        break;
      case 4:
        if (pick(8) == 0) {
          t.invalidated_domain(d);
          for (uint32_t q : pasids)
            for (uint64_t i = 0; i < kPages; ++i) shadow.erase({d, q, i});
        } else if (p != kUntagged) {
          t.invalidated_pasid_range(d, p, 0, 0);
          for (uint64_t i = 0; i < kPages; ++i) shadow.erase({d, p, i});
        }
        break;
      default:
        if (pick(16) == 0) {
          t.invalidated_all();
          shadow.clear();
        }
        break;
    }
    for (uint16_t dd : domains)
      for (uint32_t q : pasids)
        for (uint64_t i = 0; i < kPages; ++i) {
          const bool expect = shadow.count({dd, q, i}) || shadow.count({dd, kUntagged, i});
          const auto got = t.pending_range(dd, q, i * 0x1000 + 0x123);
          ASSERT_EQ(bool(got), expect)
              << "step " << step << " domain " << dd << " PASID " << q << " page " << i;
          if (got && shadow.count({dd, q, i})) {
            EXPECT_EQ(got->pasid, q) << "its own PASID's change first";
          }
        }
    ASSERT_EQ(t.any(), !shadow.empty()) << "step " << step;
  }
}
