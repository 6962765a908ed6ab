// `vtdsim replay --issue` end to end (issue 13): open loop is the default and its statistics JSON is the one
// an explicit `--issue open` writes (no device section, no issue key: open-loop documents read as before);
// closed loop with one tag keeps exactly one request outstanding (mean tags held = 1, throughput = payload /
// span); closed loop refuses the functional model.
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

constexpr auto& run = vtd::test::run_vtdsim;

std::string put(const std::string& name, const std::string& text) {
  const std::string path = vtd::test::temp_dir() + name;
  std::ofstream(path) << text;
  return path;
}

const char* kPlatform = R"({"schema": 1, "iommu": {"preset": "server", "memory_size": "1GiB"},
  "domains": [{"id": 1, "address_width": 48, "mappings": []}],
  "devices": [{"bdf": "03:00.0", "name": "nic", "domain": 1}]})";

// A map and 40 reads of 64 B over 16 pages, all ready at time 0.
std::string trace_text() {
  std::string t = "0 map dom=1 iova=0x100000 hpa=0x200000 len=65536 rw\n";
  for (unsigned i = 0; i < 40; ++i)
    t += "0 dma 03:00.0 read " + std::to_string(0x100000 + i * 0x1040 % 0x10000) + " 64\n";
  return t;
}

json replay(const std::string& extra) {
  const std::string platform = put("closed-platform.json", kPlatform);
  const std::string trace = put("closed-trace.txt", trace_text());
  const std::string out = vtd::test::temp_dir() + "closed-stats.json";
  std::remove(out.c_str());
  const auto r = run("replay --no-progress -q --platform " + platform + " --trace " + trace +
                     " --stats-json " + out + " " + extra);
  EXPECT_EQ(r.code, 0) << r.out;
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str());
  // Host time differs from run to run.
  j["stats"].erase("sim.wall_seconds");
  j["stats"].erase("sim.requests_per_second");
  return j;
}

}  // namespace

TEST(ClosedLoopCli, OpenIsTheDefaultAndUnchanged) {
  const json def = replay(""), open = replay("--issue open");
  EXPECT_EQ(def, open);
  EXPECT_FALSE(def.contains("issue"));
  EXPECT_FALSE(def["config"].contains("device"));
  for (const auto& [k, v] : def["stats"].items()) EXPECT_EQ(k.find(".closed."), std::string::npos) << k;
  // Open loop: every read at its trace time (0): the unit-side latency includes timing.dma_access_ns.
  EXPECT_GE(def["stats"]["device.nic.latency.p50"].get<double>(), def["config"]["timing"]["dma_access_ns"]);
}

TEST(ClosedLoopCli, OneTagKeepsOneRequestOutstanding) {
  const json j = replay("--preset pcie-bench --set device.tags=1");
  EXPECT_EQ(j["issue"], "closed");
  EXPECT_EQ(j["config"]["device"]["tags"], 1);
  const json& s = j["stats"];
  EXPECT_EQ(s["device.nic.closed.requests"], 40);
  EXPECT_NEAR(s["device.nic.closed.tags_mean"].get<double>(), 1.0, 1e-9);
  const double span = s["device.nic.closed.span_ns"];
  EXPECT_NEAR(s["device.nic.closed.throughput_gbps"].get<double>(), 40 * 64 * 8 / span, 1e-9);
  // One tag: the span is the sum of the 40 latencies, the 39 later reads each stalled.
  EXPECT_NEAR(span, 40 * s["device.nic.closed.latency.mean"].get<double>(), 1e-3);
  EXPECT_EQ(s["device.nic.closed.tag_stalls"], 39);
}

TEST(ClosedLoopCli, MoreTagsMoreThroughput) {
  const json one = replay("--preset pcie-bench --set device.tags=1");
  const json many = replay("--preset pcie-bench");
  EXPECT_GT(many["stats"]["device.nic.closed.throughput_gbps"].get<double>(),
            4 * one["stats"]["device.nic.closed.throughput_gbps"].get<double>());
}

TEST(ClosedLoopCli, ClosedNeedsTheTimedModel) {
  const std::string platform = put("closed-platform.json", kPlatform);
  const std::string trace = put("closed-trace.txt", trace_text());
  const auto r = run("replay --functional --issue closed --platform " + platform + " --trace " + trace);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("timed model"), std::string::npos) << r.out;
  const auto bad = run("replay --issue sideways --platform " + platform + " --trace " + trace);
  EXPECT_EQ(bad.code, 2) << bad.out;
}
