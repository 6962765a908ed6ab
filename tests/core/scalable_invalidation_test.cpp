// Scalable-mode invalidation, one stale-translation pair per cache: change the tables, show the cached unit
// still serves the old translation (and that a descriptor naming another PASID or DID leaves it), then show
// the right descriptor (256-bit, through the DW=1 queue) removes it. Then the scopes of each descriptor on a
// filled cache set, and register-based invalidation refused while the root table is in scalable mode.
#include <gtest/gtest.h>

#include "model/core/invalidation/register_invalidation.hpp"
#include "tests/core/scalable_cache_fixture.hpp"

namespace vtd::test {
namespace {

using spec::inv_descriptor;
using sm_inval = sm_cache_fixture;

class sm_inval_fs : public sm_cache_fixture {
 protected:
  void SetUp() override {
    sm_cache_fixture::SetUp();
    raw_root_and_context();
    raw_fs_entry(0, 5, 0x200000);
    raw_fs_tables();
    enable_sys();
    ASSERT_EQ(run(dma(kSid, kIova)).hpa, 0x40000ABCu);
  }
  static constexpr uint64_t kLeaf = 0x203000 + 0x189 * 8;
};

// IOTLB + first-stage paging-structure caches: the leaf is cleared (an unmap), the IOTLB still translates;
// p_iotlb_inv_dsc for another PASID, another DID or another page leaves it; the right page-selective one
// removes it and the request faults SFS.2 (71h).
TEST_F(sm_inval_fs, cleared_first_stage_leaf_is_stale_until_p_iotlb) {
  mem.write64(kLeaf, 0);
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x40000ABCu);                                           // stale
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 1, kIova, 0, false)));           // PASID 1
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(6, 0, kIova, 0, false)));           // DID 6
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 0, kIova + 0x1000, 0, false)));  // next page
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x40000ABCu);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 0, kIova, 0, false)));
  EXPECT_EQ(run(dma(kSid, kIova)).fault, fault_reason::fs_entry_not_present);
  EXPECT_EQ(sys->invalidations().queued_piotlb, 4u);
}

// AM selects a naturally aligned block: AM=9 at the 2 MiB block holding kIova removes the entry even though
// ADDR is the block's last page.
TEST_F(sm_inval_fs, address_mask_covers_the_aligned_block) {
  mem.write64(kLeaf, 0);
  const uint64_t block = kIova & ~uint64_t(0x1FFFFF);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 0, block + 0x200000, 9, false)));  // next block
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x40000ABCu);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 0, block + 0x1FF000, 9, false)));
  EXPECT_EQ(run(dma(kSid, kIova)).fault, fault_reason::fs_entry_not_present);
}

// IH=1 (only a leaf changed) keeps the first-stage paging-structure entries: the walk after it reads only the
// leaf. IH=0 removes them too: all four levels are read again.
TEST_F(sm_inval_fs, invalidation_hint_keeps_the_first_stage_paging_structure_entries) {
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 0, kIova, 0, true)));
  walk_record rec;
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{kLeaf}));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_page(5, 0, kIova, 0, false)));
  rec.clear();
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x200120, 0x201688, 0x202598, kLeaf}));
}

// PASID-selective: every IOTLB and first-stage paging-structure entry of DID 5 / PASID 0 goes, the
// context-cache and PASID-cache stay (only the four first-stage entries are read again).
TEST_F(sm_inval_fs, pasid_selective_removes_the_pasids_translations_only) {
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_pasid(5, 1)));
  walk_record rec;
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(rec.memory_reads(), 0u);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_pasid(5, 0)));
  rec.clear();
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x200120, 0x201688, 0x202598, kLeaf}));
  EXPECT_EQ(sys->invalidations().entries_removed, 1u + 3u);  // one IOTLB entry, three fs_nonleaf entries
}

// PASID-cache: the PASID entry's DID changes 5 -> 6. The cached entry keeps answering DID 5; pc_inv_dsc for
// PASID 1, for DID 6 (PASID-selective and domain-selective: the cached entry's DID is 5) leaves it; the
// PASID-selective one for DID 5 / PASID 0 removes it.
TEST_F(sm_inval_fs, pasid_entry_did_change_is_stale_until_pc_inv) {
  raw_fs_entry(0, 6, 0x200000);
  EXPECT_EQ(run(dma(kSid, kIova)).domain_id, 5);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_pasid(5, 1)));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_pasid(6, 0)));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_domain(6)));
  EXPECT_EQ(run(dma(kSid, kIova)).domain_id, 5);
  EXPECT_EQ(sys->invalidations().entries_removed, 0u);
  EXPECT_EQ(sys->invalidations().useless, 3u);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_pasid(5, 0)));
  const auto r = run(dma(kSid, kIova));
  EXPECT_EQ(r.domain_id, 6);
  EXPECT_EQ(r.hpa, 0x40000ABCu);
  EXPECT_EQ(sys->invalidations().queued_pc, 4u);
}

