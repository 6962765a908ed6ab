// `vtdsim gen`, `trace convert` and `trace stat` end to end.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

// (exit status, stdout and stderr together)
std::pair<int, std::string> sh(const std::string& args) {
  auto r = vtd::test::run_vtdsim(args);
  return {r.code, r.out};
}
using vtd::test::slurp;

}  // namespace

TEST(TraceCli, GenIsDeterministicAndConvertsBothWays) {
  const std::string d = vtd::test::temp_dir();
  auto [c1, o1] = sh("gen -q --dmas 5000 --seed 3 -o " + d + "a.vtdt --platform-out " + d + "a.json");
  ASSERT_EQ(c1, 0) << o1;
  auto [c2, o2] = sh("gen -q --dmas 5000 --seed 3 -o " + d + "b.vtdt --platform-out " + d + "b.json");
  ASSERT_EQ(c2, 0) << o2;
  EXPECT_EQ(slurp(d + "a.vtdt"), slurp(d + "b.vtdt"));
  EXPECT_EQ(slurp(d + "a.json"), slurp(d + "b.json"));
  auto conv1 = sh("trace convert " + d + "a.vtdt " + d + "a.txt.gz --format text --compression gzip");
  ASSERT_EQ(conv1.first, 0) << conv1.second;
  auto conv2 = sh("trace convert " + d + "a.txt.gz " + d + "c.vtdt --compression zstd");
  ASSERT_EQ(conv2.first, 0) << conv2.second;
  auto s1 = nlohmann::json::parse(sh("trace stat --json " + d + "a.vtdt").second);
  auto s2 = nlohmann::json::parse(sh("trace stat --json " + d + "c.vtdt").second);
  EXPECT_EQ(s1["records"], s2["records"]);
  EXPECT_EQ(s1["kinds"], s2["kinds"]);
  EXPECT_EQ(s1["devices"], s2["devices"]);
  EXPECT_EQ(s1["kinds"]["dma"], 5000);
  // The converted trace replays to the same statistics as the original.
  auto r1 = sh("replay -q --functional --platform " + d + "a.json --trace " + d + "a.vtdt --stats-json " + d +
               "s1.json");
  auto r2 = sh("replay -q --functional --platform " + d + "a.json --trace " + d + "a.txt.gz --stats-json " +
               d + "s2.json");
  ASSERT_EQ(r1.first, 0) << r1.second;
  ASSERT_EQ(r2.first, 0) << r2.second;
  auto j1 = nlohmann::json::parse(slurp(d + "s1.json")), j2 = nlohmann::json::parse(slurp(d + "s2.json"));
  EXPECT_EQ(j1["stats"]["iotlb_hit"], j2["stats"]["iotlb_hit"]);
  EXPECT_EQ(j1["stats"]["dma.faults"], 0);
}

TEST(TraceCli, TruncatedTraceIsAnError) {
  const std::string d = vtd::test::temp_dir();
  ASSERT_EQ(
      sh("gen -q --dmas 2000 --compression none -o " + d + "t.vtdt --platform-out " + d + "t.json").first, 0);
  std::string bytes = slurp(d + "t.vtdt");
  std::ofstream(d + "cut.vtdt", std::ios::binary) << bytes.substr(0, bytes.size() - 7);
  auto [code, out] = sh("trace stat " + d + "cut.vtdt");
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("truncated at record"), std::string::npos) << out;
}
