// Hand-computed legacy-mode walks (VT-d spec legacy-mode translation, 9.8): 3/4/5 levels, 4 KiB / 2 MiB / 1
// GiB pages. Indices and entry addresses below were worked out by hand from the input address bits, not with
// the model's helpers.
#include <map>
#include <random>

#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

constexpr uint16_t kSid = 0x0310;  // bus 3, dev 2, fn 0

class dma_walk : public core_fixture {};

// 4-level (AW=2), 4 KiB page. addr 0x4089_1234_5ABC: 47:39 = 0x81, 38:30 = 0x24, 29:21 = 0x91, 20:12 = 0x145.
TEST_F(dma_walk, FourLevelFourKiBWalkReadsTheHandComputedEntries) {
  const uint64_t pml4 = 0x200000, pdpt = 0x201000, pd = 0x202000, pt = 0x203000;
  put_sl(pml4, 0x81, sl_entry::make_table(pdpt).raw);
  put_sl(pdpt, 0x24, sl_entry::make_table(pd).raw);
  put_sl(pd, 0x91, sl_entry::make_table(pt).raw);
  put_sl(pt, 0x145, sl_entry::make_leaf(1, 0x76543000, true, true).raw);
  install_context(kSid, context_entry::make(pml4, 2, 42, translation_type::untranslated_only));

  walk_record rec;
  auto r = unit->translate(dma(kSid, 0x408912345ABC), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x76543ABCu);
  EXPECT_EQ(r.page_size, 4096u);
  EXPECT_EQ(r.domain_id, 42);
  EXPECT_EQ(r.levels, 4);
  EXPECT_TRUE(r.read && r.write);

  ASSERT_EQ(rec.size(), 6u);
  EXPECT_EQ(rec[0].kind, step_kind::root_entry);
  EXPECT_EQ(rec[0].entry_address, 0x100030u);  // RTA + bus 3 * 16
  EXPECT_EQ(rec[0].index, 3);
  EXPECT_EQ(rec[0].raw_lo, 0x101001u);
  EXPECT_EQ(rec[1].kind, step_kind::context_entry);
  EXPECT_EQ(rec[1].entry_address, 0x101100u);  // CTP + devfn 0x10 * 16
  EXPECT_EQ(rec[1].index, 0x10);
  EXPECT_EQ(rec[1].raw_lo, 0x200001u);        // SLPTPTR | P
  EXPECT_EQ(rec[1].raw_hi, (42u << 8) | 2u);  // DID 42, AW 2
  const uint64_t want_addr[4] = {0x200408, 0x201120, 0x202488, 0x203A28};
  const uint16_t want_idx[4] = {0x81, 0x24, 0x91, 0x145};
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(rec[2 + i].kind, step_kind::sl_entry);
    EXPECT_EQ(rec[2 + i].level, 4 - i);
    EXPECT_EQ(rec[2 + i].index, want_idx[i]);
    EXPECT_EQ(rec[2 + i].entry_address, want_addr[i]);
    EXPECT_TRUE(rec[2 + i].ok);
  }
  EXPECT_EQ(rec[2].table_base, 0x200000u);
  EXPECT_EQ(rec[5].raw_lo, 0x76543003u);
  EXPECT_EQ(rec.memory_reads(), 6u);
}

// 3-level (AW=1), 2 MiB page. addr 0x4A_BCDE_1234: 38:30 = 0x12A, 29:21 = 0x1E6, offset in 2 MiB = 0x1E1234.
TEST_F(dma_walk, ThreeLevelTwoMiBSuperpage) {
  const uint64_t pdpt = 0x210000, pd = 0x211000;
  put_sl(pdpt, 0x12A, sl_entry::make_table(pdpt + 0x1000).raw);
  put_sl(pd, 0x1E6, sl_entry::make_leaf(2, 0x40000000, true, false).raw);  // 2 MiB frame at 1 GiB, read-only
  install_context(kSid, context_entry::make(pdpt, 1, 7, translation_type::untranslated_only));

  walk_record rec;
  auto r = unit->translate(dma(kSid, 0x4ABCDE1234), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x401E1234u);
  EXPECT_EQ(r.page_size, 2u << 20);
  EXPECT_EQ(r.levels, 3);
  EXPECT_TRUE(r.read);
  EXPECT_FALSE(r.write);
  ASSERT_EQ(rec.size(), 4u);
  EXPECT_EQ(rec[2].entry_address, 0x210950u);  // 0x210000 + 0x12A * 8
  EXPECT_EQ(rec[3].entry_address, 0x211F30u);  // 0x211000 + 0x1E6 * 8
  EXPECT_EQ(rec[3].level, 2);

  // Same page, write: the leaf lacks W -> LGN.2.
  auto w = unit->translate(dma(kSid, 0x4ABCDE1234, access_kind::write));
  EXPECT_EQ(w.fault, fault_reason::write_denied);
}