// PGTT change first-stage -> pass-through (same DID): domain-selective pc_inv_dsc of another domain leaves
// the entry, of DID 5 removes it; the pass-through then answers output = input.
TEST_F(sm_inval_fs, pgtt_change_is_stale_until_domain_selective_pc_inv) {
  put(0x130000, {0x101, 0x800005, 0, 0, 0, 0, 0, 0});  // P, PGTT=100b, DID 5
  EXPECT_EQ(run(dma(kSid, kIova)).status, dma_status::translated);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_domain(4)));
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x40000ABCu);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_domain(5)));
  const auto r = run(dma(kSid, kIova));
  EXPECT_EQ(r.status, dma_status::pass_through);
  EXPECT_EQ(r.hpa, kIova);
}

TEST_F(sm_inval_fs, global_pc_inv_removes_every_pasid_cache_entry) {
  put(0x130000, {0x101, 0x800005, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_global()));
  EXPECT_EQ(run(dma(kSid, kIova)).status, dma_status::pass_through);
  EXPECT_EQ(counters()["pasid_cache_invalidation"], 1u);
}

// Scalable context-cache: the context entry's RID_PASID changes 0 -> 1 (PASID 1 is pass-through, DID 2).
// A device-selective cc_inv_dsc for 00:04.0 leaves the entry; a domain-selective one naming a DID no entry
// has removes it, because the scalable-mode context-cache is not tagged by DID (domain-selective acts as
// global).
TEST_F(sm_inval_fs, context_change_is_stale_until_cc_inv_domain_acts_globally) {
  put(0x130040, {0x101, 0x800002, 0, 0, 0, 0, 0, 0});
  put(0x101308, {1});  // RID_PASID (83:64) = 1
  EXPECT_EQ(run(dma(kSid, kIova)).pasid, 0u);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_cc(3, 2, make_source_id(0, 4, 0), 0)));
  EXPECT_EQ(run(dma(kSid, kIova)).pasid, 0u);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_cc(2, 0x77, 0, 0)));
  const auto r = run(dma(kSid, kIova));
  EXPECT_EQ(r.pasid, 1u);
  EXPECT_EQ(r.status, dma_status::pass_through);
}

// Device-selective in scalable mode matches SID (+FM) whatever the DID field says.
TEST_F(sm_inval_fs, device_selective_cc_inv_ignores_the_did) {
  put(0x130040, {0x101, 0x800002, 0, 0, 0, 0, 0, 0});
  put(0x101308, {1});
  // FM=11b ignores the function number: 00:03.7 names 00:03.0 too.
  ASSERT_TRUE(sys->submit(inv_descriptor::make_cc(3, 0x1234, make_source_id(0, 3, 7), 3)));
  EXPECT_EQ(run(dma(kSid, kIova)).pasid, 1u);
}

// Nested: a second-stage leaf under the nested walk changes (GPA 0x2000000 -> HPA 0x7100000). The
// nested-combined IOTLB entry keeps the old output; iotlb_inv_dsc for DID 4 and p_iotlb_inv_dsc for PASID 1
// leave it; iotlb_inv_dsc page-selective for DID 3 at the GPA removes it (every nested entry of the DID goes
// whatever its address, since ADDR is a second-stage address).
TEST_F(sm_inval, second_stage_change_under_nested_is_stale_until_iotlb_inv) {
  raw_nested();
  enable_sys();
  ASSERT_EQ(run(dma(kSid, kIova)).hpa, 0x7000ABCu);
  put(0x404000, {0x7100003});
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x7000ABCu);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_iotlb(3, 4, 0x2000000, 0, false)));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_pasid(3, 1)));
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x7000ABCu);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_iotlb(3, 3, 0x2000000, 0, false)));
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x7100ABCu);
}

