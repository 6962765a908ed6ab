// Replay statistics are honest at the command line: the functional and timed models count the same things
// for the same trace; busy times stay within the trace span; a warmup is exactly the first N requests and may
// not swallow the whole trace; --vcd obeys the output-file rules (all or nothing, no temporary left behind).
#include <fmt/format.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/robustness/robustness_fixture.hpp"

namespace {

using nlohmann::json;
using vtd::robust::listing;
using vtd::robust::read_file;
using vtd::robust::small_workload;
using vtd::robust::tmp;
using vtd::robust::vtdsim;

// A fresh directory per test (the listing checks must not see other tests' files).
std::string fresh_dir(const std::string& name) {
  const std::string dir = tmp() + name + "/";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The --stats-json document of one replay of the small workload; fails the test when the replay fails.
json replay_stats(const std::string& extra, const std::string& name) {
  const auto& w = small_workload();
  const std::string out = tmp() + name + ".json";
  auto r = vtdsim(
      fmt::format("replay --platform {} --trace {} --stats-json {} -q {}", w.platform, w.trace, out, extra));
  EXPECT_EQ(r.code, 0) << r.err;
  if (r.code != 0) return json::object();
  return json::parse(read_file(out));
}

// Statistics that depend on the host clock rather than on the trace.
bool host_time(const std::string& name) {
  return name == "sim.wall_seconds" || name == "sim.requests_per_second";
}

// The text form of the small workload (driver records and requests in time order), for editing.
std::string small_workload_text() {
  static const std::string path = [] {
    const std::string p = tmp() + "t.txt";
    auto r = vtdsim(
        fmt::format("trace convert {} {} --format text --compression none", small_workload().trace, p));
    if (r.code != 0) throw std::runtime_error("trace convert failed: " + r.err);
    return p;
  }();
  return path;
}

}  // namespace

// Issue 9.3: the functional replay counted no walks and no memory reads (the walk record was only kept when
// someone asked for it); the timed replay of the same trace counted thousands.
TEST(Stats, FunctionalAndTimedReplaysCountTheSame) {
  for (const char* warmup : {"0", "100"}) {
    SCOPED_TRACE(fmt::format("--warmup {}", warmup));
    const json functional = replay_stats(fmt::format("--functional --warmup {}", warmup), "functional");
    const json timed = replay_stats(fmt::format("--warmup {}", warmup), "timed");
    ASSERT_TRUE(functional.contains("stats") && timed.contains("stats"));
    const auto& f = functional["stats"];
    const auto& t = timed["stats"];
    EXPECT_GT(f["walks"].get<double>(), 0);
    EXPECT_GT(f["iommu_mrds"].get<double>(), 0);
    EXPECT_GT(f["walks.per_request"].get<double>(), 0);
    // Every statistic of the functional replay is independent of time; the timed one must agree on each.
    for (const auto& [name, value] : f.items()) {
      if (host_time(name)) continue;
      ASSERT_TRUE(t.contains(name)) << name;
      EXPECT_EQ(t[name], value) << name;
    }
  }
}

TEST(Stats, FunctionalSweepReportsWalks) {
  const auto& w = small_workload();
  const std::string csv = tmp() + "sweep.csv";
  auto r =
      vtdsim(fmt::format("sweep --platform {} --trace {} --functional --param iotlb.entries --values 64 "
                         "--csv {} -j 1 -q",
                         w.platform, w.trace, csv));
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(read_file(csv));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  // Column by name: the header names every column.
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    return cells;
  };
  const auto names = split(header), cells = split(row);
  const auto it = std::find(names.begin(), names.end(), "walks.per_request");
  ASSERT_NE(it, names.end()) << header;
  const size_t column = size_t(it - names.begin());
  ASSERT_LT(column, cells.size()) << row;
  EXPECT_GT(std::stod(cells[column]), 0.0) << header << "\n" << row;
}

