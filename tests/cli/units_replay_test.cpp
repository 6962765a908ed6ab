// Replay on a platform with several remapping units, end to end: the test splits a generated one-unit
// platform into units itself (its own placement, independent of `gen --units`) and checks the replay against
// the one-unit replay of the same trace (every DMA translates to the same address: the units' caches may hold
// different entries, never different translations), the totals against the units' own figures, and a
// threaded run against a sequential one (identical results, the first error in trace order).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_run.hpp"

using nlohmann::json;
using vtd::test::run_vtdsim;
using vtd::test::slurp;
using vtd::test::write_temp;

namespace {

struct fixture_files {
  std::string trace, one_unit, two_units;
};

// Two NICs (10:00.0 in domain 1, 11:00.0 in domain 2), 20 000 DMAs; the two-unit platform puts device k
// and the domains it uses under unit k.
const fixture_files& files() {
  static const fixture_files f = [] {
    fixture_files r;
    r.trace = vtd::test::temp_dir() + "units.vtdt";
    r.one_unit = vtd::test::temp_dir() + "units-one.json";
    const auto g = run_vtdsim(fmt::format(
        "gen -q --workload nic --nic-count 2 --dmas 20000 --compression none -o {} --platform-out {}",
        r.trace, r.one_unit));
    EXPECT_EQ(g.code, 0) << g.out;
    const json one = json::parse(slurp(r.one_unit));
    json units = json::array();
    for (size_t k = 0; k < 2; ++k) {
      json u = one;
      u.erase("schema");
      u["iommu"].erase("table_region");
      u["name"] = fmt::format("dmar{}", k);
      u["devices"] = json::array({one["devices"][k]});
      json domains = json::array();
      for (const auto& d : one["domains"])
        if (d["id"] == one["devices"][k]["domain"]) domains.push_back(d);
      u["domains"] = domains;
      units.push_back(u);
    }
    r.two_units = write_temp("units-two.json", json{{"schema", 1}, {"units", units}}.dump(1));
    return r;
  }();
  return f;
}

json replay(const std::string& platform, const std::string& extra, const std::string& tag) {
  const std::string stats = vtd::test::temp_dir() + "stats-" + tag + ".json";
  const auto r = run_vtdsim(fmt::format("replay --functional -q --platform {} --trace {} --stats-json {} {}",
                                        platform, files().trace, stats, extra));
  EXPECT_EQ(r.code, 0) << r.out;
  return json::parse(slurp(stats));
}

// The CSV lines with only the columns that do not depend on what the caches held.
std::vector<std::string> outcome_columns(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    // index,time_ns,sid,kind,address,status,fault,hpa,iotlb_hit,...: keep the first 8
    size_t pos = 0;
    for (int i = 0; i < 8 && pos != std::string::npos; ++i) pos = line.find(',', pos + 1);
    out.push_back(line.substr(0, pos));
  }
  return out;
}

json without_host_fields(json j) {
  j["stats"].erase("sim.wall_seconds");
  j["stats"].erase("sim.requests_per_second");
  j.erase("tool_version");
  return j;
}

}  // namespace

TEST(UnitsReplay, TranslatesEveryDmaAsTheOneUnitPlatformDoes) {
  const std::string csv1 = vtd::test::temp_dir() + "one.csv", csv2 = vtd::test::temp_dir() + "two.csv";
  const json one = replay(files().one_unit, "--per-request " + csv1, "one");
  const json two = replay(files().two_units, "--threads 2 --per-request " + csv2, "two");
  const auto a = outcome_columns(slurp(csv1)), b = outcome_columns(slurp(csv2));
  ASSERT_GT(a.size(), 20000u);
  EXPECT_EQ(a, b);  // every request, in trace order, with the same status, fault and HPA
  const json& s1 = one["stats"];
  const json& s2 = two["stats"];
  for (const char* k : {"sim.records", "dma.requests", "dma.faults", "msi.requests", "msi.delivered",
                        "driver.maps", "driver.unmaps", "device.nic0.dma", "device.nic1.dma",
                        "device.nic0.bytes", "device.nic1.bytes", "stale.translations_served"})
    EXPECT_EQ(s1.value(k, -1.0), s2.value(k, -2.0)) << k;
  EXPECT_EQ(s2["sim.units"], 2);
}

