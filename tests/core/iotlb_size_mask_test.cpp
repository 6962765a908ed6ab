// The IOTLB probes only the page sizes a domain can hold (iotlb::sizes_of: sizes filled for the domain since
// its entries were last all removed, among the sizes of which any entry is valid). A seeded property test
// checks that this never changes a lookup: after every random fill of every size, every invalidation kind and
// every lookup, the IOTLB's answer is the one a brute-force search of all its valid entries gives (the
// smallest page size first, as VT-d spec 6.2.2 leaves the order to the implementation and the IOTLB
// documents), its contents match a shadow map of what was filled and not removed (the difference being
// exactly the evictions it counted), and the mask names every size of which the domain has a valid entry.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

#include "model/core/cache/iotlb.hpp"

namespace {
using namespace vtd::core;

constexpr uint64_t kSizes[kPageSizes] = {uint64_t{1} << 12, uint64_t{1} << 21, uint64_t{1} << 30};

// A shadow entry's key: the tag fields and the page size (the page number follows from the size).
using shadow_key =
    std::tuple<uint16_t, uint32_t, translation_stage, unsigned, uint64_t>;  // did pasid stage s page
struct shadow_value {
  uint64_t frame;
  bool read, write;
};

shadow_key key_of(const iotlb_tag& t) {
  return {t.did, t.pasid, t.stage, t.size, t.page};
}

class iotlb_size_mask : public ::testing::TestWithParam<std::tuple<bool, replacement_policy, uint64_t>> {
 protected:
  // Every valid entry, read through for_each (independent of the lookup path).
  std::map<shadow_key, shadow_value> contents(const iotlb& t) const {
    std::map<shadow_key, shadow_value> m;
    t.for_each([&](const iotlb_tag& g, const iotlb_entry& e) { m[key_of(g)] = {e.frame, e.read, e.write}; });
    return m;
  }
  // The brute-force answer: the valid entry of the smallest size whose page covers `addr`, or none.
  const shadow_value* brute_force(const std::map<shadow_key, shadow_value>& m, const cache_tag& tag,
                                  uint64_t addr, unsigned& size) const {
    for (unsigned s = 0; s < kPageSizes; ++s) {
      auto it = m.find(shadow_key{tag.did, tag.pasid, tag.stage, s, addr >> page_size_shift(s)});
      if (it != m.end()) {
        size = s;
        return &it->second;
      }
    }
    return nullptr;
  }
};

TEST_P(iotlb_size_mask, lookups_match_a_brute_force_search_through_fills_and_invalidations) {
  const auto [split, policy, seed] = GetParam();
  // Small and 2-way so that evictions are frequent; the split variant has one such array per size.
  iotlb t(cache_config{32, 2, policy, seed, split});
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return uint64_t(rng() % n); };

  // Three domains; legacy tags mostly, and PASID / first-stage tags for the scalable-mode invalidations.
  const uint16_t dids[] = {1, 2, 700};
  auto random_tag = [&] {
    cache_tag g = cache_tag::legacy(0, dids[pick(3)]);
    if (pick(4) == 0) {
      g.pasid = 5;
      g.stage = translation_stage::first;
    }
    return g;
  };
  // Addresses in the first 4 GiB, clustered so that pages of every size overlap.
  auto random_addr = [&] { return (pick(4) << 30) | (pick(4) << 21) | (pick(8) << 12) | pick(4096); };

