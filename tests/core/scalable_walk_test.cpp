// Scalable-mode walks computed by hand: every structure written as raw quadwords from the spec's bit tables
// (not through the encoders the model uses), entry addresses worked out from the index rules (root: bus*16,
// context: (devfn & 0x7F)*32 in the half the devfn picks, directory: PASID[19:6]*8, PASID table:
// PASID[5:0]*64, paging: 9 address bits per level), then the walk record compared read by read.
#include <gtest/gtest.h>

#include <vector>

#include "tests/core/sm_fixture.hpp"

namespace vtd::test {
namespace {

struct expected_read {
  step_kind kind;
  translation_stage stage;
  unsigned level;
  uint64_t address;
};

void expect_reads(const walk_record& rec, const std::vector<expected_read>& want) {
  std::vector<const walk_step*> reads;
  for (const auto& s : rec)
    if (s.kind != step_kind::cache_lookup && s.kind != step_kind::status_write) reads.push_back(&s);
  ASSERT_EQ(reads.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(reads[i]->kind, want[i].kind) << "read " << i;
    EXPECT_EQ(reads[i]->stage, want[i].stage) << "read " << i;
    EXPECT_EQ(reads[i]->level, want[i].level) << "read " << i;
    EXPECT_EQ(reads[i]->entry_address, want[i].address)
        << "read " << i << std::hex << " got 0x" << reads[i]->entry_address;
  }
}

class scalable_walk : public sm_fixture {
 protected:
  // IOVA 0x1234_5678_9ABC: PML5 index 0, PML4 0x24, PDPT 0xD1, PD 0xB3, PT 0x189, offset 0xABC.
  static constexpr uint64_t kIova = 0x123456789ABC;

