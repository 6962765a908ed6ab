// Routing trace records to remapping units (apps/replay/unit_router.hpp): every kind, by hand.
#include <gtest/gtest.h>

#include <stdexcept>

#include "apps/replay/unit_router.hpp"

using namespace vtd::replay;
using namespace vtd::traces;

namespace {

constexpr unit_mask U0 = 1, U1 = 2, U2 = 4, ALL = 7;
constexpr uint16_t kNic = make_sid(0x10, 0, 0), kNvme = make_sid(0x20, 0, 0), kOther = make_sid(0x30, 0, 0);

// Unit 0: the NIC, domains 1 and 9; unit 1: the NVMe, domains 2 and 9; unit 2: nothing listed, include_all.
unit_router three_units(bool include_all = true) {
  return unit_router(
      {{"dmar0", {kNic}, {1, 9}, false}, {"dmar1", {kNvme}, {2, 9}, false}, {"dmar2", {}, {}, include_all}});
}

}  // namespace

TEST(UnitRouter, DeviceRecordsGoToTheirDevicesUnit) {
  unit_router r = three_units();
  EXPECT_EQ(r.route(make_dma(0, kNic, dma_op::read, 0x1000, 64)), U0);
  EXPECT_EQ(r.route(make_dma_pasid(0, kNvme, 5, dma_op::write, 0x1000, 64)), U1);
  EXPECT_EQ(r.route(make_msi(0, kNvme, 0xFEE00000, 0)), U1);
  EXPECT_EQ(r.route(make_attach(0, kNic, 9)), U0);
  EXPECT_EQ(r.route(make_detach(0, kNvme, 2)), U1);
  EXPECT_EQ(r.route(make_pasid_attach(0, kNvme, 3, 2, false, false)), U1);
  EXPECT_EQ(r.route(make_pasid_detach(0, kNic, 3)), U0);
  // A device no unit lists: the include_all unit (the DMAR table's INCLUDE_PCI_ALL).
  EXPECT_EQ(r.route(make_dma(0, kOther, dma_op::read, 0, 4)), U2);
}

TEST(UnitRouter, DeviceOutsideEveryScopeIsAnError) {
  unit_router r = three_units(false);
  try {
    r.route(make_dma(0, kOther, dma_op::read, 0, 4));
    FAIL() << "routed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("source-id 30:00.0 is in no remapping unit's device scope"),
              std::string::npos)
        << e.what();
  }
}

TEST(UnitRouter, DomainRecordsGoToEveryUnitWithTheDomain) {
  unit_router r = three_units();
  EXPECT_EQ(r.route(make_map(0, 1, 0x1000, 0x2000, 4096, true, true)), U0);
  EXPECT_EQ(r.route(make_unmap(0, 2, 0x1000, 4096)), U1);
  EXPECT_EQ(r.route(make_map(0, 9, 0x1000, 0x2000, 4096, true, true)), U0 | U1);  // shared domain
  EXPECT_THROW(r.route(make_map(0, 7, 0x1000, 0x2000, 4096, true, true)), std::runtime_error);
  EXPECT_THROW(r.route(make_unmap(0, 7, 0x1000, 4096)), std::runtime_error);
  EXPECT_EQ(r.route(make_iotlb_inval(0, granularity::domain, 2, 0, 0, false, true)), U1);
  EXPECT_EQ(r.route(make_iotlb_inval(0, granularity::page, 9, 0x1000, 0, false, true)), U0 | U1);
  EXPECT_EQ(r.route(make_cc_inval(0, granularity::domain, 1, 0, 0, true)), U0);
  EXPECT_EQ(r.route(make_pc_inval(0, granularity::pasid, 2, 3)), U1);
  EXPECT_EQ(r.route(make_piotlb_inval(0, granularity::domain, 9, 3, 0, 0, false)), U0 | U1);
  // An invalidation of a domain no unit has finds nothing anywhere: every unit gets it.
  EXPECT_EQ(r.route(make_iotlb_inval(0, granularity::domain, 7, 0, 0, false, true)), ALL);
}

TEST(UnitRouter, DeviceSelectiveInvalidationsFollowTheDevice) {
  unit_router r = three_units();
  // cc-inval device-selective: the source-id (not the domain) picks the unit.
  EXPECT_EQ(r.route(make_cc_inval(0, granularity::device, 1, kNvme, 0, true)), U1);
  EXPECT_EQ(r.route(make_devtlb_inval(0, kNic, 0x1000, false, true)), U0);
  EXPECT_EQ(r.route(make_pdevtlb_inval(0, kNvme, 4, 0x1000, false)), U1);
}

TEST(UnitRouter, GlobalAndInterruptEntryInvalidationsGoEverywhere) {
  unit_router r = three_units();
  EXPECT_EQ(r.route(make_cc_inval(0, granularity::global, 0, 0, 0, true)), ALL);
  EXPECT_EQ(r.route(make_iotlb_inval(0, granularity::global, 0, 0, 0, false, true)), ALL);
  EXPECT_EQ(r.route(make_pc_inval(0, granularity::global, 0, 0)), ALL);
  EXPECT_EQ(r.route(make_iec_inval(0, granularity::index, 5, 0, true)), ALL);
}

TEST(UnitRouter, WaitGoesToTheUnitsWithInvalidationsSinceTheirLastWait) {
  unit_router r = three_units();
  const record wait = make_inv_wait(0, 0x1000, 1, false, true, false, true);
  EXPECT_EQ(r.route(wait), ALL);  // nothing pending: every unit
  r.route(make_iotlb_inval(0, granularity::domain, 2, 0, 0, false, true));
  EXPECT_EQ(r.route(wait), U1);
  EXPECT_EQ(r.route(wait), ALL);  // the first wait completed unit 1's
  r.route(make_iotlb_inval(0, granularity::domain, 1, 0, 0, false, true));
  r.route(make_devtlb_inval(0, kNvme, 0x1000, false, true));
  r.route(make_dma(0, kNic, dma_op::read, 0, 4));  // not an invalidation: changes nothing
  EXPECT_EQ(r.route(wait), U0 | U1);
  r.route(make_iec_inval(0, granularity::global, 0, 0, true));
  EXPECT_EQ(r.route(wait), ALL);
}

TEST(UnitRouter, TwoRoutersGivenTheSameRecordsAgree) {
  // Each thread of a threaded replay routes every record with its own router.
  unit_router a = three_units(), b = three_units();
  const record seq[] = {
      make_iotlb_inval(0, granularity::domain, 1, 0, 0, false, true), make_dma(1, kNvme, dma_op::read, 0, 4),
      make_inv_wait(2, 0x1000, 1, false, true, false, true), make_map(3, 9, 0x1000, 0x2000, 4096, true, true),
      make_inv_wait(4, 0x1000, 1, false, true, false, true)};
  for (const record& rec : seq) EXPECT_EQ(a.route(rec), b.route(rec));
}
