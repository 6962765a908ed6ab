// The trace header's issue flag (open or closed loop): binary header flag bit 0 and the text format's
// "#! issue" directive say the same fact, the reader exposes it for both, conversions keep it both ways, a
// binary file with another header flag bit (or any in a version-1 file) is refused with its byte offset, and
// files without the flag read as open loop.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_temp_dir.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace vtd::traces {
namespace {

void put_le(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += char((v >> (8 * i)) & 0xFF);
}

// A binary header written byte by byte from docs/trace-format.md's table (not by the encoder under test).
std::string header_bytes(uint16_t version, uint16_t flags, uint64_t count = 0) {
  std::string h = "VTDTRACE";
  put_le(h, version, 2);
  put_le(h, 64, 2);
  put_le(h, 0x01020304, 4);
  put_le(h, 1, 4);  // time unit
  put_le(h, 32, 2);
  put_le(h, flags, 2);
  put_le(h, 0, 8);  // seed
  put_le(h, count, 8);
  h += std::string(24, '\0');
  return h;
}

// One MSI record from 00:02.0 at `t`: kind 2, no flags.
std::string msi_bytes(uint64_t t) {
  std::string r;
  put_le(r, t, 8);
  put_le(r, 0xFEE00000, 8);
  put_le(r, 0, 8);
  put_le(r, 0, 4);
  put_le(r, 0x0010, 2);
  r += char(2);
  r += char(0);
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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

std::vector<record> some_records() {
  return {make_dma(1000, make_sid(0, 2, 0), dma_op::read, 0x100040, 64),
          make_unmap(2000, 1, 0x300000, 0x2000),
          make_devtlb_inval(2000, make_sid(3, 0, 0), 0x300000, true, true),
          make_msi(3000, make_sid(0, 2, 0), 0xFEE00010, 0)};
}

void write_trace(const std::string& path, trace_format f, compression c, uint16_t flags,
                 const std::vector<record>& records) {
  binary_header h;
  h.flags = flags;
  trace_writer w(path, f, c, h);
  for (const record& r : records) w.write(r);
  w.close();
}

// `trace convert` in the library: the reader's header goes to the writer.
void convert(const std::string& in, const std::string& out, trace_format f, compression c) {
  trace_reader r(in);
  trace_writer w(out, f, c, r.header());
  record rec;
  while (r.next(rec)) w.write(rec);
  w.close();
}

TEST(HeaderIssue, ClosedFlagRoundTripsBinaryTextBinary) {
  const std::string d = test::temp_dir();
  const auto records = some_records();
  write_trace(d + "issue-a.vtdt", trace_format::binary, compression::none, header_closed_loop, records);
  const std::string a = slurp(d + "issue-a.vtdt");
  ASSERT_GE(a.size(), 64u);
  EXPECT_EQ(uint8_t(a[22]), 0x01) << "flags, offset 22, little-endian: bit 0";
  EXPECT_EQ(uint8_t(a[23]), 0x00);
  {
    trace_reader r(d + "issue-a.vtdt");
    EXPECT_EQ(r.header().flags, header_closed_loop);
    EXPECT_EQ(issue_of(r.header()), issue_mode::closed);
    EXPECT_EQ(read_all(r), records);
  }
  convert(d + "issue-a.vtdt", d + "issue-b.txt", trace_format::text, compression::none);
  const std::string text = slurp(d + "issue-b.txt");
  EXPECT_EQ(text.rfind("#! issue closed\n", 0), 0u) << text;
  {
    trace_reader r(d + "issue-b.txt");
    EXPECT_EQ(r.format(), trace_format::text);
    EXPECT_EQ(issue_of(r.header()), issue_mode::closed);
    EXPECT_EQ(read_all(r), records);
  }
  convert(d + "issue-b.txt", d + "issue-c.vtdt.zst", trace_format::binary, compression::zstd);
  convert(d + "issue-c.vtdt.zst", d + "issue-c.vtdt", trace_format::binary, compression::none);
  const std::string c = slurp(d + "issue-c.vtdt");
  EXPECT_EQ(c, a) << "binary -> text -> binary (through zstd) is the same file";
  // Compressed text keeps it too.
  convert(d + "issue-a.vtdt", d + "issue-e.txt.gz", trace_format::text, compression::gzip);
  trace_reader e(d + "issue-e.txt.gz");
  EXPECT_EQ(issue_of(e.header()), issue_mode::closed);
  EXPECT_EQ(read_all(e), records);
}

TEST(HeaderIssue, OpenTracesCarryNoDirectiveAndReadAsOpen) {
  const std::string d = test::temp_dir();
  write_trace(d + "issue-o.vtdt", trace_format::binary, compression::none, 0, some_records());
  convert(d + "issue-o.vtdt", d + "issue-o.txt", trace_format::text, compression::none);
  EXPECT_EQ(slurp(d + "issue-o.txt").find("#!"), std::string::npos);
  trace_reader r(d + "issue-o.txt");
  EXPECT_EQ(r.header().flags, 0);
  EXPECT_EQ(issue_of(r.header()), issue_mode::open);
  // Version 1 and 2 files without the flag: open.
  for (uint16_t version : {1, 2}) {
    trace_reader b("v.bin", header_bytes(version, 0) + msi_bytes(5));
    EXPECT_EQ(b.header().version, version);
    EXPECT_EQ(issue_of(b.header()), issue_mode::open);
    EXPECT_EQ(read_all(b).size(), 1u);
  }
  // A closed-loop compressed text trace without records still says closed.
  write_trace(d + "issue-empty.txt.zst", trace_format::text, compression::zstd, header_closed_loop, {});
  trace_reader empty(d + "issue-empty.txt.zst");
  EXPECT_EQ(issue_of(empty.header()), issue_mode::closed);
  EXPECT_TRUE(read_all(empty).empty());
}

TEST(HeaderIssue, OtherHeaderFlagBitsAreRefusedWithTheirOffset) {
  trace_reader ok("ok.bin", header_bytes(2, 0x0001) + msi_bytes(5));
  EXPECT_EQ(issue_of(ok.header()), issue_mode::closed);
  EXPECT_EQ(error_of("t.bin", header_bytes(2, 0x0002) + msi_bytes(5)),
            "t.bin: unsupported vtdsim binary trace: reserved header flags 0x2 set at byte offset 22");
  EXPECT_EQ(error_of("t.bin", header_bytes(2, 0x8001) + msi_bytes(5)),
            "t.bin: unsupported vtdsim binary trace: reserved header flags 0x8000 set at byte offset 22")
      << "only the reserved bits are named";
  EXPECT_EQ(
      error_of("t.bin", header_bytes(1, 0x0001) + msi_bytes(5)),
      "t.bin: unsupported vtdsim binary trace: reserved header flags 0x1 set at byte offset 22 (version 1 "
      "has no header flags)");
}

TEST(HeaderIssue, TextDirectivesComeBeforeTheRecords) {
  auto issue = [](const std::string& text) {
    trace_reader r("t.txt", text);
    const auto mode = issue_of(r.header());
    read_all(r);
    return mode;
  };
  EXPECT_EQ(issue("#! issue closed\n100 msi 00:02.0 0xfee00000 0x0\n"), issue_mode::closed);
  EXPECT_EQ(issue("# made by hand\n\n#! issue closed # a comment\n100 msi 00:02.0 0xfee00000 0x0\n"),
            issue_mode::closed);
  EXPECT_EQ(issue("#!  issue\topen\n100 msi 00:02.0 0xfee00000 0x0\n"), issue_mode::open);
  EXPECT_EQ(issue("#! issue closed"), issue_mode::closed) << "a trace of only a directive, no newline";
  EXPECT_EQ(issue("# !issue closed\n"), issue_mode::open) << "only '#!' in column 1 is a directive";
  EXPECT_EQ(error_of("t.txt", "100 msi 00:02.0 0xfee00000 0x0\n#! issue closed\n"),
            "t.txt:2:1: header directive '#! issue closed' after the first record (directives come before "
            "the records)");
  EXPECT_EQ(error_of("t.txt", "#! issue sideways\n"), "t.txt:1:10: expected open or closed, got 'sideways'");
  EXPECT_EQ(error_of("t.txt", "#! loop closed\n"),
            "t.txt:1:4: expected a header directive (issue), got 'loop'");
  EXPECT_EQ(error_of("t.txt", "#! issue closed now\n"),
            "t.txt:1:17: expected end of the directive, got 'now'");
  EXPECT_EQ(error_of("t.txt", "#! issue open\n#! issue closed\n"),
            "t.txt:2:4: 'issue' directive given twice");
  // Line numbers after the directives are those of the file.
  EXPECT_EQ(
      error_of("t.txt", "#! issue closed\n# x\n100 bogus\n").rfind("t.txt:3:5: expected a record kind", 0),
      0u)
      << error_of("t.txt", "#! issue closed\n# x\n100 bogus\n");
  trace_reader r("t.txt",
                 "#! issue closed\n\n100 msi 00:02.0 0xfee00000 0x0\n200 msi 00:02.0 0xfee00000 0x1\n");
  const auto records = read_all(r);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].time_ps, 100u);
  EXPECT_EQ(records[1].value, 1u);
}

}  // namespace
}  // namespace vtd::traces
