// The generator in scalable mode: each workload (Linux's DMA API on first-stage domains, shared virtual
// addressing, the vIOMMU guest, the mixes with second-stage devices) is deterministic for a seed, its
// platform file loads as a scalable platform (server-sm) whose tables the checker finds clean, and every DMA
// hits a mapping live at its time, in the domain its (source-id, PASID) is attached to, with the rights it
// needs (tests/traces/gen_shadow.hpp); unmaps are invalidated as the flush policy says, the PASID-based way
// for first-stage and nested domains.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>

#include "tables/check/checker.hpp"
#include "tables/platform_state.hpp"
#include "tables/table_error.hpp"
#include "tests/traces/gen_shadow.hpp"
#include "traces/gen/generator.hpp"
#include "traces/trace_error.hpp"

using namespace vtd::traces;
using vtd::traces::test::gen_output;
using vtd::traces::test::run;
using vtd::traces::test::shadow_replay;
namespace tables = vtd::tables;

namespace {

gen::workload scalable(const std::string& name, uint64_t dmas = 20000) {
  auto w = gen::preset_workload(name, gen::gen_mode::scalable);
  w.dma_target = dmas;
  w.seed = 7;
  return w;
}

const tables::domain_desc* domain(const gen_output& g, uint16_t id) {
  for (const auto& d : g.platform.domains)
    if (d.id == id) return &d;
  return nullptr;
}

void expect_live(const gen_output& g, const std::string& what) {
  const auto c = shadow_replay(g);
  EXPECT_EQ(c.dma, g.summary.dmas) << what;
  EXPECT_EQ(c.outside, 0u) << what << ": every DMA hits a live mapping with the rights it needs";
  EXPECT_EQ(c.unbound_dmas, 0u) << what << ": every requester is attached";
  EXPECT_EQ(c.overlaps, 0u) << what;
  EXPECT_EQ(c.stale_reuse, 0u) << what << ": an IOVA is mapped again only after its invalidation";
  EXPECT_EQ(c.nested_outside, 0u) << what << ": every GPA a nested domain maps is guest memory";
  EXPECT_EQ(c.bad_detaches, 0u) << what;
}

// Loads the platform the way `vtdsim check` does and checks the tables it builds.
tables::check_report check(const gen_output& g) {
  tables::platform_state p(g.platform, "gen.json");
  tables::check_registers regs;
  regs.cap = p.caps().cap;
  regs.ecap = p.caps().ecap;
  regs.haw = p.caps().haw;
  regs.has_rtaddr = true;
  regs.rtaddr = p.rtaddr();
  regs.irta = p.irta();
  return tables::check_tables(p.memory(), regs);
}

}  // namespace

TEST(GeneratorScalable, EveryWorkloadIsDeterministicForASeed) {
  for (const auto& name : gen::workload_names(gen::gen_mode::scalable)) {
    SCOPED_TRACE(name);
    const auto a = run(scalable(name, 5000)), b = run(scalable(name, 5000));
    EXPECT_TRUE(a.records == b.records);
    EXPECT_EQ(a.platform_json.dump(), b.platform_json.dump());
    auto w = scalable(name, 5000);
    w.seed = 8;
    EXPECT_FALSE(run(w).records == a.records);
  }
}

TEST(GeneratorScalable, PlatformsAreScalableServerSmAndLoadAndCheckClean) {
  for (const auto& name : gen::workload_names(gen::gen_mode::scalable)) {
    SCOPED_TRACE(name);
    const auto g = run(scalable(name, 200));
    EXPECT_EQ(g.platform.mode, tables::platform_mode::scalable);
    EXPECT_EQ(g.platform.preset, "server-sm");
    EXPECT_EQ(g.platform_json["mode"], "scalable");
    // The file reads back as the description it was written from.
    const auto again = tables::parse_platform(g.platform_json.dump(2), "gen.json");
    EXPECT_EQ(tables::to_json(again).dump(), g.platform_json.dump());
    const auto r = check(g);
    EXPECT_TRUE(r.scalable);
    EXPECT_EQ(r.count(tables::severity::error), 0u) << tables::format_check_text(r, false);
    // The only warnings: the nested domains' table pages, which their parent maps writable (the builder
    // must, docs/platform-format.md "Nested domains").
    for (const auto& f : r.findings)
      if (f.level == tables::severity::warning) {
        EXPECT_EQ(f.code, "sl.writable_table") << f.message;
      }
    EXPECT_EQ(r.devices.size(), g.platform.devices.size());
  }
}