  std::map<shadow_key, shadow_value> shadow;
  uint64_t lookups = 0, hits = 0;
  std::array<uint64_t, kPageSizes> size_hits{};
  for (int step = 0; step < 20000; ++step) {
    const uint64_t evictions_before = t.stats().total.evictions;
    const unsigned op = unsigned(pick(100));
    const uint16_t did = dids[pick(3)];
    if (op < 45) {  // fill a page of a random size
      const cache_tag g = random_tag();
      const unsigned s = unsigned(pick(kPageSizes));
      const uint64_t addr = random_addr();
      const uint64_t frame = (pick(1u << 20) << 30) & ~(kSizes[s] - 1);
      const bool r = pick(2), w = pick(2);
      ASSERT_TRUE(t.fill(g, addr, cached_translation{frame, kSizes[s], r, w, g.stage}));
      shadow[shadow_key{g.did, g.pasid, g.stage, s, addr >> page_size_shift(s)}] = {frame, r, w};
    } else if (op < 90) {  // look up
      const cache_tag g = random_tag();
      const uint64_t addr = random_addr();
      const auto now = contents(t);
      unsigned want_size = kPageSizes;
      const shadow_value* want = brute_force(now, g, addr, want_size);
      const iotlb_entry* got = t.lookup(g, addr);
      ++lookups;
      ASSERT_EQ(got != nullptr, want != nullptr) << "step " << step;
      if (got) {
        ++hits;
        ++size_hits[want_size];
        EXPECT_EQ(got->page_size(), kSizes[want_size]);
        EXPECT_EQ(got->frame, want->frame);
        EXPECT_EQ(got->read, want->read);
        EXPECT_EQ(got->write, want->write);
      }
    } else if (op < 92) {
      t.invalidate_global();
      shadow.clear();
    } else if (op < 94) {
      t.invalidate_domain(did);
      std::erase_if(shadow, [&](const auto& kv) { return std::get<0>(kv.first) == did; });
    } else if (op < 97) {
      // Page-selective: a range of 1..4 pages of 4 KiB at a random place (second-stage entries of `did`).
      const uint64_t base = random_addr() & ~uint64_t{0xFFF}, len = (1 + pick(4)) << 12;
      t.invalidate_range(did, base, len);
      std::erase_if(shadow, [&](const auto& kv) {
        const auto& [d, p, st, s, page] = kv.first;
        const uint64_t first = base >> page_size_shift(s), last = (base + len - 1) >> page_size_shift(s);
        return d == did && page >= first && page <= last;
      });
    } else {
      // p_iotlb_inv_dsc, PASID-selective: every entry of the domain and PASID 5.
      t.invalidate_pasid(did, 5);
      std::erase_if(
          shadow, [&](const auto& kv) { return std::get<0>(kv.first) == did && std::get<1>(kv.first) == 5; });
    }

    // The contents: a subset of the shadow with the same payloads; what is missing was evicted, one per
    // eviction counted by this step.
    const auto now = contents(t);
    for (const auto& [k, v] : now) {
      auto it = shadow.find(k);
      ASSERT_NE(it, shadow.end()) << "step " << step << ": an entry that was never filled or was removed";
      EXPECT_EQ(it->second.frame, v.frame);
    }
    ASSERT_EQ(shadow.size() - now.size(), t.stats().total.evictions - evictions_before) << "step " << step;
    std::erase_if(shadow, [&](const auto& kv) { return !now.contains(kv.first); });
    // The mask names every size of which a domain has a valid entry.
    for (const auto& [k, v] : now) {
      const auto& [d, p, st, s, page] = k;
      ASSERT_TRUE(t.sizes_of(d) & (1u << s)) << "step " << step << ": domain " << d << " size " << s;
    }
  }
  EXPECT_EQ(t.stats().total.lookups, lookups);
  EXPECT_EQ(t.stats().total.hits, hits);
  EXPECT_EQ(t.stats().total.misses, lookups - hits);
  for (unsigned s = 0; s < kPageSizes; ++s) EXPECT_EQ(t.stats().by_size[s].hits, size_hits[s]);
  EXPECT_GT(hits, 1000u);  // the clustered addresses make hits of every size common
  for (unsigned s = 0; s < kPageSizes; ++s) EXPECT_GT(size_hits[s], 50u) << s;
}

INSTANTIATE_TEST_SUITE_P(seeds, iotlb_size_mask,
                         ::testing::Values(std::tuple{false, replacement_policy::lru, uint64_t{1}},
                                           std::tuple{true, replacement_policy::lru, uint64_t{2}},
                                           std::tuple{false, replacement_policy::plru, uint64_t{3}},
                                           std::tuple{true, replacement_policy::random, uint64_t{4}},
                                           std::tuple{false, replacement_policy::fifo, uint64_t{5}}));

// The mask itself: a domain that filled only 1 GiB pages probes only that size; a domain-selective
// invalidation empties the domain's sizes, a global one every domain's; a page-selective one leaves them.
TEST(iotlb_size_mask_bits, follow_fills_and_exact_invalidations) {
  iotlb t(cache_config{64, 4, replacement_policy::lru, 1, false});
  EXPECT_EQ(t.sizes_of(7), 0u);
  t.fill(7, 0x4000'0000, 0x1'0000'0000, kSizes[2], true, true);
  EXPECT_EQ(t.sizes_of(7), 0b100u);
  EXPECT_EQ(t.sizes_of(8), 0u);  // another domain: nothing filled
  t.fill(8, 0x1000, 0x2000, kSizes[0], true, true);
  EXPECT_EQ(t.sizes_of(8), 0b001u);
  EXPECT_EQ(t.sizes_of(7), 0b100u);  // 4 KiB entries exist, but none of domain 7

  // Page-selective removal of domain 8's only entry: its bit stays, but no 4 KiB entry is valid at all, so
  // the size is not probed for anyone.
  t.invalidate_range(8, 0x1000, 0x1000);
  EXPECT_EQ(t.valid_entries(0), 0u);
  EXPECT_EQ(t.sizes_of(8), 0u);
  t.fill(9, 0x1000, 0x2000, kSizes[0], true, true);  // a 4 KiB entry of domain 9 makes the size non-empty
  EXPECT_EQ(t.sizes_of(8), 0b001u);                  // conservative: domain 8's bit was left set

  t.invalidate_domain(8);
  EXPECT_EQ(t.sizes_of(8), 0u);
  EXPECT_EQ(t.sizes_of(9), 0b001u);
  t.invalidate_global();
  EXPECT_EQ(t.sizes_of(7), 0u);
  EXPECT_EQ(t.sizes_of(9), 0u);
  // Refilled after the global invalidation: the bits come back.
  t.fill(7, 0x20'0000, 0x40'0000, kSizes[1], true, false);
  EXPECT_EQ(t.sizes_of(7), 0b010u);
  ASSERT_NE(t.lookup(7, 0x3F'FFFF), nullptr);
}

}  // namespace
