// Signals: SIGINT or SIGTERM in the middle of replay, gen, trace convert and sweep leaves no temporary and no
// partial output file (model/io/output_file.hpp removes uncommitted temporaries, then the process dies by the
// same signal). Commands are held mid-run deterministically by giving them a FIFO as input that the test
// keeps open without writing, or by a generation large enough to be interrupted.
#include <sys/stat.h>

#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {

// Opens a FIFO for writing without blocking the test (O_RDWR never blocks on a FIFO) and keeps it open, so
// that the reader sees no end of file: the command under test blocks reading its input.
struct held_fifo {
  std::string path;
  int fd = -1;
  explicit held_fifo(const std::string& p) : path(p) {
    if (mkfifo(p.c_str(), 0644) != 0) throw std::runtime_error("mkfifo " + p);
    fd = open(p.c_str(), O_RDWR);
  }
  void write_bytes(const std::string& bytes) const {
    if (::write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size())) throw std::runtime_error("write");
  }
  ~held_fifo() {
    if (fd >= 0) close(fd);
  }
};

bool died_by(int status, int sig) {
  return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

void expect_clean(const std::string& dir, const std::vector<std::string>& outputs) {
  EXPECT_TRUE(temporaries(dir).empty()) << "temporaries left: " << ::testing::PrintToString(temporaries(dir));
  for (const auto& o : outputs) EXPECT_FALSE(std::filesystem::exists(dir + o)) << o << " was left behind";
}

}  // namespace

TEST(Signals, ReplayInterruptedLeavesNothing) {
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    const std::string d = fresh_dir("replay-" + std::to_string(sig));
    held_fifo trace(d + "trace.fifo");
    std::string lines;
    for (int i = 1; i <= 100; ++i) lines += std::to_string(i * 1000) + " dma 00:02.0 read 0x100000 64\n";
    trace.write_bytes(lines);  // some records, then silence
    auto b = spawn({"replay", "--platform", example("two-devices.json"), "--trace", trace.path,
                    "--stats-json", d + "stats.json", "--per-request", d + "req.csv", "-q"},
                   "replay-" + std::to_string(sig));
    // Wait until the outputs' temporaries exist: the replay is then mid-run.
    ASSERT_TRUE(eventually([&] { return temporaries(d).size() >= 2; }, 30));
    kill(b.pid, sig);
    const int status = wait_for(b.pid, 30);
    EXPECT_TRUE(died_by(status, sig)) << status;
    expect_clean(d, {"stats.json", "req.csv"});
  }
}

TEST(Signals, ConvertInterruptedLeavesNothing) {
  const std::string d = fresh_dir("convert");
  held_fifo in(d + "in.fifo");
  std::string lines;
  for (int i = 1; i <= 100; ++i) lines += std::to_string(i * 1000) + " dma 00:02.0 read 0x100000 64\n";
  in.write_bytes(lines);  // enough for the reader's first look at the content, then silence
  auto b = spawn({"trace", "convert", in.path, d + "out.vtdt"}, "convert");
  ASSERT_TRUE(eventually([&] { return !temporaries(d).empty(); }, 30));
  kill(b.pid, SIGINT);
  EXPECT_TRUE(died_by(wait_for(b.pid, 30), SIGINT));
  expect_clean(d, {"out.vtdt"});
}

TEST(Signals, GenInterruptedLeavesNothing) {
  const std::string d = fresh_dir("gen");
  // Big enough to be mid-run when the signal comes (it would take minutes to finish).
  auto b = spawn({"gen", "--dmas", "1000000000", "-q", "-o", d + "big.vtdt", "--platform-out", d + "p.json"},
                 "gen");
  ASSERT_TRUE(eventually([&] { return !temporaries(d).empty(); }, 30));
  kill(b.pid, SIGTERM);
  EXPECT_TRUE(died_by(wait_for(b.pid, 30), SIGTERM));
  expect_clean(d, {"big.vtdt", "p.json"});
}

TEST(Signals, SweepTerminatedTakesItsPointsAlong) {
  const std::string d = fresh_dir("sweep");
  held_fifo platform(d + "platform.fifo");
  const auto& w = small_workload();
  // Points block reading the platform from the FIFO (after opening their outputs); the sweep itself is
  // killed.
  auto b = spawn(
      {"sweep", "--platform", platform.path, "--trace", w.trace, "--functional", "--param", "iotlb.entries",
       "--values", "16,32", "-j", "2", "--stats-json", d + "stats.json", "--csv", d + "sweep.csv"},
      "sweep");
  ASSERT_TRUE(eventually([&] { return temporaries(d).size() >= 2; }, 30));
  kill(b.pid, SIGTERM);
  EXPECT_TRUE(died_by(wait_for(b.pid, 30), SIGTERM));
  // The points die with the sweep (PR_SET_PDEATHSIG) and remove their own temporaries.
  EXPECT_TRUE(eventually([&] { return temporaries(d).empty(); }, 30))
      << ::testing::PrintToString(temporaries(d));
  expect_clean(d, {"sweep.csv", "stats.iotlb.entries=16.json", "stats.iotlb.entries=32.json"});
}
