// Scalable-mode caches, counted by hand: the scalable context-cache, the PASID-cache, the IOTLB with PASID
// and stage, the first-stage paging-structure caches (fs_nonleaf, filled only once A/EA are set) and the
// second-stage ones serving nested sub-walks. Every expected read address is worked out from the index rules
// (9 address bits per level, 8-byte entries) on tables written as raw quadwords.
#include <gtest/gtest.h>

#include "tests/core/scalable_cache_fixture.hpp"

namespace vtd::test {
namespace {

using sm_cache = sm_cache_fixture;

// A first-stage request misses everything and reads root, context, directory, PASID entry and four
// first-stage entries; the same request again is served from the caches with no memory read.
TEST_F(sm_cache, second_identical_first_stage_request_reads_nothing) {
  raw_root_and_context();
  raw_fs_entry(0, 5, 0x200000);
  raw_fs_tables();
  enable_sys();

  walk_record first;
  auto r = run(dma(kSid, kIova), &first);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x40000ABCu);
  EXPECT_EQ(read_addresses(first), (std::vector<uint64_t>{0x100000, 0x101300, 0x110000, 0x130000, 0x200120,
                                                          0x201688, 0x202598, 0x203C48}));
  // Lookups in walk order: context-cache, PASID-cache, IOTLB, first-stage PDE cache (the deepest probed).
  auto l = lookups(first);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].cache, cache_kind::context);
  EXPECT_EQ(l[0].structure, structure_kind::sm_context_entry);
  EXPECT_EQ(l[1].cache, cache_kind::pasid);
  EXPECT_EQ(l[1].structure, structure_kind::pasid_entry);
  EXPECT_EQ(l[2].cache, cache_kind::iotlb);
  EXPECT_EQ(l[2].stage, translation_stage::first);
  EXPECT_EQ(l[3].cache, cache_kind::pde);
  EXPECT_EQ(l[3].stage, translation_stage::first);
  for (const auto& s : l) EXPECT_FALSE(s.ok);

  walk_record second;
  r = run(dma(kSid, kIova), &second);
  ASSERT_EQ(r.status, dma_status::translated);
  EXPECT_EQ(r.hpa, 0x40000ABCu);
  EXPECT_EQ(second.memory_reads(), 0u);
  l = lookups(second);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_TRUE(l[0].ok);
  EXPECT_EQ(l[0].qw(0), 0x110E09u);  // the cached context entry, QW0 as written
  EXPECT_TRUE(l[1].ok);
  EXPECT_EQ(l[1].index, 0u);         // PASID 0 (RID_PASID)
  EXPECT_EQ(l[1].qw(2), 0x200000u);  // the cached PASID-table entry's FLPTPTR quadword
  EXPECT_TRUE(l[2].ok);

  auto c = counters();
  EXPECT_EQ(c["ctxt_cache_lookup"], 2u);
  EXPECT_EQ(c["ctxt_cache_hit"], 1u);
  EXPECT_EQ(c["ctxt_cache_fill"], 1u);
  EXPECT_EQ(c["pasid_cache_lookup"], 2u);
  EXPECT_EQ(c["pasid_cache_hit"], 1u);
  EXPECT_EQ(c["pasid_cache_fill"], 1u);
  EXPECT_EQ(c["iotlb_lookup"], 2u);
  EXPECT_EQ(c["iotlb_hit"], 1u);
  EXPECT_EQ(c["fs_nonleaf_lookup"], 1u);
  EXPECT_EQ(c["fs_nonleaf_hit"], 0u);
  EXPECT_EQ(c["fs_nonleaf_fill"], 3u);  // PML4E, PDPE, PDE; the PTE is a leaf
  EXPECT_EQ(c["fs_pml4e_fill"], 1u);
  EXPECT_EQ(c["fs_pdpe_fill"], 1u);
  EXPECT_EQ(c["fs_pde_fill"], 1u);
  EXPECT_EQ(c["ss_nonleaf_lookup"], 0u);
}

// The next 2 MiB region shares the PDPE (same 1 GiB) but not the PDE: the walk resumes from the cached PDPE
// and reads only the PD entry 0xB4 and the new page table's entry 0x189.
TEST_F(sm_cache, next_2m_region_reads_only_the_lower_levels) {
  raw_root_and_context();
  raw_fs_entry(0, 5, 0x200000);
  raw_fs_tables();
  put(0x202000 + 0xB4 * 8, {0x204027});
  put(0x204000 + 0x189 * 8, {0x40200067});
  enable_sys();
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());

  walk_record rec;
  const auto r = run(dma(kSid, kIova + 0x200000), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x40200ABCu);
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x202000 + 0xB4 * 8, 0x204000 + 0x189 * 8}));
  const auto l = lookups(rec);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[3].cache, cache_kind::pdpe);
  EXPECT_TRUE(l[3].ok);
  EXPECT_EQ(l[3].level, 3u);
  EXPECT_EQ(l[3].qw(0), 0x202000u);  // the PD table the cached PDPE points at
  auto c = counters();
  EXPECT_EQ(c["fs_nonleaf_hit"], 1u);
  EXPECT_EQ(c["fs_pdpe_hit"], 1u);
  EXPECT_EQ(c["fs_pde_fill"], 2u);  // the PDE of each 2 MiB region
}

