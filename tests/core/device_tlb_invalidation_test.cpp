// Device-TLB invalidation from the unit's side: dev_tlb_inv_dsc and p_dev_tlb_inv_dsc become ATS Invalidate
// Requests to the endpoint the descriptor names (its SID, the S/ADDR range decoded), and an endpoint that
// does not answer raises the Invalidation Time-out Error (spec 6.5.2.10): FSTS.ITE, IQERCD.ITESID, the
// following inv_wait_dsc aborted (no status write), fetching stopped until software clears ITE.
#include <gtest/gtest.h>

#include <vector>

#include "model/core/system/iommu.hpp"
#include "model/spec/ats_range.hpp"
#include "model/spec/inv_descriptor.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"

using namespace vtd;
using namespace vtd::core;

namespace {

constexpr uint64_t kQueue = 0x200000, kStatus = 0x300000;
constexpr uint16_t kGpu = make_source_id(0x3B, 0, 0), kNic = make_source_id(0x17, 0, 1);

// An endpoint model that remembers every request and answers unless its SID is `silent`.
class recording_endpoints final : public device_tlb_port {
 public:
  bool invalidate(const dev_tlb_invalidation& request) override {
    seen.push_back(request);
    return request.sid != silent;
  }
  std::vector<dev_tlb_invalidation> seen;
  uint16_t silent = 0xFFFF;
};

class DeviceTlbInvalidation : public ::testing::Test {
 protected:
  physical_memory mem{uint64_t{1} << 32};
  std::unique_ptr<iommu> unit;
  recording_endpoints endpoints;

  void start(const char* preset, bool wide) {
    unit = std::make_unique<iommu>(unit_config::from_preset(*spec::find_capability_preset(preset)), mem,
                                   translation_caches_config{});
    unit->set_device_tlb_port(&endpoints);
    unit->setup_queue(kQueue, 0, wide);
  }
  uint32_t fsts() { return unit->unit().regs().read32(spec::reg::FSTS); }
  uint64_t iqercd() { return unit->unit().regs().read64(spec::reg::IQERCD); }
  uint64_t iqh() { return unit->unit().regs().read64(spec::reg::IQH); }
  uint64_t iqt() { return unit->unit().regs().read64(spec::reg::IQT); }
  uint32_t status() {
    uint32_t v = 0;
    mem.read(kStatus, &v, 4);
    return v;
  }
};

}  // namespace

TEST(AtsRange, DecodesTheSizeEncodingOfThePcieInvalidateRequest) {
  // S=0: one 4 KiB page, ADDR's low bits ignored.
  auto r = spec::decode_ats_range(0x12345000, false);
  EXPECT_EQ(r.base, 0x12345000u);
  EXPECT_EQ(r.size, 0x1000u);
  // S=1, ADDR[12]=0: 8 KiB (the block holding ADDR).
  r = spec::decode_ats_range(0x12344000, true);
  EXPECT_EQ(r.base, 0x12344000u);
  EXPECT_EQ(r.size, 0x2000u);
  // S=1, ADDR[12]=1, ADDR[13]=0: 16 KiB at 0x12344000 (bit 12 is a size bit, not an address bit).
  r = spec::decode_ats_range(0x12345000, true);
  EXPECT_EQ(r.base, 0x12344000u);
  EXPECT_EQ(r.size, 0x4000u);
  // 2 MiB: bits 12..19 ones, bit 20 zero.
  r = spec::decode_ats_range(0x40000000 | 0xFF000, true);
  EXPECT_EQ(r.base, 0x40000000u);
  EXPECT_EQ(r.size, 0x200000u);
  // ADDR[62:12] all ones (the lowest 0 bit is 63: a 2^64-byte block): everything, as drivers send it.
  EXPECT_TRUE(spec::decode_ats_range(0x7FFF'FFFF'FFFF'F000, true).all);
  // The largest block short of that: bits 12..61 ones, bit 62 zero: 2^63 bytes.
  r = spec::decode_ats_range(0x3FFF'FFFF'FFFF'F000, true);
  EXPECT_FALSE(r.all);
  EXPECT_EQ(r.size, uint64_t{1} << 63);
  EXPECT_EQ(r.base, 0u);
  EXPECT_TRUE(spec::decode_ats_range(~uint64_t{0}, true).all) << "no 0 bit at all";
  EXPECT_FALSE(spec::decode_ats_range(~uint64_t{0}, false).all);
}

TEST(AtsRange, EncodeRoundTripsEveryAlignedPowerOfTwoBlock) {
  for (unsigned log = 12; log <= 63; ++log) {
    const uint64_t size = uint64_t{1} << log;
    const uint64_t base = log < 40 ? (uint64_t{0x5A} << 40) : 0;
    auto e = spec::encode_ats_range(base, size);
    ASSERT_TRUE(e) << log;
    EXPECT_EQ(e->s, log > 12);
    auto d = spec::decode_ats_range(e->addr, e->s);
    EXPECT_FALSE(d.all);
    EXPECT_EQ(d.base, base) << log;
    EXPECT_EQ(d.size, size) << log;
  }
  EXPECT_FALSE(spec::encode_ats_range(0x1000, 0x2000)) << "an 8 KiB block must be 8 KiB aligned";
  EXPECT_FALSE(spec::encode_ats_range(0, 0x3000)) << "not a power of two";
  auto all = spec::every_address();
  EXPECT_EQ(all.addr, 0x7FFF'FFFF'FFFF'F000u);
  EXPECT_TRUE(spec::decode_ats_range(all.addr, all.s).all);
}

TEST_F(DeviceTlbInvalidation, LegacyDescriptorReachesTheEndpointItNames) {
  start("server", false);
  // 16 KiB at 0x7F0004000 (S=1, ADDR[12]=1), PFSID 0x3B0, MIP 5.
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_dev_tlb(kGpu, 0x3B0, 5, 0x7F0005000, true)));
  ASSERT_EQ(endpoints.seen.size(), 1u);
  const auto& q = endpoints.seen[0];
  EXPECT_EQ(q.sid, kGpu);
  EXPECT_EQ(q.pfsid, 0x3B0);
  EXPECT_EQ(q.mip, 5u);
  EXPECT_FALSE(q.has_pasid);
  EXPECT_EQ(q.address, 0x7F0004000u);
  EXPECT_EQ(q.size, 0x4000u);
  EXPECT_FALSE(q.all);
  EXPECT_EQ(unit->invalidations().device_invalidations, 1u);
  EXPECT_EQ(fsts() & spec::reg::FSTS_ITE, 0u);
}

TEST_F(DeviceTlbInvalidation, PasidDescriptorCarriesPasidAndGlobal) {
  start("server-sm", true);
  // The PASID-based descriptors are valid only while the root table is in scalable mode (RTADDR.TTM=01b).
  unit->unit().set_root_table(spec::reg::make_rtaddr(0x100000, spec::reg::ttm::scalable));
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_p_dev_tlb(kNic, kNic, 0, 0x47, 0x1000, false, true)));
  ASSERT_EQ(endpoints.seen.size(), 1u);
  const auto& q = endpoints.seen[0];
  EXPECT_EQ(q.sid, kNic);
  EXPECT_TRUE(q.has_pasid);
  EXPECT_EQ(q.pasid, 0x47u);
  EXPECT_TRUE(q.global);
  EXPECT_EQ(q.address, 0x1000u);
  EXPECT_EQ(q.size, 0x1000u);
}

