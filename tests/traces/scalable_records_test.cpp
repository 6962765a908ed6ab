// Scalable-mode records (binary format version 2): the PASID kinds and the new flag bits, checked against
// records written out byte by byte from docs/trace-format.md's tables and text lines written by hand; a
// version-1 file is still read and refuses what it could not hold, with the record's position; the flags
// that need others (ER: a read with PASID) and the queued-only invalidations are refused by both readers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_temp_dir.hpp"
#include "traces/binary_format.hpp"
#include "traces/record_kinds.hpp"
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

using namespace vtd::traces;

namespace {

// 32 record bytes, little-endian, at the offsets of docs/trace-format.md ("Binary format", "Record").
std::string raw_record(uint64_t time, uint64_t addr, uint64_t value, uint32_t length, uint16_t id,
                       uint8_t kind, uint8_t flags) {
  std::string b(32, '\0');
  auto put = [&](size_t at, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) b[at + i] = char((v >> (8 * i)) & 0xff);
  };
  put(0, time, 8);
  put(8, addr, 8);
  put(16, value, 8);
  put(24, length, 4);
  put(28, id, 2);
  b[30] = char(kind);
  b[31] = char(flags);
  return b;
}

// A 64-byte header (docs/trace-format.md, "Header") of the given version.
std::string raw_header(uint16_t version) {
  std::string h(64, '\0');
  h.replace(0, 8, "VTDTRACE");
  h[8] = char(version & 0xff);
  h[9] = char(version >> 8);
  h[10] = 64;
  h[12] = 4, h[13] = 3, h[14] = 2, h[15] = 1;  // 0x01020304
  h[16] = 1;                                   // 1 ps per tick
  h[20] = 32;
  return h;
}

