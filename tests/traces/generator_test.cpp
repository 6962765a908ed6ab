// Synthetic generator: determinism, every DMA inside a mapping live at that time with the needed permission
// (checked against a shadow map built from the platform's initial mappings and the trace's own map/unmap
// records), injected faults, strict vs deferred invalidation, no overlapping maps.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "tests/traces/gen_shadow.hpp"
#include "traces/gen/generator.hpp"
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"

using namespace vtd::traces;
using vtd::traces::test::run;
using vtd::traces::test::shadow_replay;

namespace {

uint16_t sid_of(const std::string& bdf) {
  unsigned bus, dev, fn;
  std::sscanf(bdf.c_str(), "%x:%x.%x", &bus, &dev, &fn);
  return uint16_t(bus << 8 | dev << 3 | fn);
}

gen::workload small(const std::string& name) {
  auto w = gen::preset_workload(name);
  w.dma_target = 20000;
  w.seed = 99;
  return w;
}

}  // namespace

TEST(Generator, SameSeedSameBytesDifferentSeedDifferent) {
  auto a = run(small("mixed")), b = run(small("mixed"));
  ASSERT_EQ(a.records.size(), b.records.size());
  EXPECT_TRUE(a.records == b.records);
  EXPECT_EQ(a.platform_json.dump(), b.platform_json.dump());
  auto w = small("mixed");
  w.seed = 100;
  auto c = run(w);
  EXPECT_FALSE(a.records == c.records);
}

TEST(Generator, EveryDmaHitsALiveMappingWithTheRightPermission) {
  for (std::string name : {"mixed", "nic", "nvme", "gpu", "all"}) {
    auto g = run(small(name));
    auto c = shadow_replay(g);
    EXPECT_EQ(c.dma, 20000u) << name;
    EXPECT_EQ(c.outside, 0u) << name;
    EXPECT_EQ(c.overlaps, 0u) << name;
    EXPECT_EQ(c.stale_reuse, 0u) << name << ": an IOVA is mapped again only after its invalidation";
  }
  auto w = small("nvme");
  w.nvme.io_bytes = 65536;
  auto c = shadow_replay(run(w));
  EXPECT_EQ(c.outside, 0u);
  EXPECT_EQ(c.overlaps, 0u);
  w = small("nic");
  w.nic.strict = false;
  c = shadow_replay(run(w));
  EXPECT_EQ(c.outside, 0u) << "deferred mode";
  EXPECT_EQ(c.overlaps, 0u);
  EXPECT_EQ(c.stale_reuse, 0u) << "deferred mode must not reuse an IOVA before its flush";
}

TEST(Generator, InjectedFaultsFallOutsideMappings) {
  auto w = small("mixed");
  w.faults = 7;
  auto g = run(w);
  EXPECT_EQ(g.summary.faults, 7u);
  EXPECT_EQ(shadow_replay(g).outside, 7u);
}

TEST(Generator, StrictInvalidatesPerUnmapDeferredBatches) {
  auto strict = small("nic");
  auto s = shadow_replay(run(strict));
  ASSERT_GT(s.unmaps, 1000u);
  EXPECT_EQ(s.iotlb_invals, s.unmaps) << "strict: one page-selective IOTLB invalidation per unmap";
  auto deferred = small("nic");
  deferred.nic.strict = false;
  auto d = shadow_replay(run(deferred));
  ASSERT_GT(d.unmaps, 1000u);
  EXPECT_LT(d.iotlb_invals * 50, d.unmaps) << "deferred: batched flushes";
}

TEST(Generator, PlatformDescribesEveryDeviceAndVector) {
  auto g = run(small("all"));
  EXPECT_EQ(g.platform_json["devices"].size(), 3u);
  EXPECT_EQ(g.platform_json["interrupts"]["entries"].size(), 4u + 4u)
      << "one MSI-X vector per NIC and NVMe queue";
  for (const auto& r : g.records)
    if (r.kind == record_kind::msi) {
      EXPECT_EQ(r.addr & 0xFFF00010, 0xFEE00010u) << "remappable-format MSI address";
    }
}

namespace {

// BDF and domain id of every device of a generated platform, checked for uniqueness and range.
struct placement_check {
  size_t devices = 0;
  bool unique_bdfs = true, unique_domains = true, domains_match = true;
  unsigned max_bus = 0, max_domain = 0;
};

placement_check placements(const nlohmann::ordered_json& platform) {
  placement_check c;
  std::set<std::string> bdfs;
  std::set<unsigned> domains, devices_domains;
  for (const auto& d : platform["domains"]) {
    const unsigned id = d["id"].get<unsigned>();
    c.unique_domains &= domains.insert(id).second;
    c.max_domain = std::max(c.max_domain, id);
  }
  for (const auto& d : platform["devices"]) {
    ++c.devices;
    const std::string bdf = d["bdf"];
    c.unique_bdfs &= bdfs.insert(bdf).second;
    c.max_bus = std::max(c.max_bus, unsigned(sid_of(bdf) >> 8));
    c.domains_match &= domains.count(d["domain"].get<unsigned>()) == 1;
    c.unique_domains &= devices_domains.insert(d["domain"].get<unsigned>()).second;  // one device a domain
  }
  return c;
}

}  // namespace

