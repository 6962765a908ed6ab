// `vtdsim sweep` grids: the cross product of several parameters over several traces, explicit point lists,
// non-numeric values, and the mistakes that must fail before anything runs.
#include <set>
#include <tuple>

#include "tests/cli/sweep_fixture.hpp"

using namespace vtd::sweep_test;

TEST(SweepGrid, CrossProductOfTwoParametersOverTwoTraces) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "grid/";
  auto r =
      vtdsim("sweep --functional -q -j 2 --platform " + w.platform + " --trace " + w.a + " --trace " + w.b +
             " --param iotlb.entries --values 16..64 --param iotlb.policy --values lru,fifo --out " + d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(d + "results.csv");
  ASSERT_EQ(rows.size(), 1u + 3 * 2 * 2) << slurp(d + "results.csv");
  const auto& h = rows[0];
  EXPECT_EQ(h[0], "iotlb.entries");
  EXPECT_EQ(h[1], "iotlb.policy");
  EXPECT_EQ(h[2], "trace");
  // Written out by hand: 16..64 doubles to 16, 32, 64.
  std::set<std::tuple<std::string, std::string, std::string>> want, got;
  for (const char* e : {"16", "32", "64"})
    for (const char* p : {"lru", "fifo"})
      for (const auto& t : {w.a, w.b})
        want.emplace(e, p, std::filesystem::absolute(t).lexically_normal().string());
  for (size_t i = 1; i < rows.size(); ++i) got.emplace(rows[i][0], rows[i][1], rows[i][2]);
  EXPECT_EQ(got, want);
  // Every point's own statistics, with the configuration its parameters asked for.
  const auto m = read_json(d + "manifest.json");
  ASSERT_EQ(m["points"].size(), 12u);
  for (const auto& [id, e] : m["points"].items()) {
    SCOPED_TRACE(id);
    EXPECT_EQ(e["status"], "ok");
    EXPECT_EQ(e["exit_status"], 0);
    EXPECT_GE(e["wall_s"].get<double>(), 0.0);
    EXPECT_FALSE(e["trace_fingerprint"].get<std::string>().empty());
    EXPECT_TRUE(e.contains("seed"));
    EXPECT_FALSE(e["tool_version"].get<std::string>().empty());
    const auto s = read_json(d + "points/" + id + ".json");
    EXPECT_EQ(s["config"]["caches"]["iotlb"]["entries"].get<int>(),
              std::stoi(e["params"]["iotlb.entries"].get<std::string>()));
    EXPECT_EQ(s["sweep_point"]["id"], id);
  }
}

TEST(SweepGrid, EveryRowMatchesTheReplayOfItsPoint) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "check/";
  auto r =
      vtdsim("sweep --functional -q --platform " + w.platform + " --trace " + w.b +
             " --param iotlb.entries --values 8,32 --param iotlb.policy --values fifo,lru --metric iotlb_hit "
             "--metric iotlb_lookup --csv " +
             vtd::test::temp_dir() + "check.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(vtd::test::temp_dir() + "check.csv");
  ASSERT_EQ(rows.size(), 5u);
  ASSERT_EQ(rows[0],
            (std::vector<std::string>{"iotlb.entries", "iotlb.policy", "iotlb_hit", "iotlb_lookup"}));
  // The first key varies slowest.
  EXPECT_EQ(rows[1][0] + rows[1][1], "8fifo");
  EXPECT_EQ(rows[2][0] + rows[2][1], "8lru");
  EXPECT_EQ(rows[4][0] + rows[4][1], "32lru");
  for (size_t i = 1; i < rows.size(); ++i) {
    auto one = vtdsim("replay --functional -q --stats-json - --platform " + w.platform + " --trace " + w.b +
                      " --set iotlb.entries=" + rows[i][0] + " --set iotlb.policy=" + rows[i][1]);
    ASSERT_EQ(one.code, 0) << one.err;
    const auto s = nlohmann::json::parse(one.out)["stats"];
    EXPECT_EQ(rows[i][2], s["iotlb_hit"].dump()) << rows[i][0] << rows[i][1];
    EXPECT_EQ(rows[i][3], s["iotlb_lookup"].dump());
  }
}

TEST(SweepGrid, ExplicitPointListWithWordsAndTraces) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  {
    std::ofstream f(d + "points.txt");
    f << "# policy comparison at two sizes\n"
      << "iotlb.entries=16 iotlb.policy=random trace=" << w.a << "\n\n"
      << "iotlb.entries=64 iotlb.policy=lru   # the baseline, on every --trace\n";
  }
  auto r = vtdsim("sweep --functional -q --platform " + w.platform + " --trace " + w.b + " --points " + d +
                  "points.txt --csv " + d + "pts.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(d + "pts.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][2], "trace");
  EXPECT_EQ(rows[1][0] + " " + rows[1][1] + " " + rows[1][2], "16 random " + w.a);
  EXPECT_EQ(rows[2][0] + " " + rows[2][1] + " " + rows[2][2], "64 lru " + w.b);
}

TEST(SweepGrid, TracesFromAListFileRelativeToIt) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  std::ofstream(d + "traces.list") << "# both\na.vtdt\n" << w.b << "\n";
  auto r = vtdsim("sweep --functional -q --platform " + w.platform + " --traces " + d +
                  "traces.list --param iotlb.entries --values 16 --csv " + d + "list.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(d + "list.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], w.a);
  EXPECT_EQ(rows[2][1], w.b);
}

TEST(SweepGrid, MistakesFailBeforeAnyPointRuns) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  std::ofstream(d + "bad-points.txt") << "iotlb.entries=16\niotlb.entries\n";
  const std::string base = "sweep --functional -q --platform " + w.platform + " --trace " + w.a + " ";
  const std::vector<std::tuple<std::string, int, std::string>> cases = {
      {"--param iotlb.entries --values 16 --param iotlb.policy", 2, "1 --values"},
      {"--param iotlb.entries --values 16 --param iotlb.entries --values 32", 2, "given twice"},
      {"--param iotlb.policy --values lru,nonsense", 2, "--param iotlb.policy"},
      {"--points " + d + "bad-points.txt --param iotlb.entries --values 16", 2, "--points and --param"},
      {"--points " + d + "bad-points.txt", 1, "bad-points.txt:2"},
      {"", 2, "nothing to sweep"},
  };
  for (const auto& [args, code, named] : cases) {
    SCOPED_TRACE(args);
    auto r = vtdsim(base + args + " --out " + d + "never");
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(d + "never/points")) << "nothing may run, or even be planned";
}
