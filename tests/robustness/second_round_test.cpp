// Hostile inputs found after the first round of fixes (a fresh red-team pass over the same classes): JSON
// that is strict about duplicate keys, depth, NUL bytes and huge numbers; one command never writes a file it
// reads or the same file twice; command-line values that are usage errors; outputs that fail before the work.
#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {
std::string ex() {
  return example("two-devices.json");
}
}  // namespace

TEST(SecondRound, DuplicateJsonKeysAreErrorsInEveryJsonInput) {
  const std::string config =
      write_file("dup-config.json", R"({"caches": {"iotlb": {"entries": 64, "entries": 128}}})");
  auto r = vtdsim("config --config " + config);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.err.find(config + ": caches.iotlb: key \"entries\" appears twice"), std::string::npos) << r.err;

  const std::string regs = write_file("dup-regs.json", R"({"rtaddr": "0x2000", "rtaddr": "0x1000"})");
  r = vtdsim("translate --mem /dev/null@0 --registers " + regs + " --sid 00:01.0 --iova 0");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("key \"rtaddr\" appears twice"), std::string::npos) << r.err;

  const std::string platform =
      write_file("dup-platform.json", R"({"schema": 1, "domains": [], "domains": []})");
  r = vtdsim("check --platform " + platform);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(platform + ": (top level): key \"domains\" appears twice"), std::string::npos)
      << r.err;
}

TEST(SecondRound, DeepJsonFailsFastWithoutMemoryBlowUp) {
  const std::string deep = write_file("deep.json", std::string(20'000'000, '['));
  auto r = vtdsim("check --platform " + deep, 20);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.seconds, 10);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nesting deeper than 64"), std::string::npos) << r.err;
}

TEST(SecondRound, JsonNulAndHugeNumbersArePositioned) {
  const std::string nul = write_file("nul.json", std::string("{\n  \"schema\": 1\0}\n", 18));
  auto r = vtdsim("check --platform " + nul);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(nul + ":2:14: NUL byte"), std::string::npos) << r.err;
  const std::string huge = write_file("huge.json", "{\n  \"schema\": 1e400\n}\n");
  r = vtdsim("check --platform " + huge);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(huge + ":2:13: number 1e400 is too large"), std::string::npos) << r.err;
  const std::string cfg = write_file("empty-config.json", "  \n");
  r = vtdsim("config --config " + cfg);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(cfg + ": empty file"), std::string::npos) << r.err;
}

TEST(SecondRound, AnOutputIsNeverAnInputOrAnotherOutput) {
  const auto& w = small_workload();
  const std::string d = fresh_dir("same-file");
  const std::string trace = d + "t.vtdt";
  std::filesystem::copy_file(w.trace, trace);
  const std::string before = read_file(trace);
  auto r = vtdsim("replay --functional -q --platform " + w.platform + " --trace " + trace + " --stats-json " +
                  trace);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("is also an output"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(trace), before) << "the input trace was replaced";

  r = vtdsim("replay --functional -q --platform " + w.platform + " --trace " + w.trace + " --stats-json " +
             d + "x.out --per-request " + d + "x.out");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("named as two outputs"), std::string::npos) << r.err;
  // Through a symbolic link too.
  std::filesystem::create_symlink("y.out", d + "lnk");
  r = vtdsim("replay --functional -q --platform " + w.platform + " --trace " + w.trace + " --stats-json " +
             d + "y.out --per-request " + d + "lnk");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(temporaries(d).empty());

  r = vtdsim("trace convert " + trace + " " + trace);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(read_file(trace), before);
}

TEST(SecondRound, CommandLineValuesThatAreUsageErrors) {
  const auto& w = small_workload();
  const std::string sweep = "sweep --platform " + w.platform + " --trace " + w.trace + " --functional -q ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"config --set iotlb.entries=-1", "--set iotlb.entries"},
      {"config --set iotlb.entries=12abc", "--set iotlb.entries"},
      {"config --set iotlb.entries=18446744073709551616", "too large"},
      {"config --set timing.clock_ghz=1e-12", "clock_ghz"},
      {"config --set nonsense", "--set 'nonsense'"},
      {sweep + "--param foo.bar --values 1,2", "--param foo.bar"},
      {sweep + "--param iotlb.entries --values 16abc", "--param iotlb.entries"},
      {sweep + "--param iotlb.entries --values 16,,32", "empty value"},
      {sweep + "--param iotlb.entries --values 16,32 -j 100000", "-j 100000"},
      {"replay --functional --platform " + w.platform + " --trace " + w.trace + " --stats-json ''",
       "--stats-json"},
      {"walk --platform " + ex() + " --sid 00:02.0 --iova 0 --html ''", "--html"},
  };
  for (const auto& [args, named] : cases) {
    SCOPED_TRACE(args);
    auto r = vtdsim(args, 30);
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  }
}

