// The QEMU log importer against the hand-written fixture tests/traces/import/qemu72_legacy.log (lines in
// QEMU 7.2's log-backend formats, hw/i386/trace-events): every record, the translations it expects, the
// platform, and positioned errors.
#include <gtest/gtest.h>

#include <string>

#include "traces/import/qemu_import.hpp"

using namespace vtd::traces;
using namespace vtd::traces::import;

namespace {

const std::string kFixture = std::string(VTDSIM_SOURCE_DIR) + "/tests/traces/import/qemu72_legacy.log";
constexpr uint64_t ps(uint64_t usec) {
  return (100 * 1000000 + usec) * 1000000;  // the fixture's "1000@100.USEC:" stamps
}

std::string error_of(std::string_view text) {
  try {
    import_qemu_text(text, "x.log");
  } catch (const import_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(ImportQemu, FixtureRecordsAreTheHandDerivedOnes) {
  const import_result r = import_qemu_log(kFixture);
  const uint16_t nic = make_sid(0, 3, 0);
  // Written out from the fixture: the first translation attaches 00:03.0 to domain 1 and maps its page with
  // the leaf's R/W (slpte 0x...003); a read-only leaf (0x...001) maps "r"; the 2 MiB leaf maps 2 MiB; the
  // page-selective invalidation drops exactly its page before the invalidation itself.
  const std::vector<record> want = {
      make_cc_inval(ps(4), granularity::global, 0, 0, 0, false),
      make_iotlb_inval(ps(5), granularity::global, 0, 0, 0, false, false),
      make_attach(ps(22), nic, 1),
      make_map(ps(22), 1, 0x7ffff000, 0x4abc3000, 0x1000, true, true),
      make_dma(ps(22), nic, dma_op::read, 0x7ffff120, 4),
      make_dma(ps(24), nic, dma_op::read, 0x7ffff200, 4),
      make_map(ps(31), 1, 0x7fffe000, 0x4abc4000, 0x1000, true, false),
      make_dma(ps(31), nic, dma_op::read, 0x7fffe010, 4),
      make_map(ps(33), 1, 0x40200000, 0x80000000, 0x200000, true, true),
      make_dma(ps(33), nic, dma_op::read, 0x40234564, 4),
      make_unmap(ps(41), 1, 0x7ffff000, 0x1000),
      make_iotlb_inval(ps(41), granularity::page, 1, 0x7ffff000, 0, false, true),
      make_inv_wait(ps(43), 0x12345000, 1, false, true, false, true),
      make_map(ps(51), 1, 0x7ffff000, 0x4abc5000, 0x1000, true, true),
      make_dma(ps(51), nic, dma_op::read, 0x7ffff000, 4),
      make_dma(ps(60), nic, dma_op::write, 0x7fffe040, 4),  // fault 5 on the read-only page: kept mapped
      make_dma(ps(62), make_sid(0, 4, 0), dma_op::read, 0x1000, 4),
      make_unmap(ps(71), 1, 0x40200000, 0x200000),
      make_unmap(ps(71), 1, 0x7fffe000, 0x1000),
      make_unmap(ps(71), 1, 0x7ffff000, 0x1000),
      make_iotlb_inval(ps(71), granularity::domain, 1, 0, 0, false, true),
      make_map(ps(73), 1, 0x7ffff000, 0x4abc5000, 0x1000, true, true),
      make_dma(ps(73), nic, dma_op::read, 0x7ffff000, 4),
      make_cc_inval(ps(75), granularity::device, 0, nic, 0, true),
      make_cc_inval(ps(78), granularity::domain, 1, 0, 0, true),
      make_iec_inval(ps(80), granularity::global, 0, 0, true),
      make_inv_wait(ps(82), 0, 0, true, false, false, true),
      make_msi(ps(93), nic, 0xfee00010, 0),
      make_dma(ps(101), make_sid(0, 5, 0), dma_op::read, 0x5000, 4),
  };
  ASSERT_EQ(r.records.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.records[i], want[i]) << "record " << i;

  // What QEMU returned for each DMA: the output page plus the offset, or the fault reason.
  struct expect {
    std::size_t index;
    bool ok;
    uint64_t hpa;
    uint8_t fault;
  };
  const std::vector<expect> logged = {
      {4, true, 0x4abc3120, 0}, {5, true, 0x4abc3200, 0},  {7, true, 0x4abc4010, 0},
      {9, true, 0x80034564, 0}, {14, true, 0x4abc5000, 0}, {15, false, 0, 5},
      {16, false, 0, 2},        {22, true, 0x4abc5000, 0}, {28, true, 0x5000, 0}};
  ASSERT_EQ(r.translations.size(), logged.size());
  for (std::size_t i = 0; i < logged.size(); ++i) {
    EXPECT_EQ(r.translations[i].record_index, logged[i].index) << i;
    EXPECT_EQ(r.translations[i].ok, logged[i].ok) << i;
    EXPECT_EQ(r.translations[i].hpa, logged[i].hpa) << i;
    EXPECT_EQ(r.translations[i].fault, logged[i].fault) << i;
  }
  EXPECT_EQ(r.lines, 50u);
  EXPECT_EQ(r.unknown_events.at("pci_cfg_write"), 1u);
  EXPECT_EQ(r.events.at("vtd_dmar_translate"), 9u);
  EXPECT_EQ(r.not_recovered.at("translation while DMA remapping was off (identity, not replayed)"), 1u);
  EXPECT_EQ(r.not_recovered.at("translation without its IOTLB event (domain unknown)"), 1u);
  EXPECT_TRUE(r.synthesized.empty());
}

TEST(ImportQemu, FixturePlatform) {
  const import_result r = import_qemu_log(kFixture);
  ASSERT_TRUE(r.platform);
  const auto& p = *r.platform;
  EXPECT_EQ(p.mode, vtd::tables::platform_mode::legacy);
  EXPECT_EQ(p.preset, "qemu");
  EXPECT_EQ(p.haw, 39u);
  EXPECT_TRUE(p.enable_qi);
  ASSERT_EQ(p.domains.size(), 1u);
  EXPECT_EQ(p.domains[0].id, 1);
  EXPECT_EQ(p.domains[0].address_width, 39u);  // context entry hi 0x101: AW=1, DID=1
  ASSERT_EQ(p.devices.size(), 1u);             // the pass-through device; the others come from attach records
  EXPECT_EQ(p.devices[0].sid, make_sid(0, 5, 0));
  EXPECT_EQ(p.devices[0].tt, vtd::spec::translation_type::pass_through);
  ASSERT_TRUE(p.enable_interrupt_remapping);
  EXPECT_EQ(p.ir_entries_log2, 8u);  // vtd_reg_ir_root size 0x100
  ASSERT_EQ(p.interrupts.size(), 1u);
  // IRTE low 0x310001 (P=1, V=0x31), high 0x40018 (SID 0x18, SVT=01b).
  EXPECT_EQ(p.interrupts[0].vector, 0x31);
  EXPECT_EQ(p.interrupts[0].sid, 0x18);
  EXPECT_EQ(p.interrupts[0].svt, vtd::spec::source_validation::requester_id);
}

TEST(ImportQemu, ChangedMappingWithoutInvalidationIsReplacedAndFlushed) {
  const import_result r = import_qemu_text(
      "1@1.000001:vtd_reg_dmar_root addr 0x1000 scalable 0\n"
      "1@1.000002:vtd_dmar_enable enable 1\n"
      "1@1.000003:vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x2000 slpte 0x9000003 domain 0x2\n"
      "1@1.000004:vtd_dmar_translate dev 00:02.00 iova 0x2000 -> gpa 0x9000000 mask 0xfff\n"
      "1@1.000005:vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x2000 slpte 0xa000003 domain 0x2\n"
      "1@1.000006:vtd_dmar_translate dev 00:02.00 iova 0x2000 -> gpa 0xa000000 mask 0xfff\n",
      "x.log");
  ASSERT_EQ(r.records.size(), 7u);
  const uint64_t t = (1000000 + 6) * 1000000ull;  // 1@1.000006
  // The old mapping goes, the new one comes, and a domain flush keeps replay's IOTLB from serving the old.
  EXPECT_EQ(r.records[3], make_unmap(t, 2, 0x2000, 0x1000));
  EXPECT_EQ(r.records[4], make_map(t, 2, 0x2000, 0xa000000, 0x1000, true, true));
  EXPECT_EQ(r.records[5], make_iotlb_inval(t, granularity::domain, 2, 0, 0, false, false));
  EXPECT_EQ(r.records[6], make_dma(t, 0x10, dma_op::read, 0x2000, 4));
  EXPECT_EQ(r.synthesized.size(), 1u);
}

TEST(ImportQemu, NewerQemuPasidEvents) {
  const import_result r = import_qemu_text(
      "vtd_inv_desc invalidate desc type p_iotlb high 0x0 low 0x0\n"
      "vtd_inv_desc_iotlb_pasid_pages iotlb invalidate domain 0x3 addr 0x4000 mask 0x1 pasid 0x5\n"
      "vtd_inv_desc_iotlb_pasid iotlb invalidate domain 0x3 pasid 0x6\n"
      "vtd_pasid_cache_psi PASID slective PC invalidation domain 0x3 pasid 0x7\n",
      "x.log");
  ASSERT_EQ(r.records.size(), 3u);
  // Without prefixes the lines are 1 ns apart.
  EXPECT_EQ(r.records[0], make_piotlb_inval(2000, granularity::page_in_pasid, 3, 5, 0x4000, 1, false));
  EXPECT_EQ(r.records[1], make_piotlb_inval(3000, granularity::pasid, 3, 6, 0, 0, false));
  EXPECT_EQ(r.records[2], make_pc_inval(4000, granularity::pasid, 3, 7));
  EXPECT_FALSE(r.platform);  // no root table pointer: nothing to build a platform from
}

TEST(ImportQemu, MalformedLinesNameFileLineAndColumn) {
  const std::string bad = "1@1.000001:vtd_dmar_translate dev 00:03.00 iova 0x7000 -> gpa 0xZZ mask 0xfff";
  EXPECT_EQ(error_of("\n" + bad), "x.log:2:" + std::to_string(bad.find("ZZ") + 1) +
                                      ": vtd_dmar_translate: expected a hexadecimal number");
  EXPECT_EQ(error_of("vtd_dmar_fault sid 0x18 fault 5 addr 0x1000"),
            "x.log:1:44: vtd_dmar_fault: expected ' write '");
  EXPECT_EQ(error_of("vtd_dmar_enable enable 1 extra"), "x.log:1:25: vtd_dmar_enable: unexpected ' extra'");
  EXPECT_EQ(error_of("!!garbage"),
            "x.log:1:1: expected an event name followed by a space (QEMU's log backend format)");
  EXPECT_EQ(error_of("vtd_reg_dmar_root addr 0x111111111111111111 scalable 0"),
            "x.log:1:26: vtd_reg_dmar_root: expected a hexadecimal number");
}

TEST(ImportQemu, UnknownEventsAreCountedNotFatal) {
  const import_result r = import_qemu_text(
      "1@1.000001:virtio_queue_notify a b\n1@1.000002:virtio_queue_notify\n"
      "1@1.000003:vtd_future_event x=1\n",
      "x.log");
  EXPECT_EQ(r.unknown_events.at("virtio_queue_notify"), 2u);
  EXPECT_EQ(r.unknown_events.at("vtd_future_event"), 1u);
  EXPECT_TRUE(r.records.empty());
}