std::vector<record> read_all(const std::string& name, const std::string& bytes) {
  trace_reader reader(name, bytes);
  std::vector<record> out;
  record r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

std::string error_of(const std::string& name, const std::string& bytes) {
  try {
    read_all(name, bytes);
  } catch (const trace_error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string text_error(const std::string& line) {
  return error_of("t.txt", line + "\n");
}

record dma_priv_exec() {
  record r = make_dma_pasid(700, make_sid(3, 2, 0), 9, dma_op::read, 0x1000, 64);
  r.flags |= flag::privileged | flag::execute;
  return r;
}

// Each new record: the factory's, its bytes by hand, its canonical text by hand.
struct example {
  record r;
  std::string bytes, text;
};

std::vector<example> examples() {
  const uint16_t sid = make_sid(3, 2, 0);  // 03:02.0 = 0x0310
  return {
      {make_pasid_attach(256, sid, 0x12345, 66, true, true),
       raw_record(256, 0, 0x12345, 66, 0x0310, 12, 0x03),
       "256 pasid-attach 03:02.0 pasid=0x12345 dom=66 supervisor write-protect"},
      {make_pasid_attach(257, sid, 1, 2, false, false), raw_record(257, 0, 1, 2, 0x0310, 12, 0x00),
       "257 pasid-attach 03:02.0 pasid=0x1 dom=2"},
      {make_pasid_detach(300, sid, 7), raw_record(300, 0, 7, 0, 0x0310, 13, 0x00),
       "300 pasid-detach 03:02.0 pasid=0x7"},
      {make_pc_inval(400, granularity::global, 0, 0), raw_record(400, 0, 0, 0, 0, 14, 0x80),
       "400 pc-inval global qi"},
      {make_pc_inval(401, granularity::domain, 5, 0), raw_record(401, 0, 0, 0, 5, 14, 0x81),
       "401 pc-inval domain dom=5 qi"},
      {make_pc_inval(402, granularity::pasid, 5, 9), raw_record(402, 0, 9, 0, 5, 14, 0x82),
       "402 pc-inval pasid dom=5 pasid=0x9 qi"},
      {make_piotlb_inval(500, granularity::domain, 5, 0, 0, 0, false), raw_record(500, 0, 0, 0, 5, 15, 0x81),
       "500 piotlb-inval domain dom=5 qi"},
      {make_piotlb_inval(501, granularity::pasid, 5, 9, 0, 0, false), raw_record(501, 0, 9, 0, 5, 15, 0x82),
       "501 piotlb-inval pasid dom=5 pasid=0x9 qi"},
      {make_piotlb_inval(502, granularity::page_in_pasid, 5, 0, 0x7f0000001000, 3, true),
       raw_record(502, 0x7f0000001000, 0, 3, 5, 15, 0x87),
       "502 piotlb-inval page dom=5 pasid=0x0 addr=0x7f0000001000 am=3 ih qi"},
      {make_pdevtlb_inval(600, sid, 9, 0x300000, true), raw_record(600, 0x300000, 9, 0, 0x0310, 16, 0x88),
       "600 pdevtlb-inval 03:02.0 pasid=0x9 addr=0x300000 s qi"},
      {dma_priv_exec(), raw_record(700, 0x1000, 9, 64, 0x0310, 1, 0x70),
       "700 dma 03:02.0 read 0x1000 64 pasid=0x9 priv exec"},
      {make_fs_map(800, 5, 0x1000, 0x2000, 0x1000, true, false, false),
       raw_record(800, 0x1000, 0x2000, 1, 5, 3, 0x0f),
       "800 map dom=5 iova=0x1000 hpa=0x2000 len=0x1000 rw supervisor-only no-execute"},
      {make_fs_map(801, 5, 0x3000, 0x4000, 0x2000, false, true, true),
       raw_record(801, 0x3000, 0x4000, 2, 5, 3, 0x01), "801 map dom=5 iova=0x3000 hpa=0x4000 len=0x2000 r"},
  };
}

}  // namespace

TEST(ScalableRecords, FactoriesBytesAndTextAgreeWithTheHandWrittenForms) {
  for (const auto& e : examples()) {
    SCOPED_TRACE(e.text);
    std::array<std::byte, binary_record_size> b{};
    encode_record(e.r, b.data());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()), b.size()), e.bytes);
    EXPECT_EQ(decode_record(reinterpret_cast<const std::byte*>(e.bytes.data())), e.r);
    EXPECT_EQ(format_record(e.r), e.text);
    record parsed;
    ASSERT_TRUE(parse_record_line(e.text, parsed));
    EXPECT_EQ(parsed, e.r);
    EXPECT_STREQ(record_problem(e.r), "");
  }
  // The typed views.
  const record d = dma_priv_exec();
  EXPECT_TRUE(d.privileged() && d.execute() && d.has_pasid());
  EXPECT_EQ(d.pasid(), 9u);
  const record m = make_fs_map(0, 1, 0, 0, 4096, true, false, false);
  EXPECT_TRUE(m.readable() && m.writable() && m.supervisor_only() && m.no_execute());
  EXPECT_EQ(make_piotlb_inval(0, granularity::page_in_pasid, 1, 0xABCDE, 0, 0, false).gran(),
            granularity::page_in_pasid);
  EXPECT_EQ(make_pasid_attach(0, 0, 0x1FFFFF, 1, false, false).pasid(), 0xFFFFFu) << "a PASID is 20 bits";
}

TEST(ScalableRecords, VersionTwoFilesRoundTripEveryNewRecordThroughTheWriters) {
  std::vector<record> rs;
  for (const auto& e : examples()) rs.push_back(e.r);
  for (auto f : {trace_format::binary, trace_format::text})
    for (auto c : {compression::none, compression::zstd}) {
      const std::string path = vtd::test::temp_dir() + "v2-" + std::to_string(int(f)) + to_string(c);
      {
        trace_writer w(path, f, c);
        for (const auto& r : rs) w.write(r);
        w.close();
      }  // an output is released with its writer; only then may it be read
      trace_reader reader(path);
      std::vector<record> back;
      record r;
      while (reader.next(r)) back.push_back(r);
      EXPECT_EQ(back, rs) << path;
      if (f == trace_format::binary) {
        EXPECT_EQ(reader.header().version, 2u);
      }
    }
  // The writer writes version 2 at byte offset 8.
  std::array<std::byte, binary_header_size> h{};
  encode_header({}, h.data());
  EXPECT_EQ(std::to_integer<int>(h[8]), 2);
  EXPECT_EQ(std::to_integer<int>(h[9]), 0);
}