// The PASID-cache is looked up by source-id and PASID: another PASID of the same device hits the
// context-cache but reads its own directory and PASID-table entries, once.
TEST_F(sm_cache, each_pasid_has_its_own_pasid_cache_entry) {
  raw_root_and_context();
  raw_fs_entry(0, 5, 0x200000);
  raw_fs_tables();
  put(0x130040, {0x101, 0x800002, 0, 0, 0, 0, 0, 0});  // PASID 1: P, PGTT=100b (pass-through), DID 2
  enable_sys();
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());

  walk_record rec;
  auto r = run(pasid_dma(1, 0x5000), &rec);
  ASSERT_EQ(r.status, dma_status::pass_through) << to_string(r.fault);
  EXPECT_EQ(r.domain_id, 2);
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x110000, 0x130040}));
  rec.clear();
  r = run(pasid_dma(1, 0x6000), &rec);
  ASSERT_EQ(r.status, dma_status::pass_through);
  EXPECT_EQ(rec.memory_reads(), 0u);
  auto c = counters();
  EXPECT_EQ(c["pasid_cache_lookup"], 3u);
  EXPECT_EQ(c["pasid_cache_hit"], 1u);
  EXPECT_EQ(c["pasid_cache_fill"], 2u);
  EXPECT_EQ(c["ctxt_cache_hit"], 2u);
}

// Spec 6.2: first-stage entries are cached only once A (and EA with EAFE=1) are set. With A clear and PWSNP=0
// the unit may not set it (SFS.9, 90h): nothing of the walk is cached. With A set by software the same walk
// fills the three non-leaf levels.
TEST_F(sm_cache, first_stage_entries_are_cached_only_with_accessed_set) {
  raw_root_and_context();
  raw_fs_entry(0, 5, 0x200000, /*pwsnp=*/false);
  put(0x200000 + 0x24 * 8, {0x201007});  // P|R/W|U/S, A clear
  put(0x201000 + 0xD1 * 8, {0x202007});
  put(0x202000 + 0xB3 * 8, {0x203007});
  put(0x203000 + 0x189 * 8, {0x40000007});
  enable_sys();
  EXPECT_EQ(run(dma(kSid, kIova)).fault, fault_reason::fs_ad_not_snooped);
  auto c = counters();
  EXPECT_EQ(c["fs_nonleaf_fill"], 0u);
  EXPECT_EQ(c["iotlb_fill"], 0u);
  EXPECT_EQ(c["pasid_cache_fill"], 1u);  // the PASID-table entry itself is valid

  for (uint64_t a : {0x200000 + 0x24 * 8, 0x201000 + 0xD1 * 8, 0x202000 + 0xB3 * 8, 0x203000 + 0x189 * 8})
    mem.write64(a, *mem.read64(a) | 0x20);  // A (bit 5)
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());
  c = counters();
  EXPECT_EQ(c["fs_nonleaf_fill"], 3u);
  EXPECT_EQ(c["iotlb_fill"], 1u);
}

// EAFE=1 (PASID entry bit 135: QW2 bit 7): EA (bit 10) must be set too before an entry is cached.
TEST_F(sm_cache, extended_accessed_must_be_set_before_caching) {
  raw_root_and_context();
  put(0x130000, {0x41, 0x5, 0x200000 | 0x80, 0, 0, 0, 0, 0});  // PWSNP=0, EAFE=1
  raw_fs_tables();                                             // A set, EA clear
  enable_sys();
  EXPECT_EQ(run(dma(kSid, kIova)).fault, fault_reason::fs_ad_not_snooped);
  EXPECT_EQ(counters()["fs_nonleaf_fill"], 0u);
  for (uint64_t a : {0x200000 + 0x24 * 8, 0x201000 + 0xD1 * 8, 0x202000 + 0xB3 * 8, 0x203000 + 0x189 * 8})
    mem.write64(a, *mem.read64(a) | 0x400);
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());
  EXPECT_EQ(counters()["fs_nonleaf_fill"], 3u);
}

// Nested 4-level over 4-level (scalable_walk_test's tables). The second stage maps the guest's first-stage
// tables GPA 0x1000000 + n*0x1000 -> HPA 0x600000 + n*0x1000 (PD index 8, PT index n) and the data page GPA
// 0x2000000 -> HPA 0x7000000 (PD index 0x10). With the second-stage paging-structure caches the first
// sub-walk reads 4 entries and fills PML4E/PDPE/PDE of GPA 0x1000000; the next three (same 2 MiB) resume
// from that PDE (1 read each); the output GPA 0x2000000 resumes from the PDPE (2 reads): 9 second-stage reads
// instead of 20.
class sm_cache_nested : public sm_cache_fixture {
 protected:
  void SetUp() override {
    sm_cache_fixture::SetUp();
    raw_nested();
    enable_sys();
  }
};

