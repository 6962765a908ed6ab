// `vtdsim gen --mode scalable` end to end: the options only scalable mode has are usage errors elsewhere
// (exit 2, naming the option, the value and what is allowed), out-of-range values are refused the same way,
// and a generated scalable platform is one `vtdsim check` finds clean, with a trace of the scalable records.
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

result gen(const std::string& args, const std::string& name = "g") {
  const std::string d = vtd::test::temp_dir();
  return vtdsim("gen " + args + " -o " + d + name + ".vtdt --platform-out " + d + name + ".json");
}

}  // namespace

TEST(GenScalableCli, OptionsOutsideTheirModeOrRangeAreUsageErrors) {
  struct refused {
    std::string args, message;
  };
  const std::vector<refused> cases = {
      {"--mode virtual", "--mode 'virtual': expected legacy or scalable"},
      {"--mode scalable --workload nic",
       "--workload 'nic': expected dma-api, sva, viommu, mixed or all (with --mode scalable)"},
      {"--workload sva", "--workload 'sva': expected mixed, nic, nvme, gpu or all"},
      {"--sva-count 1", "--sva-count '1': needs --mode scalable"},
      {"--nic-stage first", "--nic-stage 'first': needs --mode scalable"},
      {"--mode legacy --sva-rebind-us 5", "--sva-rebind-us '5': needs --mode scalable"},
      {"--mode scalable --nic-stage third", "--nic-stage 'third': expected first, second or nested"},
      {"--mode scalable --gpu-stage nested", "--gpu-stage 'nested': expected first or second"},
      {"--mode scalable --sva-pasids 0", "--sva-pasids '0': must be an integer in 1..64"},
      {"--mode scalable --sva-pasids 65", "--sva-pasids '65': must be an integer in 1..64"},
      {"--mode scalable --sva-count 17", "--sva-count '17': must be an integer in 0..16"},
      {"--mode scalable --sva-bytes 63", "--sva-bytes '63': must be an integer in 64..1048576"},
      {"--mode scalable --sva-gbps 0", "--sva-gbps '0': must be a number in 0.01..1000 GB/s"},
      {"--mode scalable --sva-gbps nan", "--sva-gbps 'nan': must be a number in 0.01..1000 GB/s"},
      {"--mode scalable --sva-rebind-us -1", "--sva-rebind-us '-1': must be an integer in 0..1000000000"},
      {"--mode scalable --sva-unbound-us 0", "--sva-unbound-us '0': must be an integer in 1..1000000"},
      {"--mode scalable --sva-rebind-us 10 --sva-unbound-us 11",
       "--sva-unbound-us 11 is longer than --sva-rebind-us 10"},
      {"--mode scalable --workload sva --sva-count 0", "no devices to generate"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    const auto r = gen(c.args + " -q", "refused");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << r.out;
    EXPECT_FALSE(std::ifstream(vtd::test::temp_dir() + "refused.json").good()) << "nothing is written";
  }
}

TEST(GenScalableCli, ScalablePlatformChecksCleanAndTheTraceHoldsScalableRecords) {
  const std::string d = vtd::test::temp_dir();
  const std::string args =
      "--mode scalable --workload all --sva-rebind-us 50 --sva-unbound-us 10 --dmas 4000 --seed 5 --format "
      "text --compression none";
  auto a = gen(args, "a");
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find("attach/detach"), std::string::npos) << a.out;
  auto b = gen(args + " -q", "b");
  ASSERT_EQ(b.code, 0) << b.out;
  EXPECT_EQ(slurp(d + "a.vtdt"), slurp(d + "b.vtdt")) << "same seed, same trace";
  EXPECT_EQ(slurp(d + "a.json"), slurp(d + "b.json"));
  const auto platform = nlohmann::json::parse(slurp(d + "a.json"));
  EXPECT_EQ(platform["mode"], "scalable");
  EXPECT_EQ(platform["iommu"]["preset"], "server-sm");
  const auto check = vtdsim("check --platform " + d + "a.json --json");
  EXPECT_EQ(check.code, 0) << check.out;
  const auto stat = vtdsim("trace stat --json " + d + "a.vtdt");
  ASSERT_EQ(stat.code, 0) << stat.out;
  const auto kinds = nlohmann::json::parse(stat.out)["kinds"];
  EXPECT_EQ(kinds["dma"], 4000);
  for (const char* k :
       {"pasid-attach", "pasid-detach", "pc-inval", "piotlb-inval", "inv-wait", "map", "unmap"})
    EXPECT_GT(kinds.value(k, 0), 0) << k << " in " << kinds.dump();
  const std::string text = slurp(d + "a.vtdt");
  EXPECT_NE(text.find(" piotlb-inval page dom="), std::string::npos);
  EXPECT_NE(text.find(" pasid=0x1 "), std::string::npos) << "SVA requests carry their PASID";
  // A binary trace of the same run is format version 2.
  auto bin = gen("--mode scalable --workload sva --dmas 100 --compression none -q", "c");
  ASSERT_EQ(bin.code, 0) << bin.out;
  const std::string bytes = slurp(d + "c.vtdt");
  ASSERT_GE(bytes.size(), 64u);
  EXPECT_EQ(bytes.substr(0, 8), "VTDTRACE");
  EXPECT_EQ(int(bytes[8]), 2);
}

TEST(GenScalableCli, LegacyModeIsStillTheDefault) {
  const std::string d = vtd::test::temp_dir();
  auto r = gen("--dmas 500 -q", "legacy");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto platform = nlohmann::json::parse(slurp(d + "legacy.json"));
  EXPECT_FALSE(platform.contains("mode"));
  EXPECT_EQ(platform["iommu"]["preset"], "server");
  EXPECT_EQ(vtdsim("check --platform " + d + "legacy.json").code, 0);
}
