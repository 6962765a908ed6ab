// The trace reader's fast paths (issue 16): the block pull gives exactly what next() gives, the table-driven
// record check says exactly what record_problem says, mapped pages released behind the reader are never read
// wrongly (a trace several release windows long reads back as written, with a bounded resident size), and
// the raw observer sees every byte of a mapped file exactly once, in order.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_temp_dir.hpp"
#include "traces/binary_format.hpp"
#include "traces/record_kinds.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

using namespace vtd::traces;

namespace {

uint64_t next_random(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Record i of a trace that cycles through every kind (valid fields, times non-decreasing), so that a record
// can be recomputed from its index instead of being stored.
record record_at(uint64_t i) {
  uint64_t s = i;
  const uint64_t t = i * 7;
  const auto sid = uint16_t(next_random(s));
  const uint64_t addr = (next_random(s) & 0xFFFFFFFFFull) & ~0xFFFull;
  const auto dom = uint16_t(next_random(s));
  const auto pasid = uint32_t(next_random(s) & 0xFFFFF);
  switch (i % 17) {
    case 0:
      return make_dma(t, sid, dma_op(i % 3), addr | 0x40, 64);
    case 1:
      return make_dma_pasid(t, sid, pasid, dma_op::write, addr, 128);
    case 2:
      return make_msi(t, sid, 0xFEE00000 | (addr & 0xFFFF0), uint32_t(addr));
    case 3:
      return make_map(t, dom, addr, addr * 3, 0x3000, true, i & 1);
    case 4:
      return make_unmap(t, dom, addr, 0x2000);
    case 5:
      return make_attach(t, sid, dom);
    case 6:
      return make_detach(t, sid, dom);
    case 7:
      return make_cc_inval(t, granularity(i % 3), dom, sid, uint8_t(i % 4), i & 1);
    case 8:
      return make_iotlb_inval(t, granularity(i % 3), dom, addr, uint8_t(i % 9), i & 1, true);
    case 9:
      return make_iec_inval(t, i & 1 ? granularity::index : granularity::global, dom, 3, true);
    case 10:
      return make_devtlb_inval(t, sid, addr, i & 1, true);
    case 11:
      return make_inv_wait(t, addr | 0x8, uint32_t(i), i & 1, true, false, true);
    case 12:
      return make_pasid_attach(t, sid, pasid, dom, i & 1, false);
    case 13:
      return make_pasid_detach(t, sid, pasid);
    case 14:
      return make_pc_inval(t, granularity(i % 3), dom, pasid);
    case 15:
      return make_piotlb_inval(t, granularity::pasid, dom, pasid, addr, 0, false);
    default:
      return make_pdevtlb_inval(t, sid, pasid, addr, i & 1);
  }
}

std::string temp(const std::string& name) {
  return vtd::test::temp_dir() + name;
}

void write_records(const std::string& path, trace_format f, compression c, uint64_t n) {
  trace_writer w(path, f, c);
  for (uint64_t i = 0; i < n; ++i) w.write(record_at(i));
  w.close();
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Resident set size of this process, from /proc/self/statm (pages), in bytes.
uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * uint64_t(sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST(ReaderBlocks, BlockPullGivesTheRecordsOfNextInEveryFormat) {
  // 10000 records: several 4096-record blocks and a partial last one, every kind in each.
  const uint64_t n = 10000;
  struct variant {
    const char* name;
    trace_format f;
    compression c;
  };
  for (const variant& v : {variant{"b.vtdt", trace_format::binary, compression::none},
                           variant{"b.vtdt.zst", trace_format::binary, compression::zstd},
                           variant{"t.txt", trace_format::text, compression::none},
                           variant{"t.txt.gz", trace_format::text, compression::gzip}}) {
    const std::string path = temp(v.name);
    write_records(path, v.f, v.c, n);
    trace_reader one(path), blocks(path);
    uint64_t i = 0;
    record r;
    for (std::span<const record> b; !(b = blocks.next_block()).empty();) {
      for (const record& got : b) {
        ASSERT_TRUE(one.next(r)) << v.name << " record " << i;
        ASSERT_EQ(got, r) << v.name << " record " << i;
        ASSERT_EQ(got, record_at(i)) << v.name << " record " << i;
        ++i;
      }
    }
    EXPECT_EQ(i, n) << v.name;
    EXPECT_FALSE(one.next(r)) << v.name;
    EXPECT_TRUE(blocks.next_block().empty()) << v.name << ": the end stays the end";
  }
}

TEST(ReaderBlocks, BlockPullStopsWithTheSameErrorAsNext) {
  // A bad kind code in record 5000 (the second block): both pulls give the first block, then the same error.
  std::string bytes = std::string(binary_header_size + 6000 * binary_record_size, '\0');
  binary_header h;
  encode_header(h, reinterpret_cast<std::byte*>(bytes.data()));
  for (uint64_t i = 0; i < 6000; ++i) {
    record r = make_dma(i, 0x10, dma_op::read, 0x1000, 4);
    if (i == 5000) r.kind = record_kind{0x3f};
    encode_record(r,
                  reinterpret_cast<std::byte*>(bytes.data() + binary_header_size + i * binary_record_size));
  }
  auto error_after = [&](bool use_blocks, uint64_t& got) {
    trace_reader reader("bad.vtdt", bytes);
    got = 0;
    try {
      record r;
      if (use_blocks)
        for (std::span<const record> b; !(b = reader.next_block()).empty();) got += b.size();
      else
        while (reader.next(r)) ++got;
    } catch (const trace_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  uint64_t got_next = 0, got_blocks = 0;
  const std::string by_next = error_after(false, got_next), by_blocks = error_after(true, got_blocks);
  EXPECT_EQ(by_blocks, by_next);
  EXPECT_EQ(got_next, 4096u);
  EXPECT_EQ(got_blocks, 4096u);
  EXPECT_NE(by_next.find("bad record kind (kind 0x3f, flags 0x00) at record 5000, byte offset 160064"),
            std::string::npos)
      << by_next;  // 64 + 5000 * 32
}

TEST(ReaderBlocks, RecordCheckerSaysWhatRecordProblemSays) {
  // Every kind code (and some that are none), every flags byte, both versions, with fields that pass and
  // fields that fail each kind's field checks (wide PASID, misaligned or zero pages, wide MSI data).
  uint64_t seed = 7;
  for (std::uint16_t version : {std::uint16_t(1), std::uint16_t(2)}) {
    const record_checker checker(version);
    for (unsigned code = 0; code <= record_kind_max + 3; ++code) {
      for (unsigned flags = 0; flags < 256; ++flags) {
        for (int variant = 0; variant < 6; ++variant) {
          record r;
          r.kind = record_kind(code);
          r.flags = uint8_t(flags);
          r.time_ps = next_random(seed);
          r.id = uint16_t(next_random(seed));
          switch (variant) {
            case 0:  // everything zero
              break;
            case 1:  // small, aligned
              r.addr = 0x1000;
              r.value = 5;
              r.length = 1;
              break;
            case 2:  // random
              r.addr = next_random(seed);
              r.value = next_random(seed);
              r.length = uint32_t(next_random(seed));
              break;
            case 3:  // just too wide for a PASID
              r.value = 0x100000;
              r.addr = 0x2000;
              r.length = 2;
              break;
            case 4:  // too wide for 32-bit data, misaligned
              r.value = 0x100000000ull;
              r.addr = 0x123;
              break;
            default:
              r.value = 0xFFFFF;
              r.addr = ~uint64_t{0};
              r.length = ~uint32_t{0};
              break;
          }
          ASSERT_STREQ(checker.problem(r), record_problem(r, version))
              << "version " << version << " kind " << code << " flags " << flags << " variant " << variant;
        }
      }
    }
  }
}

TEST(ReaderBlocks, ALongMappedTraceReadsBackAsWrittenWithPagesReleased) {
  // 1.6 M records (51 MB): six 8 MiB release windows. Every record is compared with what was written, so
  // a page released too early (or read back wrongly) fails; the resident size grows by the window, not by
  // the file.
  const uint64_t n = 1600000;
  const std::string path = temp("long.vtdt");
  write_records(path, trace_format::binary, compression::none, n);
  const uint64_t file_size = binary_header_size + n * binary_record_size;
  const uint64_t before = resident_bytes();
  uint64_t peak_growth = 0;
  trace_reader reader(path);
  uint64_t i = 0;
  for (std::span<const record> b; !(b = reader.next_block()).empty();) {
    for (const record& r : b) {
      ASSERT_EQ(r, record_at(i)) << "record " << i;
      ++i;
    }
    if ((i & 0x3FFFF) < b.size()) {
      const uint64_t now = resident_bytes();
      if (now > before) peak_growth = std::max(peak_growth, now - before);
    }
  }
  EXPECT_EQ(i, n);
  // Without releasing, the mapping alone would add the file's 51 MB.
  EXPECT_LT(peak_growth, file_size / 2)
      << "resident growth " << peak_growth << " bytes for a " << file_size << "-byte trace";
}

TEST(ReaderBlocks, TheObserverSeesEveryByteOfAMappedFileOnceInOrder) {
  // Long enough that pages are released behind the reader while it observes (uncompressed), and compressed
  // streams whose decompressor stops before the file's end (bytes after the last zstd frame are observed
  // at the end).
  struct variant {
    const char* name;
    trace_format f;
    compression c;
    uint64_t n;
  };
  for (const variant& v : {variant{"o.vtdt", trace_format::binary, compression::none, 700000},
                           variant{"o.vtdt.zst", trace_format::binary, compression::zstd, 50000},
                           variant{"o.txt", trace_format::text, compression::none, 20000},
                           variant{"o.vtdt.xz", trace_format::binary, compression::xz, 20000}}) {
    const std::string path = temp(v.name);
    write_records(path, v.f, v.c, v.n);
    if (v.c == compression::zstd)
      std::ofstream(path, std::ios::app | std::ios::binary)
          << std::string("\x50\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);  // a skippable frame after the last one
    std::string seen;
    trace_reader reader(path, [&](std::string_view bytes) { seen.append(bytes); });
    uint64_t count = 0;
    EXPECT_FALSE(reader.observed_all()) << v.name;
    for (std::span<const record> b; !(b = reader.next_block()).empty();) count += b.size();
    EXPECT_EQ(count, v.n) << v.name;
    EXPECT_TRUE(reader.observed_all()) << v.name;
    EXPECT_TRUE(seen == file_bytes(path)) << v.name << ": observed " << seen.size() << " bytes";
  }
}
