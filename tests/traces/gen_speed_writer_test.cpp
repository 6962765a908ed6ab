// The trace writer's block path (trace_writer::write(span)) and its direct descriptor path for uncompressed
// binary traces: the same bytes as writing record by record, and those bytes are the header followed by each
// record's 32-byte encoding (binary_format's encode_record), with the record count patched in; through a
// FIFO (no patching: a stream keeps count 0) as well. Compressed and text traces through the block path:
// the same bytes as record by record.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "traces/binary_format.hpp"
#include "traces/gen/rng.hpp"
#include "traces/trace_writer.hpp"

using namespace vtd::traces;
namespace fs = std::filesystem;

namespace {

class GenSpeedWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / fs::path("gen_speed_writer_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }
  fs::path m_dir;
};

std::vector<record> some_records(size_t n) {
  gen::rng rng(77);
  std::vector<record> v;
  for (size_t i = 0; i < n; ++i) {
    switch (rng.below(3)) {
      case 0:
        v.push_back(make_dma(i * 1000, uint16_t(rng.next()), dma_op(rng.below(2)), rng.next(),
                             uint32_t(1 + rng.below(4096))));
        break;
      case 1:
        v.push_back(make_map(i * 1000, uint16_t(1 + rng.below(100)), rng.below(1u << 20) << 12,
                             rng.below(1u << 24) << 12, 4096, true, rng.chance(1, 2)));
        break;
      default:
        v.push_back(make_unmap(i * 1000, uint16_t(1 + rng.below(100)), rng.below(1u << 20) << 12, 8192));
        break;
    }
  }
  return v;
}

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

binary_header test_header() {
  binary_header h;
  h.seed = 42;
  h.generator = "gen-speed-test";
  h.flags = header_closed_loop;
  return h;
}

void write_per_record(const std::string& p, trace_format f, compression c, const std::vector<record>& rs) {
  trace_writer w(p, f, c, test_header());
  for (const record& r : rs) w.write(r);
  w.close();
}

// Spans of awkward sizes (1, around the 8192-record buffer, larger than it) mixed with single records.
void write_in_spans(const std::string& p, trace_format f, compression c, const std::vector<record>& rs) {
  trace_writer w(p, f, c, test_header());
  const size_t sizes[] = {1, 4095, 8191, 2, 8192, 20000, 3, 8193};
  size_t at = 0, k = 0;
  while (at < rs.size()) {
    const size_t n = std::min(sizes[k++ % std::size(sizes)], rs.size() - at);
    if (n == 3) {
      for (size_t i = 0; i < n; ++i) w.write(rs[at + i]);
    } else {
      w.write(std::span<const record>(rs.data() + at, n));
    }
    at += n;
  }
  EXPECT_EQ(w.written(), rs.size());
  w.close();
}

// Header (with `count`) and each record as binary_format encodes it.
std::string expected_binary(const std::vector<record>& rs, uint64_t count) {
  binary_header h = test_header();
  h.record_count = count;
  std::string out(binary_header_size + rs.size() * binary_record_size, '\0');
  encode_header(h, reinterpret_cast<std::byte*>(out.data()));
  for (size_t i = 0; i < rs.size(); ++i)
    encode_record(rs[i],
                  reinterpret_cast<std::byte*>(out.data() + binary_header_size + i * binary_record_size));
  return out;
}

}  // namespace

TEST_F(GenSpeedWriter, UncompressedBinaryIsHeaderThenEncodedRecordsEitherWay) {
  const auto rs = some_records(50000);
  write_per_record(path("a.vtdt"), trace_format::binary, compression::none, rs);
  write_in_spans(path("b.vtdt"), trace_format::binary, compression::none, rs);
  const std::string a = read_all(path("a.vtdt")), b = read_all(path("b.vtdt"));
  const std::string expected = expected_binary(rs, rs.size());
  EXPECT_EQ(a.size(), binary_header_size + 50000 * binary_record_size);
  EXPECT_TRUE(a == expected);
  EXPECT_TRUE(b == expected);
  const binary_header h = decode_header(reinterpret_cast<const std::byte*>(a.data()), "a");
  EXPECT_EQ(h.record_count, 50000u);
  EXPECT_EQ(h.seed, 42u);
}

TEST_F(GenSpeedWriter, EmptyAndExactBufferMultiples) {
  for (size_t n : {size_t{0}, size_t{8192}, size_t{16384}}) {
    const auto rs = some_records(n);
    write_in_spans(path("e.vtdt"), trace_format::binary, compression::none, rs);
    EXPECT_TRUE(read_all(path("e.vtdt")) == expected_binary(rs, n)) << n;
  }
}

TEST_F(GenSpeedWriter, ThroughAFifoTheStreamKeepsCountZero) {
  const auto rs = some_records(30000);
  const std::string fifo = path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read_all(fifo); });
  write_in_spans(fifo, trace_format::binary, compression::none, rs);
  reader.join();
  EXPECT_TRUE(got == expected_binary(rs, 0));
}

TEST_F(GenSpeedWriter, CompressedAndTextTracesSameBytesEitherWay) {
  const auto rs = some_records(30000);
  for (compression c : {compression::zstd, compression::gzip, compression::none}) {
    for (trace_format f : {trace_format::binary, trace_format::text}) {
      if (f == trace_format::binary && c == compression::none) continue;  // the direct path, above
      write_per_record(path("a"), f, c, rs);
      write_in_spans(path("b"), f, c, rs);
      const std::string a = read_all(path("a"));
      EXPECT_GT(a.size(), 100u);
      EXPECT_TRUE(a == read_all(path("b")))
          << to_string(c) << (f == trace_format::text ? " text" : " binary");
    }
  }
}
