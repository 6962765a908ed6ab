// End-to-end tests of the vtdsim binary: results, exit codes and error messages for bad input, and the
// timed model against the functional core on the same trace.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using run_result = vtd::test::cli_result;
constexpr auto& run = vtd::test::run_vtdsim;
using vtd::test::write_temp;

std::string example(const std::string& name) {
  return std::string(VTDSIM_SOURCE_DIR) + "/examples/" + name;
}

}  // namespace

TEST(Cli, TranslateHitsTheHandComputedAddress) {
  auto r = run("translate --platform " + example("two-devices.json") +
               " --sid 00:02.0 --iova 0x100040 --write --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["hpa"], "0x40000040");  // IOVA 0x100000 -> HPA 0x40000000, offset 0x40
  EXPECT_EQ(j["page_size"], 4096);
}

TEST(Cli, FaultIsAResultNotAnError) {
  auto r = run("translate --platform " + example("two-devices.json") +
               " --sid 00:02.0 --iova 0x200000 --write --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "fault");
  EXPECT_EQ(j["fault_reason"], "0x05");  // the 2 MiB mapping is read-only
  EXPECT_EQ(j["fault_name"], "write_denied");
}

TEST(Cli, QueryFileGivesOneJsonLinePerQuery) {
  auto q = write_temp("queries.txt",
                      "# sid iova access\n"
                      "dma 00:02.0 0x100000 read\n"
                      "dma 03:00.0 0x7fffffff write\n"
                      "msi 00:02.0 0xfee00010 0\n"
                      "dma 00:1f.0 0x1234 read 0\n");
  auto r = run("translate --platform " + example("two-devices.json") + " --queries " + q);
  ASSERT_EQ(r.code, 0) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> results;
  while (std::getline(lines, line)) results.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[1]["hpa"], "0x13fffffff");  // 1 GiB page: 0x40000000 -> 0x100000000
  EXPECT_EQ(results[2]["vector"], 48);
  EXPECT_EQ(results[3]["result"], "pass_through");
}

TEST(Cli, RawMemoryImageTranslates) {
  // Tables written by hand as raw bytes, loaded at 0x1000 (address = image offset + 0x1000): root table
  // 0x1000, context table 0x2000, then a 3-level walk PDPT 0x4000 -> PD 0x5000 -> PT 0x6000 for device
  // 00:01.0 (devfn 8).
  std::string img(0x6000, '\0');
  auto put = [&](size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) img[at + i] = char(v >> (8 * i));
  };
  put(0x0000, 0x2001);                        // root entry, bus 0: CTP 0x2000, P
  put(0x1000 + 8 * 16, 0x4001);               // context entry, devfn 8: SLPTPTR 0x4000, TT 00, P
  put(0x1000 + 8 * 16 + 8, (9ull << 8) | 1);  // DID 9, AW 001b (39-bit, 3 levels)
  put(0x3000, 0x5003);                        // PDPE 0 -> PD 0x5000, R W
  put(0x4000, 0x6003);                        // PDE 0 -> PT 0x6000, R W
  put(0x5000 + 5 * 8, 0xABCDE003);            // PTE 5 -> frame 0xABCDE000, R W
  auto path = write_temp("image.bin", img);
  auto r = run("translate --mem " + path +
               "@0x1000 --rtaddr 0x1000 --preset server --sid 00:01.0 --iova 0x5123 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["hpa"], "0xabcde123");
}

TEST(Cli, BadInputIsAClearErrorWithNonZeroExit) {
  auto bad_json = write_temp("bad.json", "{\n  \"domains\": [\n    {\"id\": 1,}\n  ]\n}\n");
  auto r = run("translate --platform " + bad_json + " --sid 00:02.0 --iova 0");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("bad.json:3:"), std::string::npos) << r.out;

  // A malformed value on the command line is a usage error (exit 2, docs/cli.md), not bad input.
  r = run("translate --platform " + example("two-devices.json") + " --sid 00:40.0 --iova 0");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("device number 0x40 out of range (max 0x1f)"), std::string::npos) << r.out;

  auto img = write_temp("small.bin", std::string(8192, 'x'));
  r = run("translate --mem " + img + "@0x3000 --memory-size 16KiB --rtaddr 0 --sid 0:0.0 --iova 0");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("past the end of memory"), std::string::npos) << r.out;

  r = run("translate --platform " + example("two-devices.json") + " --bogus 1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unrecognised option '--bogus'"), std::string::npos) << r.out;
}

