// `vtdsim gen` (issue 9, item 11): every option is range-checked before anything is written (exit 2, a
// message naming the option, the value given and the range), a count of zero means no device of that kind,
// and whatever gen accepts is a platform that `vtdsim check` loads and a trace that `vtdsim replay` replays
// with no fault but the injected ones.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {

struct outputs {
  std::string trace, platform;
};

outputs paths(const std::string& name) {
  return {tmp() + name + ".vtdt", tmp() + name + ".json"};
}

run_result gen(const std::string& args, const outputs& o) {
  return vtdsim("gen " + args + " -o " + o.trace + " --platform-out " + o.platform + " -q", 30);
}

bool exists(const std::string& path) {
  return std::filesystem::exists(path);
}

nlohmann::json load_json(const std::string& path) {
  return nlohmann::json::parse(read_file(path));
}

}  // namespace

TEST(Gen, OutOfRangeOptionsAreUsageErrorsNamingOptionValueAndRange) {
  struct refused {
    std::string args, message;
  };
  const std::vector<refused> cases = {
      // 17 NICs gave two devices domain 17 and bus 0x20 (the platform did not load); 300 wrapped the bus.
      {"--nic-count 17", "--nic-count '17': must be an integer in 0..16"},
      {"--nic-count 300", "--nic-count '300': must be an integer in 0..16"},
      {"--workload all --nvme-count 17", "--nvme-count '17': must be an integer in 0..16"},
      {"--workload all --gpu-count 17", "--gpu-count '17': must be an integer in 0..16"},
      {"--nic-queues 0", "--nic-queues '0': must be an integer in 1..64"},
      {"--nic-queues 65", "--nic-queues '65': must be an integer in 1..64"},
      // -1 ran forever (2^64-1 DMAs); 0 DMAs is no trace at all.
      {"--dmas -1", "--dmas '-1': must be an integer in 1..1000000000"},
      {"--dmas 0", "--dmas '0': must be an integer in 1..1000000000"},
      {"--dmas 1000000001", "--dmas '1000000001': must be an integer in 1..1000000000"},
      {"--dmas 1e3", "--dmas '1e3': must be an integer"},
      {"--seed -1", "--seed '-1': must be an integer in 0..18446744073709551615"},
      // -1 faults divided by zero.
      {"--dmas 10 --faults -1", "--faults '-1': must be an integer in 0..10"},
      {"--dmas 10 --faults 11", "--faults '11': must be an integer in 0..10"},
      {"--nic-rx-gbps -5",
       "--nic-rx-gbps '-5': must be 0 (no receive traffic) or a number in 0.01..1000 Gbit/s"},
      {"--nic-rx-gbps nan", "--nic-rx-gbps 'nan': must be 0 (no receive traffic) or a number in 0.01..1000"},
      {"--nic-tx-gbps inf", "--nic-tx-gbps 'inf': must be 0 (no transmit traffic) or a number in 0.01..1000"},
      {"--nic-tx-gbps 0.001", "--nic-tx-gbps '0.001': must be 0 (no transmit traffic)"},
      {"--nic-rx-gbps 1e9", "--nic-rx-gbps '1e9': must be 0"},
      {"--nic-rx-gbps 25x", "--nic-rx-gbps '25x': must be 0"},
      {"--nic-rx-gbps 0 --nic-tx-gbps 0", "--nic-rx-gbps and --nic-tx-gbps are both 0"},
      // 0 IOPS silently became 200000.
      {"--nvme-iops 0", "--nvme-iops '0': must be an integer in 100..10000000"},
      {"--nvme-qd 0", "--nvme-qd '0': must be an integer in 1..4096"},
      {"--nvme-io 0", "--nvme-io '0': must be an integer in 4096..131072"},
      {"--nvme-io 6000", "--nvme-io '6000': must be a multiple of 4096 in 4096..131072"},
      {"--workload gpu --gpu-gbps 0", "--gpu-gbps '0': must be a number in 0.01..1000 GB/s"},
      {"--workload gpu --gpu-gbps -nan", "--gpu-gbps '-nan': must be a number in 0.01..1000 GB/s"},
      // 0 GPUs silently became 1.
      {"--workload gpu --gpu-count 0", "no devices to generate"},
      {"--workload mixed --nic-count 0 --nvme-count 0", "no devices to generate"},
      {"--workload bogus", "--workload 'bogus': expected mixed, nic, nvme, gpu or all"},
      {"--nic-mode lazy", "--nic-mode 'lazy': expected strict or deferred"},
      {"--format xml", "--format 'xml': expected binary or text"},
      {"--compression lz4", "--compression 'lz4': expected zstd, xz, gzip or none"},
  };
  for (const auto& c : cases) {
    const auto o = paths("refused");
    auto r = gen(c.args, o);
    EXPECT_FALSE(r.timed_out) << c.args;
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_FALSE(exists(o.trace)) << c.args << ": nothing is written for a usage error";
    EXPECT_FALSE(exists(o.platform)) << c.args;
  }
}

