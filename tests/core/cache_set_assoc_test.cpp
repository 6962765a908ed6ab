// Tests of the generic set-associative cache: hand-traced replacement order per policy, conflict misses,
// statistics identities, and a seeded comparison against a shadow LRU/FIFO model kept by the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "model/core/cache/set_assoc_cache.hpp"

namespace {
using namespace vtd::core;

struct identity_index {
  uint64_t operator()(uint64_t t) const { return t; }
};
using cache_t = set_assoc_cache<uint64_t, uint64_t, identity_index>;

cache_t make(uint32_t entries, uint32_t ways, replacement_policy p, uint64_t seed = 1) {
  return cache_t(cache_config{entries, ways, p, seed, false});
}

// One set of four ways: fill A B C D, hit A, then fill E and F and see who leaves.
std::vector<uint64_t> trace_victims(replacement_policy p) {
  auto c = make(4, 4, p);
  for (uint64_t t : {0xA, 0xB, 0xC, 0xD}) EXPECT_FALSE(c.fill(t, t).evicted);
  EXPECT_NE(c.lookup(0xA), nullptr);
  std::vector<uint64_t> victims;
  for (uint64_t t : {0xE, 0xF}) {
    auto r = c.fill(t, t);
    EXPECT_TRUE(r.evicted);
    victims.push_back(r.victim_tag);
    EXPECT_EQ(r.victim, r.victim_tag);  // payload travels with the victim
  }
  return victims;
}

TEST(cache_set_assoc, lru_evicts_least_recently_used) {
  // After the hit on A the order of use is B C D A: E evicts B, then F evicts C.
  EXPECT_EQ(trace_victims(replacement_policy::lru), (std::vector<uint64_t>{0xB, 0xC}));
}

TEST(cache_set_assoc, fifo_ignores_hits) {
  // Insertion order A B C D: the hit on A does not save it.
  EXPECT_EQ(trace_victims(replacement_policy::fifo), (std::vector<uint64_t>{0xA, 0xB}));
}

TEST(cache_set_assoc, tree_plru_follows_the_tree_bits) {
  // Ways 0..3 hold A..D. After filling D every node points left (way 0); the hit on A points the root right
  // and node 1 right, so the victim is way 2 (C). E then lands in way 2, pointing the root left: node 1 still
  // points right, so F evicts way 1 (B).
  EXPECT_EQ(trace_victims(replacement_policy::plru), (std::vector<uint64_t>{0xC, 0xB}));
}

TEST(cache_set_assoc, splitmix64_matches_reference_sequence) {
  // Reference outputs of splitmix64 seeded with 0 (Vigna's splitmix64.c).
  splitmix64 g(0);
  EXPECT_EQ(g.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(g.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(g.next(), 0x06C45D188009454Full);
}

TEST(cache_set_assoc, random_replacement_is_seeded_and_reproducible) {
  auto run = [](uint64_t seed) {
    auto c = make(8, 8, replacement_policy::random, seed);
    std::vector<uint64_t> victims;
    for (uint64_t t = 0; t < 200; ++t) {
      auto r = c.fill(t, t);
      if (r.evicted) victims.push_back(r.victim_tag);
    }
    return victims;
  };
  auto a = run(42), b = run(42), c = run(43);
  EXPECT_EQ(a.size(), 192u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // The victim way is splitmix64(seed) % ways: replay that on a shadow of the 8 ways.
  splitmix64 g(42);
  std::vector<uint64_t> ways(8);
  for (uint64_t t = 0; t < 8; ++t) ways[t] = t;
  for (uint64_t t = 8; t < 200; ++t) {
    unsigned w = unsigned(g.next() % 8);
    EXPECT_EQ(a[t - 8], ways[w]);
    ways[w] = t;
  }
}

TEST(cache_set_assoc, direct_mapped_conflicts) {
  auto c = make(8, 1, replacement_policy::lru);
  c.fill(0, 100);
  auto r = c.fill(8, 108);  // same set (8 & 7 == 0)
  ASSERT_TRUE(r.evicted);
  EXPECT_EQ(r.victim_tag, 0u);
  EXPECT_EQ(c.lookup(0), nullptr);
  ASSERT_NE(c.lookup(8), nullptr);
  EXPECT_EQ(*c.lookup(8), 108u);
  c.fill(1, 101);  // another set: no conflict
  EXPECT_NE(c.lookup(1), nullptr);
  EXPECT_NE(c.lookup(8), nullptr);
}

TEST(cache_set_assoc, two_way_conflict_and_fully_associative_none) {
  auto two = make(8, 2, replacement_policy::lru);  // 4 sets
  auto full = make(8, 8, replacement_policy::lru);
  for (uint64_t t : {0, 4, 8}) two.fill(t, t), full.fill(t, t);  // all set 0 in the 2-way cache
  EXPECT_EQ(two.lookup(0), nullptr);
  EXPECT_NE(full.lookup(0), nullptr);
  EXPECT_EQ(two.valid_entries(), 2u);
  EXPECT_EQ(full.valid_entries(), 3u);
}

TEST(cache_set_assoc, refill_of_present_tag_updates_in_place) {
  auto c = make(4, 4, replacement_policy::lru);
  c.fill(7, 1);
  auto r = c.fill(7, 2);
  EXPECT_TRUE(r.updated);
  EXPECT_FALSE(r.evicted);
  EXPECT_EQ(c.valid_entries(), 1u);
  EXPECT_EQ(*c.peek(7), 2u);
}

TEST(cache_set_assoc, invalidate_by_predicate_and_tag) {
  auto c = make(16, 4, replacement_policy::lru);
  for (uint64_t t = 0; t < 16; ++t) c.fill(t, t * 10);
  EXPECT_EQ(c.invalidate_if([](uint64_t t, uint64_t) { return t % 3 == 0; }), 6u);  // 0 3 6 9 12 15
  EXPECT_TRUE(c.invalidate(1));
  EXPECT_FALSE(c.invalidate(1));
  EXPECT_EQ(c.valid_entries(), 9u);
  EXPECT_EQ(c.stats().invalidations, 7u);
  for (uint64_t t = 0; t < 16; ++t) EXPECT_EQ(c.peek(t) != nullptr, t % 3 != 0 && t != 1) << t;
  // Freed ways are reused before anything is evicted (t + 16 falls in the same set as t).
  for (uint64_t t : {0, 3, 6, 9, 12, 15, 1}) EXPECT_FALSE(c.fill(t + 16, t).evicted);
  EXPECT_TRUE(c.fill(2 + 32, 0).evicted);
}

TEST(cache_set_assoc, rejects_bad_geometry) {
  EXPECT_THROW(make(12, 4, replacement_policy::lru), std::invalid_argument);    // 3 sets
  EXPECT_THROW(make(10, 4, replacement_policy::lru), std::invalid_argument);    // not a multiple
  EXPECT_THROW(make(12, 12, replacement_policy::plru), std::invalid_argument);  // PLRU needs 2^n ways
  EXPECT_NO_THROW(make(12, 12, replacement_policy::lru));                       // fully associative, 1 set
}

// Seeded property test: an LRU / FIFO cache of any geometry behaves like per-set shadow lists kept here.
void compare_with_shadow(uint32_t entries, uint32_t ways, replacement_policy p, uint64_t seed) {
  auto c = make(entries, ways, p);
  uint32_t sets = entries / ways;
  std::vector<std::deque<uint64_t>> shadow(sets);  // front = next victim
  splitmix64 g(seed);
  uint64_t hits = 0;
  for (int i = 0; i < 20000; ++i) {
    uint64_t t = g.next() % (entries * 3);
    auto& s = shadow[t % sets];
    auto it = std::find(s.begin(), s.end(), t);
    bool shadow_hit = it != s.end();
    bool hit = c.lookup(t) != nullptr;
    ASSERT_EQ(hit, shadow_hit) << "access " << i;
    if (hit) {
      ++hits;
      if (p == replacement_policy::lru) s.erase(it), s.push_back(t);
      continue;
    }
    auto r = c.fill(t, t);
    if (s.size() == ways) {
      ASSERT_TRUE(r.evicted);
      ASSERT_EQ(r.victim_tag, s.front());
      s.pop_front();
    }
    s.push_back(t);
  }
  const auto& st = c.stats();
  EXPECT_EQ(st.lookups, 20000u);
  EXPECT_EQ(st.hits + st.misses, st.lookups);
  EXPECT_EQ(st.hits, hits);
  EXPECT_EQ(st.fills, st.misses);
  EXPECT_EQ(st.fills - st.evictions, c.valid_entries());
}

TEST(cache_set_assoc, lru_matches_shadow_model) {
  compare_with_shadow(64, 64, replacement_policy::lru, 1);
  compare_with_shadow(64, 4, replacement_policy::lru, 2);
  compare_with_shadow(64, 1, replacement_policy::lru, 3);
  compare_with_shadow(48, 3, replacement_policy::lru, 4);
}

TEST(cache_set_assoc, fifo_matches_shadow_model) {
  compare_with_shadow(64, 8, replacement_policy::fifo, 5);
  compare_with_shadow(32, 32, replacement_policy::fifo, 6);
}

TEST(cache_set_assoc, stats_identities_hold_for_plru_and_random) {
  for (auto p : {replacement_policy::plru, replacement_policy::random}) {
    auto c = make(64, 8, p, 9);
    splitmix64 g(11);
    for (int i = 0; i < 5000; ++i) {
      uint64_t t = g.next() % 200;
      if (!c.lookup(t)) c.fill(t, t);
    }
    const auto& st = c.stats();
    EXPECT_EQ(st.hits + st.misses, st.lookups);
    EXPECT_EQ(st.fills, st.misses);
    EXPECT_EQ(st.fills - st.evictions, c.valid_entries());
    EXPECT_EQ(c.valid_entries(), 64u);
  }
}

}  // namespace