TEST(Cli, TimedAndFunctionalReplayAgreeOnEveryRequest) {
  std::string trace =
      "0 map dom=1 iova=0x500000 hpa=0x50000000 len=0x4000 rw\n"
      "1000 dma 00:02.0 read 0x100040 64\n"
      "2000 dma 00:02.0 write 0x500000 64\n"
      "2500 dma 00:02.0 write 0x200000 64\n"
      "3000 unmap dom=1 iova=0x500000 len=0x1000\n"
      "4000 dma 00:02.0 read 0x500000 64\n"
      "5000 iotlb-inval page dom=1 addr=0x500000 am=0 qi\n"
      "5000 inv-wait addr=0x10001000 data=0x1 sw qi\n"
      "6000 dma 00:02.0 read 0x500000 64\n"
      "6500 dma 03:00.0 read 0x40000000 4096\n"
      "7000 msi 00:02.0 0xfee00010 0x0\n"
      "8000 dma 00:05.0 read 0x1000 64\n";
  auto t = write_temp("agree.trace", trace);
  std::string a = vtd::test::temp_dir() + "functional.csv", b = vtd::test::temp_dir() + "timed.csv";
  auto f = run("replay --platform " + example("two-devices.json") + " --trace " + t +
               " --functional --quiet --per-request " + a);
  ASSERT_EQ(f.code, 0) << f.out;
  auto s = run("replay --platform " + example("two-devices.json") + " --trace " + t +
               " --quiet --per-request " + b);
  ASSERT_EQ(s.code, 0) << s.out;
  auto columns = [](const std::string& path) {  // everything but latency
    std::ifstream in(path);
    std::vector<std::string> rows;
    std::string line;
    while (std::getline(in, line)) rows.push_back(line.substr(0, line.rfind(',')));
    return rows;
  };
  auto fa = columns(a), sb = columns(b);
  ASSERT_EQ(fa.size(), 9u);  // header + 8 requests
  EXPECT_EQ(fa, sb);
}

TEST(Cli, ReplayReportsStaleTranslationAndLeavesNoPartialOutput) {
  auto t = write_temp("stale.trace",
                      "0 map dom=1 iova=0x500000 hpa=0x50000000 len=0x1000 rw\n"
                      "1 dma 00:02.0 read 0x500000 64\n"
                      "2 unmap dom=1 iova=0x500000 len=0x1000\n"
                      "3 dma 00:02.0 read 0x500000 64\n");
  std::string stats = vtd::test::temp_dir() + "stale.json";
  auto r = run("replay --functional --platform " + example("two-devices.json") + " --trace " + t +
               " --stats-json " + stats);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(stats);
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["stats"]["stale.translations_served"], 1);
  EXPECT_NE(j["stale_examples"][0]["fix"].get<std::string>().find("page-selective"), std::string::npos);

  auto bad = write_temp("bad.trace",
                        "0 map dom=1 iova=0x500000 hpa=0x50000000 len=0x1000 rw\n1 dma 00:02.0 raed 0x0 4\n");
  std::string out = vtd::test::temp_dir() + "never.json";
  std::remove(out.c_str());
  r = run("replay --functional --platform " + example("two-devices.json") + " --trace " + bad +
          " --stats-json " + out);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("bad.trace:2:"), std::string::npos) << r.out;
  EXPECT_FALSE(std::ifstream(out).good()) << "no statistics file for a failed run";
  EXPECT_FALSE(std::ifstream(out + ".tmp").good());
}