// Issue 9, item 11: 17 NICs gave NIC 16 the domain id 17 of nvme0 (and bus 0x20 of nvme0). Every device count
// the generator accepts now gives every device a bus and a domain id of its own.
TEST(Generator, EveryDeviceCountUpToTheLimitGivesUniqueBdfsAndDomains) {
  const unsigned max = gen::limits::max_devices_per_kind;
  for (unsigned n = 0; n <= max; ++n) {
    for (int kind = 0; kind < 4; ++kind) {
      auto w = gen::preset_workload("all");
      w.dma_target = 20;
      // kind 0..2: n of one kind beside the maximum of the two others; 3: n of every kind.
      w.nic.count = kind == 0 || kind == 3 ? n : max;
      w.nvme.count = kind == 1 || kind == 3 ? n : max;
      w.gpu.count = kind == 2 || kind == 3 ? n : max;
      if (w.nic.count + w.nvme.count + w.gpu.count == 0) continue;
      const auto g = run(w);
      const auto c = placements(g.platform_json);
      SCOPED_TRACE(fmt::format("nic {} nvme {} gpu {}", w.nic.count, w.nvme.count, w.gpu.count));
      EXPECT_EQ(c.devices, w.nic.count + w.nvme.count + w.gpu.count);
      EXPECT_TRUE(c.unique_bdfs);
      EXPECT_TRUE(c.unique_domains);
      EXPECT_TRUE(c.domains_match);
      EXPECT_LE(c.max_bus, 0xFFu);
      EXPECT_LT(c.max_domain, 256u) << "fits CAP.ND=2";
    }
  }
}

TEST(Generator, OutOfRangeParametersAreRefusedNotWrapped) {
  auto refused = [](const std::function<void(gen::workload&)>& change) {
    auto w = small("all");
    change(w);
    std::vector<record> out;
    nlohmann::ordered_json platform;
    try {
      gen::generate(
          w, [&](const record& r) { out.push_back(r); }, platform);
    } catch (const trace_error&) {
      return out.empty();
    }
    return false;
  };
  EXPECT_TRUE(refused([](auto& w) { w.nic.count = 17; }));
  EXPECT_TRUE(refused([](auto& w) { w.nvme.count = 300; }));
  EXPECT_TRUE(refused([](auto& w) { w.gpu.count = 17; }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.queues = 0; }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.queues = 65; }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.rx_gbps = std::nan(""); }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.tx_gbps = -5; }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.rx_gbps = w.nic.tx_gbps = 0; }));
  EXPECT_TRUE(refused([](auto& w) { w.gpu.gbytes_per_s = std::numeric_limits<double>::infinity(); }));
  EXPECT_TRUE(refused([](auto& w) { w.nvme.iops = 0; }));
  EXPECT_TRUE(refused([](auto& w) { w.nvme.queue_depth = 0; }));
  EXPECT_TRUE(refused([](auto& w) { w.nvme.io_bytes = 5000; }));
  EXPECT_TRUE(refused([](auto& w) { w.faults = w.dma_target + 1; }));
  EXPECT_TRUE(refused([](auto& w) { w.faults = ~uint64_t{0}; }));  // was a division by zero
  EXPECT_TRUE(refused([](auto& w) { w.dma_target = gen::limits::max_dmas + 1; }));
  EXPECT_TRUE(refused([](auto& w) { w.nic.count = w.nvme.count = w.gpu.count = 0; }));
  EXPECT_FALSE(refused([](auto& w) { w.nic.rx_gbps = 0; })) << "zero: no receive traffic";
}

TEST(Generator, ZeroRateMeansNoTrafficThatWay) {
  auto w = small("nic");
  w.nic.rx_gbps = 0;
  auto g = run(w);
  // Without RX, no packet is written into an RX buffer: every DMA write is a 16-byte TX completion.
  uint64_t writes = 0, big_writes = 0;
  for (const auto& r : g.records)
    if (r.kind == record_kind::dma && r.op() == dma_op::write) {
      ++writes;
      big_writes += r.length != 16;
    }
  EXPECT_GT(writes, 0u);
  EXPECT_EQ(big_writes, 0u);
}

TEST(Generator, EveryFaultCountUpToTheDmasIsInjectedExactly) {
  for (uint64_t dmas : {1u, 7u, 100u})
    for (uint64_t faults = 0; faults <= dmas; faults += (dmas < 10 ? 1 : 9)) {
      auto w = small("mixed");
      w.dma_target = dmas;
      w.faults = faults;
      auto g = run(w);
      EXPECT_EQ(g.summary.dmas, dmas);
      EXPECT_EQ(g.summary.faults, faults) << dmas << " DMAs";
      EXPECT_EQ(shadow_replay(g).outside, faults);
    }
}