TEST(Gen, TraceAndPlatformMustBeTwoFiles) {
  const std::string same = tmp() + "same.out";
  auto r = vtdsim("gen --dmas 100 -q -o " + same + " --platform-out " + tmp() + "./same.out", 30);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("need a file each"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(same));
  r = vtdsim("gen --dmas 100 -q -o /dev/null --platform-out /dev/null", 30);
  EXPECT_EQ(r.code, 0) << "a device may take both: " << r.err;
}

TEST(Gen, DemoChecksItsOptionsBeforeWritingAnything) {
  const std::string dir = tmp() + "demo-refused";
  auto r = vtdsim("demo --functional --dmas -1 --dir " + dir, 30);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--dmas '-1': must be an integer in 1..1000000000"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(dir));
}

TEST(Gen, ZeroCountMeansNoDeviceOfThatKind) {
  const auto o = paths("zero");
  auto r = gen("--workload mixed --nic-count 0 --dmas 200", o);
  ASSERT_EQ(r.code, 0) << r.err;
  auto p = load_json(o.platform);
  ASSERT_EQ(p["devices"].size(), 1u) << p["devices"].dump();
  EXPECT_EQ(p["devices"][0]["bdf"], "20:00.0");  // nvme0 alone
  r = gen("--workload all --gpu-count 0 --dmas 200", o);
  ASSERT_EQ(r.code, 0) << r.err;
  p = load_json(o.platform);
  ASSERT_EQ(p["devices"].size(), 2u) << p["devices"].dump();
  EXPECT_EQ(p["devices"][0]["name"], "nic0");
  EXPECT_EQ(p["devices"][1]["name"], "nvme0");
}

// The property: for a grid of workloads and device counts up to the limits, the generated platform loads
// (`vtdsim check`: exit 0), every device has a BDF and a domain of its own, and the trace replays with
// exactly the requested DMAs and injected faults, no interrupt fault and no stale translation.
TEST(Gen, EveryAcceptedWorkloadLoadsAndReplays) {
  struct point {
    std::string args;
    unsigned devices;
    uint64_t dmas = 400, faults = 0;
  };
  const std::vector<point> grid = {
      {"--workload mixed", 2},
      {"--workload nic", 1},
      {"--workload nvme", 1},
      {"--workload gpu", 1},
      {"--workload all", 3},
      {"--workload nic --nic-count 2", 2},
      {"--workload nic --nic-count 15", 15},
      {"--workload nic --nic-count 16 --nic-queues 64 --nic-mode deferred", 16},
      {"--workload nvme --nvme-count 2", 2},
      {"--workload nvme --nvme-count 16 --nvme-qd 4096 --nvme-io 131072 --nvme-iops 10000000 --nvme-mode "
       "deferred",
       16},
      {"--workload gpu --gpu-count 16 --gpu-gbps 1000", 16},
      {"--workload all --nic-count 16 --nvme-count 16 --gpu-count 16", 48},
      {"--workload all --nic-count 16 --nvme-count 16 --gpu-count 16 --nic-queues 64 --nic-page-pool", 48},
      {"--workload mixed --nic-count 0", 1},
      {"--workload mixed --nvme-count 0", 1},
      {"--workload all --gpu-count 0", 2},
      {"--workload gpu --nic-count 1 --gpu-count 0", 1},
      {"--workload nic --nic-rx-gbps 0 --nic-tx-gbps 1000", 1},
      {"--workload nic --nic-rx-gbps 0.01 --nic-tx-gbps 0", 1},
      {"--workload nvme --nvme-iops 100 --nvme-qd 1", 1},
      {"--workload gpu --gpu-gbps 0.01", 1},
      {"--workload all", 3, 400, 7},
      {"--workload mixed", 2, 1, 1},
      {"--workload nic --format text --compression none --seed 0xffffffffffffffff", 1},
      {"--workload nvme --compression gzip", 1},
  };
  for (const auto& g : grid) {
    SCOPED_TRACE(g.args);
    const auto o = paths("grid");
    auto r = gen(fmt::format("{} --dmas {} --faults {}", g.args, g.dmas, g.faults), o);
    ASSERT_EQ(r.code, 0) << r.err;

    auto p = load_json(o.platform);
    ASSERT_EQ(p["devices"].size(), g.devices);
    std::set<std::string> bdfs;
    std::set<unsigned> domains;
    for (const auto& d : p["devices"]) {
      EXPECT_TRUE(bdfs.insert(d["bdf"].get<std::string>()).second) << d.dump();
      EXPECT_TRUE(domains.insert(d["domain"].get<unsigned>()).second) << d.dump();
    }

    auto check = vtdsim("check --platform " + o.platform, 60);
    EXPECT_EQ(check.code, 0) << check.out << check.err;

    const std::string stats = tmp() + "grid-stats.json";
    auto replay = vtdsim("replay --functional --quiet --platform " + o.platform + " --trace " + o.trace +
                             " --stats-json " + stats,
                         120);
    ASSERT_EQ(replay.code, 0) << replay.err;
    auto s = load_json(stats)["stats"];
    EXPECT_EQ(s["dma.requests"], g.dmas + g.faults);
    EXPECT_EQ(s["dma.faults"], g.faults);
    EXPECT_EQ(s["msi.faults"], 0);
    EXPECT_EQ(s["stale.translations_served"], 0);
  }
}
