// Seeded random map/unmap sequences through both page-table builders against a shadow map kept by the test
// (4 KiB page -> output frame and rights), with the tables read back from simulated memory: the one-page fast
// paths (map_page, unmap_page), the general range paths, superpage splits and table-page freeing must all
// leave exactly the mappings the shadow says, refuse exactly the overlapping maps, report exactly the bytes
// that were mapped, and keep no table page nothing points to (the builder's count of table pages equals the
// pages reachable from the root in memory, and the allocator's pages in use follow it).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>

#include "model/memory/physical_memory.hpp"
#include "model/spec/fs_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "tables/fs_page_table.hpp"
#include "tables/page_allocator.hpp"
#include "tables/sl_page_table.hpp"
#include "tables/table_error.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

constexpr uint64_t k4K = 0x1000, k2M = 0x200000;

struct shadow_page {
  uint64_t out = 0;
  bool write = false;
};
using shadow_map = std::map<uint64_t, shadow_page>;  // 4 KiB page -> frame

// Every table page reachable from `table` in memory, with the entry format `Entry` (spec 9.7 / 9.8).
template <class Entry>
void reachable(const core::physical_memory& mem, uint64_t table, unsigned level, std::set<uint64_t>& out) {
  out.insert(table);
  for (unsigned i = 0; i < 512; ++i) {
    const Entry e{*mem.read64(table + i * 8)};
    if (e.present() && !e.is_leaf(level)) reachable<Entry>(mem, e.address(level), level - 1, out);
  }
}

// The random operations, the same for both formats: ranges inside a 16 MiB window (so that they collide
// often), mostly single 4 KiB pages (the DMA API's case and the fast paths), some multi-page ranges and 2 MiB
// aligned 2 MiB ranges (superpage leaves, later split by partial unmaps).
struct op {
  bool map = true;
  uint64_t iova = 0, out = 0, size = 0;
  bool write = false;
};
op random_op(std::mt19937_64& rng) {
  op o;
  o.map = rng() % 2 == 0;
  const uint64_t base = 0x7F00'0000'0000ull;  // high tables: every level is used
  const unsigned kind = unsigned(rng() % 10);
  if (kind < 6) {
    o.iova = base + (rng() % 4096) * k4K;
    o.size = k4K;
  } else if (kind < 9) {
    o.iova = base + (rng() % 4096) * k4K;
    o.size = (1 + rng() % 600) * k4K;
  } else {
    o.iova = base + (rng() % 8) * k2M;
    o.size = k2M;
  }
  o.out = (0x100000 + rng() % 0x100000) * k2M;  // 2 MiB aligned: superpages are possible
  o.write = rng() % 2 == 0;
  return o;
}

// Runs `steps` random operations on `table` (sl_page_table or fs_page_table) and the shadow, checking after
// each one. `map` and `lookup` adapt the two builders' signatures.
template <class Entry, class Table, class Map, class Lookup>
void run(uint64_t seed, Table& table, core::physical_memory& mem, page_allocator& pages, unsigned levels,
         Map map, Lookup lookup) {
  std::mt19937_64 rng(seed);
  shadow_map shadow;
  const uint64_t pages_at_start = pages.in_use();
  for (int step = 0; step < 3000; ++step) {
    const op o = random_op(rng);
    uint64_t mapped_in_range = 0;
    for (auto it = shadow.lower_bound(o.iova); it != shadow.end() && it->first < o.iova + o.size; ++it)
      mapped_in_range += k4K;
    if (o.map) {
      if (mapped_in_range > 0) {
        EXPECT_THROW(map(o), table_error) << "step " << step;
      } else {
        map(o);
        for (uint64_t off = 0; off < o.size; off += k4K) shadow[o.iova + off] = {o.out + off, o.write};
      }
    } else {
      EXPECT_EQ(table.unmap(o.iova, o.size), mapped_in_range) << "step " << step;
      shadow.erase(shadow.lower_bound(o.iova), shadow.lower_bound(o.iova + o.size));
    }
    // The operation's range and its neighbours, read back from memory.
    for (uint64_t a = o.iova - 2 * k4K; a < o.iova + o.size + 2 * k4K; a += k4K) {
      const auto got = lookup(a);
      const auto want = shadow.find(a);
      ASSERT_EQ(got.has_value(), want != shadow.end())
          << std::hex << "page 0x" << a << " step " << std::dec << step;
      if (!got) continue;
      EXPECT_EQ(got->first, want->second.out) << std::hex << "page 0x" << a;
      EXPECT_EQ(got->second, want->second.write) << std::hex << "page 0x" << a;
    }
    std::set<uint64_t> live;
    reachable<Entry>(mem, table.root(), levels, live);
    ASSERT_EQ(table.table_pages(), live.size()) << "step " << step;
    ASSERT_EQ(pages.in_use() - pages_at_start, live.size() - 1) << "step " << step << ": the root was there";
  }
  // Everything, once more, over the whole shadow.
  for (const auto& [page, want] : shadow) {
    const auto got = lookup(page);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->first, want.out);
  }
  // Unmapping everything frees every table but the root.
  for (const auto& [page, want] : shadow) table.unmap(page, k4K);
  EXPECT_EQ(table.table_pages(), 1u);
  EXPECT_EQ(pages.in_use(), pages_at_start);
}

class PagingTreeShadow : public ::testing::TestWithParam<uint64_t> {};

}  // namespace

TEST_P(PagingTreeShadow, SecondStageAgreesWithShadowMap) {
  core::physical_memory mem(uint64_t{1} << 40);
  page_allocator pages(mem, 0x1000'0000, 0x1000'0000);
  sl_options o;
  o.levels = 4;
  sl_page_table table(mem, pages, o);
  run<spec::sl_entry>(
      GetParam(), table, mem, pages, 4, [&](const op& x) { table.map(x.iova, x.out, x.size, true, x.write); },
      [&](uint64_t a) -> std::optional<std::pair<uint64_t, bool>> {
        auto m = table.lookup(a);
        if (!m) return std::nullopt;
        return std::make_pair(m->hpa + (a - m->iova), m->write);
      });
}

TEST_P(PagingTreeShadow, FirstStageAgreesWithShadowMap) {
  core::physical_memory mem(uint64_t{1} << 40);
  page_allocator pages(mem, 0x1000'0000, 0x1000'0000);
  fs_options o;
  o.levels = 4;
  fs_page_table table(mem, pages, o);
  run<spec::fs_entry>(
      GetParam(), table, mem, pages, 4,
      [&](const op& x) {
        fs_perm p;
        p.write = x.write;
        table.map(x.iova, x.out, x.size, p);
      },
      [&](uint64_t a) -> std::optional<std::pair<uint64_t, bool>> {
        auto m = table.lookup(a);
        if (!m) return std::nullopt;
        return std::make_pair(m->output + (a - m->iova), m->write);
      });
}

INSTANTIATE_TEST_SUITE_P(Seeds, PagingTreeShadow, ::testing::Values(1, 7, 20261130));