TEST(ScalableRecords, VersionOneFilesAreStillReadAndConvertToVersionTwo) {
  // Records a version-1 writer made: every kind it knew, flags it knew.
  const std::string v1_records = raw_record(100, 0x1040, 0, 64, 0x0010, 1, 0x00) +  // dma read
                                 raw_record(110, 0x2000, 5, 64, 0x0010, 1, 0x11) +  // dma write with PASID 5
                                 raw_record(120, 0x300000, 0x50000000, 2, 1, 3, 0x03) +  // map rw, 2 pages
                                 raw_record(130, 0x300000, 0, 2, 1, 4, 0x00) +           // unmap
                                 raw_record(140, 0x300000, 1, 1, 0, 8, 0x82) +   // iotlb-inval page, qi
                                 raw_record(150, 0xffff000, 1, 0, 0, 11, 0xa0);  // inv-wait sw qi
  const std::string v1 = raw_header(1) + v1_records;
  trace_reader reader("old.bin", v1);
  EXPECT_EQ(reader.header().version, 1u);
  std::vector<record> rs;
  record r;
  while (reader.next(r)) rs.push_back(r);
  ASSERT_EQ(rs.size(), 6u);
  EXPECT_EQ(rs[1], make_dma_pasid(110, 0x0010, 5, dma_op::write, 0x2000, 64));
  EXPECT_EQ(rs[2], make_map(120, 1, 0x300000, 0x50000000, 0x2000, true, true));
  EXPECT_EQ(rs[4], make_iotlb_inval(140, granularity::page, 1, 0x300000, 1, false, true));
  // Converted (as `trace convert` does, header passed on), the file is version 2 with the same records.
  const std::string path = vtd::test::temp_dir() + "converted.bin";
  {
    trace_writer w(path, trace_format::binary, compression::none, reader.header());
    for (const auto& x : rs) w.write(x);
    w.close();
  }
  trace_reader again(path);
  EXPECT_EQ(again.header().version, 2u);
  std::vector<record> back;
  while (again.next(r)) back.push_back(r);
  EXPECT_EQ(back, rs);
  // The same bytes under a version-2 header read the same.
  EXPECT_EQ(read_all("new.bin", raw_header(2) + v1_records), rs);
}

