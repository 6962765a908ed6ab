// Trace inputs from the command line (docs/trace-format.md, "Input paths" and "Errors and bounds"): every
// format gives the same result from a regular file, a pipe (<(...)), a FIFO, standard input and /dev/fd/N;
// /dev/zero, decompression bombs, directories, truncated compressed streams, records out of time order and
// bad binary headers fail within a time bound with an exit code of 1 and a message naming the file (and the
// position).
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool have_tool(const std::string& name) {
  return run_shell("command -v " + name + " >/dev/null", 10).code == 0;
}

// The small workload in every format: "text-none", "binary-zstd", ...
const std::map<std::string, std::string>& variants() {
  static const std::map<std::string, std::string> v = [] {
    std::map<std::string, std::string> m;
    for (const std::string f : {"text", "binary"})
      for (const std::string c : {"none", "zstd", "xz", "gzip"}) {
        const std::string path = tmp() + "v-" + f + "-" + c + ".trace";
        auto r = vtdsim("trace convert " + small_workload().trace + " " + path + " --format " + f +
                        " --compression " + c);
        if (r.code != 0) throw std::runtime_error("convert failed: " + r.err);
        m[f + "-" + c] = path;
      }
    return m;
  }();
  return v;
}

// `trace stat --json` without the path (which differs from one input kind to the next).
nlohmann::json stat_json(const run_result& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return nlohmann::json("unparsable: " + r.out.substr(0, 200));
  j.erase("trace");
  return j;
}

nlohmann::json stats_file(const std::string& path) {
  auto j = nlohmann::json::parse(read_file(path), nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

void put_le(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += char((v >> (8 * i)) & 0xFF);
}

// A binary trace written byte by byte (the suite does not link the traces library): header fields, then MSI
// records from 00:02.0 at the given times.
std::string binary_trace(const std::vector<uint64_t>& times, uint64_t count = 0, uint32_t unit = 1,
                         uint16_t version = 1) {
  std::string s = "VTDTRACE";
  put_le(s, version, 2);
  put_le(s, 64, 2);
  put_le(s, 0x01020304, 4);
  put_le(s, unit, 4);
  put_le(s, 32, 2);
  put_le(s, 0, 2);
  put_le(s, 0, 8);
  put_le(s, count, 8);
  s += std::string(24, '\0');
  for (uint64_t t : times) {
    put_le(s, t, 8);
    put_le(s, 0xFEE00000, 8);
    put_le(s, 0, 8);
    put_le(s, 0, 4);
    put_le(s, 0x0010, 2);  // 00:02.0
    put_le(s, 2, 1);       // msi
    put_le(s, 0, 1);
  }
  return s;
}

// Expects a failure within `seconds` with exit code 1 and every part in the message.
void expect_failure(const run_result& r, const std::vector<std::string>& parts, double seconds = 10) {
  EXPECT_FALSE(r.timed_out) << "no answer within the time bound";
  EXPECT_LT(r.seconds, seconds);
  EXPECT_EQ(r.code, 1) << r.err;
  for (const auto& p : parts) EXPECT_TRUE(has(r.err, p)) << "'" << p << "' not in: " << r.err;
}

}  // namespace

// ------------------------------------------------------------------------------------------- input paths

TEST(TraceInputCli, ReplayFromAPipeReplaysTheWholeTrace) {
  const auto& w = small_workload();
  const std::string base = "replay --functional -q --platform " + w.platform + " --stats-json ";
  auto file = vtdsim(base + tmp() + "file.json --trace " + w.trace);
  ASSERT_EQ(file.code, 0) << file.err;
  const auto expected = stats_file(tmp() + "file.json");
  ASSERT_EQ(expected["stats"]["dma.requests"], 2000);
  const std::vector<std::pair<std::string, std::string>> ways = {
      {"process substitution", base + tmp() + "pipe.json --trace <(cat " + w.trace + ")"},
      {"standard input", base + tmp() + "stdin.json --trace - < <(cat " + w.trace + ")"},
      {"/dev/fd/N", base + tmp() + "fd.json --trace /dev/fd/3 3< " + w.trace},
  };
  for (const auto& [name, args] : ways) {
    SCOPED_TRACE(name);
    const std::string out = args.substr(base.size(), args.find(' ', base.size()) - base.size());
    auto r = vtdsim(args, 60);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto got = stats_file(out);
    EXPECT_EQ(got["stats"]["sim.records"], expected["stats"]["sim.records"]);
    EXPECT_EQ(got["stats"]["dma.requests"], 2000);
    EXPECT_EQ(got["trace"]["format"], "binary, zstd");
    EXPECT_EQ(got["trace"]["fingerprint"], expected["trace"]["fingerprint"])
        << "the same bytes, the same print";
  }
}

TEST(TraceInputCli, ReplayFromAFifoEnds) {
  // The fingerprint of a FIFO is taken while it is read: opening it again would wait for a writer forever.
  const auto& w = small_workload();
  const std::string fifo = tmp() + "replay.fifo";
  auto r = run_shell("rm -f " + fifo + " && mkfifo " + fifo + " && { cat " + w.trace + " > " + fifo +
                         " & } && " + exe() + " replay --functional -q --platform " + w.platform +
                         " --trace " + fifo + " --stats-json " + tmp() + "fifo.json",
                     30);
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.code, 0) << r.err;
  auto file = vtdsim("replay --functional -q --platform " + w.platform + " --trace " + w.trace +
                     " --stats-json " + tmp() + "fifo-file.json");
  ASSERT_EQ(file.code, 0) << file.err;
  const auto got = stats_file(tmp() + "fifo.json"), expected = stats_file(tmp() + "fifo-file.json");
  EXPECT_EQ(got["stats"]["dma.requests"], 2000);
  EXPECT_EQ(got["trace"]["fingerprint"], expected["trace"]["fingerprint"]);
}