TEST(Cli, CheckAndDump) {
  auto r = run("check --platform " + example("two-devices.json"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("0 errors, 0 warnings"), std::string::npos) << r.out;
  std::string pages = vtd::test::temp_dir() + "pages.bin";
  r = run("dump --platform " + example("two-devices.json") + " --save-pages " + pages);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(
      r.out.find("IOVA 0x000000200000-0x0000003fffff -> HPA 0x000080000000-0x0000801fffff  R-  1 x 2MiB"),
      std::string::npos)
      << r.out;
  // The saved pages, loaded back as a plain image with the register values, dump the same mappings.
  auto again = run("dump --pages " + pages + " --rtaddr 0x10000000 --memory-size 64GiB");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("1 x 2MiB"), std::string::npos) << again.out;
  // A reserved bit in a PTE makes check fail with status 2 and name the entry.
  std::string img(0x6000, '\0');
  auto put = [&](size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) img[at + i] = char(v >> (8 * i));
  };
  put(0x0000, 0x2001);
  put(0x1000 + 8 * 16, 0x4001);
  put(0x1000 + 8 * 16 + 8, (9ull << 8) | 1);
  put(0x3000, 0x5003);
  put(0x4000, 0x6003);
  put(0x5000 + 5 * 8, 0xABCDE003 | (1ull << 11));  // SNP without ECAP.SC (qemu preset)
  auto path = write_temp("bad-tables.bin", img);
  r = run("check --mem " + path + "@0x1000 --rtaddr 0x1000 --preset qemu --json");
  EXPECT_EQ(r.code, 2) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["summary"]["errors"], 1);
  EXPECT_EQ(j["findings"][0]["code"], "sl.reserved");
  EXPECT_EQ(j["findings"][0]["entry_address"], "0x6028");
}

TEST(Cli, WalkExplainsAFault) {
  auto r =
      run("walk --platform " + example("two-devices.json") + " --sid 00:02.0 --iova 0x200040 --write --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["fault"]["reason"], "0x05");
  EXPECT_EQ(j["steps"].size(), 6u);  // register, root, context, PML4E, PDPE, PDE (2 MiB leaf)
}

TEST(Cli, CheckTraceFindsMissingInvalidation) {
  auto t = write_temp("missing-inval.trace",
                      "0 map dom=1 iova=0x500000 hpa=0x50000000 len=0x1000 rw\n"
                      "1 dma 00:02.0 read 0x500000 64\n"
                      "2 unmap dom=1 iova=0x500000 len=0x1000\n"
                      "3 dma 00:02.0 read 0x500000 64\n");
  auto r = run("check --platform " + example("two-devices.json") + " --trace " + t + " --json");
  EXPECT_EQ(r.code, 2) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stale_translations_served"], 1);
  EXPECT_NE(
      j["stale_examples"][0]["changed"].get<std::string>().find("unmap of [0x500000, 0x501000) at record 2"),
      std::string::npos);
  auto fixed = write_temp("with-inval.trace",
                          "0 map dom=1 iova=0x500000 hpa=0x50000000 len=0x1000 rw\n"
                          "1 dma 00:02.0 read 0x500000 64\n"
                          "2 unmap dom=1 iova=0x500000 len=0x1000\n"
                          "2 iotlb-inval page dom=1 addr=0x500000 am=0 qi\n"
                          "3 dma 00:02.0 read 0x500000 64\n");
  r = run("check --platform " + example("two-devices.json") + " --trace " + fixed);
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(Cli, RegisterValuesFromAJsonFile) {
  std::string pages = vtd::test::temp_dir() + "regs-pages.bin";
  ASSERT_EQ(run("dump --platform " + example("two-devices.json") + " --save-pages " + pages).code, 0);
  auto regs =
      write_temp("regs.json", R"({"rtaddr": "0x10000000", "irta": "0x1ffff007", "memory_size": "64GiB"})");
  auto r = run("check --pages " + pages + " --registers " + regs + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["devices"].size(), 3u);
  EXPECT_EQ(j["interrupts"].size(), 2u);
  auto bad = write_temp("regs-bad.json", R"({"rtadr": 1})");
  r = run("check --pages " + pages + " --registers " + bad);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("unknown key 'rtadr'"), std::string::npos) << r.out;
}
