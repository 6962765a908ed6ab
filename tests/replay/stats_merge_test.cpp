// Combining the statistics of several remapping units (stats_report.hpp, merge_reports): each rule against
// figures computed by the test from the inputs.
#include <gtest/gtest.h>

#include <random>

#include "apps/replay/stats_report.hpp"

using namespace vtd::replay;

TEST(StatsMerge, SumsMaximaAndRatiosFromTheirParts) {
  stats_report a, b;
  a.add("dma.requests", 10, "count", "d");
  a.add("pw_queue.max", 3, "count", "q", true, stat_merge::max);
  a.add_ratio("iotlb.hit_rate", 3, 4, "r");
  b.add("dma.requests", 5, "count", "d");
  b.add("pw_queue.max", 7, "count", "q", true, stat_merge::max);
  b.add_ratio("iotlb.hit_rate", 1, 6, "r");
  const stats_report m = merge_reports({&a, &b});
  EXPECT_EQ(m.find("dma.requests")->value, 15);
  EXPECT_EQ(m.find("pw_queue.max")->value, 7);
  // (3 + 1) / (4 + 6), not the mean of 0.75 and 0.1667.
  EXPECT_DOUBLE_EQ(m.find("iotlb.hit_rate")->value, 0.4);
  stats_report empty;
  empty.add_ratio("iotlb.hit_rate", 0, 0, "r");
  EXPECT_EQ(merge_reports({&empty, &empty}).find("iotlb.hit_rate")->value, 0);
}

TEST(StatsMerge, LatencyFiguresComeFromTheMergedHistogram) {
  std::mt19937_64 rng(7);
  histogram ha, hb, all;
  for (int i = 0; i < 5000; ++i) {
    const uint64_t v = 100000 + rng() % 900000;  // 100..1000 ns, in ps
    ha.add(v);
    all.add(v);
  }
  for (int i = 0; i < 3000; ++i) {
    const uint64_t v = 2000000 + rng() % 100000;  // a slower unit
    hb.add(v);
    all.add(v);
  }
  stats_report a, b, expect;
  a.add_latency("latency.dma_read", ha, "x");
  b.add_latency("latency.dma_read", hb, "x");
  expect.add_latency("latency.dma_read", all, "x");
  const stats_report m = merge_reports({&a, &b});
  for (const char* f : {".count", ".mean", ".p50", ".p90", ".p99", ".max"}) {
    const std::string name = std::string("latency.dma_read") + f;
    EXPECT_DOUBLE_EQ(m.find(name)->value, expect.find(name)->value) << name;
  }
  EXPECT_EQ(m.find("latency.dma_read.count")->value, 8000);
  // The p90 lies in the slow unit's range: no per-unit figure could give it.
  EXPECT_GT(m.find("latency.dma_read.p90")->value, 1999.0);
}

TEST(StatsMerge, NamesOfOnePartKeepTheirPlace) {
  stats_report a, b;
  a.add("dma.requests", 1, "count", "d");
  a.add("faults.0x02", 1, "count", "f");
  a.add("device.nic0.dma", 1, "count", "n");
  b.add("dma.requests", 1, "count", "d");
  b.add("faults.0x06", 2, "count", "f");  // only in b: goes after its predecessor there
  b.add("device.nvme0.dma", 3, "count", "n");
  const stats_report m = merge_reports({&a, &b});
  std::vector<std::string> names;
  for (const auto& e : m.entries()) names.push_back(e.name);
  // Each new name joins its group (faults with faults, devices with devices).
  EXPECT_EQ(names, (std::vector<std::string>{"dma.requests", "faults.0x02", "faults.0x06", "device.nic0.dma",
                                             "device.nvme0.dma"}));
  stats_report c;
  c.add("dma.requests", 1, "count", "d");
  c.add("ats.timeouts", 1, "count", "t");  // a group no earlier part has: after its predecessor in c
  c.add("faults.0x02", 1, "count", "f");
  names.clear();
  const stats_report ac = merge_reports({&a, &c});
  for (const auto& e : ac.entries()) names.push_back(e.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"dma.requests", "ats.timeouts", "faults.0x02", "device.nic0.dma"}));
  EXPECT_EQ(m.find("device.nvme0.dma")->value, 3);
}

TEST(StatsMerge, PrefixedCopiesAndSet) {
  stats_report a, total;
  a.add("sim.records", 4, "count", "r");
  a.add("dma.requests", 2, "count", "d");
  total.add_prefixed("unit.dmar0.", a, [](const std::string& n) { return n.rfind("sim.", 0) != 0; });
  ASSERT_EQ(total.entries().size(), 1u);
  EXPECT_EQ(total.entries()[0].name, "unit.dmar0.dma.requests");
  EXPECT_TRUE(total.set("unit.dmar0.dma.requests", 9));
  EXPECT_EQ(total.find("unit.dmar0.dma.requests")->value, 9);
  EXPECT_FALSE(total.set("nothing", 1));
}

TEST(StatsMerge, SaveRestoreKeepsWhatMergingNeeds) {
  // A unit's timed replay runs in its own process and sends its report: merging the restored reports must
  // give what merging the originals gives, histograms included.
  std::mt19937_64 rng(11);
  histogram h1, h2;
  for (int i = 0; i < 2000; ++i) h1.add(rng() % 5000000);
  for (int i = 0; i < 1500; ++i) h2.add(1000000 + rng() % 50000);
  stats_report a, b;
  a.add("dma.requests", 7, "count", "d");
  a.add_ratio("iotlb.hit_rate", 5, 7, "r");
  a.add_latency("latency.dma_read", h1, "x");
  a.add("pw_occupancy", 0.25, "walkers", "w", false);
  b.add("dma.requests", 3, "count", "d");
  b.add_ratio("iotlb.hit_rate", 1, 3, "r");
  b.add_latency("latency.dma_read", h2, "x");
  b.add("pw_occupancy", 0.5, "walkers", "w", false);
  const stats_report ra = stats_report::restore(nlohmann::json::parse(a.save().dump()));
  const stats_report rb = stats_report::restore(nlohmann::json::parse(b.save().dump()));
  EXPECT_EQ(ra.to_json(), a.to_json());
  EXPECT_EQ(ra.describe_json(), a.describe_json());
  const stats_report m1 = merge_reports({&a, &b}), m2 = merge_reports({&ra, &rb});
  EXPECT_EQ(m1.to_json(), m2.to_json());
  EXPECT_DOUBLE_EQ(m2.find("iotlb.hit_rate")->value, 0.6);
  EXPECT_EQ(m2.find("latency.dma_read.count")->value, 3500);
  EXPECT_THROW(stats_report::restore(nlohmann::json::parse(R"([{"name": "x"}])")), std::runtime_error);
}