// Nested first-stage paging-structure entries hold host table addresses the second stage produced: the
// second stage remaps the guest page table GPA 0x1003000 to a new page (HPA 0x605000) whose entry 0x189
// points at GPA 0x2001000. iotlb_inv_dsc page-selective at that GPA with IH=1 (only a leaf changed) must
// still remove them; the second-stage PDE stays cached and the walk reads the changed PT entry.
TEST_F(sm_inval, nested_first_stage_cache_goes_with_iotlb_inv_even_with_ih) {
  raw_nested();
  enable_sys();
  ASSERT_EQ(run(dma(kSid, kIova)).hpa, 0x7000ABCu);
  put(0x605000 + 0x189 * 8, {0x2001067});
  put(0x403018, {0x605003});
  ASSERT_TRUE(sys->submit(inv_descriptor::make_iotlb(3, 4, 0x1003000, 0, true)));  // another domain
  EXPECT_EQ(run(dma(kSid, kIova)).hpa, 0x7000ABCu);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_iotlb(3, 3, 0x1003000, 0, true)));
  walk_record rec;
  const auto r = run(dma(kSid, kIova), &rec);
  EXPECT_EQ(r.hpa, 0x7001ABCu);
  // PML4 table: GPA 0x1000000 resumes from the kept second-stage PDE; each lower table likewise.
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x403000, 0x600120, 0x403008, 0x601688, 0x403010,
                                                        0x602598, 0x403018, 0x605C48, 0x404008}));
}

// Scopes on filled caches (tags as the walker writes them): iotlb_inv_dsc page-selective in scalable mode
// removes the second-stage entries of the DID in the range and every first-stage / nested entry of the DID;
// p_iotlb_inv_dsc page-selective only first-stage / nested entries of the DID and PASID in the range;
// PASID-selective every entry of the DID and PASID, and never the second-stage paging-structure caches.
TEST(sm_inval_scope, iotlb_and_p_iotlb_scopes_by_tag) {
  translation_caches c;
  const cached_translation page{0x9000, 4096, true, true, translation_stage::second};
  auto fill = [&](uint16_t did, uint32_t pasid, translation_stage st, uint64_t addr) {
    cached_translation t = page;
    t.stage = st;
    c.tlb().fill(cache_tag{0, did, pasid, st}, addr, t);
  };
  auto has = [&](uint16_t did, uint32_t pasid, translation_stage st, uint64_t addr) {
    return c.tlb().lookup(cache_tag{0, did, pasid, st}, addr) != nullptr;
  };
  auto refill = [&] {
    c.invalidate_all();
    fill(3, 0, translation_stage::second, 0x1000);
    fill(3, 0, translation_stage::second, 0x200000);
    fill(3, 1, translation_stage::first, 0x1000);
    fill(3, 1, translation_stage::first, 0x5000000);
    fill(3, 2, translation_stage::nested, 0x1000);
    fill(4, 1, translation_stage::first, 0x1000);
    c.paging().fill(cache_tag{0, 3, kNoPasid, translation_stage::second}, 0x1000, 2, psc_entry{0x7000});
    c.fs_paging().fill(cache_tag{0, 3, 1, translation_stage::first}, 0x1000, 2, psc_entry{0x8000});
    c.fs_paging().fill(cache_tag{0, 3, 2, translation_stage::nested}, 0x1000, 2, psc_entry{0x8000});
  };

  refill();
  auto o = invalidate_iotlb(c, iotlb_request{iotlb_granularity::page, 3, 0x1000, 0, false});
  EXPECT_EQ(o.removed, 4u + 1u + 2u);  // IOTLB: second@0x1000, both first of PASID 1, nested; SS PDE; both FS
  EXPECT_FALSE(has(3, 0, translation_stage::second, 0x1000));
  EXPECT_TRUE(has(3, 0, translation_stage::second, 0x200000));
  EXPECT_FALSE(has(3, 1, translation_stage::first, 0x5000000));
  EXPECT_FALSE(has(3, 2, translation_stage::nested, 0x1000));
  EXPECT_TRUE(has(4, 1, translation_stage::first, 0x1000));

  refill();
  o = invalidate_piotlb(c, piotlb_request{piotlb_granularity::page, 3, 1, 0x1000, 0, false});
  EXPECT_EQ(o.removed, 1u + 1u);  // first@0x1000 of PASID 1 and its PDE
  EXPECT_TRUE(has(3, 1, translation_stage::first, 0x5000000));
  EXPECT_TRUE(has(3, 0, translation_stage::second, 0x1000));
  EXPECT_EQ(c.paging().valid_entries(), 1u);

  refill();
  o = invalidate_piotlb(c, piotlb_request{piotlb_granularity::pasid, 3, 1, 0, 0, false});
  EXPECT_EQ(o.removed, 2u + 1u);
  EXPECT_TRUE(has(4, 1, translation_stage::first, 0x1000));
  EXPECT_TRUE(has(3, 2, translation_stage::nested, 0x1000));
  EXPECT_EQ(c.paging().valid_entries(), 1u);
  EXPECT_EQ(c.fs_paging().valid_entries(), 1u);
}

