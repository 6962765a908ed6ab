// Scalable-mode builders against entries written out by hand from the spec's bit tables: first-stage paging
// entries (spec 9.7: P 0, R/W 1, U/S 2, A 5, D 6, PS 7, XD 63, address 51:12), the scalable root entry (9.2),
// context entry (9.4), PASID directory entry (9.5) and PASID-table entry (9.6); the address arithmetic of
// each level; map/unmap/split/free of first-stage tables; and a seeded random property test of fs_page_table
// against a shadow map, read back by a reader written here.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "model/spec/caps.hpp"
#include "model/spec/fs_entry.hpp"
#include "model/spec/presets.hpp"
#include "tables/fs_page_table.hpp"
#include "tables/page_allocator.hpp"
#include "tables/sm_context_builder.hpp"
#include "tables/table_error.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

constexpr uint64_t kRegion = 0x10000000;
constexpr uint64_t kRegionSize = 16 << 20;

// First-stage bits as the spec's table lists them (written here, not taken from model/spec).
constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, XD = 1ull << 63;

struct fixture : ::testing::Test {
  core::physical_memory mem{uint64_t{1} << 36};
  page_allocator pages{mem, kRegion, kRegionSize};
  uint64_t q(uint64_t addr) { return *mem.read64(addr); }
};

using FirstStage = fixture;
using ScalableTables = fixture;

fs_options fs_opts(unsigned levels = 4, bool fs1gp = true, bool preset_ad = true) {
  fs_options o;
  o.levels = levels;
  o.super_1g = fs1gp;
  o.preset_ad = preset_ad;
  return o;
}

fs_perm perm(bool write, bool user = true, bool execute = true) {
  fs_perm p;
  p.write = write;
  p.user = user;
  p.execute = execute;
  return p;
}