TEST_F(sm_cache_nested, sub_walks_resume_from_the_second_stage_cache_by_hand) {
  walk_record rec;
  const auto r = run(dma(kSid, kIova, access_kind::write), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x7000ABCu);
  EXPECT_EQ(r.stage, translation_stage::nested);
  EXPECT_EQ(read_addresses(rec),
            (std::vector<uint64_t>{0x100000, 0x101300, 0x110000, 0x130000,
                                   // FLPTPTR GPA 0x1000000: a full second-stage walk, then the PML4 entry
                                   0x400000, 0x401000, 0x402040, 0x403000, 0x600120,
                                   // GPA 0x1001000..0x1003000: the cached PDE, then the PT entry
                                   0x403008, 0x601688, 0x403010, 0x602598, 0x403018, 0x603C48,
                                   // output GPA 0x2000000: the cached PDPE, then PD[0x10] and PT[0]
                                   0x402080, 0x404000}));
  auto c = counters();
  EXPECT_EQ(c["ss_nonleaf_lookup"], 5u);
  EXPECT_EQ(c["ss_nonleaf_hit"], 4u);
  EXPECT_EQ(c["ss_pde_hit"], 3u);
  EXPECT_EQ(c["ss_pdpe_hit"], 1u);
  EXPECT_EQ(c["fs_nonleaf_fill"], 3u);
  unsigned ss_lookups = 0;
  for (const auto& s : lookups(rec))
    if (s.cache != cache_kind::iotlb && s.cache != cache_kind::context)
      ss_lookups += s.stage == translation_stage::second;
  EXPECT_EQ(ss_lookups, 5u);

  // The nested-combined IOTLB entry serves the same page with no read.
  rec.clear();
  ASSERT_TRUE(run(dma(kSid, kIova), &rec).ok());
  EXPECT_EQ(rec.memory_reads(), 0u);
}

// The next 4 KiB page: the first-stage PDE cache (stage nested) holds the host address of the guest page
// table (0x603000), so no second-stage sub-walk is needed for it; the output GPA 0x2001000 resumes from the
// second-stage PDE cached for GPA 0x2000000.
TEST_F(sm_cache_nested, next_page_reads_one_first_stage_and_one_second_stage_entry) {
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());
  walk_record rec;
  const auto r = run(dma(kSid, kIova + 0x1000), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x7001ABCu);
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x603000 + 0x18A * 8, 0x404008}));
  const auto l = lookups(rec);
  ASSERT_EQ(l.size(), 5u);  // context, PASID, IOTLB, first-stage PSC, second-stage PSC
  EXPECT_EQ(l[3].cache, cache_kind::pde);
  EXPECT_EQ(l[3].stage, translation_stage::nested);
  EXPECT_TRUE(l[3].ok);
  EXPECT_EQ(l[3].qw(0), 0x603000u);
  EXPECT_EQ(l[4].cache, cache_kind::pde);
  EXPECT_EQ(l[4].stage, translation_stage::second);
  EXPECT_TRUE(l[4].ok);
}

// Second-stage paging-structure caches are tagged by DID alone: a second PASID of the same domain (PGTT=010b,
// same SLPTPTR) misses the IOTLB (its tag carries the PASID) but resumes its walk from the cached PDE.
TEST_F(sm_cache, second_stage_cache_is_shared_by_the_pasids_of_a_domain) {
  raw_root_and_context();
  // PGTT=010b (0x80), AW=010b (0x8), SLPTPTR 0x300000, DID 7, for PASIDs 1 and 2.
  for (uint32_t pasid : {1u, 2u})
    put(0x130000 + pasid * 64, {0x300000 | 0x80 | 0x8 | 1, 0x800007, 0, 0, 0, 0, 0, 0});
  put(0x300000 + 0x24 * 8, {0x301003});
  put(0x301000 + 0xD1 * 8, {0x302003});
  put(0x302000 + 0xB3 * 8, {0x303003});
  put(0x303000 + 0x189 * 8, {0x50000003});
  enable_sys();
  ASSERT_TRUE(run(pasid_dma(1, kIova)).ok());
  walk_record rec;
  const auto r = run(pasid_dma(2, kIova), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x50000ABCu);
  EXPECT_EQ(read_addresses(rec), (std::vector<uint64_t>{0x110000, 0x130080, 0x303C48}));
  EXPECT_EQ(counters()["ss_pde_hit"], 1u);
}

}  // namespace
}  // namespace vtd::test
