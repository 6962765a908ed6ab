// Trace input paths and bounds (docs/trace-format.md, "Input paths" and "Errors and bounds"): every format
// reads identically from a regular file, a pipe, a FIFO, standard input and /dev/fd/N; endless, garbage and
// decompression-bomb input ends in an error naming the file within a time bound; records must be in time
// order; directories, empty or truncated compressed streams and bad binary headers are errors; the header's
// time unit and record count are honoured.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/iostreams/device/back_inserter.hpp>
// GCC 12 reports a false -Wrestrict inside Boost's gzip_compressor header (GCC bug 105329, std::string
// insert inlined at -O3); it is not in vtdsim's code.
#pragma GCC diagnostic ignored "-Wrestrict"
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/lzma.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "tests/test_temp_dir.hpp"
#include "traces/binary_format.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

using namespace vtd::traces;
namespace bio = boost::iostreams;
using namespace std::string_literals;

namespace {

std::string temp(const std::string& name) {
  return vtd::test::temp_dir() + name;
}

// Records of several kinds in time order, some at equal times.
std::vector<record> sample(size_t n) {
  std::vector<record> out;
  uint64_t t = 1000;
  for (size_t i = 0; i < n; ++i) {
    t += (i % 7 == 3) ? 0 : 100 + i % 13;
    const uint64_t iova = 0x100000 + (i % 512) * 0x1000;
    switch (i % 4) {
      case 0:
        out.push_back(make_map(t, 1, iova, 0x50000000 + iova, 0x1000, true, i % 3 == 0));
        break;
      case 1:
        out.push_back(make_dma(t, make_sid(0, 2, 0), dma_op::read, iova | 0x40, 64));
        break;
      case 2:
        out.push_back(make_msi(t, make_sid(3, 0, 0), 0xFEE00010, uint32_t(i)));
        break;
      default:
        out.push_back(make_unmap(t, 1, iova, 0x1000));
        break;
    }
  }
  return out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void put_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string encoded(trace_format f, compression c, const std::vector<record>& rs, const std::string& name) {
  const std::string path = temp(name);
  trace_writer w(path, f, c);
  for (const auto& r : rs) w.write(r);
  w.close();
  return file_bytes(path);
}

// `produce` writes the uncompressed bytes; returns them compressed (for bombs and odd streams).
std::string compressed(compression c, const std::function<void(std::ostream&)>& produce) {
  std::string out;
  {
    bio::filtering_ostream s;
    switch (c) {
      case compression::zstd:
        s.push(bio::zstd_compressor());
        break;
      case compression::xz:
        s.push(bio::lzma_compressor());
        break;
      case compression::gzip:
        s.push(bio::gzip_compressor());
        break;
      case compression::none:
        break;
    }
    s.push(bio::back_inserter(out));
    produce(s);
  }
  return out;
}

std::vector<record> read_all(trace_reader& r) {
  std::vector<record> out;
  record rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}

std::string error_of(const std::string& name, const std::string& bytes) {
  try {
    trace_reader r(name, bytes);
    read_all(r);
  } catch (const trace_error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string error_of_path(const std::string& path) {
  try {
    trace_reader r(path);
    read_all(r);
  } catch (const trace_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Writes `bytes` into fd from a thread: the first bytes one at a time with pauses (a slow producer hands the
// reader short reads), the rest in pieces; closes fd. A reader that gives up early only stops the writer.
std::thread feed(int fd, std::string bytes) {
  return std::thread([fd, b = std::move(bytes)] {
    size_t at = 0;
    while (at < b.size()) {
      const size_t n = at < 24 ? 1 : std::min<size_t>(b.size() - at, 7919);
      const ssize_t k = ::write(fd, b.data() + at, n);
      if (k <= 0) break;
      at += size_t(k);
      if (at < 24) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::close(fd);
  });
}

enum class source { regular_file, dev_fd_of_file, pipe, fifo, standard_input };
const char* to_string(source s) {
  switch (s) {
    case source::regular_file:
      return "regular file";
    case source::dev_fd_of_file:
      return "/dev/fd/N of a file";
    case source::pipe:
      return "pipe (/dev/fd/N)";
    case source::fifo:
      return "FIFO";
    case source::standard_input:
      return "standard input";
  }
  return "?";
}

struct read_result {
  std::vector<record> records;
  trace_format format = trace_format::text;
  compression comp = compression::none;
  std::string error;
};

// Reads `bytes` through the given kind of input.
read_result read_via(source s, const std::string& bytes, const std::string& name) {
  read_result out;
  auto run = [&](const std::string& path) {
    try {
      trace_reader r(path);
      out.format = r.format();
      out.comp = r.compressed();
      out.records = read_all(r);
    } catch (const trace_error& e) {
      out.error = e.what();
    }
  };
  switch (s) {
    case source::regular_file: {
      put_file(temp(name), bytes);
      run(temp(name));
      break;
    }
    case source::dev_fd_of_file: {
      put_file(temp(name), bytes);
      const int fd = ::open(temp(name).c_str(), O_RDONLY);
      run("/dev/fd/" + std::to_string(fd));
      ::close(fd);
      break;
    }
    case source::pipe: {
      int p[2];
      if (::pipe(p) != 0) throw std::runtime_error("pipe");
      auto writer = feed(p[1], bytes);
      run("/dev/fd/" + std::to_string(p[0]));
      ::close(p[0]);
      writer.join();
      break;
    }
    case source::fifo: {
      const std::string path = temp(name + ".fifo");
      ::unlink(path.c_str());
      if (::mkfifo(path.c_str(), 0600) != 0) throw std::runtime_error("mkfifo");
      std::thread writer([&] {
        const int fd = ::open(path.c_str(), O_WRONLY);  // waits for the reader
        if (fd >= 0) feed(fd, bytes).join();
      });
      run(path);
      writer.join();
      break;
    }
    case source::standard_input: {
      int p[2];
      if (::pipe(p) != 0) throw std::runtime_error("pipe");
      const int saved = ::dup(0);
      ::dup2(p[0], 0);
      ::close(p[0]);
      auto writer = feed(p[1], bytes);
      run("-");
      ::dup2(saved, 0);  // also closes the pipe's read end: a writer still writing stops
      ::close(saved);
      writer.join();
      break;
    }
  }
  return out;
}

// Runs `body` in a child process and returns what it reports, or "(timed out)" after `seconds` (the child is
// killed): an input that makes the reader hang fails the test instead of hanging it.
struct bounded_result {
  std::string message;
  double seconds = 0;
};
bounded_result bounded(const std::function<std::string()>& body, double seconds = 10) {
  int p[2];
  if (::pipe(p) != 0) throw std::runtime_error("pipe");
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string m;
    try {
      m = body();
    } catch (const std::exception& e) {
      m = std::string("(exception) ") + e.what();
    }
    m.resize(std::min<size_t>(m.size(), 4000));
    (void)!::write(p[1], m.data(), m.size());
    _exit(0);
  }
  ::close(p[1]);
  bounded_result r;
  for (;;) {
    const double left =
        seconds - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    pollfd fd{p[0], POLLIN, 0};
    if (left <= 0 || ::poll(&fd, 1, int(left * 1000) + 1) == 0) {
      ::kill(pid, SIGKILL);
      r.message = "(timed out)";
      break;
    }
    char buf[4096];
    const ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n <= 0) break;
    r.message.append(buf, size_t(n));
  }
  ::close(p[0]);
  ::waitpid(pid, nullptr, 0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::string read_path_message(const std::string& path) {
  try {
    trace_reader r(path);
    return "(no error) " + std::to_string(read_all(r).size()) + " records";
  } catch (const trace_error& e) {
    return e.what();
  }
}

std::string header_bytes(const binary_header& h) {
  std::string s(binary_header_size, '\0');
  encode_header(h, reinterpret_cast<std::byte*>(s.data()));
  return s;
}

std::string record_bytes(const std::vector<record>& rs) {
  std::string s(rs.size() * binary_record_size, '\0');
  for (size_t i = 0; i < rs.size(); ++i)
    encode_record(rs[i], reinterpret_cast<std::byte*>(s.data() + i * binary_record_size));
  return s;
}

class TraceInputSilentPipes : public ::testing::Test {
 protected:
  void SetUp() override { signal(SIGPIPE, SIG_IGN); }  // a reader that stops early must not kill the writer
};

}  // namespace

// ------------------------------------------------------------------------------------------- input paths

TEST_F(TraceInputSilentPipes, EveryFormatReadsIdenticallyFromEveryKindOfInput) {
  const auto rs = sample(3000);
  for (auto f : {trace_format::text, trace_format::binary}) {
    for (auto c : {compression::none, compression::zstd, compression::xz, compression::gzip}) {
      const std::string bytes = encoded(f, c, rs, "m.trace");
      for (auto s : {source::regular_file, source::dev_fd_of_file, source::pipe, source::fifo,
                     source::standard_input}) {
        SCOPED_TRACE(std::string(f == trace_format::text ? "text" : "binary") + ", " +
                     vtd::traces::to_string(c) + ", " + to_string(s));
        const read_result got = read_via(s, bytes, "in.trace");
        EXPECT_EQ(got.error, "");
        EXPECT_EQ(got.format, f);
        EXPECT_EQ(got.comp, c);
        EXPECT_EQ(got.records.size(), rs.size());
        EXPECT_TRUE(got.records == rs);
      }
    }
  }
}

TEST_F(TraceInputSilentPipes, ShortInputsFromPipesAreSniffedFromWhatWasRead) {
  // Fewer bytes than any magic: still text, read from a pipe exactly as from a file.
  for (const std::string& bytes : {std::string("1 msi 00:02.0 0xfee00000 0x1\n"), std::string("\n"),
                                   std::string("# c"), std::string("")}) {
    for (auto s : {source::regular_file, source::pipe, source::fifo, source::standard_input}) {
      SCOPED_TRACE(to_string(s) + std::string(": '") + bytes + "'");
      const read_result got = read_via(s, bytes, "short.trace");
      EXPECT_EQ(got.error, "");
      EXPECT_EQ(got.records.size(), bytes.starts_with("1 msi") ? 1u : 0u);
    }
  }
}

TEST_F(TraceInputSilentPipes, StandardInputIsNamedInMessages) {
  const read_result got = read_via(source::standard_input, "100 dma 00:02.0 raed 0x0 4\n", "x");
  EXPECT_EQ(got.error, "<stdin>:1:17: expected read, write or atomic, got 'raed'");
}

TEST(TraceInput, ADirectoryIsAnErrorNamingIt) {
  const std::string dir = temp("a-directory");
  std::filesystem::create_directories(dir);
  EXPECT_EQ(error_of_path(dir), dir + ": is a directory, not a trace file");
  EXPECT_NE(error_of_path(temp("missing.trace")).find("missing.trace: cannot open"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------- bounds

TEST(TraceInput, DevZeroFailsFastAsNotATrace) {
  const auto r = bounded([] { return read_path_message("/dev/zero"); });
  EXPECT_LT(r.seconds, 10);
  EXPECT_EQ(r.message.rfind("/dev/zero: not a vtdsim trace: it starts with bytes 00 00 00", 0), 0u)
      << r.message;
}

TEST(TraceInput, TextLinesAreBoundedAndNulBytesArePositioned) {
  const std::string ok_line = "100 dma 00:02.0 read 0x1000 64 #";
  std::string longest = ok_line + std::string(max_text_line_bytes - ok_line.size(), 'x');
  EXPECT_EQ(error_of("t.txt", longest + "\n200 msi 00:02.0 0xfee00000 0x0\n"), "(no error)");
  EXPECT_EQ(error_of("t.txt", "# first\n" + longest + "y\n"),
            "t.txt:2:4097: line too long (a text trace line has at most 4096 bytes; is this a text trace?)");
  // Without a newline at all: reported once the line passes the bound, not after reading everything.
  EXPECT_EQ(error_of("t.txt", "# first\n" + std::string(100000, '#')).rfind("t.txt:2:4097: line too long", 0),
            0u);
  EXPECT_EQ(error_of("t.txt", "100 dma 00:02.0 read 0x1000 64\n200 dma 00:02.0 re\0d 0x1000 64\n"s),
            "t.txt:2:19: NUL byte in a text trace");
  EXPECT_EQ(error_of("t.txt", "100 dma 00:02.0 read 0x1000 64 # \0\n"s).rfind("t.txt:1:34: NUL byte", 0), 0u);
}

TEST(TraceInput, GarbageFailsFastAsNotATrace) {
  EXPECT_EQ(
      error_of("a.out",
               "\x7f"
               "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"s),
      "a.out: not a vtdsim trace: it starts with bytes 7f 45 4c 46 02 01 01 00 00 00 00 00 00 00 00 00, "
      "which are neither text nor a binary trace (magic VTDTRACE) nor a zstd, xz or gzip stream");
  EXPECT_EQ(
      error_of("z", std::string(1000, '\0')).rfind("z: not a vtdsim trace: it starts with bytes 00 00", 0),
      0u);
}

TEST(TraceInput, DecompressionBombsFailFastWithTheFileName) {
  // 1 GiB of zeros in a zstd stream of a few tens of KB; a text line followed by 256 MiB without a newline;
  // a binary header followed by 256 MiB of zero records; 256 MiB of zeros in gzip and 64 MiB in xz.
  std::string chunk(1 << 20, '\0');
  auto zeros = [&](size_t mib) {
    return [&chunk, mib](std::ostream& o) {
      for (size_t i = 0; i < mib; ++i) o.write(chunk.data(), std::streamsize(chunk.size()));
    };
  };
  struct bomb {
    std::string name, bytes, expected;
  };
  std::vector<bomb> bombs;
  bombs.push_back({"zeros.zst", compressed(compression::zstd, zeros(1024)),
                   "zeros.zst: not a vtdsim trace (in its zstd stream): it starts with bytes 00 00"});
  bombs.push_back({"line.zst",
                   compressed(compression::zstd,
                              [&](std::ostream& o) {
                                o << "100 dma 00:02.0 read 0x1000 64\n# ";
                                std::string x(1 << 20, 'x');
                                for (int i = 0; i < 256; ++i) o << x;
                              }),
                   "line.zst:2:4097: line too long"});
  bombs.push_back({"records.zst",
                   compressed(compression::zstd,
                              [&](std::ostream& o) {
                                o << header_bytes({});
                                zeros(256)(o);
                              }),
                   "records.zst: bad record kind (kind 0x00, flags 0x00) at record 0, byte offset 64"});
  bombs.push_back({"zeros.gz", compressed(compression::gzip, zeros(256)),
                   "zeros.gz: not a vtdsim trace (in its gzip stream)"});
  bombs.push_back({"zeros.xz", compressed(compression::xz, zeros(64)),
                   "zeros.xz: not a vtdsim trace (in its xz stream)"});
  for (const auto& b : bombs) {
    SCOPED_TRACE(b.name + ", " + std::to_string(b.bytes.size()) + " compressed bytes");
    EXPECT_LT(b.bytes.size(), 1u << 20);
    put_file(temp(b.name), b.bytes);
    const auto r = bounded([&] {
      const std::string m = read_path_message(temp(b.name));
      return m.starts_with(temp("")) ? m.substr(temp("").size()) : m;
    });
    EXPECT_LT(r.seconds, 10);
    EXPECT_EQ(r.message.rfind(b.expected, 0), 0u) << r.message;
  }
}

// --------------------------------------------------------------------------------------------- time order

TEST(TraceInput, TextRecordsMustNotGoBackInTime) {
  EXPECT_EQ(error_of("t.txt",
                     "1000 dma 00:02.0 read 0x1000 64\n1000 msi 00:02.0 0xfee00000 0x0\n"
                     "# comment\n  0x1f4 dma 00:02.0 read 0x2000 64\n"),
            "t.txt:4:3: time 500 ps is earlier than the previous record's 1000 ps (line 2); records must be "
            "in time "
            "order");
  EXPECT_EQ(error_of("t.txt", "5 dma 00:02.0 read 0x1000 64\n5 dma 00:02.0 read 0x1000 64\n"), "(no error)");
  // Across the reader's blocks of 4096 records.
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += fmt::format("{} msi 00:02.0 0xfee00000 0x0\n", i == 4500 ? 1 : 10 * i);
  EXPECT_EQ(error_of("t.txt", text)
                .rfind("t.txt:4501:1: time 1 ps is earlier than the previous record's 44990 ps", 0),
            0u);
}

TEST(TraceInput, BinaryRecordsMustNotGoBackInTime) {
  auto rs = sample(5000);
  rs[4500].time_ps = rs[4499].time_ps - 1;
  for (auto c : {compression::none, compression::zstd}) {
    SCOPED_TRACE(vtd::traces::to_string(c));
    const std::string bytes = encoded(trace_format::binary, c, rs, "back.vtdt");
    EXPECT_EQ(
        error_of("back.vtdt", bytes),
        fmt::format("back.vtdt: time {} ps is earlier than the previous record's {} ps at record 4500, byte "
                    "offset {} (records must be in time order)",
                    rs[4500].time_ps, rs[4499].time_ps, 64 + 4500 * 32));
  }
  rs[4500].time_ps = rs[4499].time_ps;  // equal times are in order
  EXPECT_EQ(error_of("eq.vtdt", encoded(trace_format::binary, compression::none, rs, "eq.vtdt")),
            "(no error)");
}

// ------------------------------------------------------------------------------ empty and truncated streams

TEST(TraceInput, AnEmptyFileIsAnEmptyTextTraceButAnEmptyCompressedStreamIsAnError) {
  put_file(temp("empty.trace"), "");
  trace_reader r(temp("empty.trace"));
  EXPECT_EQ(r.format(), trace_format::text);
  EXPECT_TRUE(read_all(r).empty());
  for (auto c : {compression::zstd, compression::xz, compression::gzip}) {
    const std::string bytes = compressed(c, [](std::ostream&) {});
    EXPECT_EQ(error_of("e", bytes),
              fmt::format("e: the {} stream decompresses to nothing (an empty trace is an "
                          "empty file)",
                          vtd::traces::to_string(c)));
  }
}

TEST(TraceInput, AFileHoldingOnlyACompressionMagicIsTruncated) {
  const std::vector<std::pair<std::string, std::string>> cases = {{"m.zst", "\x28\xb5\x2f\xfd"},
                                                                  {"m.xz",
                                                                   "\xfd"
                                                                   "7zXZ\0"s},
                                                                  {"m.gz", "\x1f\x8b"}};
  for (const auto& [name, bytes] : cases) {
    put_file(temp(name), bytes);
    const std::string e = error_of_path(temp(name));
    EXPECT_EQ(e.rfind(temp(name) + ": truncated", 0), 0u) << e;
  }
  EXPECT_EQ(error_of_path(temp("m.zst")), temp("m.zst") +
                                              ": truncated zstd stream (it ends inside a frame, after "
                                              "4 compressed bytes)");
}

TEST_F(TraceInputSilentPipes, EveryTruncationOfACompressedStreamIsAnError) {
  const auto rs = sample(400);
  for (auto f : {trace_format::text, trace_format::binary}) {
    for (auto c : {compression::zstd, compression::xz, compression::gzip}) {
      SCOPED_TRACE(std::string(f == trace_format::text ? "text, " : "binary, ") + vtd::traces::to_string(c));
      const std::string bytes = encoded(f, c, rs, "cut.trace");
      ASSERT_EQ(error_of("cut", bytes), "(no error)");
      for (size_t cut = 1; cut < bytes.size(); ++cut)
        ASSERT_NE(error_of("cut", bytes.substr(0, cut)), "(no error)")
            << "cut at " << cut << " of " << bytes.size();
      // The same through a pipe (the zstd frames are followed as they are read, not from a mapping).
      for (size_t cut : {bytes.size() / 3, bytes.size() - 1}) {
        const read_result got = read_via(source::pipe, bytes.substr(0, cut), "cut.trace");
        EXPECT_NE(got.error.find("truncated"), std::string::npos) << got.error;
      }
    }
  }
}

// ------------------------------------------------------------------------------------------ binary header

TEST(TraceInput, BinaryHeaderProblemsSaySo) {
  const std::string good = header_bytes({}) + record_bytes(sample(3));
  std::string bad = good;
  bad[3] = 'X';
  EXPECT_EQ(error_of("t.bin", bad),
            "t.bin: not a vtdsim binary trace: bad magic 'VTDXRACE' at byte offset 0 (expected 'VTDTRACE')");
  bad = good;
  bad[0] = 'W';  // most of the magic, and binary bytes after it: a damaged header, not text
  EXPECT_EQ(error_of("t.bin", bad).rfind("t.bin: not a vtdsim binary trace: bad magic 'WTDTRACE'", 0), 0u);
  EXPECT_EQ(error_of("t.bin", good.substr(0, 5)),
            "t.bin: truncated header (5 of 64 bytes) of a binary trace");
  bad = good;
  bad[8] = 9;
  EXPECT_EQ(error_of("t.bin", bad),
            "t.bin: unsupported vtdsim binary trace: bad version 9 at byte offset 8 (this reader reads "
            "versions 1 and 2)");
  bad = good;
  bad[8] = 0;
  EXPECT_EQ(error_of("t.bin", bad).rfind("t.bin: unsupported vtdsim binary trace: bad version 0 at", 0), 0u);
  bad = good;
  bad[8] = 3;
  EXPECT_EQ(error_of("t.bin", bad).rfind("t.bin: unsupported vtdsim binary trace: bad version 3 at", 0), 0u);
  bad = good;
  bad[20] = 48;
  EXPECT_EQ(error_of("t.bin", bad),
            "t.bin: unsupported vtdsim binary trace: bad record size 48 at byte offset 20 (expected 32)");
  bad = good;
  std::swap(bad[12], bad[15]);
  std::swap(bad[13], bad[14]);
  EXPECT_EQ(
      error_of("t.bin", bad).rfind("t.bin: not a vtdsim binary trace: bad endianness marker 0x04030201", 0),
      0u);
  // The same inside a compressed stream.
  EXPECT_EQ(
      error_of("t.zst", compressed(compression::zstd, [&](std::ostream& o) { o << "VTDXRACE"; })),
      "t.zst: not a vtdsim binary trace: bad magic 'VTDXRACE' at byte offset 0 (expected 'VTDTRACE') (in "
      "its zstd stream)");
}

TEST(TraceInput, BinaryTimeUnitIsHonoured) {
  binary_header h;
  h.time_unit_ps = 1000;  // times in nanoseconds
  auto rs = sample(10);
  for (size_t i = 0; i < rs.size(); ++i) rs[i].time_ps = 5 + i;
  trace_reader r("ns.bin", header_bytes(h) + record_bytes(rs));
  const auto got = read_all(r);
  ASSERT_EQ(got.size(), rs.size());
  for (size_t i = 0; i < rs.size(); ++i) EXPECT_EQ(got[i].time_ps, (5 + i) * 1000);
  EXPECT_EQ(r.header().time_unit_ps, 1u) << "the header describes the records as returned: picoseconds";
  EXPECT_EQ(r.file_time_unit_ps(), 1000u);
  // Compressed, and in the reader's second block.
  std::vector<record> many = sample(5000);
  for (auto& x : many) x.time_ps /= 1000;
  const std::string z =
      compressed(compression::zstd, [&](std::ostream& o) { o << header_bytes(h) << record_bytes(many); });
  trace_reader rz("ns.zst", z);
  const auto gz = read_all(rz);
  ASSERT_EQ(gz.size(), many.size());
  EXPECT_EQ(gz[4999].time_ps, many[4999].time_ps * 1000);
  // A time that does not fit in 64 bits of picoseconds.
  rs[9].time_ps = uint64_t(1) << 60;
  EXPECT_EQ(
      error_of("ns.bin", header_bytes(h) + record_bytes(rs)),
      "ns.bin: time 1152921504606846976 in units of 1000 ps does not fit in 64 bits of picoseconds at record "
      "9, byte offset 352");
  h.time_unit_ps = 0;
  EXPECT_EQ(
      error_of("z.bin", header_bytes(h)).rfind("z.bin: bad vtdsim binary trace header: time unit 0 ps", 0),
      0u);
}

TEST(TraceInput, BinaryRecordCountIsExact) {
  binary_header h;
  h.record_count = 3;
  const auto rs = sample(5);
  EXPECT_EQ(
      error_of("t.bin", header_bytes(h) + record_bytes(rs)),
      "t.bin: more data than the header's record count of 3: record 3 at byte offset 160 is past the end the "
      "header promises");
  EXPECT_EQ(error_of("t.bin", header_bytes(h) + record_bytes(rs).substr(0, 3 * 32 + 1))
                .rfind("t.bin: more data than the header's record count of 3", 0),
            0u);
  EXPECT_EQ(
      error_of("t.bin", header_bytes(h) + record_bytes(std::vector<record>(rs.begin(), rs.begin() + 3))),
      "(no error)");
  h.record_count = 4;
  EXPECT_EQ(
      error_of("t.bin", header_bytes(h) + record_bytes(std::vector<record>(rs.begin(), rs.begin() + 3))),
      "t.bin: truncated: header promises 4 records, file ends after 3");
  // A big file: the extra record is in the reader's second block.
  const auto big = sample(6000);
  h.record_count = 5000;
  EXPECT_EQ(
      error_of("big.bin", header_bytes(h) + record_bytes(big))
          .rfind(
              "big.bin: more data than the header's record count of 5000: record 5000 at byte offset 160064",
              0),
      0u);
}

TEST(TraceInput, ZstdSkippableFramesAreFollowed) {
  const auto rs = sample(500);
  const std::string skippable = "\x50\x2a\x4d\x18\x04\x00\x00\x00"s + "meta";
  const std::string bytes = skippable + encoded(trace_format::text, compression::zstd, rs, "sk.zst");
  trace_reader r("sk.zst", bytes);
  EXPECT_EQ(r.compressed(), compression::zstd);
  EXPECT_TRUE(read_all(r) == rs);
  EXPECT_EQ(error_of("only.zst", skippable), "only.zst: empty zstd stream (no frame)");
  EXPECT_EQ(error_of("cut.zst", skippable.substr(0, 10)),
            "cut.zst: truncated zstd stream (it ends inside a frame, after 10 compressed bytes)");
}
