// block_ring (apps/replay/block_ring.hpp): every consumer thread sees every block of the source, in order,
// with the right trace indices, whatever the timing; the source is read once; an error or a stop ends the
// ring where it happened.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "apps/replay/block_ring.hpp"

using namespace vtd::replay;
using vtd::traces::record;

namespace {

// A source of `blocks` blocks of varying sizes; record i has time_ps = i. Counts its calls.
struct counting_source {
  std::vector<std::vector<record>> blocks;
  size_t next = 0, calls = 0;
  size_t throw_at = SIZE_MAX;  // block index whose read throws
  explicit counting_source(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    uint64_t t = 0;
    for (size_t b = 0; b < n; ++b) {
      std::vector<record> blk(1 + rng() % 50);
      for (auto& r : blk) r.time_ps = t++;
      blocks.push_back(std::move(blk));
    }
  }
  std::span<const record> operator()() {
    ++calls;
    if (next == throw_at) throw std::runtime_error("bad block");
    if (next == blocks.size()) return {};
    return blocks[next++];
  }
};

// Each consumer's view: the records' times and trace indices, in the order seen.
std::vector<std::vector<std::pair<uint64_t, uint64_t>>> consume(block_ring& ring, unsigned consumers,
                                                                uint64_t seed) {
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> seen(consumers);
  std::vector<std::thread> pool;
  for (unsigned c = 0; c < consumers; ++c)
    pool.emplace_back([&, c] {
      std::mt19937_64 rng(seed + c);
      block_ring::block b;
      for (uint64_t n = 0; ring.acquire(n, b); ++n) {
        for (size_t k = 0; k < b.records.size(); ++k) seen[c].emplace_back(b.records[k].time_ps, b.first + k);
        if (rng() % 4 == 0) std::this_thread::yield();  // uneven speeds
        ring.release(n);
      }
    });
  for (auto& t : pool) t.join();
  return seen;
}

}  // namespace

TEST(BlockRing, EveryConsumerSeesEveryRecordInOrderOnce) {
  for (unsigned consumers : {1u, 2u, 3u, 5u})
    for (unsigned slots : {1u, 2u, 8u}) {
      counting_source src(300, consumers * 10 + slots);
      uint64_t progress = 0;
      block_ring ring(
          consumers, slots, [&] { return src(); }, [](uint64_t) { return false; },
          [&](uint64_t n) { progress = n; });
      const auto seen = consume(ring, consumers, slots);
      uint64_t total = 0;
      for (const auto& b : src.blocks) total += b.size();
      for (const auto& v : seen) {
        ASSERT_EQ(v.size(), total);
        for (uint64_t i = 0; i < total; ++i) {
          EXPECT_EQ(v[i].first, i);   // the record's own content: in trace order
          EXPECT_EQ(v[i].second, i);  // and its trace index
        }
      }
      EXPECT_EQ(src.calls, src.blocks.size() + 1);  // read once, then the end
      EXPECT_EQ(progress, total);
      EXPECT_TRUE(ring.read_error().empty());
    }
}

TEST(BlockRing, ReadErrorEndsTheRingWhereItHappened) {
  counting_source src(40, 3);
  src.throw_at = 25;
  block_ring ring(
      2, 4, [&] { return src(); }, [](uint64_t) { return false; }, [](uint64_t) {});
  const auto seen = consume(ring, 2, 9);
  uint64_t before = 0;
  for (size_t b = 0; b < 25; ++b) before += src.blocks[b].size();
  EXPECT_EQ(seen[0].size(), before);
  EXPECT_EQ(seen[1].size(), before);
  EXPECT_EQ(ring.read_error(), "bad block");
  EXPECT_EQ(ring.read_error_at(), before);
}

TEST(BlockRing, StopEndsTheRingBeforeTheBlockAsked) {
  counting_source src(100, 5);
  uint64_t limit = 0;
  for (size_t b = 0; b < 10; ++b) limit += src.blocks[b].size();
  // Stop at the first block starting after `limit - 1`: blocks 0..9 are read, no more.
  block_ring ring(
      2, 3, [&] { return src(); }, [&](uint64_t at) { return at >= limit; }, [](uint64_t) {});
  const auto seen = consume(ring, 2, 1);
  EXPECT_EQ(seen[0].size(), limit);
  EXPECT_EQ(seen[1].size(), limit);
  EXPECT_EQ(src.next, 10u);
}
