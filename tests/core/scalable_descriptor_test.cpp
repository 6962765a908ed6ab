// The 256-bit invalidation descriptors (pc_inv_dsc, p_iotlb_inv_dsc, p_dev_tlb_inv_dsc) against bit
// positions written out by hand from the spec's layouts (type in 3:0 and 11:9, G in 5:4, DID 31:16, PASID
// 51:32; p_iotlb AM 69:64, IH 70, ADDR 127:76; p_dev_tlb MIP 8:4, PFSID 15:12 and 63:52, SID 31:16, G 64,
// S 75), and the invalidation-queue errors (FSTS.IQE, IQERCD.IQEI) for every descriptor scalable mode
// refuses, with IQH left on the refused descriptor.
#include <gtest/gtest.h>

#include <functional>

#include "tests/core/scalable_cache_fixture.hpp"

namespace vtd::test {
namespace {

using spec::inv_descriptor;
using spec::inv_type;

TEST(sm_descriptor, pc_inv_dsc_encoding_by_hand) {
  // Type 7 | G=01b (0x10) | DID 0x1234 << 16 | PASID 0xABCDE << 32.
  const auto d = inv_descriptor::make_pc_pasid(0x1234, 0xABCDE);
  EXPECT_EQ(d.qw[0], 0x000ABCDE12340017u);
  EXPECT_EQ(d.qw[1], 0u);
  EXPECT_EQ(d.qw[2], 0u);
  EXPECT_EQ(d.qw[3], 0u);
  EXPECT_EQ(inv_descriptor::make_pc_global().qw[0], 0x37u);          // G=11b
  EXPECT_EQ(inv_descriptor::make_pc_domain(0x42).qw[0], 0x420007u);  // G=00b
  const inv_descriptor raw{{0x000ABCDE12340017u, 0, 0, 0}};
  EXPECT_EQ(raw.type(), unsigned(inv_type::pc));
  EXPECT_EQ(raw.pc_g(), spec::pc_granularity::pasid);
  EXPECT_EQ(raw.pc_did(), 0x1234);
  EXPECT_EQ(raw.pc_pasid(), 0xABCDEu);
}

TEST(sm_descriptor, p_iotlb_inv_dsc_encoding_by_hand) {
  // Type 6 | G=11b (0x30) | DID 0x55 << 16 | PASID 0x12345 << 32; QW1: ADDR | IH (bit 6) | AM 3.
  const auto d = inv_descriptor::make_piotlb_page(0x55, 0x12345, 0x7FFF12345000, 3, true);
  EXPECT_EQ(d.qw[0], 0x0001234500550036u);
  EXPECT_EQ(d.qw[1], 0x00007FFF12345043u);
  EXPECT_EQ(d.qw[2], 0u);
  EXPECT_EQ(d.qw[3], 0u);
  // PASID-selective: G=10b (0x20), no address.
  const auto p = inv_descriptor::make_piotlb_pasid(1, 2);
  EXPECT_EQ(p.qw[0], 0x0000000200010026u);
  EXPECT_EQ(p.qw[1], 0u);
  const inv_descriptor raw{{0x0001234500550036u, 0x00007FFF12345043u, 0, 0}};
  EXPECT_EQ(raw.type(), unsigned(inv_type::p_iotlb));
  EXPECT_EQ(raw.piotlb_g(), spec::piotlb_granularity::page);
  EXPECT_EQ(raw.piotlb_did(), 0x55);
  EXPECT_EQ(raw.piotlb_pasid(), 0x12345u);
  EXPECT_EQ(raw.piotlb_addr(), 0x7FFF12345000u);
  EXPECT_EQ(raw.piotlb_am(), 3u);
  EXPECT_TRUE(raw.piotlb_ih());
}

TEST(sm_descriptor, p_dev_tlb_inv_dsc_encoding_by_hand) {
  // Type 8 | MIP 5 << 4 (0x50) | PFSID[3:0] 0xC << 12 | SID 0x0318 << 16 | PASID 0x77 << 32 | PFSID[15:4]
  // 0xAB << 52; QW1: ADDR 0x12345000 | S (bit 11) | G (bit 0).
  const auto d = inv_descriptor::make_p_dev_tlb(0x0318, 0xABC, 5, 0x77, 0x12345000, true, true);
  EXPECT_EQ(d.qw[0], 0x0AB000770318C058u);
  EXPECT_EQ(d.qw[1], 0x12345801u);
  const inv_descriptor raw{{0x0AB000770318C058u, 0x12345801u, 0, 0}};
  EXPECT_EQ(raw.type(), unsigned(inv_type::p_dev_tlb));
  EXPECT_EQ(raw.pdev_sid(), 0x0318);
  EXPECT_EQ(raw.pdev_pfsid(), 0xABC);
  EXPECT_EQ(raw.pdev_mip(), 5u);
  EXPECT_EQ(raw.pdev_pasid(), 0x77u);
  EXPECT_EQ(raw.pdev_addr(), 0x12345000u);
  EXPECT_TRUE(raw.pdev_s());
  EXPECT_TRUE(raw.pdev_global());
}

class sm_queue : public sm_cache_fixture {
 protected:
  void SetUp() override {
    sm_cache_fixture::SetUp();
    raw_root_and_context();
    raw_fs_entry(0, 5, 0x200000);
    raw_fs_tables();
  }
  uint64_t iqh() { return sys->unit().regs().read64(spec::reg::IQH); }
};

// Accepted and performed in scalable mode, 32 bytes each; inv_wait (a 128-bit type) in its 256-bit slot
// writes its status after them; p_dev_tlb is counted (device-TLBs live in the endpoints).
TEST_F(sm_queue, scalable_descriptors_run_in_a_dw1_queue) {
  enable_sys();
  ASSERT_TRUE(run(dma(kSid, kIova)).ok());
  ASSERT_TRUE(sys->submit(inv_descriptor::make_pc_pasid(5, 0)));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_piotlb_pasid(5, 0)));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_p_dev_tlb(kSid, kSid, 0, 0, 0, false)));
  ASSERT_TRUE(sys->submit(inv_descriptor::make_wait(false, true, 0xC0DE, kStatus)));
  EXPECT_EQ(iqh(), 4u * 32);
  EXPECT_EQ(*mem.read64(kStatus) & 0xFFFFFFFF, 0xC0DEu);
  const auto& inv = sys->invalidations();
  EXPECT_EQ(inv.queued_pc, 1u);
  EXPECT_EQ(inv.queued_piotlb, 1u);
  EXPECT_EQ(inv.queued_p_dev_tlb, 1u);
  EXPECT_EQ(inv.queued_wait, 1u);
  EXPECT_EQ(inv.entries_removed, 1u + 1u + 3u);  // PASID-cache entry, IOTLB entry, three fs_nonleaf entries
  EXPECT_FALSE(iqe());
}