TEST(TraceInputCli, EveryFormatStatsIdenticallyFromEveryKindOfInput) {
  for (const auto& [name, path] : variants()) {
    SCOPED_TRACE(name);
    auto file = vtdsim("trace stat --json " + path);
    ASSERT_EQ(file.code, 0) << file.err;
    const auto expected = stat_json(file);
    ASSERT_EQ(expected["records"],
              stat_json(vtdsim("trace stat --json " + small_workload().trace))["records"]);
    const std::string fifo = tmp() + "stat-" + name + ".fifo";
    const std::vector<std::pair<std::string, std::string>> ways = {
        {"pipe", exe() + " trace stat --json <(cat " + path + ")"},
        {"standard input", "cat " + path + " | " + exe() + " trace stat --json -"},
        {"/dev/fd/N", exe() + " trace stat --json /dev/fd/3 3< " + path},
        {"FIFO", "rm -f " + fifo + " && mkfifo " + fifo + " && { cat " + path + " > " + fifo + " & } && " +
                     exe() + " trace stat --json " + fifo},
    };
    for (const auto& [how, script] : ways) {
      SCOPED_TRACE(how);
      auto r = run_shell(script, 30);
      ASSERT_FALSE(r.timed_out);
      ASSERT_EQ(r.code, 0) << r.err;
      EXPECT_EQ(stat_json(r), expected);
    }
  }
}

TEST(TraceInputCli, ConvertReadsFromAPipe) {
  const std::string out = tmp() + "from-pipe.txt";
  auto r = vtdsim("trace convert <(cat " + variants().at("binary-xz") + ") " + out + " --format text");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stat_json(vtdsim("trace stat --json " + out))["records"],
            stat_json(vtdsim("trace stat --json " + small_workload().trace))["records"]);
}

// ---------------------------------------------------------------------------------------------- bounds