// Issue 9.4: inval.busy_ns summed (completion - submission) over invalidations, so every queued one counted
// the whole backlog ahead of it again: seconds of busy time in a trace of microseconds.
TEST(Stats, BusyTimesStayWithinTheSpan) {
  const json j = replay_stats("", "busy");
  ASSERT_TRUE(j.contains("stats"));
  const auto& s = j["stats"];
  const double span = s["sim.trace_span_ns"].get<double>();
  const double walkers = j["config"]["timing"]["walkers"].get<double>();
  ASSERT_GT(span, 0);
  EXPECT_LE(s["inval.busy_ns"].get<double>(), span);
  EXPECT_LE(s["inval.occupancy"].get<double>(), 1.0);
  EXPECT_LE(s["pw_busy_ns"].get<double>(), span * walkers);
  EXPECT_LE(s["pw_occupancy"].get<double>(), walkers);
  EXPECT_DOUBLE_EQ(s["pw_occupancy"].get<double>(), s["pw_busy_ns"].get<double>() / span);
  EXPECT_GE(s["inval.backlog_ns"].get<double>(), 0);
}

// A burst of invalidation waits: busy time grew with the square of the burst.
TEST(Stats, InvalidationBurstBusyTimeIsLinear) {
  const std::string dir = fresh_dir("burst");
  // 400 waits, one per nanosecond: 1.2 us of work each (server preset), so the engine is saturated all along;
  // then one DMA of the workload's NIC.
  std::string trace;
  for (int i = 0; i < 400; ++i)
    trace += fmt::format("{} inv-wait addr=0x7000000 data=0x1 sw qi\n", 1000 + i * 1000);
  trace += "401000 dma 10:00.0 read 0xffffe000 64\n";
  std::ofstream(dir + "burst.txt") << trace;
  auto r = vtdsim(fmt::format("replay --platform {} --trace {} --stats-json {} -q", small_workload().platform,
                              dir + "burst.txt", dir + "s.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto s = json::parse(read_file(dir + "s.json"))["stats"];
  const double span = s["sim.trace_span_ns"].get<double>();
  EXPECT_DOUBLE_EQ(span, 400.0);  // from the first record (1 ns) to the DMA (401 ns)
  EXPECT_LE(s["inval.busy_ns"].get<double>(), span);
  EXPECT_GE(s["inval.busy_ns"].get<double>(), span - 1.0) << "saturated the whole span";
  // The rest of the 400 x 1.2 us of work is backlog past the trace's end, not busy time inside it.
  EXPECT_NEAR(s["inval.backlog_ns"].get<double>(), 1.0 + 400 * 1200.0 - 401.0, 1.0);
}

// Issue 9.9: a warmup of N >= the trace's M requests silently reported the whole trace.
TEST(Stats, WarmupCoveringEveryRequestFails) {
  const json full = replay_stats("--functional", "full");
  ASSERT_TRUE(full.contains("stats"));
  const uint64_t requests = full["stats"]["iommu_requests"].get<uint64_t>();
  ASSERT_GT(requests, 0u);
  const auto& w = small_workload();
  for (const char* mode : {"--functional", ""}) {
    for (uint64_t warmup : {requests, requests + 1, uint64_t{1'000'000'000}}) {
      SCOPED_TRACE(fmt::format("mode '{}' warmup {}", mode, warmup));
      const std::string dir = fresh_dir("warmup");
      std::ofstream(dir + "keep.vcd") << "keep";
      const auto before = listing(dir);
      auto r = vtdsim(fmt::format(
          "replay --platform {} --trace {} --warmup {} --stats-json {} --per-request {} {} {}", w.platform,
          w.trace, warmup, dir + "s.json", dir + "r.csv", mode, *mode ? "" : "--vcd " + dir + "keep.vcd"));
      EXPECT_EQ(r.code, 1) << r.err;
      EXPECT_NE(r.err.find(fmt::format("warmup {} but the trace has {} requests", warmup, requests)),
                std::string::npos)
          << r.err;
      EXPECT_EQ(listing(dir), before) << "no statistics file, no temporary";
      EXPECT_EQ(read_file(dir + "keep.vcd"), "keep");
    }
  }
}

// Issue 9.9: at the warmup boundary the timed replay reset the cache counters after the first measured
// request's lookups, so iotlb_lookup was one less than dma.requests.
TEST(Stats, WarmupBoundaryCountsExactlyTheRequestsAfterIt) {
  const json full = replay_stats("", "nowarm");
  ASSERT_TRUE(full.contains("stats"));
  // Every DMA of this workload looks the IOTLB up once (no fault stops one before the lookup).
  ASSERT_EQ(full["stats"]["iotlb_lookup"], full["stats"]["dma.requests"]);
  const uint64_t requests = full["stats"]["iommu_requests"].get<uint64_t>();
  for (uint64_t warmup : {uint64_t{1}, uint64_t{100}, requests - 1}) {
    SCOPED_TRACE(fmt::format("--warmup {}", warmup));
    const json j = replay_stats(fmt::format("--warmup {}", warmup), "warm");
    ASSERT_TRUE(j.contains("stats"));
    const auto& s = j["stats"];
    EXPECT_EQ(s["iommu_requests"].get<uint64_t>(), requests - warmup);
    EXPECT_EQ(s["iotlb_lookup"], s["dma.requests"]);
    EXPECT_EQ(s["latency.dma_read.count"].get<uint64_t>() + s["latency.dma_write.count"].get<uint64_t>(),
              s["dma.requests"].get<uint64_t>());
    EXPECT_EQ(s["latency.msi.count"], s["msi.requests"]);
    uint64_t device_requests = 0;
    for (const auto& [name, value] : s.items()) {
      const bool dma = name.size() > 4 && name.compare(name.size() - 4, 4, ".dma") == 0;
      const bool msi = name.size() > 4 && name.compare(name.size() - 4, 4, ".msi") == 0;
      if (name.rfind("device.", 0) == 0 && (dma || msi)) device_requests += value.get<uint64_t>();
    }
    EXPECT_EQ(device_requests, requests - warmup);
  }
}

// Issue 9.8: SystemC wrote the VCD straight to the user's path, so a replay failing part way replaced an
// existing file with a partial one.
TEST(Stats, VcdOfAFailedReplayLeavesTheOldFile) {
  const std::string dir = fresh_dir("vcdfail");
  std::ofstream(dir + "bad.txt") << read_file(small_workload_text()) << "99999999999 bogus record\n";
  std::ofstream(dir + "old.vcd") << "precious";
  const auto before = listing(dir);
  auto r = vtdsim(fmt::format("replay --platform {} --trace {} --vcd {} -q", small_workload().platform,
                              dir + "bad.txt", dir + "old.vcd"));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir + "old.vcd"), "precious");
  EXPECT_EQ(listing(dir), before) << "no temporary left";
}

TEST(Stats, VcdIsWrittenToTheExactPath) {
  const std::string dir = fresh_dir("vcdok");
  std::ofstream(dir + "walkers") << "old";
  auto r = vtdsim(fmt::format("replay --platform {} --trace {} --vcd {} -q", small_workload().platform,
                              small_workload().trace, dir + "walkers"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(listing(dir), (std::set<std::string>{"walkers"})) << "no walkers.vcd beside it, no temporary";
  const std::string vcd = read_file(dir + "walkers");
  EXPECT_EQ(vcd.rfind("$date", 0), 0u) << vcd.substr(0, 100);
  EXPECT_NE(vcd.find("walkers_busy"), std::string::npos);
}

// Interrupted while SystemC is writing the VCD: neither the VCD nor its temporaries are left. The trace comes
// through a pipe kept open (by a reader of an idle FIFO) until the signal has been handled, so the replay is
// certainly still running when the signal arrives.
TEST(Stats, VcdOfAnInterruptedReplayIsRemoved) {
  const std::string dir = fresh_dir("vcdint");
  const std::string hold = tmp() + "vcdint.fifo";
  std::filesystem::remove(hold);
  ASSERT_EQ(mkfifo(hold.c_str(), 0600), 0);
  const std::string script = fmt::format(
      "cd {dir} || exit 1\n"
      "{exe} replay --platform {platform} --trace <(cat {trace} {hold}) --vcd x.vcd -q &\n"
      "pid=$!\n"
      "for i in $(seq 100); do ls -A | grep -q vtdsim-vcd && break; sleep 0.1; done\n"
      "sleep 0.5; ls -A; kill -INT $pid; wait $pid; echo rc=$?\n"
      // Lets the FIFO's reader end; read-write, so that it never blocks when nobody reads the FIFO any more.
      ": 1<> {hold}\n",
      fmt::arg("dir", dir), fmt::arg("exe", vtd::robust::exe()),
      fmt::arg("platform", small_workload().platform), fmt::arg("trace", small_workload_text()),
      fmt::arg("hold", hold));
  auto r = vtd::robust::run_shell(script, 60);
  EXPECT_NE(r.out.find("vtdsim-vcd"), std::string::npos) << "the replay was running with its temporary\n"
                                                         << r.out << r.err;
  EXPECT_NE(r.out.find("rc=130"), std::string::npos) << r.out << r.err;
  EXPECT_TRUE(listing(dir).empty()) << r.out;
}
