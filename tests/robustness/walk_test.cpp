// `vtdsim walk` (issue 9, item 18): the JSON gives the result as fields (the object `translate --json` and
// `interrupt --json` print), fault reasons are two hex digits everywhere, and `--queries FILE` walks a file
// of queries with errors naming FILE:LINE:COLUMN. Expected values are hand-computed from
// examples/two-devices.json: domain 1 (00:02.0, 4-level) maps IOVA 0x100000 -> HPA 0x40000000 (64 KiB of 4
// KiB pages, RW) and 0x200000 -> 0x80000000 (one 2 MiB page, read-only); domain 2 (03:00.0, 39-bit, 3-level)
// maps 0x40000000 -> 0x100000000 (1 GiB); 00:1f.0 is pass-through; IRTE 0 is vector 48 to APIC 2 for
// 00:02.0, IRTE 1 vector 49 to APIC 3, level-triggered, for 03:00.0.
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {

std::string platform() {
  return " --platform " + example("two-devices.json");
}

nlohmann::json walk_json(const std::string& args) {
  auto r = vtdsim("walk" + platform() + " " + args + " --json");
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

nlohmann::json query_json(const std::string& command, const std::string& args) {
  auto r = vtdsim(command + platform() + " " + args + " --json");
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(Walk, JsonResultHasTheHandComputedTranslationAsFields) {
  auto j = walk_json("--sid 00:02.0 --iova 0x100040");
  const auto& r = j["result"];
  ASSERT_TRUE(r.is_object()) << "the result was only a sentence: " << j["result"].dump();
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["result"], "translated");
  EXPECT_EQ(r["hpa"], "0x40000040");  // page 0x40000000 + offset 0x40
  EXPECT_EQ(r["page_size"], 4096);
  EXPECT_EQ(r["read"], true);
  EXPECT_EQ(r["write"], true);
  EXPECT_EQ(r["domain_id"], 1);
  EXPECT_EQ(r["levels"], 4);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_NE(j["summary"].get<std::string>().find("HPA 0x40000040"), std::string::npos);

  auto big = walk_json("--sid 03:00.0 --iova 0x7fffffff")["result"];
  EXPECT_EQ(big["hpa"], "0x13fffffff");  // 0x100000000 + 0x3fffffff
  EXPECT_EQ(big["page_size"], 1073741824);
  EXPECT_EQ(big["levels"], 3);
  EXPECT_EQ(big["domain_id"], 2);
}

TEST(Walk, JsonResultOfAnInterruptHasVectorAndDestination) {
  auto r = walk_json("--msi --sid 00:02.0 --addr 0xfee00010 --data 0")["result"];
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["result"], "remapped");
  EXPECT_EQ(r["interrupt_index"], 0);
  EXPECT_EQ(r["vector"], 48);
  EXPECT_EQ(r["destination"], 2);
  EXPECT_EQ(r["delivery_mode"], "fixed");
  EXPECT_EQ(r["dest_mode"], "physical");
  EXPECT_EQ(r["trigger"], "edge");
  auto level = walk_json("--msi --sid 03:00.0 --addr 0xfee00030")["result"];  // handle 1
  EXPECT_EQ(level["vector"], 49);
  EXPECT_EQ(level["destination"], 3);
  EXPECT_EQ(level["trigger"], "level");
}

TEST(Walk, JsonResultIsTheObjectTranslateAndInterruptPrint) {
  for (const std::string q : {"--sid 00:02.0 --iova 0x100040", "--sid 00:02.0 --iova 0x200040 --write",
                              "--sid 03:00.0 --iova 0x40001000 --atomic", "--sid 00:1f.0 --iova 0x1234",
                              "--sid 00:05.0 --iova 0x1000"})
    EXPECT_EQ(walk_json(q)["result"], query_json("translate", q)) << q;
  for (const std::string q : {"--sid 00:02.0 --addr 0xfee00010 --data 0", "--sid 03:00.0 --addr 0xfee00010"})
    EXPECT_EQ(walk_json("--msi " + q)["result"], query_json("interrupt", q)) << q;
}

TEST(Walk, FaultReasonIsTwoHexDigitsInTranslateAndWalk) {
  // translate --json said "0x5", walk --json "0x05": the spec writes 05h.
  auto t = query_json("translate", "--sid 00:02.0 --iova 0x200040 --write");
  EXPECT_EQ(t["fault_reason"], "0x05");
  EXPECT_EQ(t["fault_name"], "write_denied");
  auto w = walk_json("--sid 00:02.0 --iova 0x200040 --write");
  EXPECT_EQ(w["result"]["fault_reason"], "0x05");
  EXPECT_EQ(w["result"]["fault_condition"], "LGN.2");
  EXPECT_EQ(w["fault"]["reason"], "0x05");
  auto text = vtdsim("translate" + platform() + " --sid 00:05.0 --iova 0x1000");  // no context entry: 02h
  EXPECT_NE(text.out.find("FAULT 0x02 context_not_present"), std::string::npos) << text.out;
  auto irq = query_json("interrupt", "--sid 03:00.0 --addr 0xfee00010");  // IRTE 0 is 00:02.0's
  EXPECT_EQ(irq["fault_reason"], "0x26");
}

TEST(Walk, QueriesFilePrintsOneJsonWalkPerLine) {
  auto q = write_file("walk-queries.txt",
                      "# sid iova access\n"
                      "dma 00:02.0 0x100040 read\n"
                      "\n"
                      "dma 03:00.0 0x7fffffff write   # 1 GiB page\n"
                      "msi 00:02.0 0xfee00010 0\n"
                      "  dma 00:1f.0 0x1234 read 0\n"
                      "dma 00:02.0 0x200040 write 64\n");
  auto r = vtdsim("walk" + platform() + " --queries " + q + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto walks = json_lines(r.out);
  ASSERT_EQ(walks.size(), 5u) << r.out;
  EXPECT_EQ(walks[0]["result"]["hpa"], "0x40000040");
  EXPECT_EQ(walks[1]["result"]["hpa"], "0x13fffffff");
  EXPECT_EQ(walks[1]["result"]["access"], "write");
  EXPECT_EQ(walks[2]["kind"], "interrupt");
  EXPECT_EQ(walks[2]["result"]["vector"], 48);
  EXPECT_EQ(walks[3]["result"]["result"], "pass_through");
  EXPECT_EQ(walks[3]["result"]["hpa"], "0x1234");
  EXPECT_EQ(walks[4]["result"]["fault_reason"], "0x05");
  EXPECT_NE(walks[4]["request"].get<std::string>().find("64 bytes"), std::string::npos);
  for (const auto& w : walks) EXPECT_FALSE(w["steps"].empty());

  // The same walks as `walk` one at a time.
  EXPECT_EQ(walks[0], walk_json("--sid 00:02.0 --iova 0x100040"));
  EXPECT_EQ(walks[2], walk_json("--msi --sid 00:02.0 --addr 0xfee00010 --data 0"));
}

TEST(Walk, QueriesFileAsTextSeparatesWalksWithABlankLine) {
  auto q = write_file("walk-text.txt",
                      "dma 00:02.0 0x100040 read\nmsi 00:02.0 0xfee00010 0\ndma 03:00.0 0x0 read\n");
  auto r = vtdsim("walk" + platform() + " --queries " + q + " --color never");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count(r.out, "\nResult: "), 3u) << r.out;
  EXPECT_EQ(r.out.rfind("00:02.0 read of 4 bytes at IOVA 0x100040", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n\n00:02.0 MSI write: address 0xfee00010"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n\n03:00.0 read of 4 bytes at IOVA 0x0"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos);
}

TEST(Walk, QueriesFileErrorsNameFileLineAndColumnAndPrintNothing) {
  struct bad {
    std::string line, message;
  };
  const std::vector<bad> cases = {
      {"dma 00:02.0 0x100040 raed", ":3:22: 'raed': expected read, write or atomic"},
      {"dma 00:02.0 0x100040", ":3:21: expected: dma BDF IOVA read|write|atomic [LENGTH]"},
      {"dma 00:42.0 0x0 read", ":3:5: source id '00:42.0': device number 0x42 out of range (max 0x1f)"},
      {"dma 00:02.0 0xzz read", ":3:13: IOVA: '0xzz': not a number"},
      {"dma 00:02.0 0x0 read 0x100000000", ":3:22: length: '0x100000000': too large (at most 0xffffffff)"},
      {"msi 00:02.0 0xfee00010", ":3:23: expected: msi BDF ADDRESS DATA"},
      {"msi 00:02.0 0xfee00010 0x1ffffffff", ":3:24: data: '0x1ffffffff': too large"},
      {"msi 00:02.0 0xfee00010 0 extra", ":3:26: unexpected 'extra' after the query"},
      {"dna 00:02.0 0x0 read", ":3:1: unknown query kind 'dna' (expected dma or msi)"},
  };
  for (const auto& c : cases) {
    auto q = write_file("walk-bad.txt", "dma 00:02.0 0x100040 read\n# fine so far\n" + c.line + "\n");
    for (const std::string json : {"", " --json"}) {
      auto r = vtdsim("walk" + platform() + " --queries " + q + json);
      EXPECT_EQ(r.code, 1) << c.line;
      EXPECT_NE(r.err.find("walk-bad.txt" + c.message), std::string::npos) << c.line << "\n" << r.err;
      EXPECT_EQ(r.out, "") << "no walk printed before the error: " << c.line;
    }
  }
  auto r = vtdsim("walk" + platform() + " --queries " + tmp() + "no-such-queries.txt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no-such-queries.txt"), std::string::npos) << r.err;
}

TEST(Walk, QueriesConflictWithSingleQueryOptions) {
  auto q = write_file("walk-ok.txt", "dma 00:02.0 0x100040 read\n");
  const std::vector<std::string> extras = {
      "--sid 00:02.0", "--iova 0x1000", "--msi",    "--addr 0xfee00000",
      "--write",       "--length 8",    "--data 1", "--html " + tmp() + "walks.html"};
  for (const auto& extra : extras) {
    auto r = vtdsim("walk" + platform() + " --queries " + q + " " + extra);
    EXPECT_EQ(r.code, 2) << extra << "\n" << r.err;
    EXPECT_EQ(r.out, "") << extra;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp() + "walks.html"));
}

TEST(Walk, SingleQueryValuesAreCheckedNotTruncated) {
  // --length 0x100000000 was truncated to a zero-length read.
  auto r = vtdsim("walk" + platform() + " --sid 00:02.0 --iova 0x100040 --length 0x100000000");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--length: '0x100000000': too large"), std::string::npos) << r.err;
  r = vtdsim("walk" + platform() + " --msi --sid 00:02.0 --addr 0xfee00010 --data 0x100000000");
  EXPECT_EQ(r.code, 2) << r.err;
  r = vtdsim("walk" + platform() + " --sid 00:02.0 --iova 0x100040 --write --atomic");
  EXPECT_EQ(r.code, 2) << r.err;
  r = vtdsim("walk" + platform() + " --sid 00:02.0 --msi --addr 0xfee00010 --iova 0x1000");
  EXPECT_EQ(r.code, 2) << "--iova is not part of an MSI: " << r.err;
  // The longest request from 0x100040 that stays in its 4 KiB page (a PCIe request never crosses one).
  auto ok = walk_json("--sid 00:02.0 --iova 0x100040 --length 0xfc0");
  EXPECT_NE(ok["request"].get<std::string>().find("4032 bytes"), std::string::npos) << ok["request"];
}
