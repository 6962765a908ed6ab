// table_page_counts (the page-table builders' per-page entry counts) against std::unordered_map under a
// seeded random sequence of inserts, updates and erases of page addresses: the backward-shift deletion must
// never lose an entry that probed past the erased one, and growing must keep every count.
#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "tables/table_page_counts.hpp"

using vtd::tables::table_page_counts;

TEST(TablePageCounts, AgreesWithUnorderedMap) {
  table_page_counts counts;
  std::unordered_map<uint64_t, uint16_t> shadow;
  std::mt19937_64 rng(4242);
  for (int step = 0; step < 200000; ++step) {
    // Few distinct pages (long probe runs, many erases inside runs), including page 0.
    const uint64_t page = (rng() % 700) * 0x1000;
    switch (rng() % 3) {
      case 0: {
        const uint16_t v = uint16_t(rng() % 513);
        counts[page] = v;
        shadow[page] = v;
        break;
      }
      case 1:
        ++counts[page];
        ++shadow[page];
        break;
      default:
        counts.erase(page);
        shadow.erase(page);
        break;
    }
    ASSERT_EQ(counts.size(), shadow.size()) << "step " << step;
    if (step % 997 == 0) {
      for (const auto& [p, v] : shadow) ASSERT_EQ(counts[p], v) << "step " << step << " page " << p;
    }
  }
  for (const auto& [p, v] : shadow) EXPECT_EQ(counts[p], v);
  EXPECT_EQ(counts.size(), shadow.size()) << "reading present pages inserts nothing";
}
