// Generated platforms with several remapping units (`vtdsim gen --units N`, docs/generator.md, "Several
// remapping units"): the N-unit platform file, read back by the platform file's own parser, is the one-unit
// platform of the same seed split as the generator documents it. Checked against the one-unit file: the
// devices (device k under unit k mod N, entries unchanged), each unit's domains (the ones its devices use and
// their nested parents, computed here from the devices), the interrupt entries (each one-unit entry in the
// unit of the device it validates, none lost), the unit's table region (where the parser places it); every
// unit's tables load, and each unit's context entries attach exactly its own devices. The trace does not
// change with N, and every record a unit receives finds what it needs there (a map's domain, an attached
// PASID's domain, an MSI's interrupt entry). split_units is also checked on a hand-made platform for the
// entries and domains that generated platforms do not have (no source validation, bus ranges, unused
// domains).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tables/platform_state.hpp"
#include "tables/platform_units.hpp"
#include "traces/gen/generator.hpp"
#include "traces/gen/unit_split.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces {
namespace {

using json = nlohmann::ordered_json;

struct generated {
  std::vector<record> records;
  json file;  // the platform file as `vtdsim gen` writes it
  tables::platform_units units;
};

generated run(gen::workload w, unsigned units) {
  w.units = units;
  generated g;
  gen::generate(
      w, [&](const record& r) { g.records.push_back(r); }, g.file);
  g.units = tables::parse_platform_units(g.file.dump(2), "gen.json");
  return g;
}

struct unit_case {
  const char* name;
  gen::workload w;
  unsigned units;
};

gen::workload preset(const char* name, gen::gen_mode mode, uint64_t seed) {
  gen::workload w = gen::preset_workload(name, mode);
  w.dma_target = 20000;
  w.seed = seed;
  return w;
}

std::vector<unit_case> cases() {
  using gen::gen_mode;
  std::vector<unit_case> c;
  c.push_back({"legacy mixed", preset("mixed", gen_mode::legacy, 3), 2});
  gen::workload all = preset("all", gen_mode::legacy, 4);
  all.nic.count = 2;
  all.nvme.count = 2;
  all.nic.ats = true;
  c.push_back({"legacy all, 2 NICs, 2 NVMe, 1 GPU", all, 3});
  c.push_back({"scalable dma-api", preset("dma-api", gen_mode::scalable, 5), 2});
  c.push_back({"scalable viommu (nested)", preset("viommu", gen_mode::scalable, 6), 2});
  gen::workload sva = preset("sva", gen_mode::scalable, 7);
  sva.sva.count = 3;
  sva.sva.pasids = 4;
  sva.sva.rebind_us = 50;
  c.push_back({"scalable sva, 3 accelerators", sva, 2});
  c.push_back({"scalable all", preset("all", gen_mode::scalable, 8), 4});
  c.push_back({"scalable mixed, 3 units", preset("mixed", gen_mode::scalable, 9), 3});
  return c;
}

// The domain ids a set of devices needs, from the platform file's own keys: "domain", each PASID's
// "domain", and then every nested domain's "parent".
std::set<unsigned> needed_domains(const json& devices, const json& all_domains) {
  std::set<unsigned> ids;
  for (const json& d : devices) {
    if (d.contains("domain")) ids.insert(d["domain"].get<unsigned>());
    if (d.contains("pasids"))
      for (const json& p : d["pasids"]) ids.insert(p["domain"].get<unsigned>());
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const json& d : all_domains)
      if (ids.count(d["id"].get<unsigned>()) && d.contains("parent"))
        grew |= ids.insert(d["parent"].get<unsigned>()).second;
  }
  return ids;
}

std::set<unsigned> domain_ids(const json& domains) {
  std::set<unsigned> ids;
  for (const json& d : domains) ids.insert(d["id"].get<unsigned>());
  return ids;
}

