// The embeddable unit (sysc::iommu_device) booted the way a driver does, purely through register and memory
// writes (examples/embed/embed_platform.hpp, the same platform the example runs), then DMAs, one fault and
// one remapped interrupt. SystemC elaborates once per process: sysc_test_main.cpp's sc_main builds this bench
// with the others (start_embed_bench) and the checks below run after the single sc_start().
#include <gtest/gtest.h>

#include <memory>

#include "examples/embed/embed_platform.hpp"
#include "model/spec/presets.hpp"

using namespace vtd;

namespace {

struct embed_bench {
  core::physical_memory mem{embed::kMemorySize};
  core::iommu unit{core::unit_config::from_preset(*spec::find_capability_preset("server")), mem,
                   core::translation_caches_config{}};
  embed::platform top{"embed_top", unit, mem, timing::timing_params{}};
};

embed_bench* g_bench = nullptr;

}  // namespace

std::shared_ptr<void> start_embed_bench() {
  auto bench = std::make_shared<embed_bench>();
  g_bench = bench.get();
  return bench;
}

TEST(EmbedDevice, DriverBootsTheUnitThroughRegisters) {
  ASSERT_NE(g_bench, nullptr);
  const embed::scenario_result& r = g_bench->top.result;
  ASSERT_TRUE(r.boot.ok) << r.boot.error;
  EXPECT_TRUE(r.finished);
  // server preset: CAP.FRO = 0x40 (FRCDs at 0x400), CAP.NFR = 8, ECAP.IRO = 0x30 (IVA at 0x300).
  EXPECT_EQ(r.boot.fro, 0x400u);
  EXPECT_EQ(r.boot.nfr, 8u);
  EXPECT_EQ(r.boot.iro, 0x300u);
  // GSTS: TES (31), RTPS (30), QIES (26), IRES (25), IRTPS (24).
  EXPECT_EQ(r.boot.gsts, 0xC700'0000u);
  // Four 128-bit descriptors processed: IQH = 4 * 16.
  EXPECT_EQ(r.boot.iqh, 0x40u);
  // IQT_REG's write ran the queue through core::iommu: one global invalidation of each cache and one wait.
  const core::invalidation_counters& inv = g_bench->unit.invalidations();
  EXPECT_EQ(inv.queued_cc, 1u);
  EXPECT_EQ(inv.queued_iotlb, 1u);
  EXPECT_EQ(inv.queued_iec, 1u);
  EXPECT_EQ(inv.queued_wait, 1u);
  EXPECT_EQ(inv.queue_errors, 0u);
  // The latched state the register file holds.
  const core::register_file& regs = g_bench->unit.unit().regs();
  EXPECT_EQ(regs.root_table(), 0x10'0000u);
  EXPECT_EQ(regs.irta_base(), 0x12'0000u);
  EXPECT_EQ(regs.irta_entries(), 256u);
}

TEST(EmbedDevice, DmasAreTranslatedToHandComputedAddresses) {
  ASSERT_NE(g_bench, nullptr);
  const auto& d = g_bench->top.result.dmas;
  ASSERT_EQ(d.size(), 5u);
  // PT[1] maps IOVA 0x1000 to 0x0800_0000, PT[2] IOVA 0x2000 to 0x0800_5000 (read-only), PD[1] (PS = 1)
  // IOVA 0x20_0000 to 0x0A00_0000.
  const uint64_t hpa[] = {0x0800'0234, 0x0800'0400, 0x0800'5010, 0x0A01'2344};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(d[i].status, tlm::TLM_OK_RESPONSE) << i;
    ASSERT_TRUE(d[i].translation.ok()) << i << ": " << spec::to_string(d[i].translation.fault);
    EXPECT_EQ(d[i].translation.hpa, hpa[i]) << i;
    EXPECT_EQ(d[i].translation.domain_id, 7u) << i;
  }
  EXPECT_EQ(d[3].translation.page_size, uint64_t{2} << 20);
  EXPECT_TRUE(g_bench->top.result.read_data_ok) << "DMA reads return what the CPU stored at the HPA";
  EXPECT_TRUE(g_bench->top.result.write_data_ok) << "the DMA write's bytes are in memory at the HPA";
  // The write to the read-only page: LGN.2, fault reason 5h, blocked on the bus.
  EXPECT_FALSE(d[4].translation.ok());
  EXPECT_EQ(d[4].translation.fault, spec::fault_reason::write_denied);
  EXPECT_EQ(d[4].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(EmbedDevice, TheFaultRaisesTheFaultEventAndIsReadThroughFrcd) {
  ASSERT_NE(g_bench, nullptr);
  const embed::scenario_result& r = g_bench->top.result;
  ASSERT_EQ(r.interrupts_after_fault, 1u) << "exactly the fault event (the reads did not fault)";
  EXPECT_EQ(r.fault_event.from, sysc::interrupt_message::source::fault_event);
  EXPECT_EQ(r.fault_event.address, 0xFEE0'0000u);  // FEUADDR:FEADDR
  EXPECT_EQ(r.fault_event.data, 0xE0u);            // FEDATA
  // FSTS: PPF (1), FRI (15:8) = 0.
  EXPECT_EQ(r.fsts_after_fault, 0x2u);
  // FRCD_REG[0]: FI (63:12) = 0x2000; F (127), T (126) = 0 (write), AT (125:124) = 0, FR (103:96) = 5,
  // SID (79:64) = 00:02.0.
  EXPECT_EQ(r.frcd_lo, 0x2000u);
  EXPECT_EQ(r.frcd_hi, 0x8000'0005'0000'0010u);
  EXPECT_EQ(core::fault_recorder::frcd_reason(r.frcd_hi), spec::fault_reason::write_denied);
  // Writing 1 to F (RW1C) clears it, and with no record pending FSTS.PPF clears too.
  EXPECT_EQ(r.frcd_hi_after_clear, 0x0000'0005'0000'0010u);
  EXPECT_EQ(r.fsts_after_clear, 0u);
  EXPECT_EQ(g_bench->top.dmar.fault_events_sent(), 1u);
}

TEST(EmbedDevice, RemappedInterruptsShareTheInterruptOutput) {
  ASSERT_NE(g_bench, nullptr);
  const embed::scenario_result& r = g_bench->top.result;
  EXPECT_EQ(r.msi_status, tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(r.interrupts_after_msi, 2u);
  EXPECT_EQ(r.remapped.from, sysc::interrupt_message::source::remapped);
  // IRTE 3: vector 0x51, physical destination APIC 1, fixed, edge -> 0xFEE0_1000 / 0x51.
  EXPECT_EQ(r.remapped.address, 0xFEE0'1000u);
  EXPECT_EQ(r.remapped.data, 0x51u);
  EXPECT_EQ(r.remapped.result.vector, 0x51);
}

TEST(EmbedDevice, BadAccessesAnswerErrorsNotCrashes) {
  ASSERT_NE(g_bench, nullptr);
  const embed::scenario_result& r = g_bench->top.result;
  EXPECT_EQ(r.reg_2byte, tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(r.reg_outside, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(r.reg_misaligned, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(r.mem_outside, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(g_bench->top.dmar.register_block().page_size(), 0x1000u);
}
