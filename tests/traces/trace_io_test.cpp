// Trace formats: text <-> binary round trips, compression detected from content, positioned errors for
// malformed, truncated and corrupted input, no partial output files.
#include <gtest/gtest.h>

#include "tests/test_temp_dir.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "traces/binary_format.hpp"
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

using namespace vtd::traces;

namespace {

uint64_t mix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Records of every kind with random fields (seeded).
std::vector<record> sample(size_t n, uint64_t seed) {
  std::vector<record> out;
  uint64_t t = 0;
  for (size_t i = 0; i < n; ++i) {
    t += mix(seed) % 5000;
    const uint16_t sid = uint16_t(mix(seed));
    const uint64_t addr = (mix(seed) & 0xFFFFFFFFFFull) & ~0xFFFull;
    switch (i % 16) {
      case 0:
        out.push_back(make_dma(t, sid, dma_op(mix(seed) % 3), addr | 0x40, uint32_t(mix(seed) % 4096),
                               address_type(mix(seed) % 3)));
        break;
      case 1:
        out.push_back(make_dma_pasid(t, sid, uint32_t(mix(seed) & 0xFFFFF), dma_op::write, addr, 64));
        break;
      case 2:
        out.push_back(make_msi(t, sid, 0xFEE00000 | (mix(seed) & 0xFFFF0), uint32_t(mix(seed))));
        break;
      case 3:
        out.push_back(make_map(t, uint16_t(mix(seed)), addr, addr * 3, 0x1000 * (1 + mix(seed) % 512), true,
                               mix(seed) & 1));
        break;
      case 4:
        out.push_back(make_unmap(t, uint16_t(mix(seed)), addr, 0x1000 * (1 + mix(seed) % 512)));
        break;
      case 5:
        out.push_back(make_attach(t, sid, uint16_t(mix(seed))));
        break;
      case 6:
        out.push_back(make_detach(t, sid, uint16_t(mix(seed))));
        break;
      case 7:
        out.push_back(make_cc_inval(t, granularity(mix(seed) % 3), uint16_t(mix(seed)), sid,
                                    uint8_t(mix(seed) % 4), mix(seed) & 1));
        break;
      case 8:
        out.push_back(make_iotlb_inval(t, granularity(mix(seed) % 3), uint16_t(mix(seed)), addr,
                                       uint8_t(mix(seed) % 19), mix(seed) & 1, mix(seed) & 1));
        break;
      case 9:
        out.push_back(make_iec_inval(t, granularity(mix(seed) % 2 ? 2 : 0), uint16_t(mix(seed)),
                                     uint8_t(mix(seed) % 16), true));
        break;
      case 10:
        out.push_back(
            make_inv_wait(t, addr | 0x8, uint32_t(mix(seed)), mix(seed) & 1, true, mix(seed) & 1, true));
        break;
      // Scalable mode: a supervisor execute read with PASID, a first-stage map with its rights, the PASID
      // records.
      case 11: {
        record r = make_dma_pasid(t, sid, uint32_t(mix(seed) & 0xFFFFF), dma_op::read, addr | 0x80, 32);
        r.flags |= flag::privileged | (mix(seed) & 1 ? flag::execute : 0);
        out.push_back(r);
        break;
      }
      case 12:
        out.push_back(make_fs_map(t, uint16_t(mix(seed)), addr, addr * 5, 0x1000 * (1 + mix(seed) % 16),
                                  mix(seed) & 1, mix(seed) & 1, mix(seed) & 1));
        break;
      case 13:
        out.push_back(mix(seed) & 1 ? make_pasid_attach(t, sid, uint32_t(mix(seed) & 0xFFFFF),
                                                        uint16_t(mix(seed)), mix(seed) & 1, mix(seed) & 1)
                                    : make_pasid_detach(t, sid, uint32_t(mix(seed) & 0xFFFFF)));
        break;
      case 14:
        out.push_back(
            make_pc_inval(t, granularity(mix(seed) % 3), uint16_t(mix(seed)), uint32_t(mix(seed) & 0xFFFFF)));
        break;
      default:
        out.push_back(mix(seed) & 1
                          ? make_piotlb_inval(t, granularity(1 + mix(seed) % 3), uint16_t(mix(seed)),
                                              uint32_t(mix(seed) & 0xFFFFF), addr, uint8_t(mix(seed) % 19),
                                              mix(seed) & 1)
                          : make_pdevtlb_inval(t, sid, uint32_t(mix(seed) & 0xFFFFF), addr, mix(seed) & 1));
        break;
    }
  }
  return out;
}

std::string temp(const std::string& name) {
  return vtd::test::temp_dir() + name;
}

void write_all(const std::string& path, trace_format f, compression c, const std::vector<record>& rs) {
  trace_writer w(path, f, c);
  for (const auto& r : rs) w.write(r);
  w.close();
}

std::vector<record> read_all(const std::string& path) {
  trace_reader r(path);
  std::vector<record> out;
  record rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}

std::string error_of(const std::string& name, const std::string& bytes) {
  try {
    trace_reader r(name, bytes);
    record rec;
    while (r.next(rec)) {
    }
  } catch (const trace_error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string binary_bytes(const std::vector<record>& rs) {
  std::string path = temp("bytes.vtdt");
  write_all(path, trace_format::binary, compression::none, rs);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(TraceIo, TextBinaryTextRoundTripIsExact) {
  auto rs = sample(5000, 7);
  write_all(temp("a.txt"), trace_format::text, compression::none, rs);
  auto from_text = read_all(temp("a.txt"));
  ASSERT_EQ(from_text, rs);
  write_all(temp("a.bin"), trace_format::binary, compression::none, from_text);
  auto from_bin = read_all(temp("a.bin"));
  ASSERT_EQ(from_bin, rs);
  write_all(temp("b.txt"), trace_format::text, compression::none, from_bin);
  std::ifstream x(temp("a.txt")), y(temp("b.txt"));
  std::stringstream sx, sy;
  sx << x.rdbuf();
  sy << y.rdbuf();
  EXPECT_EQ(sx.str(), sy.str());
}

TEST(TraceIo, CompressedAndPlainGiveTheSameRecordsDetectedFromContent) {
  auto rs = sample(3000, 11);
  for (auto c : {compression::zstd, compression::xz, compression::gzip}) {
    for (auto f : {trace_format::binary, trace_format::text}) {
      // A misleading name: the reader must look at the bytes, not the extension.
      std::string path =
          temp(std::string("trace.") + to_string(c) + (f == trace_format::text ? ".bin" : ".txt"));
      write_all(path, f, c, rs);
      trace_reader r(path);
      EXPECT_EQ(r.compressed(), c);
      EXPECT_EQ(r.format(), f);
      EXPECT_EQ(read_all(path), rs) << to_string(c);
    }
  }
}

TEST(TraceIo, BinaryHeaderRecordsCountSeedAndGenerator) {
  binary_header h;
  h.seed = 42;
  h.generator = "unit-test";
  {
    trace_writer w(temp("h.bin"), trace_format::binary, compression::none, h);
    for (const auto& r : sample(10, 1)) w.write(r);
    w.close();
  }
  trace_reader r(temp("h.bin"));
  EXPECT_EQ(r.header().seed, 42u);
  EXPECT_EQ(r.header().generator, "unit-test");
  EXPECT_EQ(r.header().record_count, 10u) << "patched at close for uncompressed files";
}

TEST(TraceIo, TextErrorsNameFileLineAndColumn) {
  EXPECT_EQ(error_of("t.txt", "# ok\n100 dma 00:02.0 read 0x1000 64\n200 dma 00:02.0 raed 0x1000 64\n"),
            "t.txt:3:17: expected read, write or atomic, got 'raed'");
  EXPECT_NE(error_of("t.txt", "100 frobnicate\n").find("t.txt:1:5:"), std::string::npos);
  EXPECT_NE(error_of("t.txt", "100 dma 00:20.0 read 0x1000 64\n").find("t.txt:1:"), std::string::npos);
  EXPECT_NE(error_of("t.txt", "x12 dma 00:02.0 read 0x1000 64\n").find("t.txt:1:1:"), std::string::npos);
  EXPECT_NE(error_of("t.txt", "100 dma 00:02.0 read\n").find("t.txt:1:"), std::string::npos);
}

TEST(TraceIo, BinaryErrorsNameRecordIndexAndByteOffset) {
  auto rs = sample(5, 3);
  std::string good = binary_bytes(rs);
  // Truncated inside record 3 (records start at byte 64, 32 bytes each).
  EXPECT_EQ(error_of("t.bin", good.substr(0, 64 + 3 * 32 + 10)),
            "t.bin: truncated at record 3, byte offset 160 (10 of 32 bytes)");
  EXPECT_NE(error_of("t.bin", good.substr(0, 40)).find("truncated header"), std::string::npos);
  std::string bad_kind = good;
  bad_kind[64 + 2 * 32 + 30] = char(0x2A);
  EXPECT_NE(error_of("t.bin", bad_kind).find("at record 2, byte offset 128"), std::string::npos)
      << error_of("t.bin", bad_kind);
  std::string bad_version = good;
  bad_version[8] = 9;
  EXPECT_NE(error_of("t.bin", bad_version).find("bad version 9"), std::string::npos);
  std::string bad_magic = good;
  bad_magic[3] = 'X';  // no longer "VTDTRACE": a damaged binary header, not a text trace
  EXPECT_EQ(error_of("t.bin", bad_magic),
            "t.bin: not a vtdsim binary trace: bad magic 'VTDXRACE' at byte offset 0 (expected 'VTDTRACE')");
  std::string flags = good;
  flags[64 + 31] = char(0xFF);  // reserved flag bits on a DMA record
  EXPECT_NE(error_of("t.bin", flags).find("at record 0, byte offset 64"), std::string::npos)
      << error_of("t.bin", flags);
}

TEST(TraceIo, CorruptedCompressedStreamIsReportedNotCrashed) {
  write_all(temp("c.zst"), trace_format::binary, compression::zstd, sample(2000, 5));
  std::ifstream in(temp("c.zst"), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64 && i < bytes.size(); ++i)
    bytes[i] = char(bytes[i] ^ 0x5A);
  const std::string e = error_of("c.zst", bytes);
  EXPECT_NE(e, "(no error)");
}

TEST(TraceIo, WriterLeavesNothingBehindWithoutClose) {
  const std::string path = temp("never.vtdt");
  std::remove(path.c_str());
  {
    trace_writer w(path, trace_format::binary, compression::zstd);
    for (const auto& r : sample(100, 9)) w.write(r);
  }
  EXPECT_FALSE(std::ifstream(path).good());
  EXPECT_FALSE(std::ifstream(path + ".tmp").good());
}

TEST(TraceIo, EveryEmptyTraceTheWriterMakesReadsBack) {
  for (auto f : {trace_format::text, trace_format::binary})
    for (auto c : {compression::none, compression::zstd, compression::xz, compression::gzip}) {
      SCOPED_TRACE(std::string(f == trace_format::text ? "text " : "binary ") + to_string(c));
      const std::string path = vtd::test::temp_dir() + "empty-" + std::to_string(int(f)) + to_string(c);
      write_all(path, f, c, {});
      EXPECT_TRUE(read_all(path).empty());
    }
}

TEST(TraceIo, FractionReadGrowsToOneForFilesAndIsUnknownForStreams) {
  const auto rs = sample(20000, 7);
  for (auto c : {compression::none, compression::zstd}) {
    const std::string path = vtd::test::temp_dir() + "fraction-" + to_string(c);
    write_all(path, trace_format::binary, c, rs);
    trace_reader reader(path);
    record r;
    double last = 0;
    bool grew = false;
    for (size_t i = 0; reader.next(r); ++i) {
      const double f = reader.fraction_read();
      EXPECT_GE(f, last);
      if (f > last && f < 1) grew = true;
      last = f;
    }
    EXPECT_TRUE(grew) << to_string(c);
    EXPECT_DOUBLE_EQ(last, 1.0) << to_string(c);
  }
  // A pipe (empty here, its writer closed) is a stream, whose length is unknown.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[1]);
  trace_reader stream("/dev/fd/" + std::to_string(fds[0]));
  EXPECT_LT(stream.fraction_read(), 0);
  close(fds[0]);
}
