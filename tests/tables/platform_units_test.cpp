// Platform files with several remapping units (tables/platform_units.hpp): the one-unit form read as one
// unit, the "units" form, its defaults, every rule between units with its positioned message, the round trip.
#include <gtest/gtest.h>

#include "tables/platform_state.hpp"
#include "tables/platform_units.hpp"
#include "tables/table_error.hpp"

using namespace vtd::tables;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_platform_units(text, "p.json");
  } catch (const table_error& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kTwo = R"({"schema": 1, "units": [
  {"name": "north", "domains": [{"id": 1, "mappings": [{"iova": "0x1000", "hpa": "0x5000", "size": "4KiB"}]},
                                {"id": 9}],
   "devices": [{"bdf": "10:00.0", "name": "nic0", "domain": 1}]},
  {"include_all": true, "iommu": {"preset": "qemu"},
   "domains": [{"id": 2, "address_width": 39}, {"id": 9, "address_width": 39}],
   "devices": [{"bdf": "20:00.0", "domain": 2}, {"bdf": "20:00.1", "domain": 9}]}
]})";

}  // namespace

TEST(PlatformUnits, OneUnitFileIsUnitDmar0CoveringEveryDevice) {
  const auto pu =
      parse_platform_units(R"({"devices": [{"bdf": "01:00.0", "translation": "pass_through"}]})", "p.json");
  ASSERT_EQ(pu.units.size(), 1u);
  EXPECT_FALSE(pu.several);
  EXPECT_EQ(pu.units[0].name, "dmar0");
  EXPECT_TRUE(pu.units[0].include_all);
  EXPECT_EQ(pu.units[0].platform.devices.size(), 1u);
  EXPECT_EQ(pu.units[0].platform.table_base, 0x10000000u);  // the one-unit default, unchanged
}

TEST(PlatformUnits, UnitsFormNamesDefaultsAndOwnTables) {
  const auto pu = parse_platform_units(kTwo, "p.json");
  ASSERT_EQ(pu.units.size(), 2u);
  EXPECT_TRUE(pu.several);
  EXPECT_EQ(pu.units[0].name, "north");
  EXPECT_EQ(pu.units[1].name, "dmar1");  // position-based default
  EXPECT_FALSE(pu.units[0].include_all);
  EXPECT_TRUE(pu.units[1].include_all);
  EXPECT_EQ(pu.units[1].platform.preset, "qemu");
  // Default table regions follow one another: 256 MiB each from 0x10000000.
  EXPECT_EQ(pu.units[0].platform.table_base, 0x10000000u);
  EXPECT_EQ(pu.units[1].platform.table_base, 0x20000000u);
  EXPECT_EQ(pu.units[1].platform.table_size, 256u << 20);
  // A domain may be in several units; each unit builds its own tables (its own root table address).
  platform_state a(pu.units[0].platform, "p.json"), b(pu.units[1].platform, "p.json");
  EXPECT_NE(a.rtaddr(), b.rtaddr());
  EXPECT_GE(b.rtaddr(), 0x20000000u);
  EXPECT_EQ(a.domain_of(0x1000), 1);
  EXPECT_EQ(b.domain_of(0x2001), 9);
}

TEST(PlatformUnits, RoundTripKeepsEveryUnit) {
  const auto pu = parse_platform_units(kTwo, "p.json");
  const auto again = parse_platform_units(to_json(pu).dump(), "p.json");
  ASSERT_EQ(again.units.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(again.units[i].name, pu.units[i].name);
    EXPECT_EQ(again.units[i].include_all, pu.units[i].include_all);
    EXPECT_EQ(to_json(again.units[i].platform), to_json(pu.units[i].platform));
  }
  // A one-unit platform is written as a one-unit file.
  const auto one =
      parse_platform_units(R"({"devices": [{"bdf": "01:00.0", "translation": "pass_through"}]})", "p.json");
  EXPECT_FALSE(to_json(one).contains("units"));
}

TEST(PlatformUnits, ErrorsNameTheUnitAndThePath) {
  EXPECT_EQ(error_of(R"({"units": []})"), "p.json: units: expected a non-empty array of remapping units");
  EXPECT_EQ(error_of(R"({"units": [{}], "devices": []})"),
            "p.json: devices: unknown key (allowed here: schema, units)");
  EXPECT_EQ(
      error_of(R"({"units": [{"schema": 1}]})"),
      "p.json: units[0].schema: unknown key (allowed here: name, include_all, mode, iommu, enable, domains, "
      "devices, interrupts)");
  // Paths inside a unit are prefixed with the unit.
  EXPECT_EQ(error_of(R"({"units": [{}, {"iommu": {"haw": 80}}]})"),
            "p.json: units[1].iommu.haw: 80: must be 32..52");
  EXPECT_EQ(error_of(R"({"units": [{"name": "a"}, {"name": "a"}]})"),
            "p.json: units[1].name: \"a\": already the name of units[0]");
  EXPECT_EQ(error_of(R"({"units": [{"name": "a.b"}]})"),
            "p.json: units[0].name: \"a.b\": 1 to 32 letters, digits, '_' or '-'");
  EXPECT_EQ(
      error_of(R"({"units": [{"include_all": true}, {"include_all": true}]})"),
      "p.json: units[1].include_all: unit dmar0 has include_all already (the DMAR table allows one such "
      "unit)");
  EXPECT_EQ(error_of(R"({"units": [{"devices": [{"bdf": "01:00.0", "translation": "pass_through"}]},
                          {"devices": [{"bdf": "01:00.0", "translation": "pass_through"}]}]})"),
            "p.json: units[1].devices[0].bdf: 01:00.0 is already in unit dmar0's device scope (a device sits "
            "under one remapping unit)");
  // A region given explicitly must not overlap another unit's (here the second unit's default one).
  EXPECT_EQ(error_of(R"({"units": [{}, {}, {"iommu": {"table_region": {"base": "0x28000000"}}}]})"),
            "p.json: units[2].iommu.table_region: [0x28000000, 0x38000000) overlaps unit dmar1's tables "
            "[0x20000000, 0x30000000)");
  EXPECT_EQ(error_of(std::string(R"({"units": [)") +
                     [] {
                       std::string s;
                       for (int i = 0; i < 65; ++i) s += i ? ",{}" : "{}";
                       return s;
                     }() +
                     "]}"),
            "p.json: units: 65 units: at most 64");
}

TEST(PlatformUnits, OneUnitReaderRefusesSeveral) {
  try {
    parse_platform(kTwo, "p.json");
    FAIL() << "accepted";
  } catch (const table_error& e) {
    EXPECT_STREQ(e.what(),
                 "p.json: units: this platform has several remapping units (2 given): this use takes one");
  }
}
