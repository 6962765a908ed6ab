// The trace fingerprint of `vtdsim replay --stats-json` (issue 16: computed while the trace is read, not in a
// second pass): for a mapped file, compressed or not, binary or text, and for the same bytes through a pipe,
// it is FNV-1a over the file's 64-bit little-endian words (the tail zero-padded) and then its length, as
// computed here from the file independently. A replay of a trace longer than the reader's release window
// gives the same statistics as the same trace read through a pipe (which is never mapped).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <string>

#include <fmt/format.h>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

std::string fnv1a64w(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w = 0;
    for (int b = 7; b >= 0; --b) w = (w << 8) | static_cast<unsigned char>(bytes[i + size_t(b)]);
    h = (h ^ w) * 0x100000001b3ull;
  }
  if (i < bytes.size()) {
    uint64_t w = 0;
    for (size_t b = bytes.size(); b-- > i;) w = (w << 8) | static_cast<unsigned char>(bytes[b]);
    h = (h ^ w) * 0x100000001b3ull;
  }
  h = (h ^ uint64_t(bytes.size())) * 0x100000001b3ull;
  return fmt::format("fnv1a64w:{:016x}", h);
}

nlohmann::json replay_stats(const std::string& args) {
  const std::string out = vtd::test::temp_dir() + "stats.json";
  const auto r = vtd::test::run_vtdsim("replay -q --functional " + args + " --stats-json " + out);
  EXPECT_EQ(r.code, 0) << r.out;
  return nlohmann::json::parse(vtd::test::slurp(out));
}

std::string dir() {
  return vtd::test::temp_dir();
}

}  // namespace

TEST(ReplayFingerprint, EqualsTheFnvOfTheFileInEveryFormat) {
  // The gpu workload, 20000 DMAs, in each format the reader reads: the trace's length is not a multiple of
  // 8 for text, so the zero-padded tail is covered.
  const std::string platform = dir() + "p.json";
  for (const std::string compression : {"none", "zstd", "gzip"}) {
    const std::string trace = dir() + "g-" + compression + ".vtdt";
    auto g = vtd::test::run_vtdsim("gen -q --workload gpu --dmas 20000 --compression " + compression +
                                   " -o " + trace + " --platform-out " + platform);
    ASSERT_EQ(g.code, 0) << g.out;
    const nlohmann::json j = replay_stats("--platform " + platform + " --trace " + trace);
    EXPECT_EQ(j["trace"]["fingerprint"], fnv1a64w(vtd::test::slurp(trace))) << compression;
  }
  const std::string text = dir() + "g.txt";
  auto c = vtd::test::run_vtdsim("trace convert " + dir() + "g-none.vtdt " + text +
                                 " --format text --compression none");
  ASSERT_EQ(c.code, 0) << c.out;
  const std::string text_bytes = vtd::test::slurp(text);
  ASSERT_NE(text_bytes.size() % 8, 0u) << "pick a length with a tail";
  const nlohmann::json j = replay_stats("--platform " + platform + " --trace " + text);
  EXPECT_EQ(j["trace"]["fingerprint"], fnv1a64w(text_bytes));
}

TEST(ReplayFingerprint, ALongMappedTraceReplaysAsThroughAPipe) {
  // 400000 DMAs (12.8 MB): longer than the reader's 8 MiB release window, so pages are released behind the
  // reader while it replays. Through a pipe nothing is mapped; both replays must agree in every statistic
  // and in the fingerprint, which must be the file's.
  const std::string platform = dir() + "long.json", trace = dir() + "long.vtdt";
  auto g = vtd::test::run_vtdsim("gen -q --workload mixed --dmas 400000 --compression none -o " + trace +
                                 " --platform-out " + platform);
  ASSERT_EQ(g.code, 0) << g.out;
  nlohmann::json mapped = replay_stats("--platform " + platform + " --trace " + trace);
  const std::string out = dir() + "piped.json";
  const auto r = vtd::test::run_vtdsim("replay -q --functional --platform " + platform +
                                       " --trace - --stats-json " + out + " < " + trace);
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json piped = nlohmann::json::parse(vtd::test::slurp(out));
  EXPECT_EQ(mapped["trace"]["fingerprint"], fnv1a64w(vtd::test::slurp(trace)));
  EXPECT_EQ(piped["trace"]["fingerprint"], mapped["trace"]["fingerprint"]);
  ASSERT_GT(mapped["stats"]["dma.requests"].get<uint64_t>(), 0u) << mapped["stats"].dump().substr(0, 400);
  for (auto* j : {&mapped, &piped}) {
    j->erase("trace");  // path and format differ
    (*j)["stats"].erase("sim.wall_seconds");
    (*j)["stats"].erase("sim.requests_per_second");
  }
  EXPECT_EQ(mapped, piped);
}