const json* find_domain(const json& domains, unsigned id) {
  for (const json& d : domains)
    if (d["id"].get<unsigned>() == id) return &d;
  return nullptr;
}

// "bb:dd.f" as a source-id (bus 15:8, device 7:3, function 2:0).
uint16_t sid_of(const std::string& bdf) {
  unsigned bus = 0, dev = 0, fn = 0;
  EXPECT_EQ(std::sscanf(bdf.c_str(), "%x:%x.%x", &bus, &dev, &fn), 3) << bdf;
  return static_cast<uint16_t>(bus << 8 | dev << 3 | fn);
}

// The interrupt index of a remappable-format MSI address (spec 5.1.5.2: handle[14:0] in bits 19:5,
// handle[15] in bit 2; SHV (bit 3) is 0 in generated MSIs, so the data's subhandle does not add).
uint32_t msi_index(uint64_t addr) {
  EXPECT_EQ(addr >> 20, 0xFEEu);
  EXPECT_EQ((addr >> 4) & 1, 1u) << "interrupt format: remappable";
  EXPECT_EQ((addr >> 3) & 1, 0u) << "SHV";
  return static_cast<uint32_t>(((addr >> 5) & 0x7FFF) | ((addr >> 2) & 1) << 15);
}

class gen_units : public ::testing::TestWithParam<size_t> {};