TEST(TraceInputCli, DevZeroFailsFast) {
  const auto& w = small_workload();
  expect_failure(vtdsim("trace stat /dev/zero", 20), {"/dev/zero: not a vtdsim trace"});
  expect_failure(vtdsim("replay --functional --platform " + w.platform + " --trace /dev/zero", 20),
                 {"/dev/zero: not a vtdsim trace"});
  expect_failure(vtdsim("replay --platform " + w.platform + " --trace -", 20, "/dev/zero"),
                 {"<stdin>: not a vtdsim trace"});
  expect_failure(vtdsim("trace convert /dev/zero " + tmp() + "never.vtdt", 20),
                 {"/dev/zero: not a vtdsim trace"});
  EXPECT_FALSE(std::filesystem::exists(tmp() + "never.vtdt"));
}

TEST(TraceInputCli, DecompressionBombsFailFast) {
  struct bomb {
    std::string tool, name, make, expected;
  };
  const std::vector<bomb> bombs = {
      {"zstd", "zeros.zst", "head -c 2147483648 /dev/zero | zstd -q -c",
       "not a vtdsim trace (in its zstd stream)"},
      {"gzip", "zeros.gz", "head -c 268435456 /dev/zero | gzip -1 -c",
       "not a vtdsim trace (in its gzip stream)"},
      {"zstd", "line.zst",
       "{ echo '0 dma 00:02.0 read 0x1000 64'; head -c 268435456 /dev/zero | tr '\\0' x; } | zstd -q -c",
       ":2:4097: line too long"},
  };
  for (const auto& b : bombs) {
    SCOPED_TRACE(b.name);
    if (!have_tool(b.tool)) {
      ADD_FAILURE() << b.tool << " is not installed: bomb not built";
      continue;
    }
    const std::string path = tmp() + b.name;
    auto made = run_shell(b.make + " > " + path, 120);
    ASSERT_EQ(made.code, 0) << made.err;
    ASSERT_LT(read_file(path).size(), 2u << 20) << "a bomb is small (deflate expands at most ~1000 times)";
    expect_failure(vtdsim("trace stat " + path, 20), {path, b.expected});
    expect_failure(
        vtdsim("replay --functional --platform " + small_workload().platform + " --trace " + path, 20),
        {path, b.expected});
  }
}

TEST(TraceInputCli, ADirectoryIsRefusedByName) {
  const std::string dir = tmp() + "trace-dir";
  std::filesystem::create_directories(dir);
  expect_failure(vtdsim("trace stat " + dir), {dir + ": is a directory, not a trace file"});
  expect_failure(vtdsim("replay --functional --platform " + small_workload().platform + " --trace " + dir),
                 {dir + ": is a directory"});
  expect_failure(vtdsim("trace convert " + dir + " " + tmp() + "dir-out.vtdt"), {dir + ": is a directory"});
}