// A PASID-based descriptor in a legacy-mode unit is an invalid type (IQEI 3), even in a DW=1 queue; IQH stays
// on it, after the descriptor before it that was performed.
TEST_F(sm_queue, pasid_descriptor_in_legacy_mode_is_an_invalid_type) {
  sys->unit().set_root_table(kRoot);  // TTM=00b
  sys->setup_queue(kQueue, 0, true);
  ASSERT_TRUE(sys->submit(inv_descriptor::make_cc(1, 0, 0, 0)));
  EXPECT_FALSE(sys->submit(inv_descriptor::make_pc_global()));
  EXPECT_TRUE(iqe());
  EXPECT_EQ(iqei(), 3u);
  EXPECT_EQ(iqh(), 32u);
  EXPECT_EQ(sys->last_queue_result().error_descriptor_address, kQueue + 32);
}

// Scalable mode needs 256-bit descriptors: a DW=0 queue is an invalid descriptor width (IQEI 5) for any
// descriptor, a PASID-based one included.
TEST_F(sm_queue, dw0_queue_in_scalable_mode_is_an_invalid_width) {
  sys->unit().set_root_table(kRoot | kTtmScalable);
  sys->setup_queue(kQueue, 0, false);
  EXPECT_FALSE(sys->submit(inv_descriptor::make_piotlb_pasid(5, 0)));
  EXPECT_TRUE(iqe());
  EXPECT_EQ(iqei(), 5u);
  EXPECT_EQ(iqh(), 0u);
}