TEST(UnitsReplay, TotalsAreTheUnitsFigures) {
  const json s = replay(files().two_units, "--threads 1", "totals")["stats"];
  for (const char* k : {"dma.requests", "iotlb_lookup", "iotlb_hit", "walks", "iommu_mrds", "driver.maps",
                        "inval.queued_iotlb", "inval.queued_wait", "msi.requests"})
    EXPECT_EQ(s[k].get<double>(), s[std::string("unit.dmar0.") + k].get<double>() +
                                      s[std::string("unit.dmar1.") + k].get<double>())
        << k;
  // Each unit saw only its own device, its own domain's maps.
  EXPECT_EQ(s["unit.dmar0.device.nic0.dma"], s["device.nic0.dma"]);
  EXPECT_FALSE(s.contains("unit.dmar0.device.nic1.dma"));
  EXPECT_GT(s["unit.dmar1.driver.maps"].get<double>(), 0);
  const double hits = s["iotlb_hit"], lookups = s["iotlb_lookup"];
  EXPECT_DOUBLE_EQ(s["iotlb.hit_rate"].get<double>(), hits / lookups);
}

TEST(UnitsReplay, ThreadedEqualsSequential) {
  const std::string csv1 = vtd::test::temp_dir() + "seq.csv", csv2 = vtd::test::temp_dir() + "thr.csv";
  const json seq = replay(files().two_units, "--threads 1 --warmup 500 --per-request " + csv1, "seq");
  const json thr = replay(files().two_units, "--threads 2 --warmup 500 --per-request " + csv2, "thr");
  EXPECT_EQ(without_host_fields(seq).dump(1), without_host_fields(thr).dump(1));
  EXPECT_EQ(slurp(csv1), slurp(csv2));
}

TEST(UnitsReplay, WarmupCountsTheWholeTrace) {
  // The measured window opens after the first 500 requests of the trace, whichever units they went to.
  const json one = replay(files().one_unit, "--warmup 500", "w1")["stats"];
  const json two = replay(files().two_units, "--warmup 500 --threads 2", "w2")["stats"];
  EXPECT_EQ(one["dma.requests"], two["dma.requests"]);
  EXPECT_EQ(one["msi.requests"], two["msi.requests"]);
  EXPECT_EQ(one["driver.maps"], two["driver.maps"]);
  EXPECT_EQ(two["sim.warmup_requests"], 500);
  const auto r = run_vtdsim(fmt::format("replay --functional -q --platform {} --trace {} --warmup 99999999",
                                        files().two_units, files().trace));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("warmup 99999999 but the trace has"), std::string::npos) << r.out;
}

TEST(UnitsReplay, FirstErrorInTraceOrderWhateverTheThreads) {
  // Record 2 is wrong only for unit 1 (domain 1 is not on it), record 3 only for unit 0: every run reports
  // record 2, although unit 0's thread meets its own error.
  const std::string trace = write_temp("bad.txt",
                                       "0 dma 10:00.0 read 0xffffe000 64\n"
                                       "1 dma 11:00.0 read 0xffffe000 64\n"
                                       "2 attach 11:00.0 dom=1\n"
                                       "3 attach 10:00.0 dom=2\n");
  for (const char* model : {"--functional", ""})  // threads, or (timed) a process per unit
    for (const char* threads : {"1", "2"}) {
      const auto r = run_vtdsim(fmt::format("replay {} -q --platform {} --trace {} --threads {}", model,
                                            files().two_units, trace, threads));
      EXPECT_NE(r.code, 0);
      EXPECT_NE(r.out.find("bad.txt: record 2: "), std::string::npos) << model << threads << ": " << r.out;
    }
  const std::string outside = write_temp("outside.txt", "0 dma 40:00.0 read 0x1000 64\n");
  const auto r =
      run_vtdsim(fmt::format("replay --functional -q --platform {} --trace {}", files().two_units, outside));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("outside.txt: record 0: source-id 40:00.0 is in no remapping unit's device scope"),
            std::string::npos)
      << r.out;
}