TEST(ScalableRecords, VersionOneFilesRefuseNewKindsAndFlagBitsWithThePosition) {
  const std::string good = raw_record(100, 0x1040, 0, 64, 0x0010, 1, 0x00);
  const std::string new_kind =
      "record kind new in version 2 of the binary format, in a version 1 file (scalable-mode records need "
      "version 2)";
  const std::string new_flags =
      "flag bits new in version 2 of the binary format set in a version 1 file (reserved there)";
  // Each new kind, second record: byte offset 64 + 32.
  for (const auto& e : examples()) {
    SCOPED_TRACE(e.text);
    const auto kind = uint8_t(e.bytes[30]), flags = uint8_t(e.bytes[31]);
    // New in version 2: kinds 12..16, dma bits 6:5 (PMR, ER), map bits 3:2 (U/S=0, XD).
    const bool new_bits = (kind == 1 && (flags & 0x60)) || (kind == 3 && (flags & 0x0c));
    if (kind < 12 && !new_bits) {
      EXPECT_EQ(error_of("v1.bin", raw_header(1) + good + e.bytes), "(no error)");
      continue;
    }
    EXPECT_EQ(error_of("v1.bin", raw_header(1) + good + e.bytes),
              fmt::format("v1.bin: {} (kind 0x{:02x}, flags 0x{:02x}) at record 1, byte offset 96",
                          kind >= 12 ? new_kind : new_flags, kind, flags));
    EXPECT_EQ(error_of("v2.bin", raw_header(2) + good + e.bytes), "(no error)");
  }
  // One new bit alone, deep in a file: PMR on a DMA with PASID (0x30), U/S=0 on a map (0x05), XD (0x09).
  for (auto [kind, flags] : {std::pair{1, 0x30}, std::pair{3, 0x05}, std::pair{3, 0x09}}) {
    std::string file = raw_header(1);
    for (int i = 0; i < 5; ++i) file += good;
    file += raw_record(200, 0x1000, 0x2000, 1, 1, uint8_t(kind), uint8_t(flags));
    EXPECT_EQ(error_of("v1.bin", file),
              fmt::format("v1.bin: {} (kind 0x{:02x}, flags 0x{:02x}) at record 5, byte offset 224",
                          new_flags, kind, flags));
  }
  // Every kind and flag field the table marks as version 2, so that a new one cannot be forgotten.
  for (const kind_info* k : all_kinds()) {
    record r;
    r.kind = k->kind;
    r.flags = k->kind == record_kind::pc_inval || k->kind == record_kind::piotlb_inval ||
                      k->kind == record_kind::pdevtlb_inval
                  ? flag::queued | (k->kind == record_kind::piotlb_inval ? 1 : 0)
                  : 0;
    EXPECT_EQ(std::string(record_problem(r, 1)).rfind("record kind new", 0) == 0, k->since == 2) << k->name;
    if (k->since >= 2) continue;
    for (const auto& f : k->flags) {
      if (f.since < 2) continue;
      record with = r;
      with.flags |= f.mask;
      EXPECT_EQ(std::string(record_problem(with, 1)), new_flags) << k->name << " " << f.name;
    }
  }
}

TEST(ScalableRecords, FlagsThatNeedOthersAreRefusedByBothReaders) {
  const std::string h = raw_header(2);
  // Binary: ER on a write with PASID (0x51), ER on a read without PASID (0x40), PMR without PASID (0x20).
  EXPECT_EQ(
      error_of("t.bin", h + raw_record(1, 0x1000, 1, 8, 0x10, 1, 0x51)),
      "t.bin: Execute-Requested on a DMA that is not a read with PASID (kind 0x01, flags 0x51) at record 0, "
      "byte offset 64");
  EXPECT_EQ(
      error_of("t.bin", h + raw_record(1, 0x1000, 0, 8, 0x10, 1, 0x40)),
      "t.bin: Execute-Requested on a DMA that is not a read with PASID (kind 0x01, flags 0x40) at record 0, "
      "byte offset 64");
  EXPECT_EQ(
      error_of("t.bin", h + raw_record(1, 0x1000, 0, 8, 0x10, 1, 0x20)),
      "t.bin: Privileged-Mode-Requested on a DMA without PASID (kind 0x01, flags 0x20) at record 0, byte "
      "offset 64");
  EXPECT_EQ(
      error_of("t.bin", h + raw_record(1, 0x1000, 0, 8, 0x10, 1, 0x72)),
      "t.bin: Execute-Requested on a DMA that is not a read with PASID (kind 0x01, flags 0x72) at record 0, "
      "byte offset 64")
      << "an atomic is not a read";
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0x1000, 3, 8, 0x10, 1, 0x30)), "(no error)") << "PMR write";
  // Text: at the word that set the flag.
  EXPECT_EQ(text_error("100 dma 00:02.0 write 0x1000 64 pasid=1 exec"),
            "t.txt:1:41: Execute-Requested on a DMA that is not a read with PASID");
  EXPECT_EQ(text_error("100 dma 00:02.0 read 0x1000 64 priv"),
            "t.txt:1:32: Privileged-Mode-Requested on a DMA without PASID");
  EXPECT_EQ(text_error("100 dma 00:02.0 read 0x1000 64 exec pasid=3"), "(no error)")
      << "pasid= may come after the flag it allows";
}

