// Register page (VT-d spec 11.4): access widths and masks, GCMD/GSTS protocol, and command-write listeners.
#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

using namespace vtd::spec::reg;

class register_file_test : public core_fixture {
 protected:
  register_file& regs() { return unit->regs(); }
};

TEST_F(register_file_test, CapabilityRegistersAreReadOnly) {
  EXPECT_EQ(regs().read64(CAP), cfg.cap);
  EXPECT_EQ(regs().read32(CAP + 4), uint32_t(cfg.cap >> 32));
  regs().write64(CAP, 0);
  regs().write32(VER, 0);
  EXPECT_EQ(regs().read64(CAP), cfg.cap);
  EXPECT_EQ(regs().read32(VER), 0x10u);
  EXPECT_EQ(regs().read64(ECAP), cfg.ecap);
}

TEST_F(register_file_test, MisalignedAndOddSizedAccessesAreRefused) {
  EXPECT_FALSE(regs().write(RTADDR + 2, 0x1000, 4));
  EXPECT_FALSE(regs().write(RTADDR, 0x1000, 2));
  EXPECT_FALSE(regs().write(RTADDR + 4, 0x1000, 8));
  EXPECT_EQ(regs().read(CAP + 4, 8), 0u);
}

TEST_F(register_file_test, RtaddrMaskAndHalfAccesses) {
  // 9:0 RsvdZ; RTA bits 63:HAW are not implemented (spec chapter 11, RTADDR_REG.RTA: "Hardware may ignore and
  // not implement bits 63:HAW"); the server preset's HAW is 46.
  ASSERT_EQ(cfg.haw, 46u);
  regs().write64(RTADDR, 0x123456789ABCDFFFull);
  EXPECT_EQ(regs().read64(RTADDR), 0x000016789ABCDC00ull);
  regs().write32(RTADDR + 4, 0x11);  // high half only
  EXPECT_EQ(regs().read64(RTADDR), 0x000000119ABCDC00ull);
  EXPECT_EQ(regs().read32(RTADDR), 0x9ABCDC00u);
}

// The value software wrote, every bit included, is kept for validators and latched with SRTP / SIRTP, while
// the hardware uses only the implemented bits.
TEST_F(register_file_test, RtaddrAndIrtaAsWrittenKeepReservedBits) {
  const uint64_t rtaddr = (1ull << 50) | 0x5000 | 0x3FF;  // RTA above HAW, bits 9:0 set
  regs().write64(RTADDR, rtaddr);
  regs().write32(GCMD, SRTP);
  EXPECT_EQ(regs().root_table(), 0x5000u);  // 2^50 + 0x5000 modulo 2^46
  EXPECT_EQ(regs().ttm(), ttm::legacy);
  EXPECT_EQ(regs().rtaddr_as_written(), rtaddr);
  regs().write32(RTADDR, 0x7000);                 // low half only: the high half written before stays
  EXPECT_EQ(regs().rtaddr_as_written(), rtaddr);  // not latched until the next SRTP
  regs().write32(GCMD, SRTP);
  EXPECT_EQ(regs().rtaddr_as_written(), (1ull << 50) | 0x7000);
  EXPECT_EQ(regs().root_table(), 0x7000u);

  // IRTA: bits 10:4 RsvdZ; EIME dropped without ECAP.EIM.
  cfg.ecap = spec::set_bits(cfg.ecap, 4, 4, 0);  // ECAP.EIM=0
  rebuild();
  const uint64_t irta = make_irta(0x300000, 3, true) | (0x7Full << 4);
  unit->set_interrupt_table(irta);
  EXPECT_EQ(regs().read64(IRTA), make_irta(0x300000, 3, false));
  EXPECT_FALSE(regs().eime());
  EXPECT_EQ(regs().irta_entries(), 16u);
  EXPECT_EQ(regs().irta_as_written(), irta);
}

TEST_F(register_file_test, SrtpLatchesRtaddrOnlyOnCommand) {
  regs().write64(RTADDR, 0x5000);
  EXPECT_FALSE(regs().root_table_set());
  EXPECT_EQ(regs().root_table(), 0u);
  regs().write32(GCMD, SRTP);
  EXPECT_TRUE(regs().root_table_set());
  EXPECT_EQ(regs().root_table(), 0x5000u);
  EXPECT_EQ(regs().gsts() & SRTP, SRTP);  // RTPS
  regs().write64(RTADDR, 0x9000 | (3u << 10));
  EXPECT_EQ(regs().root_table(), 0x5000u);  // not latched until the next SRTP
  regs().write32(GCMD, SRTP);
  EXPECT_EQ(regs().root_table(), 0x9000u);
  EXPECT_EQ(regs().ttm(), ttm::abort_dma);
  EXPECT_EQ(regs().read32(GCMD), 0u);  // write-only
}

TEST_F(register_file_test, TeNeedsPriorSrtp) {
  regs().write32(GCMD, TE);
  EXPECT_FALSE(regs().translation_enabled());
  unit->set_root_table(0x5000);
  unit->enable_translation(true);
  EXPECT_TRUE(regs().translation_enabled());
  EXPECT_EQ(regs().read32(GSTS) & (TE | SRTP), TE | SRTP);
  unit->enable_translation(false);
  EXPECT_FALSE(regs().translation_enabled());
}