// Each refused descriptor on a fresh unit: the reserved bits and reserved values of the 256-bit types (IQEI
// 4), and the types scalable mode does not accept here (IQEI 3). The unmodified descriptor is accepted first,
// so each case fails for its one change.
TEST_F(sm_queue, refused_descriptors) {
  struct refused {
    const char* what;
    inv_descriptor good;
    std::function<void(inv_descriptor&)> spoil;
    unsigned iqei;
  };
  const auto pc = inv_descriptor::make_pc_pasid(5, 0);
  const auto pio = inv_descriptor::make_piotlb_page(5, 0, kIova, 0, false);
  const auto pdev = inv_descriptor::make_p_dev_tlb(kSid, kSid, 0, 0, 0x5000, false);
  const auto cc = inv_descriptor::make_cc(1, 0, 0, 0);
  const std::vector<refused> cases{
      {"pc G=10b", pc, [](auto& d) { d.qw[0] = (d.qw[0] & ~0x30ull) | 0x20; }, 4},
      {"pc QW0 bit 6", pc, [](auto& d) { d.qw[0] |= 1ull << 6; }, 4},
      {"pc QW0 bit 12", pc, [](auto& d) { d.qw[0] |= 1ull << 12; }, 4},
      {"pc QW0 bit 52", pc, [](auto& d) { d.qw[0] |= 1ull << 52; }, 4},
      {"pc QW1", pc, [](auto& d) { d.qw[1] = 1; }, 4},
      {"pc QW2", pc, [](auto& d) { d.qw[2] = 1; }, 4},
      {"p_iotlb G=00b", pio, [](auto& d) { d.qw[0] &= ~0x30ull; }, 4},
      {"p_iotlb G=01b", pio, [](auto& d) { d.qw[0] = (d.qw[0] & ~0x30ull) | 0x10; }, 4},
      {"p_iotlb bit 7 (no DR)", pio, [](auto& d) { d.qw[0] |= 1ull << 7; }, 4},
      {"p_iotlb QW0 bit 63", pio, [](auto& d) { d.qw[0] |= 1ull << 63; }, 4},
      {"p_iotlb QW1 bit 7", pio, [](auto& d) { d.qw[1] |= 1ull << 7; }, 4},
      {"p_iotlb AM 19 > MAMV 18", pio, [](auto& d) { d.qw[1] |= 19; }, 4},
      {"p_iotlb QW3", pio, [](auto& d) { d.qw[3] = 1ull << 63; }, 4},
      {"p_dev_tlb QW1 bit 1", pdev, [](auto& d) { d.qw[1] |= 1ull << 1; }, 4},
      {"p_dev_tlb QW2", pdev, [](auto& d) { d.qw[2] = 4; }, 4},
      {"cc upper half", cc, [](auto& d) { d.qw[2] = 1; }, 4},
      {"page group response", cc, [](auto& d) { d.qw[0] = 9; }, 3},
      {"hpt_inv_dsc (5.x)", cc, [](auto& d) { d.qw[0] = 0xA; }, 3},
      {"type 0x11 (QW0 11:9 = 001b)", cc, [](auto& d) { d.qw[0] = 0x201; }, 3},
  };
  for (const auto& c : cases) {
    build();
    enable_sys();
    ASSERT_TRUE(sys->submit(c.good)) << c.what;
    inv_descriptor bad = c.good;
    c.spoil(bad);
    EXPECT_FALSE(sys->submit(bad)) << c.what;
    EXPECT_TRUE(iqe()) << c.what;
    EXPECT_EQ(iqei(), c.iqei) << c.what;
    EXPECT_EQ(iqh(), 32u) << c.what;
  }
}

// p_dev_tlb_inv_dsc needs a device-TLB (ECAP.DT): without it the type is invalid (IQEI 3).
TEST_F(sm_queue, p_dev_tlb_without_device_tlbs_is_an_invalid_type) {
  cfg.ecap &= ~(uint64_t{1} << 2);  // ECAP.DT
  build();
  enable_sys();
  EXPECT_FALSE(sys->submit(inv_descriptor::make_p_dev_tlb(kSid, kSid, 0, 0, 0, false)));
  EXPECT_EQ(iqei(), 3u);
}

}  // namespace
}  // namespace vtd::test
