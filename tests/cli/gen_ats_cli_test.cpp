// `vtdsim gen --ats` and `--issue` end to end: the platform asks for a device TLB for exactly the named
// devices and `vtdsim check` finds it clean, the trace holds their device-TLB invalidations and says closed
// loop when asked, `trace stat` shows it, `replay --functional` runs it without a fault, and bad values are
// usage errors naming the option.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

using result = vtd::test::cli_result;
constexpr auto& vtdsim = vtd::test::run_vtdsim;
using vtd::test::slurp;

result gen(const std::string& args, const std::string& name) {
  const std::string d = vtd::test::temp_dir();
  return vtdsim("gen -q " + args + " -o " + d + name + ".trace --platform-out " + d + name + ".json");
}

// Runs the generated pair through check and a functional replay; returns the replay's statistics.
nlohmann::json check_and_replay(const std::string& name) {
  const std::string d = vtd::test::temp_dir();
  const auto check = vtdsim("check --platform " + d + name + ".json");
  EXPECT_EQ(check.code, 0) << check.out;
  const auto replay = vtdsim("replay -q --functional --platform " + d + name + ".json --trace " + d + name +
                             ".trace --stats-json " + d + name + ".stats.json");
  EXPECT_EQ(replay.code, 0) << replay.out;
  return nlohmann::json::parse(slurp(d + name + ".stats.json"), nullptr, false);
}

}  // namespace

TEST(GenAtsCli, LegacyAtsGpuAndNicReplay) {
  const std::string d = vtd::test::temp_dir();
  const auto g =
      gen("--workload all --ats gpu,nic --dmas 20000 --seed 4 --format text --compression none", "legacy");
  ASSERT_EQ(g.code, 0) << g.out;
  const auto platform = nlohmann::json::parse(slurp(d + "legacy.json"));
  ASSERT_EQ(platform["devices"].size(), 3u);
  for (const auto& dev : platform["devices"]) {
    const std::string bdf = dev["bdf"];
    // NIC 0 on bus 0x10, NVMe 0 on 0x20, GPU 0 on 0x30 (docs/generator.md).
    EXPECT_EQ(dev["translation"], bdf == "20:00.0" ? "untranslated" : "device_tlb") << bdf;
  }
  const std::string text = slurp(d + "legacy.trace");
  EXPECT_NE(text.find(" devtlb-inval 10:00.0 addr="), std::string::npos);
  EXPECT_EQ(text.find(" devtlb-inval 20:00.0"), std::string::npos) << "the NVMe controller has no ATS";
  EXPECT_EQ(text.find("#!"), std::string::npos) << "open loop: no directive";
  const auto stats = check_and_replay("legacy");
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["stats"]["dma.faults"], 0) << stats.dump();
  const auto stat = nlohmann::json::parse(vtdsim("trace stat --json " + d + "legacy.trace").out);
  EXPECT_EQ(stat["issue"], "open");
  EXPECT_GT(stat["kinds"].value("devtlb-inval", 0), 0);
}

TEST(GenAtsCli, ScalableAtsAndClosedIssue) {
  const std::string d = vtd::test::temp_dir();
  const auto g = gen(
      "--mode scalable --workload all --ats gpu,nvme,sva --sva-rebind-us 50 --sva-unbound-us 10 --dmas 20000 "
      "--seed 2 --issue closed --compression none",
      "sm");
  ASSERT_EQ(g.code, 0) << g.out;
  const auto platform = nlohmann::json::parse(slurp(d + "sm.json"));
  for (const auto& dev : platform["devices"]) {
    const std::string bdf = dev["bdf"];
    EXPECT_EQ(dev["device_tlb"], bdf != "10:00.0") << bdf << ": DTE for the GPU, NVMe and SVA devices only";
  }
  const std::string bytes = slurp(d + "sm.trace");
  ASSERT_GE(bytes.size(), 64u);
  EXPECT_EQ(bytes.substr(0, 8), "VTDTRACE");
  EXPECT_EQ(uint8_t(bytes[22]), 1) << "header flag bit 0: closed loop";
  const auto stat = vtdsim("trace stat " + d + "sm.trace");
  ASSERT_EQ(stat.code, 0) << stat.out;
  EXPECT_NE(stat.out.find("issue: closed"), std::string::npos) << stat.out;
  const auto kinds = nlohmann::json::parse(vtdsim("trace stat --json " + d + "sm.trace").out)["kinds"];
  EXPECT_GT(kinds.value("devtlb-inval", 0), 0) << kinds.dump();
  EXPECT_GT(kinds.value("pdevtlb-inval", 0), 0) << kinds.dump();
  // Converted to text, the trace says closed in its directive, and back again in the binary header.
  ASSERT_EQ(vtdsim("trace convert " + d + "sm.trace " + d + "sm.txt --format text --compression none").code,
            0);
  EXPECT_EQ(slurp(d + "sm.txt").rfind("#! issue closed\n", 0), 0u);
  ASSERT_EQ(vtdsim("trace convert " + d + "sm.txt " + d + "sm2.trace --compression none").code, 0);
  const std::string back = slurp(d + "sm2.trace");
  ASSERT_GE(back.size(), 64u);
  EXPECT_EQ(uint8_t(back[22]), 1) << "closed again";
  // The records are the same; the text format has no seed or generator name, so the header differs there.
  EXPECT_TRUE(back.compare(64, std::string::npos, bytes, 64, std::string::npos) == 0);
  const auto stats = check_and_replay("sm");
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats["stats"]["dma.faults"], 0) << stats.dump();
}

TEST(GenAtsCli, BadAtsAndIssueValuesAreUsageErrors) {
  struct refused {
    std::string args, message;
  };
  const std::vector<refused> cases = {
      {"--workload nic --ats gpu", "--ats 'gpu': the workload has no gpu device (--gpu-count is 0)"},
      {"--ats sva",
       "--ats 'sva': 'sva' is no device kind: expected a comma-separated list of nic, nvme or gpu "
       "(sva needs --mode scalable)"},
      {"--ats nic,tpu", "--ats 'nic,tpu': 'tpu' is no device kind"},
      {"--ats nic,", "--ats 'nic,': '' is no device kind"},
      {"--issue sideways", "--issue 'sideways': expected open or closed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    const auto r = gen(c.args, "refused");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << r.out;
    EXPECT_FALSE(std::ifstream(vtd::test::temp_dir() + "refused.json").good()) << "nothing is written";
  }
}
