// `sweep plan` writes independent jobs; `sweep collect` merges whatever results exist; the same plan run
// through GNU parallel gives the same merged results as the local runner.
#include <cstdlib>

#include "tests/cli/sweep_fixture.hpp"

using namespace vtd::sweep_test;

namespace {

std::string grid(const workload& w) {
  return "--functional -q --platform " + w.platform + " --trace " + w.a + " --trace " + w.b +
         " --param iotlb.entries --values 16,64 --param iotlb.policy --values lru,fifo";
}

std::vector<std::string> lines(const std::string& text) {
  return split(text, '\n');
}

bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST(SweepPlan, WritesOneJobPerPointAndASlurmArray) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "plan";
  auto r = vtdsim("sweep plan " + grid(w) + " -o " + d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto plan = read_json(d + "/plan.json");
  ASSERT_EQ(plan["points"].size(), 8u);
  const auto jobs = lines(slurp(d + "/jobs"));
  ASSERT_EQ(jobs.size(), 8u);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const std::string id = plan["points"][i]["id"];
    EXPECT_EQ(jobs[i], std::string("'") + VTDSIM_EXE + "' sweep point '" + d + "' " + id);
  }
  const std::string s = slurp(d + "/sbatch.sh");
  EXPECT_EQ(s.rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_NE(s.find("\n#SBATCH --array=1-8\n"), std::string::npos) << s;
  EXPECT_NE(s.find("sed -n \"${SLURM_ARRAY_TASK_ID}p\" '" + d + "'/jobs"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --output=" + d + "/slurm/%A_%a.out"), std::string::npos) << s;
  EXPECT_NE(std::filesystem::status(d + "/sbatch.sh").permissions() & std::filesystem::perms::owner_exec,
            std::filesystem::perms::none);
  EXPECT_EQ(std::system(("bash -n " + d + "/sbatch.sh").c_str()), 0) << "the script parses";
}

TEST(SweepPlan, CollectMergesPartialResultsAndNamesTheMissing) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir() + "partial";
  ASSERT_EQ(vtdsim("sweep plan " + grid(w) + " -o " + d).code, 0);
  const auto jobs = lines(slurp(d + "/jobs"));
  for (size_t i : {0u, 5u}) ASSERT_EQ(shell(jobs[i]).code, 0) << jobs[i];
  auto r = vtdsim("sweep collect " + d + " --metric iotlb_hit");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("6 of 8 points failed or missing"), std::string::npos) << r.err;
  EXPECT_EQ(count(r.err, "missing (not run yet"), 6u) << r.err;
  const auto rows = read_csv(d + "/results.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"iotlb.entries", "iotlb.policy", "trace", "iotlb_hit"}));
  const auto m = read_json(d + "/manifest.json");
  EXPECT_EQ(m["summary"]["ok"], 2);
  EXPECT_EQ(m["summary"]["missing"], 6);
  // The rest, later: now complete.
  for (size_t i = 0; i < jobs.size(); ++i) ASSERT_EQ(shell(jobs[i]).code, 0) << jobs[i];
  EXPECT_EQ(vtdsim("sweep collect -q " + d).code, 0);
  EXPECT_EQ(read_csv(d + "/results.csv").size(), 9u);
}

TEST(SweepPlan, GnuParallelGivesTheLocalRunnersResults) {
  if (!have("parallel")) GTEST_SKIP() << "GNU parallel is not installed (Debian package 'parallel')";
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  ASSERT_EQ(vtdsim("sweep plan " + grid(w) + " -o " + d + "par").code, 0);
  auto run = shell("parallel --will-cite -j 2 < " + d + "par/jobs");
  ASSERT_EQ(run.code, 0) << run.err;
  ASSERT_EQ(vtdsim("sweep collect -q " + d + "par").code, 0);
  auto local = vtdsim("sweep " + grid(w) + " -j 2 --out " + d + "local");
  ASSERT_EQ(local.code, 0) << local.err;
  // The same points (same ids) and byte-identical merged CSVs.
  EXPECT_EQ(slurp(d + "par/plan.json"), slurp(d + "local/plan.json"));
  EXPECT_EQ(slurp(d + "par/results.csv"), slurp(d + "local/results.csv"));
  EXPECT_EQ(read_csv(d + "par/results.csv").size(), 9u);
}

TEST(SweepPlan, SlurmSingleNodeCluster) {
  // A private single-node cluster started from Debian's packages (tests/cli/slurm_single_node.sh): the plan's
  // sbatch --array script runs every point, and collect gives the local runner's results. Where the cluster
  // cannot start, the script says why and the test skips visibly with that reason.
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  ASSERT_EQ(vtdsim("sweep plan " + grid(w) + " -o " + d + "slurm").code, 0);
  auto run = shell(std::string(VTDSIM_SOURCE_DIR) + "/tests/cli/slurm_single_node.sh " + d + "cluster " + d +
                   "slurm");
  if (run.code == 77) GTEST_SKIP() << run.out;
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  ASSERT_EQ(vtdsim("sweep collect -q " + d + "slurm").code, 0);
  auto local = vtdsim("sweep " + grid(w) + " -j 2 --out " + d + "local");
  ASSERT_EQ(local.code, 0) << local.err;
  EXPECT_EQ(slurp(d + "slurm/plan.json"), slurp(d + "local/plan.json"));
  EXPECT_EQ(slurp(d + "slurm/results.csv"), slurp(d + "local/results.csv"));
  EXPECT_EQ(read_csv(d + "slurm/results.csv").size(), 9u);
}