TEST(ScalableRecords, PasidInvalidationsAreQueuedOnlyAndPiotlbHasNoGlobalGranularity) {
  const std::string h = raw_header(2);
  EXPECT_EQ(
      error_of("t.bin", h + raw_record(1, 0, 0, 0, 0, 14, 0x00)),
      "t.bin: register-based PASID invalidation (these exist only queued) (kind 0x0e, flags 0x00) at record "
      "0, byte offset 64");
  EXPECT_EQ(
      error_of("t.bin", h + raw_record(1, 0, 0, 0, 0, 16, 0x08)).rfind("t.bin: register-based PASID", 0), 0u);
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0, 0, 0, 0, 15, 0x80)),
            "t.bin: bad granularity 0 (a PASID-based IOTLB invalidation has no global one) (kind 0x0f, flags "
            "0x80) at record 0, byte offset 64");
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0, 0, 0, 0, 14, 0x83)),
            "t.bin: bad granularity 3 (kind 0x0e, flags 0x83) at record 0, byte offset 64");
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0, 0x100000, 0, 0, 14, 0x82)),
            "t.bin: PASID wider than 20 bits (kind 0x0e, flags 0x82) at record 0, byte offset 64");
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0, 0, 64, 0, 15, 0x83)),
            "t.bin: reserved bits set in AM (kind 0x0f, flags 0x83) at record 0, byte offset 64");
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0, 1, 0x10000, 0x10, 12, 0x00)),
            "t.bin: domain wider than 16 bits (kind 0x0c, flags 0x00) at record 0, byte offset 64");
  EXPECT_EQ(error_of("t.bin", h + raw_record(1, 0, 1, 0, 0x10, 12, 0x04)),
            "t.bin: reserved flag bits set (kind 0x0c, flags 0x04) at record 0, byte offset 64");
  EXPECT_EQ(text_error("100 pc-inval global reg"),
            "t.txt:1:21: expected 'qi' (PASID-based invalidations are queued only), got 'reg'");
  EXPECT_EQ(text_error("100 pc-inval global"),
            "t.txt:1:20: expected 'qi' (PASID-based invalidations are queued only)");
  EXPECT_EQ(text_error("100 piotlb-inval global dom=1 qi"), "t.txt:1:18: expected domain, pasid or page");
  EXPECT_EQ(text_error("100 pasid-attach 00:02.0 pasid=0x100000 dom=1"),
            "t.txt:1:32: expected a PASID <= 0xfffff, got '0x100000'");
  EXPECT_EQ(text_error("100 pasid-attach 00:02.0 pasid=1"), "t.txt:1:33: expected dom=N");
  EXPECT_EQ(text_error("100 pdevtlb-inval 00:02.0 addr=0x1000 qi"), "t.txt:1:41: expected pasid=N");
}

TEST(ScalableRecords, TheFormatDocumentsExamplesAreCanonicalText) {
  std::ifstream in(std::string(VTDSIM_SOURCE_DIR) + "/docs/trace-format.md");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string intro = "Examples (the canonical form";
  const auto at = doc.find(intro);
  ASSERT_NE(at, std::string::npos);
  const auto begin = doc.find("```\n", at) + 4, end = doc.find("```", begin);
  std::istringstream lines(doc.substr(begin, end - begin));
  int n = 0, scalable = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    record r;
    ASSERT_TRUE(parse_record_line(line, r)) << line;
    EXPECT_EQ(format_record(r), line) << "the example is in the canonical form";
    EXPECT_STREQ(record_problem(r), "") << line;
    scalable += checks_for(static_cast<uint8_t>(r.kind)).since == 2 ||
                (r.flags & (flag::privileged | flag::no_execute));
  }
  EXPECT_GE(n, 24);
  EXPECT_GE(scalable, 9) << "the version-2 records have examples";
}
