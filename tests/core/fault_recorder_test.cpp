// Primary fault logging and fault events (FECTL_REG) through the register interface: FRI, wrap,
// overflow (PFO), RW1C clearing, IM masked / unmasked, and optional same-SID compression.
#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

using namespace vtd::spec::reg;

class fault_recording : public core_fixture {
 protected:
  void SetUp() override {
    core_fixture::SetUp();
    set_cap_field(cfg.cap, "nfr", 4);
    rebuild();
  }
  bool fault(uint16_t sid, fault_reason r = fault_reason::root_not_present) {
    return unit->faults().record(
        fault_info{r, sid, access_kind::read, address_type::untranslated, false, 0, 0x1000});
  }
  uint32_t fsts() { return unit->regs().read32(FSTS); }
  uint64_t frcd_hi(unsigned n) { return unit->regs().read64(0x400 + 16 * n + 8); }
  void clear_frcd(unsigned n) { unit->regs().write32(0x400 + 16 * n + 12, 0x80000000u); }  // F via top dword
};

TEST_F(fault_recording, FirstFaultSetsPpfAndFri) {
  EXPECT_EQ(fsts(), 0u);
  EXPECT_TRUE(fault(0x100));
  EXPECT_EQ(fsts(), fault_recorder::kPpf);  // FRI = 0
  EXPECT_EQ(frcd_hi(0) >> 63, 1u);
  EXPECT_EQ(fault_recorder::frcd_sid(frcd_hi(0)), 0x100);
}

TEST_F(fault_recording, OverflowSetsPfoAndDropsUntilCleared) {
  for (uint16_t i = 0; i < 4; ++i) EXPECT_TRUE(fault(i));
  EXPECT_FALSE(fault(9));  // slot 0 still pending
  EXPECT_EQ(fsts() & fault_recorder::kPfo, fault_recorder::kPfo);
  EXPECT_EQ(unit->faults().dropped_overflow(), 1u);
  clear_frcd(0);
  EXPECT_FALSE(fault(10));                           // PFO still set: nothing recorded
  unit->regs().write32(FSTS, fault_recorder::kPfo);  // RW1C
  EXPECT_EQ(fsts() & fault_recorder::kPfo, 0u);
  EXPECT_TRUE(fault(11));  // resumes at the internal index (0, after wrapping)
  EXPECT_EQ(fault_recorder::frcd_sid(frcd_hi(0)), 11);
}

TEST_F(fault_recording, IndexWrapsAndFriFollowsOldestPending) {
  for (uint16_t i = 0; i < 3; ++i) fault(i);  // slots 0..2
  clear_frcd(0);
  clear_frcd(1);
  EXPECT_EQ((fsts() >> 8) & 0xFF, 2u);  // FRI -> slot 2
  fault(3);                             // slot 3
  fault(4);                             // wraps to slot 0
  EXPECT_EQ(fault_recorder::frcd_sid(frcd_hi(0)), 4);
  EXPECT_EQ(unit->faults().internal_index(), 1u);
  EXPECT_EQ((fsts() >> 8) & 0xFF, 2u);
  clear_frcd(2);
  clear_frcd(3);
  EXPECT_EQ((fsts() >> 8) & 0xFF, 0u);
  clear_frcd(0);
  EXPECT_EQ(fsts(), 0u);
}

TEST_F(fault_recording, OtherFrcdBitsAreReadOnly) {
  fault(0x77);
  uint64_t before = frcd_hi(0);
  unit->regs().write64(0x400 + 8, 0x7FFFFFFFFFFFFFFFull);  // F not written: nothing changes
  unit->regs().write64(0x400, 0);
  EXPECT_EQ(frcd_hi(0), before);
  EXPECT_EQ(unit->regs().read64(0x400), 0x1000u);
}

TEST_F(fault_recording, EventHeldWhileMaskedSentOnUnmask) {
  uint64_t sent_addr = 0;
  unit->faults().set_event_sink([&](const fault_event_msi& m) { sent_addr = m.address; });
  unit->regs().write32(FEADDR, 0xFEE01000);
  unit->regs().write32(FEDATA, 0x55);
  fault(1);
  EXPECT_EQ(unit->regs().read32(FECTL), FECTL_IM | FECTL_IP);
  EXPECT_EQ(unit->faults().events_sent(), 0u);
  unit->regs().write32(FECTL, 0);
  EXPECT_EQ(unit->faults().events_sent(), 1u);
  EXPECT_EQ(sent_addr, 0xFEE01000u);
  EXPECT_EQ(unit->regs().read32(FECTL), 0u);
  fault(2);  // PPF already set: not a new interrupt condition
  EXPECT_EQ(unit->faults().events_sent(), 1u);
  clear_frcd(0);
  clear_frcd(1);
  fault(3);  // PPF 0 -> 1 again, unmasked: sent at once
  EXPECT_EQ(unit->faults().events_sent(), 2u);
}

TEST_F(fault_recording, ClearingAllStatusDropsHeldEvent) {
  fault(1);
  EXPECT_EQ(unit->regs().read32(FECTL) & FECTL_IP, FECTL_IP);
  clear_frcd(0);
  EXPECT_EQ(unit->regs().read32(FECTL) & FECTL_IP, 0u);
  unit->regs().write32(FECTL, 0);
  EXPECT_EQ(unit->faults().events_sent(), 0u);
}

TEST_F(fault_recording, IqeRaisesEventUnlessStatusPending) {
  unit->regs().write32(FECTL, 0);
  unit->faults().set_iqe();
  EXPECT_EQ(unit->faults().events_sent(), 1u);
  EXPECT_EQ(fsts() & fault_recorder::kIqe, fault_recorder::kIqe);
  fault(1);  // IQE pending: PPF 0 -> 1 is not a new condition
  EXPECT_EQ(unit->faults().events_sent(), 1u);
  unit->regs().write32(FSTS, fault_recorder::kIqe);
  EXPECT_EQ(fsts() & fault_recorder::kIqe, 0u);
}

TEST_F(fault_recording, SameSidCompressionIsOptional) {
  fault(5);
  EXPECT_TRUE(fault(5));  // default off: both recorded
  cfg.compress_same_sid_faults = true;
  rebuild();
  EXPECT_TRUE(fault(5));
  EXPECT_FALSE(fault(5));
  EXPECT_TRUE(fault(6));
  EXPECT_EQ(unit->faults().dropped_compressed(), 1u);
}

}  // namespace
}  // namespace vtd::test