TEST(sm_inval_scope, pasid_cache_scopes) {
  translation_caches c;
  auto entry = [](uint16_t did) {
    cached_pasid_entry e;
    e.entry.qw[0] = 0x41;  // P, PGTT=001b
    e.entry.qw[1] = did;   // DID (79:64)
    return e;
  };
  auto refill = [&] {
    c.pasid().invalidate_global();
    c.pasid().fill(0x18, 0, entry(5));
    c.pasid().fill(0x18, 1, entry(5));
    c.pasid().fill(0x20, 1, entry(5));
    c.pasid().fill(0x18, 2, entry(6));
  };
  refill();
  EXPECT_EQ(invalidate_pasid_cache(c, pc_request{pc_granularity::pasid, 5, 1}).removed, 2u);  // both SIDs
  EXPECT_NE(c.pasid().lookup(0x18, 0), nullptr);
  refill();
  EXPECT_EQ(invalidate_pasid_cache(c, pc_request{pc_granularity::pasid, 6, 1}).removed, 0u);
  EXPECT_EQ(invalidate_pasid_cache(c, pc_request{pc_granularity::domain, 5, 0}).removed, 3u);
  EXPECT_NE(c.pasid().lookup(0x18, 2), nullptr);
  refill();
  EXPECT_EQ(invalidate_pasid_cache(c, pc_request{pc_granularity::global, 0, 0}).removed, 4u);
  // A not-present entry is never cached (CM=0).
  EXPECT_FALSE(c.pasid().fill(0x18, 3, cached_pasid_entry{}));
}

// Register-based invalidation exists only in legacy mode (digest 1.7 / 1.8: ignored with CAIG/IAIG = 00 when
// TTM != 00). A VER 4.0 unit (register-based invalidation not yet withdrawn) without queued invalidation:
// CCMD and IOTLB_REG are performed in legacy mode and refused in scalable mode, leaving the caches full.
TEST_F(sm_inval, register_based_invalidation_is_refused_in_scalable_mode) {
  cfg.ver = 0x40;
  build();
  auto& regs = sys->unit().regs();
  raw_root_and_context();
  raw_fs_entry(0, 5, 0x200000);
  raw_fs_tables();
  sys->unit().set_root_table(kRoot | kTtmScalable);
  sys->unit().enable_translation(true);
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());

  regs.write64(spec::reg::CCMD, core::ccmd::make(cc_granularity::global, 0));
  EXPECT_EQ(regs.read64(spec::reg::CCMD) & core::ccmd::ICC, 0u);
  EXPECT_EQ(core::ccmd::caig(regs.read64(spec::reg::CCMD)), 0u);
  regs.write64(regs.iotlb_offset(), core::iotlb_reg::make(iotlb_granularity::global, 0));
  EXPECT_EQ(core::iotlb_reg::iaig(regs.read64(regs.iotlb_offset())), 0u);
  walk_record rec;
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(rec.memory_reads(), 0u);  // every cache kept its entries
  EXPECT_EQ(sys->invalidations().entries_removed, 0u);

  sys->unit().set_root_table(kRoot);  // legacy mode: the same writes are performed
  regs.write64(spec::reg::CCMD, core::ccmd::make(cc_granularity::global, 0));
  EXPECT_EQ(core::ccmd::caig(regs.read64(spec::reg::CCMD)), 1u);
  regs.write64(regs.iotlb_offset(), core::iotlb_reg::make(iotlb_granularity::global, 0));
  EXPECT_EQ(core::iotlb_reg::iaig(regs.read64(regs.iotlb_offset())), 1u);
}

// SRTP with CAP.ESRTPS=1 drops the scalable-mode caches too (context, PASID, IOTLB, both paging-structure
// caches).
TEST_F(sm_inval, srtp_with_esrtps_drops_the_scalable_caches) {
  cfg.cap |= uint64_t{1} << 63;  // ESRTPS
  build();
  raw_root_and_context();
  raw_fs_entry(0, 5, 0x200000);
  raw_fs_tables();
  enable_sys();
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());
  sys->unit().set_root_table(kRoot | kTtmScalable);
  walk_record rec;
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(rec.memory_reads(), 8u);
  auto c = counters();
  EXPECT_EQ(c["pasid_cache_invalidation"], 1u);
  EXPECT_EQ(c["fs_nonleaf_invalidation"], 3u);
}

}  // namespace
}  // namespace vtd::test