TEST(TraceInputCli, TruncatedAndEmptyCompressedStreamsAreErrors) {
  const std::vector<std::pair<std::string, std::string>> magic_only = {{"magic.zst", "\x28\xb5\x2f\xfd"},
                                                                       {"magic.gz", "\x1f\x8b"},
                                                                       {"magic.xz", std::string("\xfd"
                                                                                                "7zXZ\0",
                                                                                                6)}};
  for (const auto& [name, bytes] : magic_only) {
    SCOPED_TRACE(name);
    const std::string path = write_file(name, bytes);
    expect_failure(vtdsim("trace stat " + path), {path + ": truncated"});
  }
  for (const std::string c : {"zstd", "xz", "gzip"}) {
    SCOPED_TRACE(c);
    const std::string full = variants().at("binary-" + c);
    const std::string half = write_file("half-" + c, read_file(full).substr(0, read_file(full).size() / 2));
    expect_failure(vtdsim("trace stat " + half), {half + ": ", "truncated " + c + " stream"});
    expect_failure(
        vtdsim("trace stat <(head -c " + std::to_string(read_file(full).size() - 3) + " " + full + ")"),
        {"/dev/fd/", "truncated"});
    expect_failure(vtdsim("replay --functional --platform " + small_workload().platform + " --trace " + half),
                   {half, "truncated"});
  }
  // An empty file is an empty text trace; a compressed stream of nothing is an error.
  const std::string empty = write_file("empty.trace", "");
  auto r = vtdsim("trace stat --json " + empty);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stat_json(r)["records"], 0);
  const std::string empty_zst = tmp() + "empty.zst";
  ASSERT_EQ(run_shell("printf '' | zstd -q -c > " + empty_zst).code, 0);
  expect_failure(vtdsim("trace stat " + empty_zst),
                 {empty_zst + ": the zstd stream decompresses to nothing"});
  // vtdsim's own writer never makes such a stream: an empty compressed text trace carries a comment line.
  const std::string own = tmp() + "own-empty.zst";
  ASSERT_EQ(vtdsim("trace convert " + empty + " " + own + " --format text --compression zstd").code, 0);
  r = vtdsim("trace stat --json " + own);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stat_json(r)["records"], 0);
}

// --------------------------------------------------------------------------------------------- time order

TEST(TraceInputCli, RecordsOutOfTimeOrderAreRefusedWithTheirPosition) {
  const std::string text = write_file("back.trace",
                                      "1000 msi 00:02.0 0xfee00000 0x0\n"
                                      "1000 msi 00:02.0 0xfee00000 0x0\n"
                                      "0x1f4 msi 00:02.0 0xfee00000 0x0\n");
  expect_failure(vtdsim("trace stat " + text),
                 {text + ":3:1: time 500 ps is earlier than the previous record's 1000 ps (line 2)"});
  expect_failure(vtdsim("replay --functional --platform " + small_workload().platform + " --trace " + text),
                 {text + ":3:1: time 500 ps is earlier"});
  const std::string binary = write_file("back.vtdt", binary_trace({1000, 1000, 500, 2000}));
  expect_failure(
      vtdsim("trace stat " + binary),
      {binary + ": time 500 ps is earlier than the previous record's 1000 ps at record 2, byte offset 128"});
  expect_failure(vtdsim("trace stat <(cat " + binary + ")"), {"at record 2, byte offset 128"});
}

// ------------------------------------------------------------------------------------------ binary header

TEST(TraceInputCli, BinaryHeaderProblemsSaySo) {
  std::string bad = binary_trace({1, 2, 3});
  bad[4] = 'X';
  const std::string magic = write_file("magic.vtdt", bad);
  expect_failure(vtdsim("trace stat " + magic),
                 {magic + ": not a vtdsim binary trace: bad magic 'VTDTXACE' at byte offset 0"});
  const std::string version = write_file("version.vtdt", binary_trace({1, 2, 3}, 0, 1, 7));
  expect_failure(vtdsim("trace stat " + version),
                 {version + ": unsupported vtdsim binary trace: bad version 7 at byte offset 8"});
  const std::string count = write_file("count.vtdt", binary_trace({1, 2, 3, 4, 5}, 3));
  expect_failure(vtdsim("trace stat " + count),
                 {count + ": more data than the header's record count of 3: record 3 at byte offset 160"});
  // A time unit other than 1 ps: times are scaled, and a converted trace is in picoseconds.
  const std::string ns = write_file("ns.vtdt", binary_trace({5, 6, 7}, 3, 1000));
  auto r = vtdsim("trace stat --json " + ns);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stat_json(r)["first_time_ps"], 5000);
  EXPECT_EQ(stat_json(r)["last_time_ps"], 7000);
  ASSERT_EQ(vtdsim("trace convert " + ns + " " + tmp() + "ps.vtdt --compression none").code, 0);
  EXPECT_EQ(stat_json(vtdsim("trace stat --json " + tmp() + "ps.vtdt"))["last_time_ps"], 7000);
}