TEST(SecondRound, GenFailsOnABadPlatformPathBeforeGenerating) {
  auto r =
      vtdsim("gen --dmas 100000000 -q -o " + tmp() + "g.vtdt --platform-out " + tmp() + "no-dir/p.json", 30);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.seconds, 5);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no-dir/p.json"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp() + "g.vtdt"));
}

TEST(SecondRound, DemoDirectoryProblemsNameTheOption) {
  const std::string file = write_file("not-a-dir", "x");
  auto r = vtdsim("demo --dmas 1000 --dir " + file);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--dir " + file), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;
}

TEST(SecondRound, AHugeBinaryRecordCountIsTruncationNotExcess) {
  const std::string plain = tmp() + "plain.vtdt";
  ASSERT_EQ(vtdsim("trace convert " + small_workload().trace + " " + plain + " --compression none").code, 0);
  std::string bytes = read_file(plain);
  ASSERT_GT(bytes.size(), 64u);
  for (int i = 0; i < 8; ++i) bytes[size_t(32 + i)] = char(0xFF);  // record_count = 2^64 - 1
  const std::string t = write_file("huge-count.vtdt", bytes);
  auto r = vtdsim("trace stat " + t);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("more data than"), std::string::npos) << r.err;
}

TEST(SecondRound, DriverRecordsThatContradictTheTablesAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1000 detach 00:02.0 dom=77\n", "attached to domain 1"},
      {"1000 map dom=1 iova=0x900000 hpa=0xfffffffffffff000 len=0x1000 rw\n", "host address width"},
      {"1000 unmap dom=1 iova=0x900000 len=0x1000\n", "nothing is mapped"},
  };
  for (const auto& [text, said] : cases) {
    SCOPED_TRACE(text);
    const std::string t = write_file("contradiction.trace", "500 dma 00:02.0 read 0x100000 4\n" + text);
    for (const char* mode : {"--functional", ""}) {
      auto r = vtdsim(std::string("replay -q ") + mode + " --platform " + ex() + " --trace " + t);
      EXPECT_EQ(r.code, 1) << r.err;
      EXPECT_NE(r.err.find(t + ": record 1:"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(said), std::string::npos) << r.err;
    }
  }
}

TEST(SecondRound, AnInvalidationHintDoesNotHideAStalePagingStructureCache) {
  // The unmap frees the page table that mapped 0x200000; the page-selective invalidation carries IH, so the
  // paging-structure cache keeps its entry for the freed page, which the next map reuses as a directory.
  const std::string platform = write_file(
      "ih.json",
      R"({"domains":[{"id":1,"superpages":false,"mappings":[{"iova":"0x200000","hpa":"0x5000","size":"4KiB","read":true,"write":true},{"iova":"0x1000","hpa":"0x1000","size":"4KiB","read":true,"write":true}]}],"devices":[{"bdf":"00:02.0","domain":1}]})");
  const std::string trace = write_file("ih.trace",
                                       "1000 dma 00:02.0 read 0x200000 4\n"
                                       "2000 unmap dom=1 iova=0x200000 len=0x1000\n"
                                       "2500 iotlb-inval page dom=1 addr=0x200000 am=0 ih qi\n"
                                       "2600 inv-wait addr=0x0 data=0 sw qi\n"
                                       "2700 map dom=1 iova=0x40000000 hpa=0x7000 len=0x1000 rw\n"
                                       "3000 dma 00:02.0 read 0x200000 4\n");
  auto r = vtdsim("check --platform " + platform + " --trace " + trace + " --json");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stale_translations_served"], 1) << r.out;
  // Without IH the paging-structure caches are invalidated too: nothing stale, the DMA faults.
  std::string no_ih = read_file(trace);
  no_ih.replace(no_ih.find(" ih qi"), 6, " qi");
  const std::string trace2 = write_file("no-ih.trace", no_ih);
  r = vtdsim("check --platform " + platform + " --trace " + trace2 + " --json");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

TEST(SecondRound, ADmaThatCrossesA4KiBBoundaryIsRefusedNotHalfTranslated) {
  const std::string t = write_file("cross.trace", "1000 dma 00:02.0 write 0x100ff0 0x100\n");
  auto r = vtdsim("replay --functional -q --platform " + ex() + " --trace " + t);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(t + ": record 0:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("4 KiB boundary"), std::string::npos) << r.err;
  r = vtdsim("translate --platform " + ex() + " --sid 00:02.0 --iova 0x100ff0 --length 0x100 --write");
  EXPECT_EQ(r.code, 2) << r.err;
  const std::string q = write_file("cross.q", "dma 00:02.0 0x100ff0 write 0x100\n");
  r = vtdsim("translate --platform " + ex() + " --queries " + q);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(q + ":1:"), std::string::npos) << r.err;
  // Up to the boundary is one request.
  r = vtdsim("translate --platform " + ex() + " --sid 00:02.0 --iova 0x100f00 --length 0x100 --json");
  EXPECT_EQ(r.code, 0) << r.err;
}
