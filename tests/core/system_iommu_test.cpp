// The complete unit (core + caches + invalidation wiring): stale translations are served until software
// invalidates the right scope, through the register interface and through the invalidation queue.
#include <gtest/gtest.h>

#include "model/core/invalidation/register_invalidation.hpp"
#include "model/core/system/iommu.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/inv_descriptor.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

using namespace vtd;
using namespace vtd::core;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kPml4 = 0x102000, kPdpt = 0x103000, kPd = 0x104000,
                   kPt = 0x105000, kQueue = 0x200000, kStatus = 0x300000;
constexpr uint16_t kSid = make_source_id(0, 3, 0);
constexpr uint16_t kDid = 5;

class SystemIommu : public ::testing::Test {
 protected:
  physical_memory mem{uint64_t{1} << 32};
  std::unique_ptr<iommu> unit;

  void SetUp() override {
    mem.write64(kRoot, spec::root_entry::make(kCtx).lo);
    auto ctx = spec::context_entry::make(kPml4, 2, kDid, spec::translation_type::untranslated_only);
    mem.write64(kCtx + (kSid & 0xFF) * 16, ctx.lo);
    mem.write64(kCtx + (kSid & 0xFF) * 16 + 8, ctx.hi);
    mem.write64(kPml4, spec::sl_entry::make_table(kPdpt).raw);
    mem.write64(kPdpt, spec::sl_entry::make_table(kPd).raw);
    mem.write64(kPd, spec::sl_entry::make_table(kPt).raw);
    mem.write64(kPt + 8 * 8, spec::sl_entry::make_leaf(1, 0x50000000, true, true).raw);  // IOVA 0x8000
    unit = std::make_unique<iommu>(unit_config::from_preset(*spec::find_capability_preset("server")), mem,
                                   translation_caches_config{});
    unit->unit().set_root_table(kRoot);
    unit->unit().enable_translation(true);
  }
  translation_result read(uint64_t iova, walk_record* rec = nullptr) {
    dma_request r;
    r.source_id = kSid;
    r.address = iova;
    return unit->translate(r, rec);
  }
  void unmap_without_invalidation() { mem.write64(kPt + 8 * 8, 0); }
  void register_iotlb(iotlb_granularity g, uint16_t did, uint64_t addr = 0, unsigned am = 0) {
    auto& regs = unit->unit().regs();
    regs.write64(regs.iva_offset(), iotlb_reg::make_iva(addr, am, false));
    regs.write64(regs.iotlb_offset(), iotlb_reg::make(g, did));
  }
};

bool iotlb_hit(const walk_record& w) {
  for (const auto& s : w)
    if (s.kind == step_kind::cache_lookup && s.cache == cache_kind::iotlb) return s.ok;
  return false;
}

}  // namespace

TEST_F(SystemIommu, SecondAccessHitsTheIotlbWithoutMemoryReads) {
  walk_record first, second;
  EXPECT_EQ(read(0x8010, &first).hpa, 0x50000010u);
  EXPECT_FALSE(iotlb_hit(first));
  EXPECT_EQ(read(0x8020, &second).hpa, 0x50000020u);
  EXPECT_TRUE(iotlb_hit(second));
  EXPECT_EQ(second.memory_reads(), 0u);
}

TEST_F(SystemIommu, StaleTranslationServedUntilPageInvalidation) {
  ASSERT_TRUE(read(0x8000).ok());
  unmap_without_invalidation();
  EXPECT_TRUE(read(0x8000).ok()) << "the IOTLB still holds the old translation, as real hardware would";
  register_iotlb(iotlb_granularity::page, kDid + 1, 0x8000);  // wrong domain: no effect
  EXPECT_TRUE(read(0x8000).ok());
  register_iotlb(iotlb_granularity::page, kDid, 0x9000);  // right domain, other page: no effect
  EXPECT_TRUE(read(0x8000).ok());
  register_iotlb(iotlb_granularity::page, kDid, 0x8000);
  auto r = read(0x8000);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.fault, spec::fault_reason::read_denied);
  EXPECT_GE(unit->invalidations().register_iotlb, 3u);
  // Only the wrong-domain one removed nothing; the other-page one (IH=0) still dropped paging-structure
  // entries.
  EXPECT_EQ(unit->invalidations().useless, 1u);
}

TEST_F(SystemIommu, DomainInvalidationThroughTheQueue) {
  unit->setup_queue(kQueue, 0);
  ASSERT_TRUE(read(0x8000).ok());
  unmap_without_invalidation();
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_iotlb(2, kDid + 1, 0, 0, false)));  // other domain
  EXPECT_TRUE(read(0x8000).ok());
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_iotlb(2, kDid, 0, 0, false)));
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_wait(false, true, 0xC0FFEE, kStatus)));
  EXPECT_FALSE(read(0x8000).ok());
  EXPECT_EQ(*mem.read64(kStatus) & 0xFFFFFFFF, 0xC0FFEEu);
  EXPECT_EQ(unit->invalidations().queued_iotlb, 2u);
  EXPECT_EQ(unit->invalidations().queued_wait, 1u);
}

TEST_F(SystemIommu, InvalidDescriptorStopsTheQueueWithIqe) {
  unit->setup_queue(kQueue, 0);
  spec::inv_descriptor bad{{0x7F, 0, 0, 0}};  // type 0x0F: not a legacy descriptor
  EXPECT_FALSE(unit->submit(bad));
  EXPECT_TRUE(unit->unit().faults().fsts() & spec::reg::FSTS_IQE);
  EXPECT_EQ(unit->unit().regs().read64(spec::reg::IQH), 0u) << "IQH stays on the bad descriptor";
}

TEST_F(SystemIommu, ContextCacheServesOldDomainUntilDeviceInvalidation) {
  ASSERT_EQ(read(0x8000).domain_id, kDid);
  auto ctx = spec::context_entry::make(kPml4, 2, kDid + 2, spec::translation_type::untranslated_only);
  mem.write64(kCtx + (kSid & 0xFF) * 16 + 8, ctx.hi);  // software changes the DID
  EXPECT_EQ(read(0x8000).domain_id, kDid);
  unit->unit().regs().write64(spec::reg::CCMD, ccmd::make(cc_granularity::device, kDid, kSid, 0));
  register_iotlb(iotlb_granularity::domain, kDid);
  EXPECT_EQ(read(0x8000).domain_id, kDid + 2);
}
