// One ATS endpoint by hand: a miss asks for a translation, the answer fills the device-TLB, the next DMA to
// the page hits and goes translated; answers without the needed right are denied; invalidation requests are
// answered (entries gone) or, by a device configured not to answer, ignored (entries kept).
#include <gtest/gtest.h>

#include "model/device/ats_endpoint.hpp"

namespace vtd::device {
namespace {

core::dma_request dma(uint64_t addr, core::access_kind k = core::access_kind::read) {
  core::dma_request q;
  q.source_id = 0x0300;
  q.address = addr;
  q.length = 64;
  q.access = k;
  return q;
}

core::translation_result answer(uint64_t hpa, uint64_t size, bool r, bool w) {
  core::translation_result a;
  a.status = core::dma_status::translated;
  a.hpa = hpa;
  a.page_size = size;
  a.read = r;
  a.write = w;
  return a;
}

TEST(AtsEndpoint, MissTranslationRequestFillThenTranslatedHit) {
  ats_endpoint ep(0x0300, ats_params{});
  const core::dma_request q = dma(0x12345040);
  EXPECT_EQ(ep.lookup(q), nullptr);
  const core::dma_request t = ep.translation_request(q);
  EXPECT_EQ(t.at, core::address_type::translation_request);
  EXPECT_EQ(t.address, q.address);
  EXPECT_EQ(t.source_id, 0x0300);
  // The unit answers the 4 KiB page 0x12345000 -> 0xABCDE000 (hpa carries the request's offset).
  dtlb_entry filled;
  EXPECT_EQ(ep.complete(q, answer(0xABCDE040, 0x1000, true, true), 7, 3, &filled), ats_answer::granted);
  EXPECT_EQ(filled.untranslated, 0x12345000u);
  EXPECT_EQ(filled.translated, 0xABCDE000u);
  const dtlb_entry* cached = ep.tlb().peek({}, 0x12345000);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->domain, 7);
  EXPECT_EQ(cached->generation, 3u);
  // Second DMA to the page: a hit, translated address = translated base + offset.
  const core::dma_request q2 = dma(0x12345F00, core::access_kind::write);
  const dtlb_entry* e = ep.lookup(q2);
  ASSERT_NE(e, nullptr);
  const core::dma_request x = ep.translated_request(q2, *e);
  EXPECT_EQ(x.at, core::address_type::translated);
  EXPECT_EQ(x.address, 0xABCDEF00u);
  EXPECT_EQ(ep.counters().translation_requests, 1u);
  EXPECT_EQ(ep.counters().translated_requests, 1u);
  EXPECT_EQ(ep.tlb().stats().hits, 1u);
  EXPECT_EQ(ep.tlb().stats().misses, 1u);
}

TEST(AtsEndpoint, AnswerWithoutTheRightIsDenied) {
  ats_endpoint ep(0x0300, ats_params{});
  // R=W=0: no translation; nothing cached, the read is denied.
  EXPECT_EQ(ep.complete(dma(0x1000), answer(0, 0, false, false), 1, 0), ats_answer::denied);
  EXPECT_EQ(ep.tlb().valid_entries(), 0u);
  // Read-only page: a write is denied, but the entry serves later reads.
  const core::dma_request w = dma(0x2000, core::access_kind::write);
  EXPECT_EQ(ep.complete(w, answer(0x9000, 0x1000, true, false), 1, 0), ats_answer::denied);
  EXPECT_NE(ep.lookup(dma(0x2010)), nullptr);
  // A write finds the read-only entry but may not use it: a miss (it asks again).
  EXPECT_EQ(ep.lookup(w), nullptr);
  // A fault answer (UR / CA) is a failure, not a denial.
  core::translation_result f;
  f.status = core::dma_status::fault;
  f.fault = spec::fault_reason::translation_type_blocked;
  EXPECT_EQ(ep.complete(dma(0x3000), f, 1, 0), ats_answer::failed);
  EXPECT_EQ(ep.counters().denied, 2u);
  EXPECT_EQ(ep.counters().failed, 1u);
}

TEST(AtsEndpoint, InvalidationAnsweredOrIgnored) {
  core::dev_tlb_invalidation inv;
  inv.sid = 0x0300;
  inv.address = 0x5000;
  inv.size = 0x1000;
  for (const bool answers : {true, false}) {
    ats_params p;
    p.answers_invalidations = answers;
    ats_endpoint ep(0x0300, p);
    ep.complete(dma(0x5000), answer(0x7000, 0x1000, true, true), 1, 0);
    EXPECT_EQ(ep.invalidate(inv), answers);
    // A device that does not answer keeps its entries.
    EXPECT_EQ(ep.lookup(dma(0x5000)) != nullptr, !answers);
    EXPECT_EQ(ep.counters().invalidation_requests, 1u);
    EXPECT_EQ(ep.counters().entries_invalidated, answers ? 1u : 0u);
    EXPECT_EQ(ep.counters().invalidations_ignored, answers ? 0u : 1u);
  }
}

TEST(AtsEndpoint, LargePageAnswerCoversItsWholePage) {
  ats_endpoint ep(0x0300, ats_params{});
  ep.complete(dma(0x40123000), answer(0x80123000, 1ull << 21, true, true), 1, 0);
  const dtlb_entry* e = ep.lookup(dma(0x401FF008));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->translate(0x401FF008), 0x801FF008u);
}

}  // namespace
}  // namespace vtd::device
