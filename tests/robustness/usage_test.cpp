// Usage errors exit 2 with a message naming the option (docs/cli.md); values are never wrapped or truncated;
// --version answers.
#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {
std::string ex() {
  return example("two-devices.json");
}
}  // namespace

TEST(Usage, MistakesExitTwoAndNameTheOption) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"translate --platform " + ex() + " --sid 00:02.0 --iova 0 --no-such-option", "no-such-option"},
      {"translate --platform " + ex() + " --sid 00:02.0 --sid 00:03.0 --iova 0", "--sid"},
      {"translate --platform " + ex() + " --iova 0", "--sid"},
      {"translate --platform " + ex() + " --sid 00:02.0 --iova 0 --read --write", "--read"},
      {"translate --platform " + ex() + " --sid 00:02.0 --iova 0 stray-argument", "positional"},
      {"interrupt --platform " + ex() + " --sid 00:02.0 --addr 0xfee00000 --data 0x100000000", "--data"},
      {"translate --platform " + ex() + " --sid 00:02.0 --iova 0 --length 0x100000000", "--length"},
      {"translate --platform " + ex() + " --sid 00:02.0 --iova zz", "--iova"},
      {"gen --dmas -1 -o /dev/null --platform-out /dev/null", "--dmas"},
      {"replay --platform " + ex() + " --trace /dev/null --warmup -5", "--warmup"},
      {"replay --platform " + ex() + " --trace /dev/null --functional --vcd x.vcd", "--vcd"},
      {"sweep --platform " + ex() + " --trace " + small_workload().trace +
           " --param iotlb.entries --values 16..",
       "16.."},
      {"sweep --platform " + ex() + " --trace " + small_workload().trace +
           " --param iotlb.entries --values ..16",
       "..16"},
      {"sweep --platform " + ex() + " --trace " + small_workload().trace +
           " --param iotlb.entries --values 16..x",
       "16..x"},
      {"nonsense-command", "nonsense-command"},
  };
  for (const auto& [args, named] : cases) {
    SCOPED_TRACE(args);
    auto r = vtdsim(args, 30);
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("stoull"), std::string::npos) << r.err;
  }
}

TEST(Usage, VersionIsPrintedAndInTheStatistics) {
  auto r = vtdsim("--version");
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("vtdsim ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("commit"), std::string::npos) << r.out;
  const auto& w = small_workload();
  auto s =
      vtdsim("replay --platform " + w.platform + " --trace " + w.trace + " --functional -q --stats-json -");
  ASSERT_EQ(s.code, 0) << s.err;
  auto j = nlohmann::json::parse(s.out);
  EXPECT_EQ("vtdsim " + j["tool_version"].get<std::string>() + "\n", r.out);
}

TEST(Usage, SweepRangeNeverRunsAway) {
  // 16..2^64-1 doubles 60 times and stops: no overflow, no endless list; the values are then refused as cache
  // sizes with a message, before any point runs.
  const auto& w = small_workload();
  auto r = vtdsim("sweep --platform " + w.platform + " --trace " + w.trace +
                      " --functional -q --param iotlb.entries --values 16..18446744073709551615",
                  60);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("at most"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--param iotlb.entries"), std::string::npos) << r.err;
}

TEST(Usage, SweepOverPoliciesWritesOneRowPerPolicyAndACategoricalPlot) {
  const auto& w = small_workload();
  const std::string d = fresh_dir("policies");
  auto r = vtdsim("sweep --platform " + w.platform + " --trace " + w.trace +
                  " --functional -q --param iotlb.policy --values lru,fifo,random --csv " + d +
                  "s.csv --svg " + d + "s.svg");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = read_file(d + "s.csv");
  EXPECT_NE(csv.find("\nlru,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nfifo,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nrandom,"), std::string::npos) << csv;
  const std::string svg = read_file(d + "s.svg");
  EXPECT_NE(svg.find(">fifo</text>"), std::string::npos);
  EXPECT_NE(svg.find("iotlb.hit_rate ("), std::string::npos) << "the metric's unit is on the y axis";
}

TEST(Usage, SweepGivesEveryPointItsOwnStatisticsFile) {
  const auto& w = small_workload();
  const std::string d = fresh_dir("per-point");
  auto r = vtdsim("sweep --platform " + w.platform + " --trace " + w.trace +
                  " --functional --param iotlb.entries --values 16,64 -j 2 --stats-json " + d + "stats.json");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* v : {"16", "64"}) {
    const std::string path = d + "stats.iotlb.entries=" + v + ".json";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    auto j = nlohmann::json::parse(read_file(path));
    EXPECT_EQ(j["config"]["caches"]["iotlb"]["entries"].get<int>(), std::stoi(v));
    EXPECT_NE(r.out.find("wrote " + path), std::string::npos) << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(d + "stats.json"));
}

TEST(Usage, SweepPlotHasUnitsOnBothAxes) {
  const auto& w = small_workload();
  const std::string d = fresh_dir("units");
  auto r = vtdsim("sweep --platform " + w.platform + " --trace " + w.trace +
                  " --param timing.table_read_ns --values 50,100 --metric latency.dma_read.mean -q --svg " +
                  d + "s.svg");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = read_file(d + "s.svg");
  EXPECT_NE(svg.find("timing.table_read_ns (ns)"), std::string::npos);
  EXPECT_NE(svg.find("latency.dma_read.mean (ns)"), std::string::npos);
}

TEST(Usage, SweepRefusesATraceItCouldReadOnlyOnce) {
  const auto& w = small_workload();
  auto r = run_shell(exe() + " sweep --platform " + w.platform + " --trace <(cat " + w.trace +
                     ") --functional -q --param iotlb.entries --values 16,32");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("regular file"), std::string::npos) << r.err;
}