TEST(GeneratorScalable, PresetsGiveEachDeviceTheStageItsWorkloadSays) {
  using tables::domain_stage;
  auto stages = [](const gen_output& g) {
    std::map<std::string, domain_stage> out;
    for (const auto& dev : g.platform.devices) {
      for (const auto& d : g.platform.domains)
        if (d.id == *dev.domain) out[dev.name] = d.stage;
    }
    return out;
  };
  EXPECT_EQ(
      stages(run(scalable("dma-api", 10))),
      (std::map<std::string, domain_stage>{{"nic0", domain_stage::first}, {"nvme0", domain_stage::first}}));
  EXPECT_EQ(
      stages(run(scalable("viommu", 10))),
      (std::map<std::string, domain_stage>{{"nic0", domain_stage::nested}, {"nvme0", domain_stage::nested}}));
  EXPECT_EQ(
      stages(run(scalable("mixed", 10))),
      (std::map<std::string, domain_stage>{
          {"nic0", domain_stage::first}, {"nvme0", domain_stage::second}, {"dsa0", domain_stage::first}}));
  EXPECT_EQ(stages(run(scalable("all", 10))),
            (std::map<std::string, domain_stage>{{"nic0", domain_stage::nested},
                                                 {"nvme0", domain_stage::first},
                                                 {"gpu0", domain_stage::second},
                                                 {"dsa0", domain_stage::first}}));
  // First-stage DMA domains: 4-level, A/D preset as Linux writes them.
  const auto g = run(scalable("dma-api", 10));
  ASSERT_NE(domain(g, 1), nullptr);
  EXPECT_EQ(domain(g, 1)->address_width, 48u);
  EXPECT_TRUE(domain(g, 1)->preset_ad);
}

TEST(GeneratorScalable, DmaApiStrictInvalidatesEachUnmapByPasidAndPage) {
  const auto g = run(scalable("dma-api"));
  expect_live(g, "dma-api strict");
  const auto c = shadow_replay(g);
  ASSERT_GT(c.unmaps, 1000u);
  EXPECT_EQ(c.iotlb_invals, 0u) << "first-stage domains are invalidated PASID-based";
  EXPECT_EQ(c.piotlb_invals, c.unmaps);
  // Each unmap: piotlb-inval page for the RID_PASID (0) in the unmapped domain, covering the range, then a
  // wait.
  for (size_t i = 0; i + 2 < g.records.size(); ++i) {
    const record& u = g.records[i];
    if (u.kind != record_kind::unmap) continue;
    const record& inv = g.records[i + 1];
    ASSERT_EQ(inv.kind, record_kind::piotlb_inval);
    EXPECT_EQ(inv.gran(), granularity::page_in_pasid);
    EXPECT_EQ(inv.id, u.id);
    EXPECT_EQ(inv.pasid(), 0u);
    EXPECT_EQ(inv.addr, u.addr);
    EXPECT_GE(uint64_t{4096} << inv.length, u.map_bytes());
    EXPECT_TRUE(inv.queued());
    EXPECT_EQ(g.records[i + 2].kind, record_kind::inv_wait);
  }
}

TEST(GeneratorScalable, DmaApiDeferredFlushesDomainWideInBatches) {
  auto w = scalable("dma-api");
  w.nic.strict = w.nvme.strict = false;
  const auto g = run(w);
  expect_live(g, "dma-api deferred");
  const auto c = shadow_replay(g);
  ASSERT_GT(c.unmaps, 1000u);
  EXPECT_GT(c.piotlb_invals, 0u);
  EXPECT_LT(c.piotlb_invals * 50, c.unmaps) << "one flush per batch of unmaps";
  for (const auto& r : g.records)
    if (r.kind == record_kind::piotlb_inval) {
      EXPECT_EQ(r.gran(), granularity::domain);
    }
}

TEST(GeneratorScalable, SecondStageDevicesKeepIotlbInvalidationsBesideFirstStageOnes) {
  const auto g = run(scalable("mixed"));
  expect_live(g, "mixed");
  std::set<uint16_t> iotlb_domains, piotlb_domains;
  for (const auto& r : g.records) {
    if (r.kind == record_kind::iotlb_inval) iotlb_domains.insert(uint16_t(r.value));
    if (r.kind == record_kind::piotlb_inval) piotlb_domains.insert(r.id);
  }
  EXPECT_EQ(iotlb_domains, std::set<uint16_t>{0x11}) << "nvme0, second stage";
  EXPECT_EQ(piotlb_domains, std::set<uint16_t>{1}) << "nic0, first stage";
  EXPECT_GT(shadow_replay(g).pasid_dmas, 0u) << "the SVA accelerator";
}