TEST(UnitsReplay, TimedUnitsRunInProcessesWithTheSameResults) {
  // Each unit's timed replay runs in a process of its own: one at a time or two at once, the same figures,
  // latency percentiles (from the merged histograms) included; the counts are the functional replay's.
  const json seq = replay(files().two_units, "--threads 1", "timed1");
  const std::string stats = vtd::test::temp_dir() + "timed2.json";
  const std::string csv1 = vtd::test::temp_dir() + "timed1.csv", csv2 = vtd::test::temp_dir() + "timed2.csv";
  auto timed = [&](const char* threads, const std::string& out, const std::string& csv) {
    const auto r =
        run_vtdsim(fmt::format("replay -q --platform {} --trace {} --threads {} --stats-json {} "
                               "--per-request {}",
                               files().two_units, files().trace, threads, out, csv));
    EXPECT_EQ(r.code, 0) << r.out;
    return json::parse(slurp(out));
  };
  const json t1 = timed("1", vtd::test::temp_dir() + "timed-a.json", csv1);
  const json t2 = timed("2", stats, csv2);
  EXPECT_EQ(t2["mode"], "timed");
  EXPECT_EQ(without_host_fields(t1).dump(1), without_host_fields(t2).dump(1));
  EXPECT_EQ(slurp(csv1), slurp(csv2));
  const json& s = t2["stats"];
  for (const char* k : {"dma.requests", "iotlb_hit", "walks", "driver.maps", "inval.queued_wait"})
    EXPECT_EQ(s[k], seq["stats"][k]) << k;
  EXPECT_EQ(s["latency.dma_read.count"].get<double>() + s["latency.dma_write.count"].get<double>(),
            s["dma.requests"].get<double>());
  EXPECT_EQ(s["latency.dma_read.count"].get<double>(),
            s["unit.dmar0.latency.dma_read.count"].get<double>() +
                s["unit.dmar1.latency.dma_read.count"].get<double>());
  EXPECT_EQ(s["latency.dma_read.max"].get<double>(),
            std::max(s["unit.dmar0.latency.dma_read.max"].get<double>(),
                     s["unit.dmar1.latency.dma_read.max"].get<double>()));
  // Every request's line, in trace order, with the functional replay's translation.
  const std::string fcsv = vtd::test::temp_dir() + "functional.csv";
  replay(files().two_units, "--per-request " + fcsv, "fcsv");
  EXPECT_EQ(outcome_columns(slurp(fcsv)), outcome_columns(slurp(csv2)));
}

TEST(UnitsReplay, WhatOneUnitAloneCanDoIsRefusedWithTheReason) {
  const auto closed = run_vtdsim(
      fmt::format("replay -q --platform {} --trace {} --issue closed", files().two_units, files().trace));
  EXPECT_EQ(closed.code, 2);
  EXPECT_NE(closed.out.find("closed-loop issue replays one unit"), std::string::npos) << closed.out;
  const auto vcd = run_vtdsim(fmt::format("replay -q --platform {} --trace {} --vcd {}", files().two_units,
                                          files().trace, vtd::test::temp_dir() + "w.vcd"));
  EXPECT_EQ(vcd.code, 2);
  EXPECT_NE(vcd.out.find("--vcd and --epochs show one unit's walkers"), std::string::npos) << vcd.out;
  const auto stream =
      run_vtdsim(fmt::format("replay -q --platform {} --trace - < {}", files().two_units, files().trace));
  EXPECT_EQ(stream.code, 2);
  EXPECT_NE(stream.out.find("read the trace from a regular file"), std::string::npos) << stream.out;
  // The functional model reads a stream on one thread.
  const auto fstream = run_vtdsim(
      fmt::format("replay -q --functional --platform {} --trace - < {}", files().two_units, files().trace));
  EXPECT_EQ(fstream.code, 0) << fstream.out;
}

TEST(UnitsCommands, OneUnitCommandsTakeUnitAndCheckTakesEvery) {
  // translate on unit dmar1 answers as the one-unit platform does for its device; on dmar0, whose scope does
  // not list 11:00.0, the root entry of bus 0x11 is not present (fault 01h).
  const std::string q = "--sid 11:00.0 --iova 0xffffe000";
  const auto one = run_vtdsim(fmt::format("translate --platform {} {}", files().one_unit, q));
  const auto mine = run_vtdsim(fmt::format("translate --platform {} --unit dmar1 {}", files().two_units, q));
  const auto other = run_vtdsim(fmt::format("translate --platform {} --unit dmar0 {}", files().two_units, q));
  EXPECT_EQ(one.code, 0);
  EXPECT_EQ(one.out, mine.out);
  EXPECT_NE(other.out.find("FAULT 0x01 root_not_present"), std::string::npos) << other.out;
  const auto none = run_vtdsim(fmt::format("translate --platform {} {}", files().two_units, q));
  EXPECT_NE(none.code, 0);
  EXPECT_NE(none.out.find("has 2 remapping units (dmar0, dmar1): pick one with --unit NAME"),
            std::string::npos)
      << none.out;
  const auto bad = run_vtdsim(fmt::format("translate --platform {} --unit dmar7 {}", files().two_units, q));
  EXPECT_NE(bad.out.find("--unit dmar7: "), std::string::npos) << bad.out;
  // check without --unit: each unit's tables, a report each (JSON: by unit name).
  const auto check = run_vtdsim(fmt::format("check --platform {}", files().two_units));
  EXPECT_EQ(check.code, 0) << check.out;
  EXPECT_NE(check.out.find("unit dmar0:\nvtdsim check: 0 errors"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("unit dmar1:\nvtdsim check: 0 errors"), std::string::npos) << check.out;
  const auto cj = vtd::test::run_vtdsim_split(fmt::format("check --json --platform {}", files().two_units));
  const json j = json::parse(cj.out);
  EXPECT_EQ(j["units"].size(), 2u);
  EXPECT_EQ(j["units"]["dmar1"]["summary"]["errors"], 0);
}
