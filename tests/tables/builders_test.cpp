// Table builders against hand-computed table contents (entry addresses and raw values written out from the
// spec's bit layouts), superpage splitting, and page freeing.
#include <gtest/gtest.h>

#include "model/spec/context_entry.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "tables/context_builder.hpp"
#include "tables/ir_table_builder.hpp"
#include "tables/page_allocator.hpp"
#include "tables/sl_page_table.hpp"
#include "tables/table_error.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

constexpr uint64_t kRegion = 0x10000000;

struct fixture : ::testing::Test {
  core::physical_memory mem{uint64_t{1} << 36};
  page_allocator pages{mem, kRegion, 16 << 20};
  uint64_t q(uint64_t addr) { return *mem.read64(addr); }
};

using Builders = fixture;

}  // namespace

TEST_F(Builders, FourLevelFourKiBMapWritesEveryLevelByHand) {
  sl_page_table t(mem, pages, {4, true, true, true});
  // The allocator hands out pages bottom-up: root (PML4) at kRegion, then PDPT, PD, PT in walk order.
  ASSERT_EQ(t.root(), kRegion);
  t.map(0x0000'7F80'4020'3000ull, 0x1'2345'6000ull, 0x1000, true, false);
  // IOVA 0x7F8040203000: PML4 index 255, PDPT index 1, PD index 1, PT index 3.
  EXPECT_EQ(q(kRegion + 255 * 8), (kRegion + 0x1000) | 3);         // R=W=1 non-leaf -> PDPT page
  EXPECT_EQ(q(kRegion + 0x1000 + 1 * 8), (kRegion + 0x2000) | 3);  // -> PD page
  EXPECT_EQ(q(kRegion + 0x2000 + 1 * 8), (kRegion + 0x3000) | 3);  // -> PT page
  EXPECT_EQ(q(kRegion + 0x3000 + 3 * 8), 0x1'2345'6000ull | 1);    // leaf: frame | R
  EXPECT_EQ(pages.in_use(), 4u);
}

TEST_F(Builders, SuperpagesWhereAlignmentAllows) {
  sl_page_table t(mem, pages, {3, true, true, true});
  // 1 GiB + 2 MiB + 4 KiB, all aligned: one 1 GiB leaf, one 2 MiB leaf, one 4 KiB leaf.
  t.map(0x40000000, 0x80000000, (1ull << 30) + (2ull << 20) + 0x1000, true, true);
  EXPECT_EQ(q(kRegion + 1 * 8), 0x80000000ull | 0x83);  // PDPE index 1, PS=1, R W
  auto m2 = t.lookup(0x80000000);
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->size, 2ull << 20);
  EXPECT_EQ(m2->hpa, 0xC0000000u);
  auto m4 = t.lookup(0x80200000);
  ASSERT_TRUE(m4);
  EXPECT_EQ(m4->size, 0x1000u);
  EXPECT_EQ(m4->hpa, 0xC0200000u);
}

TEST_F(Builders, NoSuperpagesWhenCapabilityOrAlignmentForbids) {
  sl_page_table no_cap(mem, pages, {4, true, false, false});
  no_cap.map(0x200000, 0x400000, 2ull << 20, true, true);
  EXPECT_EQ(no_cap.lookup(0x200000)->size, 0x1000u);
  sl_page_table misaligned(mem, pages, {4, true, true, true});
  misaligned.map(0x200000, 0x401000, 2ull << 20, true, true);  // HPA not 2 MiB aligned
  EXPECT_EQ(misaligned.lookup(0x200000)->size, 0x1000u);
  EXPECT_EQ(misaligned.lookup(0x3FF000)->hpa, 0x600000u);
}