TEST(GeneratorScalable, ViommuGuestMapsGuestMemoryAndForwardsEachUnmapAsAPageInvalidation) {
  const auto g = run(scalable("viommu"));
  expect_live(g, "viommu");
  const auto c = shadow_replay(g);
  ASSERT_GT(c.unmaps, 1000u);
  EXPECT_EQ(c.piotlb_invals, c.unmaps);
  EXPECT_EQ(c.iotlb_invals, 0u);
  // The guest's memory: one second-stage domain, the parent of both nested domains, and nothing attached to
  // it.
  const tables::domain_desc* parent = domain(g, 1)->parent ? domain(g, *domain(g, 1)->parent) : nullptr;
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->stage, tables::domain_stage::second);
  EXPECT_EQ(domain(g, 0x11)->parent, domain(g, 1)->parent);
  for (const auto& dev : g.platform.devices) EXPECT_NE(dev.domain, parent->id);
  // Map outputs are GPAs inside the guest's RAM, never host addresses.
  ASSERT_EQ(parent->mappings.size(), 1u);
  const auto& ram = parent->mappings[0];
  for (const auto& r : g.records)
    if (r.kind == record_kind::map) {
      EXPECT_GE(r.value, ram.iova);
      EXPECT_LE(r.value + r.map_bytes(), ram.iova + ram.size);
    }
  // Nested unmaps are forwarded for the RID_PASID, page-selective, and waited for.
  for (size_t i = 0; i + 2 < g.records.size(); ++i)
    if (g.records[i].kind == record_kind::unmap) {
      EXPECT_EQ(g.records[i + 1].kind, record_kind::piotlb_inval);
      EXPECT_EQ(g.records[i + 1].gran(), granularity::page_in_pasid);
      EXPECT_EQ(g.records[i + 2].kind, record_kind::inv_wait);
    }
}

TEST(GeneratorScalable, SvaProcessesUseTheirOwnPasidsAndAddressSpaces) {
  const auto g = run(scalable("sva"));
  expect_live(g, "sva");
  const auto c = shadow_replay(g);
  EXPECT_EQ(c.pasid_dmas, c.dma) << "every SVA request carries its process's PASID";
  EXPECT_EQ(c.supervisor_dmas, 0u) << "user requests";
  EXPECT_EQ(c.pasids_used, (std::set<uint32_t>{1, 2, 3, 4, 5, 6, 7, 8})) << "Linux hands out PASIDs from 1";
  EXPECT_EQ(c.maps + c.unmaps + c.attaches + c.detaches, 0u) << "mapped up front, bound throughout";
  ASSERT_EQ(g.platform.devices.size(), 1u);
  const auto& dev = g.platform.devices[0];
  EXPECT_EQ(dev.sid, 0x4000);
  ASSERT_EQ(dev.pasids.size(), 8u);
  std::set<uint16_t> domains;
  for (const auto& p : dev.pasids) {
    domains.insert(p.domain);
    const auto* d = domain(g, p.domain);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->stage, tables::domain_stage::first);
    EXPECT_FALSE(d->preset_ad) << "a process's page table: A/D set by the hardware";
    for (const auto& m : d->mappings) {
      EXPECT_TRUE(m.user);
      EXPECT_FALSE(m.execute) << "data pages";
      EXPECT_LT(m.iova + m.size, uint64_t{1} << 47) << "canonical lower half";
    }
  }
  EXPECT_EQ(domains.size(), 8u) << "an address space per process";
  // Writes never reach a read-only source buffer: the shadow map checks W, so count the reads and writes.
  uint64_t reads = 0, writes = 0;
  for (const auto& r : g.records)
    if (r.kind == record_kind::dma) ++(r.op() == dma_op::read ? reads : writes);
  EXPECT_GT(reads, 0u);
  EXPECT_GT(writes, reads) << "a move writes what it reads, plus a completion record";
}

