// The Linux trace-event importer against the hand-written fixtures in tests/traces/import/ (trace-cmd
// report, perf script and tracefs text, in the TP_printk formats of include/trace/events/iommu.h and
// drivers/iommu/intel/trace.h): records, qi_submit descriptors decoded by hand, DMA patterns, errors.
#include <gtest/gtest.h>

#include <string>

#include "traces/import/linux_import.hpp"

using namespace vtd::traces;
using namespace vtd::traces::import;

namespace {

const std::string kDir = std::string(VTDSIM_SOURCE_DIR) + "/tests/traces/import/";
constexpr uint64_t us(uint64_t n) {
  return n * 1000000;
}

linux_import_options none_pattern() {
  linux_import_options o;
  o.pattern = dma_pattern::none;
  return o;
}

std::string error_of(std::string_view text) {
  try {
    import_linux_text(text, "t.txt", {});
  } catch (const import_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(ImportLinux, TraceCmdFixture) {
  const import_result r = import_linux_log(kDir + "linux_trace_cmd.txt", {});
  const uint16_t dev = make_sid(0, 2, 0);
  // Times from the first event (500.000100). Domain 1: the DID of the first page-selective iotlb_inv
  // (qw0 0x10032: type 2, G=11b page, DID 1). The device: the first attached. touch: one 64-byte read per
  // 4 KiB page of each mapping.
  const std::vector<record> want = {
      make_map(us(900), 1, 0xfffff000, 0x123456000, 0x1000, true, true),
      make_dma(us(900), dev, dma_op::read, 0xfffff000, 64),
      make_map(us(901), 1, 0xffff0000, 0x200000000, 0x2000, true, true),
      make_dma(us(901), dev, dma_op::read, 0xffff0000, 64),
      make_dma(us(901), dev, dma_op::read, 0xffff1000, 64),
      make_unmap(us(1900), 1, 0xfffff000, 0x1000),
      make_iotlb_inval(us(1901), granularity::page, 1, 0xfffff000, 0, false, true),
      // qw0 0x200000025: type 5, SW (bit 5), status data 2 (63:32); qw1 the status address.
      make_inv_wait(us(1902), 0x3f2e4008, 2, false, true, false, true),
      make_unmap(us(2900), 1, 0xffff1000, 0x1000),                  // half of the 8 KiB mapping
      make_cc_inval(us(2901), granularity::device, 1, 0, 0, true),  // 0x10031: type 1, G=11b, DID 1
      make_iec_inval(us(2902), granularity::global, 0, 0, true),
      make_devtlb_inval(us(2903), dev, 0x5000, false, true),  // SID 0x10 in 47:32
      make_dma(us(2904), dev, dma_op::write, 0xfffff000, 4),  // io_page_fault flags 0x0001: a write
      make_detach(us(3900), dev, 1),
  };
  ASSERT_EQ(r.records.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.records[i], want[i]) << "record " << i;
  EXPECT_EQ(r.unknown_events.at("sched_switch"), 1u);
  EXPECT_EQ(r.events.at("qi_submit"), 5u);
  ASSERT_TRUE(r.platform);
  ASSERT_EQ(r.platform->devices.size(), 1u);
  EXPECT_EQ(r.platform->devices[0].sid, dev);
  EXPECT_EQ(r.platform->devices[0].domain, 1);
}

TEST(ImportLinux, PerfAndTracefsFormatsAndStreamPattern) {
  linux_import_options o;
  o.pattern = dma_pattern::stream;
  o.count = 70;  // 70 x 64 bytes: wraps past the 4 KiB mapping (64 requests) to its start
  o.sid = make_sid(1, 0, 0);
  o.write = true;
  const import_result perf = import_linux_log(kDir + "linux_perf_script.txt", o);
  // Domain 5 from "iotlb_inv dmar0: 0x50022" (G=10b domain, DID 5).
  ASSERT_EQ(perf.records.size(), 1u + 70 + 1 + 1);
  EXPECT_EQ(perf.records[0], make_map(0, 5, 0x10000, 0x40000000, 0x1000, true, true));
  EXPECT_EQ(perf.records[1], make_dma(0, make_sid(1, 0, 0), dma_op::write, 0x10000, 64));
  EXPECT_EQ(perf.records[64], make_dma(0, make_sid(1, 0, 0), dma_op::write, 0x10000 + 63 * 64, 64));
  EXPECT_EQ(perf.records[65], make_dma(0, make_sid(1, 0, 0), dma_op::write, 0x10000, 64));
  EXPECT_EQ(perf.records[71], make_unmap(us(1), 5, 0x10000, 0x1000));
  EXPECT_EQ(perf.records[72], make_iotlb_inval(us(2), granularity::domain, 5, 0, 0, false, true));

  o.pattern = dma_pattern::none;
  const import_result fs = import_linux_log(kDir + "linux_tracefs.txt", o);
  ASSERT_EQ(fs.records.size(), 2u);
  EXPECT_EQ(fs.records[0], make_map(0, 1, 0x20000, 0x50000000, 0x2000, true, true));
  EXPECT_EQ(fs.records[1], make_unmap(us(1), 1, 0x20000, 0x2000));
}

TEST(ImportLinux, UnmatchedUnmapsAndOverlapsAreCountedNotWritten) {
  const import_result r = import_linux_text(
      "x 1.000000: map: IOMMU: iova=0x1000 - 0x2000 paddr=0x5000 size=4096\n"
      "x 1.000001: map: IOMMU: iova=0x1000 - 0x2000 paddr=0x6000 size=4096\n"
      "x 1.000002: unmap: IOMMU: iova=0x9000 - 0xa000 size=4096 unmapped_size=4096\n",
      "t.txt", none_pattern());
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.not_recovered.at("map over an IOVA range already mapped (another domain's)"), 1u);
  EXPECT_EQ(r.not_recovered.at("unmap of a range the log never mapped"), 1u);
}

TEST(ImportLinux, MalformedLinesNameFileAndLine) {
  EXPECT_EQ(error_of("\nx 1.000000: map: IOMMU: iova=0x1000 size=4096\n"), "t.txt:2: map: expected paddr=");
  EXPECT_EQ(error_of("x 1.000000: map: IOMMU: iova=0x1000 paddr=0xZ size=4096"),
            "t.txt:1: map: paddr='0xZ' is not a number");
  EXPECT_EQ(error_of("this is not a trace line"),
            "t.txt:1: no time stamp 'SECONDS.USEC:' (expected a line of trace-cmd report, perf script or the "
            "tracefs trace file)");
  EXPECT_EQ(error_of("x 1.5: attach_device_to_domain: IOMMU: device=usb1"),
            "t.txt:1: attach_device_to_domain: device 'usb1' is not a PCI device name (DDDD:BB:DD.F)");
  EXPECT_EQ(error_of("x 1.5: qi_submit: iotlb_inv dmar0: 0x2 0x0"),
            "t.txt:1: qi_submit: expected at least 5 words");
}