TEST_F(Builders, PartialUnmapSplitsSuperpageAndKeepsTheRest) {
  sl_page_table t(mem, pages, {4, true, true, true});
  t.map(0x40000000, 0x100000000, 1ull << 30, true, true);
  ASSERT_EQ(t.lookup(0x40000000)->size, 1ull << 30);
  EXPECT_EQ(t.unmap(0x40201000, 0x1000), 0x1000u);
  EXPECT_FALSE(t.lookup(0x40201000));
  auto before = t.lookup(0x40200000);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->size, 0x1000u);
  EXPECT_EQ(before->hpa, 0x100200000u);
  auto after = t.lookup(0x40202000);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->hpa, 0x100202000u);
  auto far = t.lookup(0x40400000);
  ASSERT_TRUE(far);
  EXPECT_EQ(far->size, 2ull << 20) << "the rest of the 1 GiB page stays as 2 MiB leaves";
  EXPECT_EQ(far->hpa, 0x100400000u);
}

TEST_F(Builders, EmptyTablesAreFreed) {
  sl_page_table t(mem, pages, {5, true, true, true});
  const uint64_t baseline = pages.in_use();
  t.map(0x1234'5678'9000ull, 0x9000, 0x3000, true, true);
  EXPECT_GT(pages.in_use(), baseline);
  t.unmap(0x1234'5678'9000ull, 0x3000);
  EXPECT_EQ(pages.in_use(), baseline);
  EXPECT_EQ(q(t.root() + spec::level_index(0x1234'5678'9000ull, 5) * 8), 0u);
}

TEST_F(Builders, OverlappingMapIsRefusedAndLeavesTablesUntouched) {
  sl_page_table t(mem, pages, {4, true, true, true});
  t.map(0x10000, 0x20000, 0x2000, true, true);
  const uint64_t used = pages.in_use();
  EXPECT_THROW(t.map(0x0F000, 0x90000, 0x3000, true, true), table_error);
  EXPECT_FALSE(t.lookup(0x0F000));
  EXPECT_EQ(pages.in_use(), used);
  EXPECT_THROW(t.map(0x10800, 0x90000, 0x1000, true, true), table_error);     // misaligned
  EXPECT_THROW(t.map(1ull << 48, 0x90000, 0x1000, true, true), table_error);  // beyond 48 bits
}

TEST_F(Builders, ContextEntryByHand) {
  table_caps caps;
  caps.sagaw = 0b00110;
  context_builder ctx(mem, pages, caps);
  context_params p;
  p.did = 0x42;
  p.address_width = 39;
  p.slptptr = 0x5000000;
  p.fpd = true;
  ctx.attach(0x0310, p);  // bus 3, devfn 0x10
  const uint64_t root = ctx.root_table();
  const uint64_t ctp = q(root + 3 * 16) & ~0xFFFull;
  EXPECT_EQ(q(root + 3 * 16) & 1, 1u);
  EXPECT_EQ(q(ctp + 0x10 * 16), 0x5000000ull | 0x2 | 0x1);  // SLPTPTR | FPD | P, TT=00
  EXPECT_EQ(q(ctp + 0x10 * 16 + 8), (0x42ull << 8) | 1);    // DID in 87:72, AW=001b
  caps.sagaw = 0b00100;
  context_builder strict(mem, pages, caps);
  EXPECT_THROW(strict.attach(0x0310, p), table_error);  // 39-bit not in SAGAW
  p.tt = spec::translation_type::pass_through;
  EXPECT_THROW(strict.attach(0x0310, p), table_error);  // needs ECAP.PT
}

TEST_F(Builders, InterruptTableEntriesAndHandles) {
  ir_table_builder irt(mem, pages, 4, false, true, 46);
  EXPECT_EQ(irt.irta() & 0xF, 3u);  // S = log2(entries) - 1
  EXPECT_EQ(irt.allocate(1), 0u);
  EXPECT_EQ(irt.allocate(4), 4u) << "multi-vector blocks are aligned to their size";
  spec::irte::remapped_fields f;
  f.vector = 0x40;
  f.destination = 7;
  irt.set_remapped(4, f);
  EXPECT_EQ(q(irt.base() + 4 * 16), 1ull | (0x40ull << 16) | (7ull << 40));
  f.destination = 300;
  EXPECT_THROW(irt.set_remapped(5, f), table_error) << "xAPIC destinations are 8 bits";
  EXPECT_THROW(irt.set_posted(6, 1, 0x1001, false, 0, 0, spec::source_validation::none), table_error);
}