TEST_F(register_file_test, LevelBitsActOnChangeOneShotBitsOnOne) {
  unit->set_root_table(0x5000);
  unit->enable_translation(true);
  // Rewriting the current level state (TE=1) with SRTP=0 changes nothing; WBF counts a flush, WBFS reads 0.
  regs().write32(GCMD, TE | WBF);
  EXPECT_TRUE(regs().translation_enabled());
  EXPECT_EQ(regs().write_buffer_flushes(), 1u);
  EXPECT_EQ(regs().gsts() & WBF, 0u);
}

TEST_F(register_file_test, SirtpLatchesIrtaAndIreNeedsIt) {
  regs().write32(GCMD, IRE);
  EXPECT_FALSE(regs().ir_enabled());
  unit->set_interrupt_table(make_irta(0x300000, 5, true));
  EXPECT_EQ(regs().irta_base(), 0x300000u);
  EXPECT_EQ(regs().irta_entries(), 64u);
  EXPECT_TRUE(regs().eime());
  unit->enable_interrupt_remapping(true);
  EXPECT_TRUE(regs().ir_enabled());
  unit->allow_compat_interrupts(true);
  EXPECT_TRUE(regs().compat_format_allowed());
  EXPECT_EQ(regs().gsts() & (IRE | SIRTP | CFI), IRE | SIRTP | CFI);
  EXPECT_TRUE(regs().ir_enabled());  // CFI write kept IRE
}

TEST_F(register_file_test, QieResetsHeadAndDisablesOnlyWhenQueueEmpty) {
  regs().write64(IQA, 0x700000);
  regs().write64(IQT, 0x40);
  regs().hw_set(IQH, 0x20);
  unit->enable_queued_invalidation(true);
  EXPECT_TRUE(regs().qi_enabled());
  EXPECT_EQ(regs().read64(IQH), 0u);  // 0 -> 1 resets IQH
  unit->enable_queued_invalidation(false);
  EXPECT_TRUE(regs().qi_enabled());  // IQH (0) != IQT (0x40): refused
  regs().hw_set(IQH, 0x40);
  unit->enable_queued_invalidation(false);
  EXPECT_FALSE(regs().qi_enabled());
  EXPECT_EQ(regs().read64(IQH), 0u);
  regs().write64(IQH, 0x60);  // RO
  EXPECT_EQ(regs().read64(IQH), 0u);
  regs().write64(IQT, 0xFFFFFFFF);
  EXPECT_EQ(regs().read64(IQT), 0x7FFF0u);  // QT 18:4
}

TEST_F(register_file_test, CommandWritesReachListeners) {
  struct recorder : register_listener {
    std::vector<std::pair<uint32_t, uint64_t>> writes;
    std::vector<uint32_t> commands;
    void on_command_write(uint32_t off, uint64_t v) override { writes.push_back({off, v}); }
    void on_global_command(uint32_t acted) override { commands.push_back(acted); }
  } l;
  regs().add_listener(&l);
  regs().write64(CCMD, (1ull << 63) | (1ull << 61) | (0x3ull << 59));  // CAIG (60:59) is RO
  regs().write64(regs().iotlb_offset(), (1ull << 63) | (1ull << 60));
  regs().write64(regs().iva_offset(), 0x12345000 | 9);
  regs().write64(IQT, 0x20);
  unit->set_root_table(0x5000);
  ASSERT_EQ(l.writes.size(), 4u);
  EXPECT_EQ(l.writes[0].first, CCMD);
  EXPECT_EQ(l.writes[0].second, (1ull << 63) | (1ull << 61));
  EXPECT_EQ(l.writes[1].first, 0x308u);  // IRO 0x30 * 16 + 8
  EXPECT_EQ(l.writes[2].first, 0x300u);
  EXPECT_EQ(l.writes[2].second, 0x12345009u);
  EXPECT_EQ(l.writes[3].first, IQT);
  ASSERT_EQ(l.commands.size(), 1u);
  EXPECT_EQ(l.commands[0], SRTP);
  // Hardware completes the CCMD: clears ICC and reports CAIG=01 (global).
  regs().hw_set(CCMD, (1ull << 61) | (1ull << 59));
  EXPECT_EQ(regs().read64(CCMD) >> 59, 0b0101u);
  regs().remove_listener(&l);
}

TEST_F(register_file_test, TeAndIreOffResetsFaultIndex) {
  unit->set_root_table(0x5000);
  unit->enable_translation(true);
  unit->faults().record(fault_info{fault_reason::root_not_present, 1});
  EXPECT_EQ(unit->faults().internal_index(), 1u);
  unit->enable_translation(false);
  EXPECT_EQ(unit->faults().internal_index(), 0u);
}

TEST_F(register_file_test, WaitCompletionEventFollowsIectl) {
  regs().signal_wait_completion();
  EXPECT_EQ(regs().read32(ICS), 1u);
  EXPECT_EQ(regs().read32(IECTL), FECTL_IM | FECTL_IP);  // IM resets to 1: held
  EXPECT_EQ(regs().completion_events_sent(), 0u);
  regs().write32(IECTL, 0);  // unmask: send the held event
  EXPECT_EQ(regs().completion_events_sent(), 1u);
  EXPECT_EQ(regs().read32(IECTL), 0u);
  regs().signal_wait_completion();  // IWC still set: not a new event
  EXPECT_EQ(regs().completion_events_sent(), 1u);
  regs().write32(ICS, 1);  // RW1C
  EXPECT_EQ(regs().read32(ICS), 0u);
  regs().signal_wait_completion();
  EXPECT_EQ(regs().completion_events_sent(), 2u);
}

}  // namespace
}  // namespace vtd::test