// 5-level (AW=3), 1 GiB page. addr 0x0123_4567_89AB_CDEF: 56:48 = 0x123, 47:39 = 0x8A, 38:30 = 0x19E,
// offset in 1 GiB = 0x09AB_CDEF.
TEST_F(dma_walk, FiveLevelOneGiBSuperpage) {
  const uint64_t pml5 = 0x220000, pml4 = 0x221000, pdpt = 0x222000;
  put_sl(pml5, 0x123, sl_entry::make_table(pml4).raw);
  put_sl(pml4, 0x8A, sl_entry::make_table(pdpt).raw);
  put_sl(pdpt, 0x19E, sl_entry::make_leaf(3, 0x1C0000000, true, true).raw);
  install_context(kSid, context_entry::make(pml5, 3, 9, translation_type::untranslated_only));

  walk_record rec;
  auto r = unit->translate(dma(kSid, 0x0123456789ABCDEF, access_kind::write), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x1C9ABCDEFu);
  EXPECT_EQ(r.page_size, 1u << 30);
  EXPECT_EQ(r.levels, 5);
  ASSERT_EQ(rec.size(), 5u);
  EXPECT_EQ(rec[2].entry_address, 0x220918u);  // 0x220000 + 0x123 * 8
  EXPECT_EQ(rec[3].entry_address, 0x221450u);  // 0x221000 + 0x8A * 8
  EXPECT_EQ(rec[4].entry_address, 0x222CF0u);  // 0x222000 + 0x19E * 8
  EXPECT_EQ(rec[4].level, 3);
}

TEST_F(dma_walk, PermissionsAreAndedOverAllLevels) {
  // A non-leaf PDE without W makes the 4 KiB page read-only even though the PTE grants W.
  const uint64_t pdpt = 0x230000, pd = 0x231000, pt = 0x232000;
  put_sl(pdpt, 0, sl_entry::make_table(pd).raw);
  put_sl(pd, 0, sl_entry::make_table(pt, true, false).raw);
  put_sl(pt, 5, sl_entry::make_leaf(1, 0x9000, true, true).raw);
  install_context(kSid, context_entry::make(pdpt, 1, 1, translation_type::untranslated_only));
  auto r = unit->translate(dma(kSid, 0x5123));
  ASSERT_EQ(r.status, dma_status::translated);
  EXPECT_EQ(r.hpa, 0x9123u);
  EXPECT_FALSE(r.write);
  EXPECT_EQ(unit->translate(dma(kSid, 0x5123, access_kind::write)).fault, fault_reason::write_denied);
  EXPECT_EQ(unit->translate(dma(kSid, 0x5123, access_kind::atomic)).fault, fault_reason::write_denied);
}

TEST_F(dma_walk, NullRecordTranslatesTheSameAsRecorded) {
  const uint64_t pdpt = 0x240000, pd = 0x241000;
  put_sl(pdpt, 1, sl_entry::make_table(pd).raw);
  put_sl(pd, 2, sl_entry::make_leaf(2, 0x600000, true, true).raw);
  install_context(kSid, context_entry::make(pdpt, 1, 1, translation_type::untranslated_only));
  const uint64_t addr = (1ull << 30) + (2ull << 21) + 0x777;
  walk_record rec;
  auto a = unit->translate(dma(kSid, addr), &rec);
  auto b = unit->translate(dma(kSid, addr), nullptr);
  EXPECT_EQ(a.hpa, 0x600777u);
  EXPECT_EQ(a.hpa, b.hpa);
  EXPECT_EQ(a.status, b.status);
}

// Seeded property test: random 4 KiB mappings in a 4-level table, built by a tiny local builder that keeps
// its own shadow map; every mapped page translates to the shadow frame, every unmapped page faults with 06h.
TEST_F(dma_walk, RandomMappingsMatchShadowMap) {
  std::mt19937_64 rng(12345);
  const uint64_t pml4 = 0x400000;
  uint64_t next_table = 0x401000;
  std::map<uint64_t, uint64_t> tables;                   // (level << 48 | prefix) -> table address
  std::map<uint64_t, std::pair<uint64_t, bool>> shadow;  // iova page -> (frame, writable)
  auto table_for = [&](unsigned level, uint64_t iova) {  // table at `level` covering iova
    if (level == 4) return pml4;
    uint64_t key = (uint64_t(level) << 56) | (iova >> (12 + 9 * level));
    auto it = tables.find(key);
    if (it != tables.end()) return it->second;
    uint64_t t = next_table;
    next_table += 0x1000;
    tables[key] = t;
    return t;
  };
  for (int i = 0; i < 300; ++i) {
    uint64_t iova = (rng() & ((1ull << 48) - 1)) & ~0xFFFull;
    uint64_t frame = (rng() & ((1ull << 40) - 1)) & ~0xFFFull;
    if (frame >= 0xFEE00000 && frame <= 0xFEEFFFFF) continue;
    bool w = rng() & 1;
    // Link each level's table into its parent (entries are rewritten identically if already present).
    for (unsigned level = 4; level > 1; --level) {
      uint64_t t = table_for(level, iova);
      uint64_t child = table_for(level - 1, iova);
      put_sl(t, (iova >> (12 + 9 * (level - 1))) & 0x1FF, sl_entry::make_table(child).raw);
    }
    put_sl(table_for(1, iova), (iova >> 12) & 0x1FF, sl_entry::make_leaf(1, frame, true, w).raw);
    shadow[iova] = {frame, w};
  }
  install_context(kSid, context_entry::make(pml4, 2, 3, translation_type::untranslated_only));
  for (auto [iova, m] : shadow) {
    auto r = unit->translate(dma(kSid, iova | 0x10));
    ASSERT_EQ(r.status, dma_status::translated) << std::hex << iova;
    EXPECT_EQ(r.hpa, m.first | 0x10);
    EXPECT_EQ(r.write, m.second);
  }
  for (int i = 0; i < 300; ++i) {
    uint64_t iova = (rng() & ((1ull << 48) - 1)) & ~0xFFFull;
    if (shadow.count(iova)) continue;
    auto r = unit->translate(dma(kSid, iova));
    EXPECT_EQ(r.fault, fault_reason::read_denied) << std::hex << iova;
  }
}

}  // namespace
}  // namespace vtd::test