TEST_F(DeviceTlbInvalidation, SilentEndpointRaisesIteAndAbortsTheWait) {
  start("server", false);
  endpoints.silent = kGpu;
  mem.write32(kStatus, 0);
  auto& regs = unit->unit().regs();
  regs.write32(spec::reg::FECTL, 0);  // IM=0: the fault event is sent (IP stays clear)
  // Write three descriptors then advance IQT once: dev_tlb (NIC, answers), dev_tlb (GPU, silent), wait
  // (status write), then a fourth that must not be fetched until ITE is cleared.
  const std::vector<spec::inv_descriptor> batch = {
      spec::inv_descriptor::make_dev_tlb(kNic, kNic, 0, 0x1000, false),
      spec::inv_descriptor::make_dev_tlb(kGpu, kGpu, 0, 0x2000, false),
      spec::inv_descriptor::make_wait(false, true, 0xD0E, kStatus),
      spec::inv_descriptor::make_dev_tlb(kNic, kNic, 0, 0x9000, false),
  };
  for (unsigned i = 0; i < batch.size(); ++i) {
    mem.write64(kQueue + 16 * i, batch[i].qw[0]);
    mem.write64(kQueue + 16 * i + 8, batch[i].qw[1]);
  }
  regs.write64(spec::reg::IQT, 16 * batch.size());

  ASSERT_EQ(endpoints.seen.size(), 2u) << "the descriptor behind the aborted wait is not fetched";
  EXPECT_NE(fsts() & spec::reg::FSTS_ITE, 0u);
  EXPECT_EQ(fsts() & spec::reg::FSTS_IQE, 0u);
  EXPECT_EQ((iqercd() >> 32) & 0xFFFF, kGpu) << "ITESID names the endpoint that timed out";
  EXPECT_EQ(status(), 0u) << "the aborted wait writes no status";
  EXPECT_EQ(iqh(), 16u * 3) << "IQH is past the aborted wait";
  EXPECT_EQ(unit->invalidations().device_timeouts, 1u);
  EXPECT_EQ(unit->invalidations().waits_aborted, 1u);
  EXPECT_EQ(unit->last_queue_result().device_invalidations.size(), 2u);
  EXPECT_TRUE(unit->last_queue_result().device_invalidations[0].answered);
  EXPECT_FALSE(unit->last_queue_result().device_invalidations[1].answered);

  // Clearing ITE (RW1C) restarts fetching at IQH: the fourth descriptor runs now.
  regs.write32(spec::reg::FSTS, spec::reg::FSTS_ITE);
  EXPECT_EQ(fsts() & spec::reg::FSTS_ITE, 0u);
  ASSERT_EQ(endpoints.seen.size(), 3u);
  EXPECT_EQ(endpoints.seen[2].address, 0x9000u);
  EXPECT_EQ(iqh(), iqt());
}

TEST_F(DeviceTlbInvalidation, WithoutAPortEveryRequestIsAnswered) {
  start("server", false);
  unit->set_device_tlb_port(nullptr);
  mem.write32(kStatus, 0);
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_dev_tlb(kGpu, kGpu, 0, 0x2000, false)));
  ASSERT_TRUE(unit->submit(spec::inv_descriptor::make_wait(false, true, 7, kStatus)));
  EXPECT_EQ(status(), 7u);
  EXPECT_EQ(fsts() & spec::reg::FSTS_ITE, 0u);
}