TEST_P(gen_units, platform_is_the_one_unit_platform_split_by_device) {
  const unit_case c = cases()[GetParam()];
  SCOPED_TRACE(c.name);
  const unsigned n = c.units;
  const generated one = run(c.w, 1), several = run(c.w, n);

  // One unit: the one-unit file, read as one unit.
  ASSERT_FALSE(one.file.contains("units"));
  ASSERT_EQ(one.units.units.size(), 1u);
  EXPECT_FALSE(one.units.several);

  ASSERT_TRUE(several.file.contains("units"));
  EXPECT_EQ(several.file["schema"], 1);
  const json& files = several.file["units"];
  ASSERT_EQ(files.size(), n);
  ASSERT_TRUE(several.units.several);
  ASSERT_EQ(several.units.units.size(), n);

  const json& whole_devices = one.file["devices"];
  const json& whole_domains = one.file["domains"];
  const json& whole_entries = one.file["interrupts"]["entries"];
  ASSERT_GE(whole_devices.size(), n);

  std::map<uint16_t, unsigned> unit_of;  // source-id -> unit, device k -> k mod n
  for (size_t k = 0; k < whole_devices.size(); ++k)
    unit_of[sid_of(whole_devices[k]["bdf"].get<std::string>())] = unsigned(k % n);
  std::vector<int> entry_seen(whole_entries.size(), 0);

  size_t devices_seen = 0;
  for (unsigned u = 0; u < n; ++u) {
    SCOPED_TRACE(fmt::format("unit {}", u));
    const json& f = files[u];
    EXPECT_EQ(f["name"], fmt::format("dmar{}", u));
    EXPECT_EQ(several.units.units[u].name, fmt::format("dmar{}", u));
    EXPECT_FALSE(f.contains("include_all"));
    // The one-unit platform's capabilities and enables; the table region left to the parser, which puts
    // unit u's 256 MiB after unit u-1's from 0x10000000.
    EXPECT_EQ(f.value("mode", "legacy"), one.file.value("mode", "legacy"));
    json iommu = one.file["iommu"];
    iommu.erase("table_region");
    EXPECT_EQ(f["iommu"], iommu);
    EXPECT_EQ(f["enable"], one.file["enable"]);
    const tables::platform_description& p = several.units.units[u].platform;
    EXPECT_EQ(p.table_base, 0x10000000u + uint64_t{u} * (256u << 20));
    EXPECT_EQ(p.table_size, uint64_t{256} << 20);

    // Devices: whole device u, u+n, u+2n, ..., the same entries.
    const json& devices = f["devices"];
    ASSERT_EQ(devices.size(), (whole_devices.size() - u + n - 1) / n);
    for (size_t m = 0; m < devices.size(); ++m) EXPECT_EQ(devices[m], whole_devices[u + m * n]) << m;
    devices_seen += devices.size();

    // Domains: exactly those its devices use and their parents, each as the one-unit file has it.
    const std::set<unsigned> needed = needed_domains(devices, whole_domains);
    EXPECT_EQ(domain_ids(f["domains"]), needed);
    for (const json& d : f["domains"]) {
      const json* w = find_domain(whole_domains, d["id"].get<unsigned>());
      ASSERT_NE(w, nullptr);
      EXPECT_EQ(d, *w);
    }

    // Interrupt entries: the same table size; every entry validates a device of this unit.
    EXPECT_EQ(f["interrupts"]["entries_log2"], one.file["interrupts"]["entries_log2"]);
    EXPECT_EQ(f["interrupts"]["x2apic"], one.file["interrupts"]["x2apic"]);
    for (const json& e : f["interrupts"]["entries"]) {
      const json& sv = e["source_validation"];
      ASSERT_EQ(sv["type"], "requester_id") << "every generated entry validates its device's requester id";
      EXPECT_EQ(unit_of.at(sid_of(sv["sid"].get<std::string>())), u);
      const unsigned index = e["index"].get<unsigned>();
      ASSERT_LT(index, whole_entries.size());
      EXPECT_EQ(e, whole_entries[index]) << "indices kept";
      ++entry_seen[index];
    }

    // The unit's tables load; its context entries attach its own devices and no other unit's.
    std::unique_ptr<tables::platform_state> state;
    ASSERT_NO_THROW(state = std::make_unique<tables::platform_state>(p, "gen.json"));
    for (const json& d : whole_devices) {
      const uint16_t sid = sid_of(d["bdf"].get<std::string>());
      const int expected = unit_of.at(sid) == u ? d["domain"].get<int>() : -1;  // -1: another unit's
      EXPECT_EQ(state->domain_of(sid), expected) << d["bdf"];
    }
  }
  EXPECT_EQ(devices_seen, whole_devices.size());
  for (size_t i = 0; i < entry_seen.size(); ++i)
    EXPECT_EQ(entry_seen[i], 1) << "entry " << i << " is in exactly its device's unit";

  // The trace does not depend on the units.
  ASSERT_EQ(several.records.size(), one.records.size());
  EXPECT_TRUE(several.records == one.records);

  // What the replay routes to a unit finds what it needs there: a map or unmap's domain is in some unit, a
  // PASID attachment's domain in its device's unit, an MSI's interrupt entry in its device's unit.
  std::vector<std::set<unsigned>> domains(n), entries(n);
  for (unsigned u = 0; u < n; ++u) {
    domains[u] = domain_ids(files[u]["domains"]);
    for (const json& e : files[u]["interrupts"]["entries"]) entries[u].insert(e["index"].get<unsigned>());
  }
  uint64_t maps = 0, attaches = 0, msis = 0;
  for (const record& r : several.records) {
    switch (r.kind) {
      case record_kind::map:
      case record_kind::unmap: {
        bool somewhere = false;
        for (unsigned u = 0; u < n; ++u) somewhere |= domains[u].count(r.id) > 0;
        EXPECT_TRUE(somewhere) << "domain " << r.id;
        ++maps;
        break;
      }
      case record_kind::pasid_attach:
        EXPECT_EQ(domains[unit_of.at(r.id)].count(r.length), 1u) << "domain " << r.length;
        ++attaches;
        break;
      case record_kind::msi:
        EXPECT_EQ(entries[unit_of.at(r.id)].count(msi_index(r.addr)), 1u);
        ++msis;
        break;
      case record_kind::dma:
      case record_kind::attach:
      case record_kind::detach:
      case record_kind::pasid_detach:
      case record_kind::cc_inval:
      case record_kind::iotlb_inval:
      case record_kind::iec_inval:
      case record_kind::devtlb_inval:
      case record_kind::pc_inval:
      case record_kind::piotlb_inval:
      case record_kind::pdevtlb_inval:
      case record_kind::inv_wait:
        break;
    }
  }
  EXPECT_EQ(msis > 0, !whole_entries.empty()) << "the devices with interrupt entries raise MSIs";
  if (c.w.sva.count && c.w.sva.rebind_us) {
    EXPECT_GT(attaches, 0u);
  }
  if (c.w.nic.count) {
    EXPECT_GT(maps, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(workloads, gen_units, ::testing::Range<size_t>(0, cases().size()));

TEST(gen_units, one_unit_file_is_the_one_unit_platform) {
  for (auto mode : {gen::gen_mode::legacy, gen::gen_mode::scalable}) {
    gen::workload w = gen::preset_workload("all", mode);
    w.dma_target = 5000;
    tables::platform_description whole;
    json file;
    std::vector<record> a, b;
    gen::generate(
        w, [&](const record& r) { a.push_back(r); }, whole);
    gen::generate(
        w, [&](const record& r) { b.push_back(r); }, file);
    EXPECT_EQ(file.dump(2), tables::to_json(whole).dump(2)) << gen::to_string(mode);
    EXPECT_TRUE(a == b);
  }
}

TEST(gen_units, mixed_puts_nic_and_nvme_under_different_units) {
  // --workload mixed --units 2 in legacy mode: the NIC (bus 0x10) and the NVMe controller (bus 0x20).
  const generated g = run(preset("mixed", gen::gen_mode::legacy, 1), 2);
  ASSERT_EQ(g.units.units.size(), 2u);
  ASSERT_EQ(g.units.units[0].platform.devices.size(), 1u);
  ASSERT_EQ(g.units.units[1].platform.devices.size(), 1u);
  EXPECT_EQ(g.units.units[0].platform.devices[0].sid, 0x1000);
  EXPECT_EQ(g.units.units[1].platform.devices[0].sid, 0x2000);
  EXPECT_FALSE(g.file["units"][0]["iommu"].contains("table_region"));
}

TEST(gen_units, unit_count_is_checked) {
  gen::workload w = preset("mixed", gen::gen_mode::legacy, 1);  // two devices
  const auto refused = [&](unsigned units) {
    w.units = units;
    try {
      gen::validate(w);
    } catch (const trace_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refused(1), "");
  EXPECT_EQ(refused(2), "");
  EXPECT_NE(refused(0), "");
  EXPECT_NE(refused(17), "");
  const std::string three = refused(3);
  EXPECT_NE(three.find("units = 3"), std::string::npos) << three;
  EXPECT_NE(three.find("(2)"), std::string::npos) << three << ": names the device count";
  w.nic.count = 16;
  w.nvme.count = 1;
  EXPECT_EQ(refused(16), "");
}

// split_units on a platform made by hand: three devices on buses 1, 2, 3 under two units (k mod 2: buses 1
// and 3 on unit 0, bus 2 on unit 1).
TEST(gen_units, split_places_entries_and_domains_by_their_devices) {
  tables::platform_description whole;
  whole.mode = tables::platform_mode::scalable;
  whole.preset = "server-sm";
  whole.has_interrupts = true;
  whole.ir_entries_log2 = 4;
  const auto domain = [](uint16_t id, tables::domain_stage stage, std::optional<uint16_t> parent = {}) {
    tables::domain_desc d;
    d.id = id;
    d.stage = stage;
    d.parent = parent;
    return d;
  };
  whole.domains = {domain(1, tables::domain_stage::first),  domain(2, tables::domain_stage::nested, 9),
                   domain(3, tables::domain_stage::first),  domain(4, tables::domain_stage::first),
                   domain(9, tables::domain_stage::second), domain(0x55, tables::domain_stage::second)};
  whole.devices.resize(3);
  whole.devices[0].sid = 0x0100;
  whole.devices[0].domain = 1;
  whole.devices[0].pasids = {{.pasid = 5, .domain = 4}};
  whole.devices[1].sid = 0x0200;
  whole.devices[1].domain = 2;  // nested over 9
  whole.devices[2].sid = 0x0300;
  whole.devices[2].domain = 3;
  const auto entry = [](uint32_t index, spec::source_validation svt, uint16_t sid, unsigned sq = 0) {
    tables::irte_desc e;
    e.index = index;
    e.svt = svt;
    e.sid = sid;
    e.sq = sq;
    return e;
  };
  using sv = spec::source_validation;
  whole.interrupts = {
      entry(0, sv::requester_id, 0x0200),     // device 1: unit 1
      entry(1, sv::none, 0),                  // raised by device 0 (below): unit 0
      entry(2, sv::none, 0),                  // tied to nothing: both
      entry(3, sv::bus_range, 0x0203),        // buses 2..3: devices 1 and 2, both units
      entry(4, sv::bus_range, 0x0303),        // bus 3: device 2, unit 0
      entry(5, sv::requester_id, 0x0307, 3),  // SQ=11b ignores the function bits: 03:00.0, unit 0
      entry(6, sv::requester_id, 0x0900),     // no such device: both
  };
  // The raising device of each entry; 0x0999 is no device (the source validation alone decides).
  const std::vector<uint16_t> raised_by = {0x0999, 0x0100, 0x0999, 0x0999, 0x0999, 0x0999, 0x0999};
  const tables::platform_units pu = gen::split_units(whole, raised_by, 2);
  ASSERT_TRUE(pu.several);
  ASSERT_EQ(pu.units.size(), 2u);
  const auto ids = [](const tables::platform_description& p) {
    std::vector<unsigned> out;
    for (const auto& d : p.domains) out.push_back(d.id);
    return out;
  };
  const auto indices = [](const tables::platform_description& p) {
    std::vector<unsigned> out;
    for (const auto& e : p.interrupts) out.push_back(e.index);
    return out;
  };
  const auto sids = [](const tables::platform_description& p) {
    std::vector<unsigned> out;
    for (const auto& d : p.devices) out.push_back(d.sid);
    return out;
  };
  const tables::platform_description &u0 = pu.units[0].platform, &u1 = pu.units[1].platform;
  EXPECT_EQ(sids(u0), (std::vector<unsigned>{0x0100, 0x0300}));
  EXPECT_EQ(sids(u1), (std::vector<unsigned>{0x0200}));
  // Unit 0: domains 1 and 4 (device 0, its PASID), 3 (device 2), the unused 0x55; unit 1: 2, its parent 9,
  // 0x55.
  EXPECT_EQ(ids(u0), (std::vector<unsigned>{1, 3, 4, 0x55}));
  EXPECT_EQ(ids(u1), (std::vector<unsigned>{2, 9, 0x55}));
  EXPECT_EQ(indices(u0), (std::vector<unsigned>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(indices(u1), (std::vector<unsigned>{0, 2, 3, 6}));
  EXPECT_EQ(u0.ir_entries_log2, 4u);
  EXPECT_EQ(u1.ir_entries_log2, 4u);
  EXPECT_EQ(u0.table_base, 0x10000000u);
  EXPECT_EQ(u1.table_base, 0x20000000u);
  EXPECT_EQ(pu.units[1].name, "dmar1");

  // One unit: the platform itself.
  const tables::platform_units one = gen::split_units(whole, raised_by, 1);
  ASSERT_EQ(one.units.size(), 1u);
  EXPECT_FALSE(one.several);
  EXPECT_EQ(tables::to_json(one), tables::to_json(whole));
  EXPECT_THROW(gen::split_units(whole, raised_by, 4), trace_error);
  EXPECT_THROW(gen::split_units(whole, raised_by, 0), trace_error);
}

}  // namespace
}  // namespace vtd::traces
