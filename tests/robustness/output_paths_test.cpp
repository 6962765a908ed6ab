// Output paths: every output file obeys one rule set (docs/cli.md, "Output files"): atomic replacement of
// regular files, symbolic links written through to their target, FIFOs (standing in for devices: the suite
// never touches real devices) written directly, "-" to standard output, directories refused; a failed command
// leaves the old file untouched and no temporary behind.
#include <sys/stat.h>

#include <thread>

#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {

struct output_case {
  const char* name;
  // The command, with OUT where the output path goes (W/T/P: workload trace and platform).
  std::string args;
};

std::string expand(std::string args, const std::string& out) {
  const auto& w = small_workload();
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (size_t at = 0; (at = args.find(from, at)) != std::string::npos; at += to.size())
      args.replace(at, from.size(), to);
  };
  replace_all("{OUT}", out);
  replace_all("{T}", w.trace);
  replace_all("{P}", w.platform);
  replace_all("{EX}", example("two-devices.json"));
  return args;
}

// One output option of each command that writes files.
const std::vector<output_case> kCases = {
    {"replay_stats", "replay --platform {P} --trace {T} --functional -q --stats-json {OUT}"},
    {"replay_csv", "replay --platform {P} --trace {T} --functional -q --per-request {OUT}"},
    {"convert", "trace convert {T} {OUT} --format text"},
    {"gen_trace", "gen --dmas 500 -q -o {OUT} --platform-out /dev/null"},
    {"gen_platform", "gen --dmas 500 -q -o /dev/null --platform-out {OUT}"},
    {"dump_pages", "dump --platform {EX} --save-pages {OUT}"},
    {"walk_html", "walk --platform {EX} --sid 00:02.0 --iova 0x100040 --html {OUT}"},
    {"sweep_csv",
     "sweep --platform {P} --trace {T} --functional -q --param iotlb.entries --values 16,32 --csv {OUT}"},
};

}  // namespace

TEST(OutputPaths, SymlinkIsWrittenThroughAndStaysALink) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string d = fresh_dir(std::string("link-") + c.name);
    std::filesystem::create_symlink("target.out", d + "link.out");
    write_file(std::string("link-") + c.name + "/target.out", "old");
    auto r = vtdsim(expand(c.args, d + "link.out"));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::is_symlink(d + "link.out"));
    EXPECT_NE(read_file(d + "target.out"), "old");
    EXPECT_GT(read_file(d + "target.out").size(), 10u);
    EXPECT_TRUE(temporaries(d).empty());
  }
}

TEST(OutputPaths, DanglingSymlinkCreatesItsTarget) {
  const std::string d = fresh_dir("dangling");
  std::filesystem::create_symlink("made.json", d + "link.json");
  auto r = vtdsim(expand(kCases[0].args, d + "link.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(d + "link.json"));
  EXPECT_TRUE(std::filesystem::is_regular_file(d + "made.json"));
}

TEST(OutputPaths, FifoIsWrittenDirectlyNeverReplaced) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string d = fresh_dir(std::string("fifo-") + c.name);
    const std::string fifo = d + "out.fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
    std::string received;
    std::thread reader([&] { received = read_file(fifo); });
    auto r = vtdsim(expand(c.args, fifo), 60);
    reader.join();
    ASSERT_EQ(r.code, 0) << r.err;
    struct stat st {};
    ASSERT_EQ(stat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
    EXPECT_GT(received.size(), 10u);
    EXPECT_TRUE(temporaries(d).empty());
  }
}

TEST(OutputPaths, DashIsStandardOutput) {
  auto r = vtdsim(expand(kCases[0].args, "-"));
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tool"], "vtdsim");
  auto c = vtdsim(expand("trace convert {T} - --format text --compression none", ""));
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("dma"), std::string::npos);
}

TEST(OutputPaths, DirectoryIsRefusedAndNamed) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string d = fresh_dir(std::string("dir-") + c.name);
    std::filesystem::create_directories(d + "adir");
    auto r = vtdsim(expand(c.args, d + "adir"));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find(d + "adir"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
    EXPECT_TRUE(std::filesystem::is_directory(d + "adir"));
    EXPECT_TRUE(temporaries(d).empty());
  }
}

TEST(OutputPaths, MissingDirectoryIsNamedNotTheTemporary) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string path = tmp() + "no-such-dir/out.file";
    auto r = vtdsim(expand(c.args, path));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(".tmp"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(".vtdsim-"), std::string::npos) << r.err;
  }
}

TEST(OutputPaths, FailedReplayLeavesTheOldFileAndNoTemporary) {
  const std::string d = fresh_dir("failed");
  // A trace whose third record is malformed: the replay fails after it started writing.
  const std::string bad = write_file("failed/bad.trace",
                                     "1000 dma 00:02.0 read 0x1000 64\n2000 dma 00:02.0 read 0x2000 64\n"
                                     "3000 dma 00:02.0 bogus 0x3000 64\n");
  write_file("failed/stats.json", "old stats");
  write_file("failed/req.csv", "old csv");
  auto r = vtdsim("replay --platform " + example("two-devices.json") + " --trace " + bad +
                  " --functional -q --stats-json " + d + "stats.json --per-request " + d + "req.csv");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(read_file(d + "stats.json"), "old stats");
  EXPECT_EQ(read_file(d + "req.csv"), "old csv");
  EXPECT_TRUE(temporaries(d).empty());
}

TEST(OutputPaths, ReplacedFileKeepsItsPermissions) {
  const std::string d = fresh_dir("mode");
  write_file("mode/stats.json", "old");
  ASSERT_EQ(chmod((d + "stats.json").c_str(), 0600), 0);
  auto r = vtdsim(expand(kCases[0].args, d + "stats.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat((d + "stats.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(OutputPaths, ReplaySaysWhereEachOutputWent) {
  const std::string d = fresh_dir("wrote");
  const auto& w = small_workload();
  auto r = vtdsim("replay --platform " + w.platform + " --trace " + w.trace + " --functional --stats-json " +
                  d + "s.json --per-request " + d + "r.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + d + "s.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wrote " + d + "r.csv"), std::string::npos) << r.out;
}