TEST(GeneratorScalable, SvaRebindTearsDownAsLinuxDoesAndNeverUsesAnUnboundPasid) {
  auto w = scalable("sva");
  w.sva.rebind_us = 40;
  w.sva.unbound_us = 10;
  const auto g = run(w);
  expect_live(g, "sva rebind");
  const auto c = shadow_replay(g);
  ASSERT_GT(c.detaches, 8u);
  EXPECT_GE(c.attaches + 8, c.detaches);
  EXPECT_LE(c.attaches, c.detaches);
  EXPECT_EQ(c.pc_invals, c.detaches);
  EXPECT_EQ(c.piotlb_invals, c.detaches);
  // Detach, PASID-selective PASID-cache invalidation, wait, PASID-selective IOTLB invalidation, wait; and the
  // process works again after it is bound again.
  std::map<uint32_t, bool> came_back;
  std::set<uint32_t> detached;
  for (size_t i = 0; i < g.records.size(); ++i) {
    const record& r = g.records[i];
    if (r.kind == record_kind::pasid_detach) {
      ASSERT_LT(i + 4, g.records.size());
      const record &pc = g.records[i + 1], &piotlb = g.records[i + 3];
      EXPECT_EQ(pc.kind, record_kind::pc_inval);
      EXPECT_EQ(pc.gran(), granularity::pasid);
      EXPECT_EQ(pc.pasid(), r.pasid());
      EXPECT_EQ(g.records[i + 2].kind, record_kind::inv_wait);
      EXPECT_EQ(piotlb.kind, record_kind::piotlb_inval);
      EXPECT_EQ(piotlb.gran(), granularity::pasid);
      EXPECT_EQ(piotlb.pasid(), r.pasid());
      EXPECT_EQ(piotlb.id, pc.id);
      EXPECT_EQ(g.records[i + 4].kind, record_kind::inv_wait);
      detached.insert(r.pasid());
    }
    if (r.kind == record_kind::dma && detached.count(r.pasid())) came_back[r.pasid()] = true;
  }
  EXPECT_EQ(came_back.size(), 8u);
}

TEST(GeneratorScalable, InjectedFaultsFallOutsideMappings) {
  for (const std::string name : {"mixed", "sva"}) {
    auto w = scalable(name);
    w.faults = 9;
    const auto g = run(w);
    EXPECT_EQ(g.summary.faults, 9u);
    EXPECT_EQ(shadow_replay(g).outside, 9u) << name;
  }
}

TEST(GeneratorScalable, ParametersOutsideTheModeOrTheirRangeAreRefused) {
  auto refused = [](const std::function<void(gen::workload&)>& change,
                    gen::gen_mode mode = gen::gen_mode::scalable) {
    auto w = gen::preset_workload(mode == gen::gen_mode::scalable ? "all" : "mixed", mode);
    w.dma_target = 100;
    change(w);
    std::vector<record> out;
    tables::platform_description platform;
    try {
      gen::generate(
          w, [&](const record& r) { out.push_back(r); }, platform);
    } catch (const trace_error&) {
      return out.empty();
    }
    return false;
  };
  using gen::device_stage;
  const auto legacy = gen::gen_mode::legacy;
  EXPECT_TRUE(refused([](auto& w) { w.nic.stage = device_stage::first; }, legacy));
  EXPECT_TRUE(refused([](auto& w) { w.nvme.stage = device_stage::nested; }, legacy));
  EXPECT_TRUE(refused([](auto& w) { w.sva.count = 1; }, legacy)) << "SVA needs PASIDs";
  EXPECT_FALSE(refused([](auto&) {}, legacy));
  EXPECT_TRUE(refused([](auto& w) { w.gpu.stage = device_stage::nested; }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.count = 17; }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.pasids = 0; }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.pasids = 65; }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.transfer_bytes = 63; }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.transfer_bytes = (1u << 20) + 1; }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.gbytes_per_s = 0; }));
  EXPECT_TRUE(refused([](auto& w) {
    w.sva.rebind_us = 10;
    w.sva.unbound_us = 11;
  }));
  EXPECT_TRUE(refused([](auto& w) { w.sva.unbound_us = 0; }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.count = w.nvme.count = w.gpu.count = w.sva.count = 0; }));
  EXPECT_FALSE(refused([](auto& w) { w.sva.pasids = 64; }));
  EXPECT_FALSE(refused([](auto& w) { w.sva.count = 16; }));
  EXPECT_THROW(gen::preset_workload("nic", gen::gen_mode::scalable), trace_error);
  EXPECT_THROW(gen::preset_workload("dma-api", gen::gen_mode::legacy), trace_error);
}

TEST(GeneratorScalable, DevicesUpToTheLimitsKeepBdfsPasidsAndDomainsApartAndLoad) {
  auto w = scalable("all", 200);
  w.nic.count = w.nvme.count = w.gpu.count = w.sva.count = gen::limits::max_devices_per_kind;
  w.nic.queues = 2;
  w.sva.pasids = gen::limits::max_sva_pasids;
  const auto g = run(w);
  std::set<uint16_t> sids, ids;
  for (const auto& d : g.platform.domains) EXPECT_TRUE(ids.insert(d.id).second) << d.id;
  std::set<uint32_t> pasids;
  for (const auto& dev : g.platform.devices) {
    EXPECT_TRUE(sids.insert(dev.sid).second);
    for (const auto& p : dev.pasids) EXPECT_TRUE(pasids.insert(p.pasid).second) << p.pasid;
  }
  EXPECT_EQ(pasids.size(), 16u * 64u);
  EXPECT_NO_THROW(tables::platform_state(g.platform, "gen.json"));
  expect_live(g, "limits");
}
