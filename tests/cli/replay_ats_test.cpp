// `vtdsim replay` with an ATS device end to end (issue 13): a device whose context entry has TT=01 keeps a
// device-TLB (hits and misses counted by hand from the trace), per-device configuration overrides take effect
// and are checked (unknown devices and keys are errors naming the key), a device that does not answer
// invalidations makes the replay warn and go on, and a closed-loop replay counts the translation requests.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

using nlohmann::json;
using result = vtd::test::cli_result;
constexpr auto& run = vtd::test::run_vtdsim;

std::string put(const std::string& name, const std::string& text) {
  const std::string path = vtd::test::temp_dir() + name;
  std::ofstream(path) << text;
  return path;
}

const char* kPlatform = R"({"schema": 1,
  "iommu": {"preset": "server", "memory_size": "1GiB"}, "enable": {"queued_invalidation": true},
  "domains": [{"id": 1, "address_width": 48, "mappings": []}],
  "devices": [{"bdf": "03:00.0", "name": "gpu0", "domain": 1, "translation": "device_tlb"},
              {"bdf": "04:00.0", "name": "nic", "domain": 1}]})";

// Two pages; gpu0 reads A, A, B, A, B, B (device-TLB: miss, hit, miss, hit, hit, hit), nic reads A twice.
std::string trace_text(const std::string& tail = "") {
  std::string t = "0 map dom=1 iova=0x100000 hpa=0x200000 len=8192 rw\n";
  const unsigned pages[] = {0, 0, 1, 0, 1, 1};
  unsigned time = 100;
  for (unsigned p : pages)
    t += std::to_string(time += 100) + " dma 03:00.0 read " + std::to_string(0x100000 + p * 0x1000 + 0x40) +
         " 64\n";
  t += std::to_string(time += 100) + " dma 04:00.0 read 0x100000 64\n";
  t += std::to_string(time += 100) + " dma 04:00.0 read 0x100000 64\n";
  return t + tail;
}

struct replayed {
  result r;
  json j;
};

replayed replay(const std::string& extra, const std::string& tail = "") {
  const std::string platform = put("ats-platform.json", kPlatform);
  const std::string trace = put("ats-trace.txt", trace_text(tail));
  const std::string out = vtd::test::temp_dir() + "ats-stats.json";
  std::remove(out.c_str());
  replayed x;
  x.r = run("replay --no-progress --platform " + platform + " --trace " + trace + " --stats-json " + out +
            " " + extra);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  if (x.r.code == 0) x.j = json::parse(ss.str());
  return x;
}

double stat(const json& j, const std::string& name) {
  if (!j["stats"].contains(name)) {
    ADD_FAILURE() << "no statistic " << name;
    return -1;
  }
  return j["stats"][name].get<double>();
}

}  // namespace

TEST(ReplayAtsCli, DeviceTlbCountsByHand) {
  const replayed x = replay("--functional");
  ASSERT_EQ(x.r.code, 0) << x.r.out;
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.tlb_lookups"), 6);
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.tlb_hits"), 4);
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.tlb_misses"), 2);
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.translation_requests"), 2);
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.translated_requests"), 6);
  EXPECT_EQ(stat(x.j, "dma.requests"), 8);  // the record count, not the unit's request count
  EXPECT_EQ(stat(x.j, "dma.faults"), 0);
  // The device without ATS has no ATS statistics.
  EXPECT_FALSE(x.j["stats"].contains("device.nic.ats.dma"));
  EXPECT_NE(x.r.out.find("ATS gpu0"), std::string::npos) << x.r.out;
  EXPECT_NE(x.r.out.find("hit rate  66.7%"), std::string::npos) << x.r.out;
}

TEST(ReplayAtsCli, PerDeviceOverride) {
  // One entry: A, A, B, A, B, B -> miss (fill), hit, miss (fill, evicts A), miss (evicts B), miss (evicts
  // A), hit: 4 misses, 3 evictions.
  const replayed x = replay("--functional --set devices.gpu0.ats.ways=1 --set devices.gpu0.ats.entries=1");
  ASSERT_EQ(x.r.code, 0) << x.r.out;
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.tlb_misses"), 4);
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.tlb_evictions"), 3);
  EXPECT_EQ(x.j["config"]["devices"]["gpu0"]["ats"]["entries"], 1);
  // By BDF, the same.
  const replayed b =
      replay("--functional --set devices.03:00.0.ats.ways=1 --set devices.03:00.0.ats.entries=1");
  ASSERT_EQ(b.r.code, 0) << b.r.out;
  EXPECT_EQ(stat(b.j, "device.gpu0.ats.tlb_misses"), 4);
}

TEST(ReplayAtsCli, UnknownDevicesAndKeysAreErrors) {
  const replayed unknown_device = replay("--functional --set devices.gpu9.tags=4");
  EXPECT_NE(unknown_device.r.code, 0);
  EXPECT_NE(unknown_device.r.out.find("devices.gpu9"), std::string::npos) << unknown_device.r.out;
  const replayed unknown_key = replay("--functional --set devices.gpu0.ats.bogus=1");
  EXPECT_EQ(unknown_key.r.code, 2) << unknown_key.r.out;
  EXPECT_NE(unknown_key.r.out.find("devices.gpu0.ats.bogus"), std::string::npos) << unknown_key.r.out;
  const replayed per_device_issue = replay("--functional --set devices.gpu0.issue=closed");
  EXPECT_EQ(per_device_issue.r.code, 2) << per_device_issue.r.out;
}

TEST(ReplayAtsCli, SilentDeviceTimesOutAndTheReplayWarns) {
  const std::string tail =
      "2000 devtlb-inval 03:00.0 addr=0x100000 qi\n"
      "2100 inv-wait addr=0x3000 data=1 sw qi\n"
      "2200 dma 03:00.0 read 0x100040 64\n";
  const replayed x = replay("--functional --set device.ats.answers_invalidations=false", tail);
  ASSERT_EQ(x.r.code, 0) << x.r.out;
  EXPECT_EQ(stat(x.j, "ats.invalidation_timeouts"), 1);
  EXPECT_EQ(stat(x.j, "ats.waits_aborted"), 1);
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.timeouts"), 1);
  // The device kept its entry: the last read hits (4 + 1).
  EXPECT_EQ(stat(x.j, "device.gpu0.ats.tlb_hits"), 5);
  EXPECT_NE(x.r.out.find("warning: 1 device-TLB invalidation time-out"), std::string::npos) << x.r.out;
  // A device that answers: the entry goes, the last read misses.
  const replayed y = replay("--functional", tail);
  ASSERT_EQ(y.r.code, 0) << y.r.out;
  EXPECT_EQ(stat(y.j, "ats.invalidation_timeouts"), 0);
  EXPECT_EQ(stat(y.j, "device.gpu0.ats.entries_invalidated"), 1);
  EXPECT_EQ(stat(y.j, "device.gpu0.ats.tlb_misses"), 3);
}

TEST(ReplayAtsCli, ClosedLoopCountsTranslationRequests) {
  const replayed x = replay("--issue closed");
  ASSERT_EQ(x.r.code, 0) << x.r.out;
  EXPECT_EQ(stat(x.j, "device.gpu0.closed.translation_requests"), 2);
  EXPECT_EQ(stat(x.j, "device.gpu0.closed.requests"), 6);
  EXPECT_GT(stat(x.j, "device.gpu0.ats.translation_latency_share"), 0);
  EXPECT_FALSE(x.j["stats"].contains("device.nic.closed.translation_requests"));
}