  // Root entry for bus 0 (LP=1, LCTP=0x101000; UP=1, UCTP=0x102000), context entry for 00:03.0 at
  // 0x101000 + 0x18*32 = 0x101300: P=1, PASIDE=1 (bit 3), PDTS=7 (11:9), PASIDDIRPTR=0x110000,
  // RID_PASID = `rid_pasid` (83:64), directory entry for PASIDs 0-63 at 0x110000 (P=1, SMPTBLPTR=0x130000).
  void structures(uint32_t rid_pasid = 0) {
    put(0x100000, {0x101001, 0x102001});
    put(0x101300, {0x110E09, rid_pasid, 0, 0});
    put(0x110000, {0x130001});
  }
};

TEST_F(scalable_walk, first_stage_4_level_4k_by_hand) {
  structures();
  // PASID 0 entry: P=1, PGTT=001b (8:6) -> QW0 0x41; DID 5 (79:64) and PWSNP (87) -> QW1 0x800005;
  // FLPM=00b, FLPTPTR 0x200000 (191:140) -> QW2 0x200000.
  put(0x130000, {0x41, 0x800005, 0x200000, 0, 0, 0, 0, 0});
  // First-stage entries as Linux writes them: non-leaf P|R/W|U/S|A = 0x27, leaf adds D = 0x67.
  put(0x200000 + 0x24 * 8, {0x201027});
  put(0x201000 + 0xD1 * 8, {0x202027});
  put(0x202000 + 0xB3 * 8, {0x203027});
  put(0x203000 + 0x189 * 8, {0x40000067});
  enable();

  walk_record rec;
  const auto r = unit->dma().translate(dma(kSid, kIova), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x40000ABCu);
  EXPECT_EQ(r.page_size, 0x1000u);
  EXPECT_EQ(r.domain_id, 5);
  EXPECT_EQ(r.stage, translation_stage::first);
  EXPECT_EQ(r.pasid, 0u);
  EXPECT_TRUE(r.read);
  EXPECT_TRUE(r.write);
  expect_reads(rec, {{step_kind::root_entry, translation_stage::none, 0, 0x100000},
                     {step_kind::context_entry, translation_stage::none, 0, 0x101300},
                     {step_kind::pasid_dir_entry, translation_stage::none, 0, 0x110000},
                     {step_kind::pasid_entry, translation_stage::none, 0, 0x130000},
                     {step_kind::fs_entry, translation_stage::first, 4, 0x200120},
                     {step_kind::fs_entry, translation_stage::first, 3, 0x201688},
                     {step_kind::fs_entry, translation_stage::first, 2, 0x202598},
                     {step_kind::fs_entry, translation_stage::first, 1, 0x203C48}});
  // The PASID-table entry is recorded whole (512 bits) and the context entry as 256 bits.
  EXPECT_EQ(rec[3].raw_qwords, 8);
  EXPECT_EQ(rec[3].qw(2), 0x200000u);
  EXPECT_EQ(rec[1].raw_qwords, 4);
  // A and D were preset: nothing is written back.
  for (const auto& s : rec) EXPECT_NE(s.kind, step_kind::status_write);
}

TEST_F(scalable_walk, first_stage_5_level_2m_in_the_upper_half_by_hand) {
  // 00:13.2 has devfn 0x9A: the upper half of the root entry (UCTP 0x102000), context index 0x1A at
  // 0x102000 + 0x1A*32 = 0x102340. PASID 0x47 with PASID: directory index 1 (0x110008), table index 7
  // (0x131000 + 7*64 = 0x1311C0).
  const uint16_t sid = make_source_id(0, 0x13, 2);
  put(0x100000, {0x101001, 0x102001});
  put(0x102340, {0x110E09, 0, 0, 0});
  put(0x110008, {0x131001});
  // PGTT=001b, FLPM=01b (5-level, bits 131:130 -> QW2 bit 2), FLPTPTR 0x210000.
  put(0x1311C0, {0x41, 0x800009, 0x210000 | 0x4, 0, 0, 0, 0, 0});
  // IOVA 0x00FF_1234_5678_9000: PML5 0xFF, PML4 0x24, PDPT 0xD1, PD 0xB3 (a 2 MiB leaf: PS=1, bit 7).
  const uint64_t iova = 0x00FF123456789000;
  put(0x210000 + 0xFF * 8, {0x211027});
  put(0x211000 + 0x24 * 8, {0x212027});
  put(0x212000 + 0xD1 * 8, {0x213027});
  put(0x213000 + 0xB3 * 8, {0x80000000 | 0xE7});  // frame 0x8000_0000, P|R/W|U/S|A|D|PS
  enable();

  dma_request req = dma(sid, iova, access_kind::write);
  req.has_pasid = true;
  req.pasid = 0x47;
  walk_record rec;
  const auto r = unit->dma().translate(req, &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  // Offset within the 2 MiB page: IOVA bits 20:0 = 0x189000.
  EXPECT_EQ(r.hpa, 0x80189000u);
  EXPECT_EQ(r.page_size, 2u << 20);
  EXPECT_EQ(r.domain_id, 9);
  EXPECT_EQ(r.pasid, 0x47u);
  expect_reads(rec, {{step_kind::root_entry, translation_stage::none, 0, 0x100000},
                     {step_kind::context_entry, translation_stage::none, 0, 0x102340},
                     {step_kind::pasid_dir_entry, translation_stage::none, 0, 0x110008},
                     {step_kind::pasid_entry, translation_stage::none, 0, 0x1311C0},
                     {step_kind::fs_entry, translation_stage::first, 5, 0x2107F8},
                     {step_kind::fs_entry, translation_stage::first, 4, 0x211120},
                     {step_kind::fs_entry, translation_stage::first, 3, 0x212688},
                     {step_kind::fs_entry, translation_stage::first, 2, 0x213598}});
}

TEST_F(scalable_walk, first_stage_1g_leaf_by_hand) {
  structures();
  put(0x130000, {0x41, 0x800005, 0x200000, 0, 0, 0, 0, 0});
  put(0x200000 + 0x24 * 8, {0x201027});
  put(0x201000 + 0xD1 * 8, {0xC0000000 | 0xE7});  // 1 GiB frame 0xC000_0000 (needs CAP.FS1GP: server-sm)
  enable();
  walk_record rec;
  const auto r = unit->dma().translate(dma(kSid, kIova), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0xC0000000u + (kIova & 0x3FFFFFFF));
  EXPECT_EQ(r.page_size, 1u << 30);
  EXPECT_EQ(rec.memory_reads(), 6u);
}

TEST_F(scalable_walk, second_stage_by_hand) {
  structures();
  // PGTT=010b (0x80), AW=010b (4:2 -> 0x8), SLPTPTR 0x300000; DID 7.
  put(0x130000, {0x300000 | 0x80 | 0x8 | 1, 0x800007, 0, 0, 0, 0, 0, 0});
  put(0x300000 + 0x24 * 8, {0x301003});  // R|W
  put(0x301000 + 0xD1 * 8, {0x302003});
  put(0x302000 + 0xB3 * 8, {0x303003});
  put(0x303000 + 0x189 * 8, {0x50000001});  // read-only 4 KiB page
  enable();
  walk_record rec;
  const auto r = unit->dma().translate(dma(kSid, kIova), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x50000ABCu);
  EXPECT_EQ(r.stage, translation_stage::second);
  EXPECT_EQ(r.levels, 4);
  EXPECT_TRUE(r.read);
  EXPECT_FALSE(r.write);
  expect_reads(rec, {{step_kind::root_entry, translation_stage::none, 0, 0x100000},
                     {step_kind::context_entry, translation_stage::none, 0, 0x101300},
                     {step_kind::pasid_dir_entry, translation_stage::none, 0, 0x110000},
                     {step_kind::pasid_entry, translation_stage::none, 0, 0x130000},
                     {step_kind::sl_entry, translation_stage::second, 4, 0x300120},
                     {step_kind::sl_entry, translation_stage::second, 3, 0x301688},
                     {step_kind::sl_entry, translation_stage::second, 2, 0x302598},
                     {step_kind::sl_entry, translation_stage::second, 1, 0x303C48}});
  const auto w = unit->dma().translate(dma(kSid, kIova, access_kind::write), nullptr);
  EXPECT_EQ(w.fault, fault_reason::sm_write_denied);  // SGN.6 85h
}

// Nested, 4-level first stage over a 4-level second stage: each of the four first-stage table pointers is a
// GPA the second stage translates (4 reads each), then the first-stage output GPA is translated once more:
// 4 * (4 + 1) + 4 = 24 paging reads after the four structure reads.
TEST_F(scalable_walk, nested_4_over_4_reads_24_paging_entries_by_hand) {
  structures();
  // PGTT=011b (0xC0), AW=010b, SLPTPTR 0x400000; DID 3; FLPTPTR = GPA 0x1000000.
  put(0x130000, {0x400000 | 0xC0 | 0x8 | 1, 0x800003, 0x1000000, 0, 0, 0, 0, 0});
  // Guest first-stage tables at GPAs 0x1000000..0x1003000; the host keeps them at HPAs 0x600000..0x603000.
  // Second stage: GPA 0x1000000 + n*0x1000 -> HPA 0x600000 + n*0x1000 (indexes: PML4 0, PDPT 0, PD 8,
  // PT n), and the data page GPA 0x2000000 (PD 0x10, PT 0) -> HPA 0x7000000.
  put(0x400000, {0x401003});             // PML4[0]
  put(0x401000, {0x402003});             // PDPT[0]
  put(0x402000 + 8 * 8, {0x403003});     // PD[8] (GPA 0x1000000 >> 21 = 8)
  put(0x402000 + 0x10 * 8, {0x404003});  // PD[0x10] (GPA 0x2000000)
  for (unsigned n = 0; n < 4; ++n) put(0x403000 + n * 8, {(0x600000 + n * 0x1000) | 3});
  put(0x404000, {0x7000003});
  // Guest first stage (GPAs in the entries), written at their host addresses.
  put(0x600000 + 0x24 * 8, {0x1001027});
  put(0x601000 + 0xD1 * 8, {0x1002027});
  put(0x602000 + 0xB3 * 8, {0x1003027});
  put(0x603000 + 0x189 * 8, {0x2000067});
  enable();

  walk_record rec;
  const auto r = unit->dma().translate(dma(kSid, kIova, access_kind::write), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x7000ABCu);
  EXPECT_EQ(r.stage, translation_stage::nested);
  std::vector<expected_read> want{{step_kind::root_entry, translation_stage::none, 0, 0x100000},
                                  {step_kind::context_entry, translation_stage::none, 0, 0x101300},
                                  {step_kind::pasid_dir_entry, translation_stage::none, 0, 0x110000},
                                  {step_kind::pasid_entry, translation_stage::none, 0, 0x130000}};
  const uint64_t fs_entries[4] = {0x600000 + 0x24 * 8, 0x601000 + 0xD1 * 8, 0x602000 + 0xB3 * 8,
                                  0x603000 + 0x189 * 8};
  for (unsigned n = 0; n < 4; ++n) {
    want.push_back({step_kind::sl_entry, translation_stage::second, 4, 0x400000});
    want.push_back({step_kind::sl_entry, translation_stage::second, 3, 0x401000});
    want.push_back({step_kind::sl_entry, translation_stage::second, 2, 0x402040});
    want.push_back({step_kind::sl_entry, translation_stage::second, 1, 0x403000 + n * 8});
    want.push_back({step_kind::fs_entry, translation_stage::first, 4 - n, fs_entries[n]});
  }
  want.push_back({step_kind::sl_entry, translation_stage::second, 4, 0x400000});
  want.push_back({step_kind::sl_entry, translation_stage::second, 3, 0x401000});
  want.push_back({step_kind::sl_entry, translation_stage::second, 2, 0x402080});
  want.push_back({step_kind::sl_entry, translation_stage::second, 1, 0x404000});
  expect_reads(rec, want);
  EXPECT_EQ(rec.memory_reads(), 28u);
  EXPECT_FALSE(rec.overflowed());
}

TEST_F(scalable_walk, pass_through_and_rid_pasid) {
  // RID_PASID = 5: a request without PASID uses PASID 5's entry (pass-through, PGTT=100b = 0x100).
  structures(5);
  put(0x130000 + 5 * 64, {0x101, 0x800002, 0, 0, 0, 0, 0, 0});
  enable();
  const auto r = unit->dma().translate(dma(kSid, 0x123456000), nullptr);
  ASSERT_EQ(r.status, dma_status::pass_through) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x123456000u);
  EXPECT_EQ(r.pasid, 5u);
  EXPECT_EQ(r.domain_id, 2);
  // PASID 0 is not present: a request with PASID 0 faults SPT.2 and its FRCD has PP=1, PV=0.
  const auto f = unit->dma().translate(pasid_dma(0, 0x1000), nullptr);
  EXPECT_EQ(f.fault, fault_reason::pasid_entry_not_present);
}

// First-stage A/D: with A and D clear in the tables and PWSNP=1, a read sets A in every entry used and a
// write sets D in the leaf; the updates are status_write steps of the walk.
TEST_F(scalable_walk, first_stage_accessed_and_dirty_updates) {
  install(first_stage(4, 0x2F0000));
  const uint64_t root = 0x2F0000;
  map_fs(root, 4, kIova, 0x40000000, true, true, 1, /*ad=*/false);
  walk_record rec;
  ASSERT_TRUE(unit->dma().translate(dma(kSid, kIova), &rec).ok());
  unsigned writes = 0;
  for (const auto& s : rec) writes += s.kind == step_kind::status_write;
  EXPECT_EQ(writes, 4u);
  // Read back the leaf: A set, D still clear.
  uint64_t table = root;
  for (unsigned level = 4; level > 1; --level) {
    fs_entry e{*mem.read64(table + level_index(kIova, level) * 8)};
    EXPECT_TRUE(e.a()) << level;
    table = e.address(level);
  }
  fs_entry leaf{*mem.read64(table + level_index(kIova, 1) * 8)};
  EXPECT_TRUE(leaf.a());
  EXPECT_FALSE(leaf.d());
  rec.clear();
  ASSERT_TRUE(unit->dma().translate(dma(kSid, kIova, access_kind::write), &rec).ok());
  leaf = fs_entry{*mem.read64(table + level_index(kIova, 1) * 8)};
  EXPECT_TRUE(leaf.d());
  writes = 0;
  for (const auto& s : rec) writes += s.kind == step_kind::status_write;
  EXPECT_EQ(writes, 1u);  // only the leaf's D
}

// Second-stage A/D with SLADE=1 (ECAP.SLADS): A in every entry, D in the leaf on a write.
TEST_F(scalable_walk, second_stage_slade_updates) {
  pasid_entry pe = second_stage(7, 0x2F0000);
  pe.set(pasid_fields::SLADE, 1);
  install(pe);
  map_ss(0x2F0000, 4, kIova, 0x50000000);
  ASSERT_TRUE(unit->dma().translate(dma(kSid, kIova, access_kind::write), nullptr).ok());
  uint64_t table = 0x2F0000;
  for (unsigned level = 4; level >= 1; --level) {
    sl_entry e{*mem.read64(table + level_index(kIova, level) * 8)};
    EXPECT_TRUE(e.a()) << level;
    if (level == 1) {
      EXPECT_TRUE(e.d());
    }
    table = e.address(level);
  }
}

// Privilege: a supervisor request with SRE=1 may read a U/S=0 page and, with WPE=0, write a read-only one;
// WPE=1 makes the write fault; a user request to the U/S=0 page faults SGN.2.
TEST_F(scalable_walk, supervisor_and_write_protect) {
  pasid_entry pe = first_stage(4, 0x2F0000);
  pe.set(pasid_fields::SRE, 1);
  install(pe, 1);
  map_fs(0x2F0000, 4, kIova, 0x40000000, /*write=*/false, /*user=*/false);
  EXPECT_TRUE(unit->dma().translate(pasid_dma(1, kIova, access_kind::read, true), nullptr).ok());
  EXPECT_TRUE(unit->dma().translate(pasid_dma(1, kIova, access_kind::write, true), nullptr).ok());
  const auto user = unit->dma().translate(pasid_dma(1, kIova, access_kind::read, false), nullptr);
  EXPECT_EQ(user.fault, fault_reason::user_request_supervisor_page);
  EXPECT_EQ(user.pasid, 1u);  // a fault names the PASID and the PASID entry's DID
  EXPECT_EQ(user.domain_id, 4);
  pe.set(pasid_fields::WPE, 1);
  put(kPasidTable + 64, pe);
  EXPECT_EQ(unit->dma().translate(pasid_dma(1, kIova, access_kind::write, true), nullptr).fault,
            fault_reason::sm_write_denied);
}

// FRCD of a scalable-mode fault with PASID: PP=1, PV, PRIV (bit 93) and the scalable fault code.
TEST_F(scalable_walk, fault_record_carries_pasid_and_privilege) {
  pasid_entry pe = first_stage(4, 0x2F0000);
  pe.set(pasid_fields::SRE, 1);
  install(pe, 0x21);
  const auto r = unit->dma().translate(pasid_dma(0x21, kIova, access_kind::read, true), nullptr);
  ASSERT_EQ(r.fault, fault_reason::fs_entry_not_present);  // the first-stage root table is empty
  ASSERT_TRUE(r.fault_recorded);
  const uint64_t hi = unit->faults().frcd_hi(0);
  EXPECT_EQ(fault_recorder::frcd_reason(hi), fault_reason::fs_entry_not_present);
  EXPECT_EQ((hi >> 31) & 1, 1u);           // PP
  EXPECT_EQ((hi >> 40) & 0xFFFFF, 0x21u);  // PV
  EXPECT_EQ((hi >> 29) & 1, 1u);           // PRIV
  EXPECT_EQ((hi >> 30) & 1, 0u);           // EXE
  EXPECT_EQ(fault_recorder::frcd_sid(hi), kSid);
}

}  // namespace
}  // namespace vtd::test
