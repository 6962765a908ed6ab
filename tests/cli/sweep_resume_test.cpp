// A sweep directory: rerunning resumes (points already done are not run again), and a point that fails is
// reported and recorded without stopping the others.
#include "tests/cli/sweep_fixture.hpp"

using namespace vtd::sweep_test;

namespace {

std::map<std::string, std::string> point_files(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir + "points"))
    files[e.path().filename().string()] = slurp(e.path().string());
  return files;
}

}  // namespace

TEST(SweepResume, RerunSkipsDonePointsAndRedoesAMissingOne) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "run/";
  const std::string cmd = "sweep --functional --no-progress --platform " + w.platform + " --trace " + w.a +
                          " --param iotlb.entries --values 16,32,64 --out " + d;
  auto first = vtdsim(cmd);
  ASSERT_EQ(first.code, 0) << first.err;
  auto before = point_files(d);
  ASSERT_EQ(before.size(), 3u);
  // An interrupted sweep: one point's result never landed.
  const std::string lost = before.begin()->first;
  std::filesystem::remove(d + "points/" + lost);
  auto again = vtdsim(cmd);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("2 of 3 points were done in an earlier run"), std::string::npos) << again.out;
  auto after = point_files(d);
  ASSERT_EQ(after.size(), 3u);
  for (const auto& [name, text] : before) {
    SCOPED_TRACE(name);
    if (name == lost) {
      // Rerun: the same statistics (its wall time may differ).
      auto a = nlohmann::json::parse(text), b = nlohmann::json::parse(after[name]);
      EXPECT_EQ(a["stats"]["iotlb_hit"], b["stats"]["iotlb_hit"]);
    } else {
      EXPECT_EQ(after[name], text) << "a point done earlier was run again";
    }
  }
  EXPECT_EQ(read_csv(d + "results.csv").size(), 4u);
}

TEST(SweepResume, AChangedConfigurationIsNotTakenForDone) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "cfg/";
  const std::string cmd = "sweep --functional -q --platform " + w.platform + " --trace " + w.a +
                          " --param iotlb.entries --values 16 --out " + d;
  ASSERT_EQ(vtdsim(cmd).code, 0);
  auto r = vtdsim(cmd + " --set iotlb.ways=4");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(point_files(d).size(), 2u) << "the new configuration is a new point";
}

TEST(SweepResume, AFailingPointIsReportedAndTheOthersRun) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  // A regular file that is not a trace: its points fail when they replay, not when the grid is checked.
  std::ofstream(d + "broken.vtdt") << "this is not a trace\n";
  const std::string cmd = "sweep --functional --no-progress --platform " + w.platform + " --trace " + w.a +
                          " --trace " + d + "broken.vtdt --param iotlb.entries --values 16,32 --out " + d +
                          "f/";
  auto r = vtdsim(cmd);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("2 of 4 points failed or missing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.vtdt"), std::string::npos) << r.err;
  const auto m = read_json(d + "f/manifest.json");
  EXPECT_EQ(m["summary"]["ok"], 2);
  EXPECT_EQ(m["summary"]["failed"], 2);
  for (const auto& [id, e] : m["points"].items()) {
    const bool broken = e["trace"].get<std::string>().find("broken") != std::string::npos;
    EXPECT_EQ(e["status"], broken ? "failed" : "ok") << id;
    if (broken) {
      EXPECT_EQ(e["exit_status"], 1);
      EXPECT_FALSE(e["error"].get<std::string>().empty());
      EXPECT_TRUE(std::filesystem::exists(d + "f/points/" + id + ".failed.json"));
    }
  }
  const auto rows = read_csv(d + "f/results.csv");
  ASSERT_EQ(rows.size(), 3u) << "one row per point that ran";
  // A rerun tries the failed points again and still skips the good ones.
  auto again = vtdsim(cmd);
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.out.find("2 of 4 points were done in an earlier run"), std::string::npos) << again.out;
}

// The case: a 3-parameter grid over two traces (2 x 2 x 2 x 2 traces = 16 points), interrupted by
// SIGINT while it runs, then run again: the points that had landed are kept byte for byte, the rest run, and
// the merged CSV has every point.
TEST(SweepResume, ThreeParameterGridOverTwoTracesResumesAfterSigint) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "sigint/";
  std::string args = "sweep --functional --no-progress -j 1 --platform ";
  args += w.platform;
  args += " --trace " + w.a;
  args += " --trace " + w.b;
  args += " --param iotlb.entries --values 16,64 --param iotlb.policy --values lru,fifo";
  args += " --param pde.entries --values 16,64 --out " + d;
  // Start it, wait until some (not all) points have landed, interrupt it.
  std::string script = "(";
  script += VTDSIM_EXE;
  script += " " + args + " >/dev/null 2>&1 & pid=$!; for i in $(seq 1 400); do n=$(ls ";
  script += d + "points 2>/dev/null | grep -c json); [ \"$n\" -ge 3 ] && break; sleep 0.01; done; ";
  script += "kill -INT $pid; wait $pid; echo $?)";
  auto started = shell(script);
  const int interrupted_status = std::atoi(started.out.c_str());
  EXPECT_NE(interrupted_status, 0) << started.out;  // interrupted: not a success
  auto landed = point_files(d);
  ASSERT_GE(landed.size(), 3u);
  ASSERT_LT(landed.size(), 16u) << "the sweep finished before it could be interrupted";
  for (const auto& [name, text] : landed)
    EXPECT_EQ(name.find(".vtdsim-"), std::string::npos) << "temporary left";
  // Run again: the landed points are kept, the others run.
  auto again = vtdsim(args);
  ASSERT_EQ(again.code, 0) << again.err;
  auto after = point_files(d);
  EXPECT_EQ(after.size(), 16u);
  for (const auto& [name, text] : landed) EXPECT_EQ(after[name], text) << name << " was run again";
  const auto rows = read_csv(d + "results.csv");
  EXPECT_EQ(rows.size(), 17u);  // header + 16 points
}