spec::caps preset_caps(const char* name, std::initializer_list<std::pair<const char*, uint64_t>> ecap = {},
                       std::initializer_list<std::pair<const char*, uint64_t>> cap = {}) {
  auto p = *spec::find_capability_preset(name);
  for (auto [k, v] : ecap) EXPECT_TRUE(spec::set_ecap_field(p.ecap, k, v)) << k;
  for (auto [k, v] : cap) EXPECT_TRUE(spec::set_cap_field(p.cap, k, v)) << k;
  return spec::caps::decode(p.ver, p.cap, p.ecap, p.haw);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const table_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

// --- first-stage page tables -------------------------------------------------------------------------------

TEST_F(FirstStage, FourLevelWritableUserPageIsWhatLinuxWrites) {
  fs_page_table t(mem, pages, fs_opts());
  ASSERT_EQ(t.root(), kRegion);
  EXPECT_EQ(t.flpm(), 0u);
  t.map(0x0000'7F80'4020'3000ull, 0x1'2345'6000ull, 0x1000, perm(true));
  // IOVA 0x7F8040203000: PML4 index 255, PDPT index 1, PD index 1, PT index 3; tables in allocation order.
  EXPECT_EQ(q(kRegion + 255 * 8), (kRegion + 0x1000) | P | RW | US | A);
  EXPECT_EQ(q(kRegion + 0x1000 + 1 * 8), (kRegion + 0x2000) | 0x27);
  EXPECT_EQ(q(kRegion + 0x2000 + 1 * 8), (kRegion + 0x3000) | 0x27);
  // The leaf Linux writes for a writable DMA page: P, R/W, U/S, A, D; XD clear.
  EXPECT_EQ(q(kRegion + 0x3000 + 3 * 8), 0x1'2345'6067ull);
  EXPECT_EQ(pages.in_use(), 4u);
  auto m = t.lookup(0x0000'7F80'4020'3ABCull);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->iova, 0x0000'7F80'4020'3000ull);
  EXPECT_EQ(m->output, 0x1'2345'6000ull);
  EXPECT_TRUE(m->write && m->user && m->execute && m->accessed && m->dirty);
}

TEST_F(FirstStage, ReadOnlySupervisorNoExecuteLeaf) {
  fs_page_table t(mem, pages, fs_opts());
  t.map(0x5000, 0xABC000, 0x1000, perm(false, false, false));
  // PML4/PDPT/PD index 0, PT index 5: P and A only, XD set; no D on a page that cannot be written.
  EXPECT_EQ(q(kRegion + 0x3000 + 5 * 8), XD | 0xABC000 | P | A);
  auto m = t.lookup(0x5000);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->write || m->user || m->execute || m->dirty);
  EXPECT_TRUE(m->read && m->accessed);
}

TEST_F(FirstStage, WithoutPresetADTheHardwareMustSetThem) {
  fs_page_table t(mem, pages, fs_opts(4, true, false));
  EXPECT_FALSE(t.preset_ad());
  t.map(0x200000, 0x800000, 0x1000, perm(true));
  EXPECT_EQ(q(kRegion), (kRegion + 0x1000) | P | RW | US);  // non-leaf: A left 0
  EXPECT_EQ(q(kRegion + 0x3000), 0x800000 | P | RW | US);   // PT index 0 of PD index 1: no A, no D
  EXPECT_EQ(q(kRegion + 0x2000 + 1 * 8), (kRegion + 0x3000) | 0x7);
}

TEST_F(FirstStage, TwoMiBAlwaysOneGiBOnlyWithFS1GP) {
  fs_page_table with(mem, pages, fs_opts(4, true));
  with.map(0x4000'0000, 0x1'0000'0000ull, (1ull << 30) + (2ull << 20), perm(true));
  const uint64_t pdpt = kRegion + 0x1000;
  EXPECT_EQ(q(pdpt + 1 * 8), 0x1'0000'0000ull | P | RW | US | A | D | PS);  // 1 GiB leaf in PDPT index 1
  auto m2 = with.lookup(0x8000'0000);
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->size, 2ull << 20);
  EXPECT_EQ(m2->output, 0x1'4000'0000ull);
  // The 2 MiB leaf in PD index 0 of PDPT index 2: PS=1, frame 51:21 (bit 12 is PAT and stays 0).
  EXPECT_EQ(q(kRegion + 0x2000), 0x1'4000'0000ull | 0xE7);

  fs_page_table without(mem, pages, fs_opts(4, false));
  without.map(0x4000'0000, 0x1'0000'0000ull, 1ull << 30, perm(true));
  auto m = without.lookup(0x4000'0000);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->size, 2ull << 20) << "no 1 GiB leaf without CAP.FS1GP: 512 leaves of 2 MiB";
  uint64_t leaves = 0;
  without.for_each_mapping([&](const fs_mapping& l) { leaves += l.size == (2ull << 20); });
  EXPECT_EQ(leaves, 512u);
}

TEST_F(FirstStage, FiveLevelNeedsFS5LPAndReachesPml5) {
  auto o = fs_opts(5);
  o.five_level = false;
  EXPECT_NE(error_of([&] { fs_page_table t(mem, pages, o); }).find("CAP.FS5LP"), std::string::npos);
  o.five_level = true;
  fs_page_table t(mem, pages, o);
  EXPECT_EQ(t.flpm(), 1u);
  EXPECT_EQ(t.address_limit(), 1ull << 56);
  // IOVA 2^55 + 0x1000: PML5 index 128, every lower index 0 but the PTE's (1).
  t.map((1ull << 55) + 0x1000, 0x7000, 0x1000, perm(true));
  const uint64_t root = t.root();
  EXPECT_EQ(q(root + 128 * 8) & ~0xFFFull, root + 0x1000);
  EXPECT_EQ(q(root + 128 * 8) & 0xFFF, 0x27u);
  EXPECT_EQ(q(root + 0x4000 + 8), 0x7000 | 0x67u);
}

TEST_F(FirstStage, OnlyTheCanonicalLowerHalf) {
  fs_page_table four(mem, pages, fs_opts(4));
  EXPECT_EQ(four.address_limit(), 1ull << 47);
  four.map((1ull << 47) - 0x1000, 0x9000, 0x1000, perm(true));
  const std::string e = error_of([&] { four.map(1ull << 47, 0x9000, 0x1000, perm(true)); });
  EXPECT_NE(e.find("canonical lower half"), std::string::npos) << e;
  EXPECT_THROW(four.map(0xFFFF'8000'0000'0000ull, 0x9000, 0x1000, perm(true)), table_error)
      << "canonical, but the upper half is not a DMA domain's";
  EXPECT_THROW(four.map((1ull << 47) - 0x1000, 0x9000, 0x2000, perm(true)), table_error) << "runs past 2^47";
  fs_page_table five(mem, pages, fs_opts(5));
  five.map(1ull << 47, 0x9000, 0x1000, perm(true));
  EXPECT_THROW(five.map(1ull << 56, 0x9000, 0x1000, perm(true)), table_error);
}

TEST_F(FirstStage, ReadIsMandatoryAndAlignmentChecked) {
  fs_page_table t(mem, pages, fs_opts());
  fs_perm p = perm(true);
  p.read = false;
  EXPECT_NE(error_of([&] { t.map(0x1000, 0x2000, 0x1000, p); }).find("read must be true"), std::string::npos);
  EXPECT_THROW(t.map(0x1800, 0x2000, 0x1000, perm(true)), table_error);
  EXPECT_THROW(t.map(0x1000, 0x2000, 0, perm(true)), table_error);
  EXPECT_FALSE(t.lookup(0x1000));
}

TEST_F(FirstStage, PartialUnmapSplitsKeepingRightsAndAD) {
  fs_page_table t(mem, pages, fs_opts());
  t.map(0x4000'0000, 0x1'0000'0000ull, 1ull << 30, perm(false, false, false));
  ASSERT_EQ(t.lookup(0x4000'0000)->size, 1ull << 30);
  EXPECT_EQ(t.unmap(0x4020'1000, 0x1000), 0x1000u);
  EXPECT_FALSE(t.lookup(0x4020'1000));
  // The 1 GiB leaf became a PD of 2 MiB leaves (PD index 1 became a PT of 4 KiB leaves), each with the
  // original P, A and XD and without D; the PTE keeps PS (its PAT bit) clear.
  const uint64_t pdpt = kRegion + 0x1000;
  const uint64_t pd = q(pdpt + 8) & 0x000F'FFFF'FFFF'F000ull;
  EXPECT_EQ(q(pdpt + 8) & 0xFFF, 0x27u);
  EXPECT_EQ(q(pd + 2 * 8), XD | 0x1'0040'0000ull | P | A | PS);
  const uint64_t pt = q(pd + 1 * 8) & 0x000F'FFFF'FFFF'F000ull;
  EXPECT_EQ(q(pt + 0), XD | 0x1'0020'0000ull | P | A);
  EXPECT_EQ(q(pt + 1 * 8), 0u);
  EXPECT_EQ(q(pt + 2 * 8), XD | 0x1'0020'2000ull | P | A);
  auto far = t.lookup(0x7FE0'0000);
  ASSERT_TRUE(far);
  EXPECT_EQ(far->size, 2ull << 20);
  EXPECT_EQ(far->output, 0x1'3FE0'0000ull);
}

TEST_F(FirstStage, EmptyTablesFreedAndRefusedMapsLeaveNoTrace) {
  fs_page_table t(mem, pages, fs_opts(5));
  const uint64_t baseline = pages.in_use();
  t.map(0x1234'5678'9000ull, 0x9000, 0x3000, perm(true));
  EXPECT_EQ(pages.in_use(), baseline + 4);
  EXPECT_EQ(t.unmap(0x1234'5678'0000ull, 0x100000), 0x3000u);
  EXPECT_EQ(pages.in_use(), baseline);
  EXPECT_EQ(t.table_pages(), 1u);
  EXPECT_EQ(q(t.root() + ((0x1234'5678'9000ull >> 48) & 0x1FF) * 8), 0u);
  t.map(0x10000, 0x20000, 0x2000, perm(true));
  const uint64_t used = pages.in_use();
  const std::string e = error_of([&] { t.map(0x0F000, 0x90000, 0x3000, perm(true)); });
  EXPECT_NE(e.find("overlaps the existing mapping at 0x10000"), std::string::npos) << e;
  EXPECT_FALSE(t.lookup(0x0F000));
  EXPECT_EQ(pages.in_use(), used);
}

TEST_F(FirstStage, OutOfTablePagesMidMapIsUndone) {
  // Room for the root and three more pages: a map needing more tables fails after writing some of them.
  core::physical_memory small_mem{uint64_t{1} << 32};
  page_allocator few(small_mem, kRegion, 4 * 4096);
  fs_page_table t(small_mem, few, fs_opts());
  t.map(0x1000, 0x1000, 0x1000, perm(true));  // PDPT, PD, PT: the region is full
  ASSERT_EQ(few.in_use(), 4u);
  t.unmap(0x1000, 0x1000);
  ASSERT_EQ(few.in_use(), 1u);
  t.map(0x1000, 0x1000, 0x1000, perm(true));
  // A second map under the same PD needs one more PT: there is none.
  EXPECT_THROW(t.map(0x200000, 0x5000, 0x1000, perm(true)), table_error);
  EXPECT_EQ(few.in_use(), 4u);
  // A map whose first pages fit under the PT it creates but whose last page needs one more PT: what fitted
  // is taken back and the tables it created are freed.
  t.unmap(0x1000, 0x1000);
  ASSERT_EQ(few.in_use(), 1u);
  EXPECT_THROW(t.map(0x1FE000, 0x1000, 0x3000, perm(true)), table_error);  // 0x200000 needs a second PT
  EXPECT_FALSE(t.lookup(0x1FE000));
  EXPECT_FALSE(t.lookup(0x1FF000));
  EXPECT_EQ(few.in_use(), 1u);
  EXPECT_EQ(*small_mem.read64(t.root()), 0u) << "the root entry written for the map is cleared again";
}

// --- scalable root / context / PASID tables ----------------------------------------------------------------

TEST_F(ScalableTables, RootAndContextEntriesByHand) {
  const auto caps = preset_caps("server-sm");
  sm_context_builder b(mem, pages, caps);
  ASSERT_EQ(b.root_table(), kRegion);
  EXPECT_EQ(b.rtaddr(), kRegion | (1u << 10)) << "TTM=01b in RTADDR bits 11:10";
  b.set_device(0x0310, {});  // bus 3, devfn 0x10: the lower half; defaults: 2^20 PASIDs, RID_PASID 0
  // The 128 KiB directory comes from the top of the region, the context table is the next single page.
  const uint64_t dir = kRegion + kRegionSize - 0x20000;
  const uint64_t lower = kRegion + 0x1000;
  EXPECT_EQ(q(kRegion + 3 * 16), lower | 1);  // LCTP | LP
  EXPECT_EQ(q(kRegion + 3 * 16 + 8), 0u);     // upper half absent
  const uint64_t ctx = lower + 0x10 * 32;
  EXPECT_EQ(b.context_entry_address(0x0310), ctx);
  EXPECT_EQ(q(ctx), dir | (7u << 9) | 1) << "PASIDDIRPTR | PDTS=7 | P";
  EXPECT_EQ(q(ctx + 8), 0u) << "RID_PASID 0, RID_PRIV 0";
  EXPECT_EQ(q(ctx + 16), 0u);
  EXPECT_EQ(q(ctx + 24), 0u);
  EXPECT_EQ(b.pasid_directory(0x0310), dir);

  // devfn 0x90: the upper half (UP bit 64, UCTP 127:76) and context index 0x90 & 0x7F = 0x10.
  sm_device_params p;
  p.fpd = true;
  p.device_tlb = true;
  p.pasid_enable = true;
  p.rid_pasid = 0x12345;
  p.rid_priv = true;
  p.max_pasids = 1u << 17;
  b.set_device(0x0390, p);
  const uint64_t dir2 = dir - 0x4000;  // 2^17 / 64 entries of 8 bytes: 16 KiB, PDTS = 11 - 7 = 4
  const uint64_t upper = kRegion + 0x2000;
  EXPECT_EQ(q(kRegion + 3 * 16), lower | 1) << "lower half unchanged";
  EXPECT_EQ(q(kRegion + 3 * 16 + 8), upper | 1);
  const uint64_t ctx2 = upper + 0x10 * 32;
  EXPECT_EQ(q(ctx2), dir2 | (4u << 9) | 0x8 | 0x4 | 0x2 | 0x1) << "PASIDE | DTE | FPD | P";
  EXPECT_EQ(q(ctx2 + 8), 0x12345u | (1u << 20)) << "RID_PASID 83:64, RID_PRIV 84";
  auto decoded = b.context_of(0x0390);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->pdts(), 4u);
}

TEST(ScalableTablesMath, PdtsAsLinuxSizesTheDirectory) {
  // Directory bytes = max(PASIDs / 64 * 8, 4096); entries = bytes / 8 = 2^(PDTS+7).
  EXPECT_EQ(sm_context_builder::pdts_for(64), 2u);
  EXPECT_EQ(sm_context_builder::pdts_for(1u << 14), 2u);
  EXPECT_EQ(sm_context_builder::pdts_for(1u << 15), 2u);  // exactly one page
  EXPECT_EQ(sm_context_builder::pdts_for(1u << 16), 3u);
  EXPECT_EQ(sm_context_builder::pdts_for(1u << 19), 6u);
  EXPECT_EQ(sm_context_builder::pdts_for(1u << 20), 7u);
}

TEST_F(ScalableTables, PasidEntriesByHand) {
  const auto caps = preset_caps("server-sm");
  sm_context_builder b(mem, pages, caps);
  b.set_device(0x0008, {});
  const uint64_t dir = b.pasid_directory(0x0008);
  // PASID 0x1234F: directory index PASID[19:6] = 0x48D, table index PASID[5:0] = 0x0F.
  pasid_params fs;
  fs.type = spec::pgtt::first_stage;
  fs.did = 5;
  fs.flptptr = 0x5000'0000;
  fs.supervisor = true;
  fs.write_protect = true;
  b.attach_pasid(0x0008, 0x1234F, fs);
  const uint64_t table = kRegion + 0x2000;  // root, context table, then this PASID table
  EXPECT_EQ(q(dir + 0x48D * 8), table | 1) << "SMPTBLPTR | P";
  const uint64_t e = table + 0x0F * 64;
  EXPECT_EQ(b.pasid_entry_address(0x0008, 0x1234F), e);
  EXPECT_EQ(q(e), 0x41u) << "PGTT=001b (8:6) | P; no AW, no SLPTPTR";
  EXPECT_EQ(q(e + 8), 5u | (1u << 23)) << "DID 79:64, PWSNP 87 (ECAP.SMPWCS)";
  EXPECT_EQ(q(e + 16), 0x5000'0000ull | 0x10 | 0x1) << "FLPTPTR 191:140 | WPE 132 | SRE 128, FLPM=00b";
  for (unsigned i = 3; i < 8; ++i) EXPECT_EQ(q(e + 8 * i), 0u) << "QW" << i;

  pasid_params ss;
  ss.type = spec::pgtt::second_stage;
  ss.did = 6;
  ss.slptptr = 0x6000'0000;
  ss.ss_address_width = 57;
  b.attach_pasid(0x0008, 0x12340, ss);  // same directory slot: same table
  EXPECT_EQ(b.pasid_tables(), 1u);
  EXPECT_EQ(q(table), 0x6000'0000ull | (3u << 2) | (2u << 6) | 1) << "SLPTPTR | AW=011b | PGTT=010b | P";
  EXPECT_EQ(q(table + 8), 6u | (1u << 23));
  EXPECT_EQ(q(table + 16), 0u);

  pasid_params nested = ss;
  nested.type = spec::pgtt::nested;
  nested.did = 7;
  nested.ss_address_width = 48;
  nested.fs_levels = 5;
  nested.flptptr = 0x7000'0000;
  b.attach_pasid(0x0008, 0x40, nested);  // directory index 1: a new table
  const uint64_t table2 = kRegion + 0x3000;
  EXPECT_EQ(q(dir + 8), table2 | 1);
  EXPECT_EQ(q(table2), 0x6000'0000ull | (2u << 2) | (3u << 6) | 1);
  EXPECT_EQ(q(table2 + 16), 0x7000'0000ull | (1u << 2)) << "FLPM=01b in 131:130";

  pasid_params pt;
  pt.type = spec::pgtt::pass_through;
  pt.did = 8;
  b.attach_pasid(0x0008, 0x41, pt);
  EXPECT_EQ(q(table2 + 64), (4u << 6) | 1u) << "PGTT=100b | P, nothing else in QW0";
  EXPECT_EQ(q(table2 + 64 + 8), 8u | (1u << 23));
  EXPECT_EQ(b.pasid_entry_of(0x0008, 0x41)->type(), spec::pgtt::pass_through);
}

TEST_F(ScalableTables, PasidTablesAllocatedAndFreedPerDirectorySlot) {
  sm_context_builder b(mem, pages, preset_caps("server-sm"));
  b.set_device(0x0100, {});
  const uint64_t dir = b.pasid_directory(0x0100);
  const uint64_t before = pages.in_use();
  pasid_params p;
  p.type = spec::pgtt::pass_through;
  p.did = 1;
  b.attach_pasid(0x0100, 1, p);
  b.attach_pasid(0x0100, 63, p);
  b.attach_pasid(0x0100, 63, p);  // replacing an entry does not count it twice
  EXPECT_EQ(pages.in_use(), before + 1);
  b.detach_pasid(0x0100, 1);
  EXPECT_NE(q(dir), 0u) << "PASID 63 still uses the table";
  EXPECT_FALSE(b.pasid_entry_of(0x0100, 1));
  b.detach_pasid(0x0100, 63);
  EXPECT_EQ(q(dir), 0u) << "the last PASID of the slot took the table with it";
  EXPECT_EQ(pages.in_use(), before);
  EXPECT_EQ(b.pasid_tables(), 0u);
  b.detach_pasid(0x0100, 63);  // not attached: nothing happens
  EXPECT_EQ(pages.in_use(), before);
}

TEST_F(ScalableTables, CapabilitiesTheUnitLacksAreNamed) {
  // qemu-sm: SMTS, SRS, SLTS, PT; no FLTS, NEST, PASID, DT, RPS, RPRIVS, SMPWCS; SAGAW 39-bit only.
  sm_context_builder q(mem, pages, preset_caps("qemu-sm"));
  auto err = [&](const std::function<void()>& f, const char* cap) {
    const std::string e = error_of(f);
    EXPECT_NE(e.find(cap), std::string::npos) << e;
  };
  sm_device_params d;
  d.device_tlb = true;
  err([&] { q.set_device(0x0008, d); }, "ECAP.DT");
  d = {};
  d.pasid_enable = true;
  err([&] { q.set_device(0x0008, d); }, "ECAP.PASID");
  d = {};
  d.rid_pasid = 5;
  err([&] { q.set_device(0x0008, d); }, "ECAP.RPS");
  d = {};
  d.rid_priv = true;
  err([&] { q.set_device(0x0008, d); }, "ECAP.RPRIVS");
  d = {};
  d.max_pasids = 100;
  err([&] { q.set_device(0x0008, d); }, "power of two");
  pasid_params p;
  p.type = spec::pgtt::first_stage;
  err([&] { q.attach_pasid(0x0008, 0, p); }, "not set up");
  q.set_device(0x0008, {});
  err([&] { q.attach_pasid(0x0008, 0, p); }, "ECAP.FLTS");
  p.type = spec::pgtt::nested;
  err([&] { q.attach_pasid(0x0008, 0, p); }, "ECAP.NEST");
  p.type = spec::pgtt::second_stage;
  p.ss_address_width = 48;
  err([&] { q.attach_pasid(0x0008, 0, p); }, "CAP.SAGAW");
  p.ss_address_width = 39;
  p.did = 1;
  q.attach_pasid(0x0008, 0, p);
  EXPECT_EQ(q.pasid_entry_of(0x0008, 0)->pwsnp(), false) << "no PWSNP without ECAP.SMPWCS";

  sm_context_builder s(mem, pages,
                       preset_caps("server-sm", {{"srs", 0}, {"pt", 0}}, {{"fs5lp", 0}, {"nd", 0}}));
  s.set_device(0x0010, {});
  pasid_params f;
  f.type = spec::pgtt::first_stage;
  f.supervisor = true;
  err([&] { s.attach_pasid(0x0010, 1, f); }, "ECAP.SRS");
  f.supervisor = false;
  f.fs_levels = 5;
  err([&] { s.attach_pasid(0x0010, 1, f); }, "CAP.FS5LP");
  f.fs_levels = 4;
  f.did = 16;
  err([&] { s.attach_pasid(0x0010, 1, f); }, "CAP.ND");
  f.type = spec::pgtt::pass_through;
  f.did = 1;
  err([&] { s.attach_pasid(0x0010, 1, f); }, "ECAP.PT");
  EXPECT_EQ(s.pasid_tables(), 0u) << "refused attachments allocate nothing";
}

TEST_F(ScalableTables, PasidLimitsAndNestedRootWidth) {
  sm_context_builder b(mem, pages, preset_caps("server-sm", {{"pss", 9}}));
  sm_device_params d;
  d.max_pasids = 64;
  b.set_device(0x0008, d);
  EXPECT_EQ(q(b.context_entry_address(0x0008)) & 0xE00, 2u << 9) << "64 PASIDs: one 4 KiB page, PDTS=2";
  pasid_params p;
  p.type = spec::pgtt::pass_through;
  p.did = 1;
  EXPECT_NE(error_of([&] { b.attach_pasid(0x0008, 64, p); }).find("max_pasids 64"), std::string::npos);
  b.set_device(0x0009, {});
  EXPECT_NE(error_of([&] { b.attach_pasid(0x0009, 1024, p); }).find("ECAP.PSS"), std::string::npos)
      << "PSS=9: 2^10 PASIDs";
  b.attach_pasid(0x0009, 1023, p);
  pasid_params n;
  n.type = spec::pgtt::nested;
  n.did = 2;
  n.ss_address_width = 39;
  n.flptptr = 1ull << 39;
  EXPECT_NE(error_of([&] { b.attach_pasid(0x0009, 3, n); }).find("39-bit input width"), std::string::npos);
}

// --- seeded property test: fs_page_table against a shadow map ----------------------------------------------

namespace {

// std::mt19937_64's sequence is fixed by the C++ standard: the same seed gives the same run everywhere.
struct rng {
  std::mt19937_64 gen;
  uint64_t below(uint64_t n) { return gen() % n; }
};

struct shadow_page {
  uint64_t out;
  bool write, user, execute;
};

struct walked {
  uint64_t out = 0;
  bool write = true, user = true, execute = true, accessed = true, dirty = false;
  uint64_t page_size = 0;
};

// An independent reader: the IA-32e walk of spec 9.7 over memory, with the rights ANDed across levels.
std::optional<walked> walk(core::physical_memory& mem, uint64_t root, unsigned levels, uint64_t iova) {
  walked w;
  uint64_t table = root;
  for (unsigned level = levels; level >= 1; --level) {
    const unsigned shift = 12 + 9 * (level - 1);
    const spec::fs_entry e{*mem.read64(table + ((iova >> shift) & 0x1FF) * 8)};
    if (!e.present()) return std::nullopt;
    w.write = w.write && e.rw();
    w.user = w.user && e.us();
    w.execute = w.execute && !e.xd();
    w.accessed = w.accessed && e.a();
    if (level == 1 || ((level == 2 || level == 3) && e.ps())) {
      w.page_size = uint64_t{1} << shift;
      w.out = e.address(level) + (iova & (w.page_size - 1));
      w.dirty = e.d();
      return w;
    }
    EXPECT_EQ(e.address(level) & 0xFFF, 0u);
    table = e.address(level);
  }
  return std::nullopt;
}

}  // namespace

class FirstStageProperty : public ::testing::TestWithParam<uint64_t> {};

TEST_P(FirstStageProperty, AgreesWithShadowMap) {
  rng r{std::mt19937_64(GetParam())};
  core::physical_memory mem{uint64_t{1} << 36};
  page_allocator pages{mem, kRegion, 64 << 20};
  const unsigned levels = r.below(2) ? 5 : 4;
  const bool fs1gp = r.below(2), preset_ad = r.below(4) != 0;
  fs_page_table t(mem, pages, fs_opts(levels, fs1gp, preset_ad));
  const uint64_t baseline = pages.in_use();
  const uint64_t limit = uint64_t{1} << (12 + 9 * levels - 1);
  // A 64 GiB window at the bottom and one ending at the top of the canonical lower half.
  const uint64_t windows[] = {0, limit - (64ull << 30)};
  std::map<uint64_t, shadow_page> shadow;  // 4 KiB IOVA page -> mapping
  for (int step = 0; step < 400; ++step) {
    const bool big = r.below(4) == 0;
    const uint64_t pages_n = big ? 512 * (1 + r.below(3)) + (r.below(6) == 0) * 262144 : 1 + r.below(40);
    const uint64_t size = pages_n << 12;
    uint64_t iova = windows[r.below(2)] + (r.below((64ull << 30) >> 12) << 12);
    if (big) iova &= ~((r.below(4) == 0 ? (1ull << 30) : (2ull << 20)) - 1);  // 1 GiB leaves now and then
    uint64_t out = (0x100000ull + r.below(1ull << 22)) << 12;
    if (big) out &= ~((r.below(2) ? (1ull << 30) : (2ull << 20)) - 1);
    if (r.below(3) == 0) {
      uint64_t expect = 0;
      for (auto it = shadow.lower_bound(iova); it != shadow.end() && it->first < iova + size;)
        it = shadow.erase(it), expect += 4096;
      ASSERT_EQ(t.unmap(iova, size), expect) << "seed " << GetParam() << " step " << step;
      continue;
    }
    const fs_perm p = perm(r.below(2), r.below(3) != 0, r.below(3) != 0);
    auto it = shadow.lower_bound(iova);
    const bool clash = it != shadow.end() && it->first < iova + size;
    if (clash || iova + size > limit) {
      const uint64_t used = pages.in_use();
      EXPECT_THROW(t.map(iova, out, size, p), table_error);
      ASSERT_EQ(pages.in_use(), used) << "a refused map allocates nothing";
      continue;
    }
    t.map(iova, out, size, p);
    for (uint64_t i = 0; i < pages_n; ++i)
      shadow[iova + (i << 12)] = {out + (i << 12), p.write, p.user, p.execute};

    // Probe: pages known to be mapped, and random addresses in the windows.
    for (int k = 0; k < 24; ++k) {
      uint64_t addr;
      if (!shadow.empty() && r.below(2)) {
        auto pick = shadow.lower_bound(windows[r.below(2)] + (r.below((64ull << 30) >> 12) << 12));
        if (pick == shadow.end()) pick = shadow.begin();
        addr = pick->first + r.below(4096);
      } else {
        addr = windows[r.below(2)] + r.below(64ull << 30);
      }
      auto w = walk(mem, t.root(), levels, addr);
      auto s = shadow.find(addr & ~0xFFFull);
      ASSERT_EQ(w.has_value(), s != shadow.end()) << "seed " << GetParam() << " addr 0x" << std::hex << addr;
      if (!w) continue;
      ASSERT_EQ(w->out, s->second.out + (addr & 0xFFF));
      ASSERT_EQ(w->write, s->second.write);
      ASSERT_EQ(w->user, s->second.user);
      ASSERT_EQ(w->execute, s->second.execute);
      ASSERT_EQ(w->accessed, preset_ad);
      ASSERT_EQ(w->dirty, preset_ad && s->second.write);
      ASSERT_TRUE(w->page_size <= (1ull << 21) || fs1gp) << "1 GiB leaf without CAP.FS1GP";
      auto l = t.lookup(addr);
      ASSERT_TRUE(l);
      ASSERT_EQ(l->output + (addr - l->iova), w->out);
    }
  }
  // for_each_mapping reads back exactly the shadow's pages.
  uint64_t bytes = 0;
  bool all_in_shadow = true;
  t.for_each_mapping([&](const fs_mapping& m) {
    bytes += m.size;
    auto s = shadow.find(m.iova);
    all_in_shadow = all_in_shadow && s != shadow.end() && s->second.out == m.output;
  });
  EXPECT_TRUE(all_in_shadow);
  EXPECT_EQ(bytes, shadow.size() * 4096);
  // Unmapping everything frees every table page but the root.
  for (uint64_t w : windows) t.unmap(w, std::min<uint64_t>(80ull << 30, limit - w));
  EXPECT_EQ(t.table_pages(), 1u);
  EXPECT_EQ(pages.in_use(), baseline);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FirstStageProperty, ::testing::Values(1, 2, 3, 7, 42, 1234, 20261130));
