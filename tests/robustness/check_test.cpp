// `vtdsim check` (and `dump`) never says "clean" when it did not look, reports what the driver programmed
// (reserved register bits included), agrees with the model on where the tables are, and names the file and
// JSON path of a platform it refuses. Memory images here are written byte by byte by the test (independent of
// the project's builders); expected findings come from the spec's bit layouts (RTADDR_REG, IRTA_REG, root and
// context entries, second-stage paging entries).
#include <nlohmann/json.hpp>

#include "tests/robustness/robustness_fixture.hpp"

namespace vtd::robust {
namespace {

// A memory image loaded at 0x1000: root table at 0x1000 (bus 0 -> context table 0x2000), device 00:01.0
// (devfn 8) in domain 9 with a 3-level table PDPT 0x4000 -> PD 0x5000 -> PT 0x6000, PT[5] mapping IOVA
// 0x5000 -> 0xABCDE000 read/write.
struct image {
  std::string bytes = std::string(0x6000, '\0');
  void put(uint64_t addr, uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes[addr - 0x1000 + i] = char(v >> (8 * i));
  }
  image() {
    put(0x1000, 0x2001);                   // root entry bus 0: CTP 0x2000, P
    put(0x2000 + 8 * 16, 0x4001);          // context entry devfn 8: SLPTPTR 0x4000, TT 00, P
    put(0x2000 + 8 * 16 + 8, 9 << 8 | 1);  // DID 9, AW 001b (3-level)
    put(0x4000, 0x5003);                   // PDPT[0] -> PD, RW
    put(0x5000, 0x6003);                   // PD[0] -> PT, RW
    put(0x6000 + 5 * 8, 0xABCDE003);       // PT[5]: 4 KiB page, RW
  }
  std::string write(const std::string& name) const { return write_file(name, bytes); }
};

nlohmann::json json_of(const run_result& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out << r.err;
    return {};
  }
}

// The first finding with `code` (mutable, so that a missing field reads as null instead of asserting).
nlohmann::json* finding(nlohmann::json& j, const std::string& code) {
  if (!j.is_object() || !j.contains("findings")) return nullptr;
  for (auto& f : j["findings"])
    if (f["code"] == code) return &f;
  return nullptr;
}
nlohmann::json* finding(nlohmann::json&& j, const std::string& code) = delete;

// Issue 9, defect 6: no input at all.
TEST(CheckRobustness, NoInputIsAUsageError) {
  for (const char* cmd : {"check", "check --json", "check --strict", "dump"}) {
    auto r = vtdsim(cmd);
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("nothing to"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("--platform"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("--mem"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_EQ(r.out.find("0 errors"), std::string::npos) << cmd << ": " << r.out;
  }
}

// Defect 6: a memory image but no register pointing into it (nothing reachable).
TEST(CheckRobustness, MemoryWithoutRtaddrOrIrtaIsAUsageError) {
  const std::string path = image().write("no-regs.bin");
  for (const char* cmd : {"check", "dump"}) {
    auto r = vtdsim(std::string(cmd) + " --mem " + path + "@0x1000");
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << "the message names the file: " << r.err;
    EXPECT_NE(r.err.find("--rtaddr"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("0 errors"), std::string::npos) << r.out;
  }
  // ECAP.IR=0: --irta alone programs nothing, and the message says why.
  auto r = vtdsim("check --mem " + path + "@0x1000 --irta 0x1007 --ecap-field ir=0");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("ECAP.IR=0"), std::string::npos) << r.err;
  // With the register given, the same image checks clean.
  r = vtdsim("check --mem " + path + "@0x1000 --rtaddr 0x1000");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 devices, 1 domains"), std::string::npos) << r.out;
}

// Defect 6: --trace adds the missing-invalidation check to the table check; it never replaces it.
TEST(CheckRobustness, TraceDoesNotSkipTheTableCheck) {
  // A mapping over the interrupt address range: a table warning (sl.iova_in_interrupt_range).
  const std::string platform = write_file("warn-platform.json", R"({"domains": [{"id": 1, "mappings": [
                   {"iova": "0xfee00000", "hpa": "0x80000000", "size": "0x1000"}]}],
                 "devices": [{"bdf": "00:02.0", "domain": 1}]})");
  const std::string trace = write_file("clean.trace",
                                       "0 map dom=1 iova=0x500000 hpa=0x50000000 len=0x1000 rw\n"
                                       "1 dma 00:02.0 read 0x500000 64\n");
  auto r = vtdsim("check --strict --platform " + platform + " --trace " + trace);
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("sl.iova_in_interrupt_range"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 DMAs served from stale cached translations"), std::string::npos) << r.out;
  r = vtdsim("check --strict --json --platform " + platform + " --trace " + trace);
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  auto j = json_of(r);
  EXPECT_EQ(j["summary"]["warnings"], 1) << r.out;
  EXPECT_EQ(j["stale_translations_served"], 0) << r.out;
  EXPECT_NE(finding(j, "sl.iova_in_interrupt_range"), nullptr) << r.out;
  // Without --strict the warning alone passes, as without --trace.
  EXPECT_EQ(vtdsim("check --platform " + platform + " --trace " + trace).code, 0);
  // --trace needs the platform it starts from.
  const std::string path = image().write("trace-mem.bin");
  r = vtdsim("check --mem " + path + "@0x1000 --rtaddr 0x1000 --trace " + trace);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--trace needs --platform"), std::string::npos) << r.err;
}

// Issue 15 (b): RTADDR reserved bits 9:0 reach the checker (the register file drops them).
TEST(CheckRobustness, RtaddrReservedBitsAreReported) {
  const std::string path = image().write("rtaddr-rsvd.bin");
  auto r = vtdsim("check --json --mem " + path + "@0x1000 --rtaddr 0x1081");  // bits 7 and 0
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  auto j = json_of(r);
  auto* f = finding(j, "rtaddr.reserved");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_EQ((*f)["severity"], "error");
  EXPECT_TRUE((*f)["raw"].is_null()) << *f;  // a register as a whole
  EXPECT_NE((*f)["message"].get<std::string>().find("0x1081"), std::string::npos) << *f;
  EXPECT_EQ(j["devices"].size(), 1u) << "the table the hardware reads (at 0x1000) is still checked";
}

// Issue 15 (a): RTA bits above HAW. The register does not implement them (spec chapter 11, RTADDR_REG.RTA);
// check reports them and checks the table at 0x1000, and translate and walk read that same table.
TEST(CheckRobustness, RootTableAboveHawCheckAndModelAgree) {
  const std::string path = image().write("rtaddr-haw.bin");
  const std::string sys = " --mem " + path + "@0x1000 --haw 39 --rtaddr 0x8000001000";
  auto r = vtdsim("check --json" + sys);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  auto j = json_of(r);
  auto* f = finding(j, "rtaddr.reserved");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_NE((*f)["message"].get<std::string>().find("read at 0x1000"), std::string::npos) << *f;
  EXPECT_EQ(finding(j, "rtaddr.beyond_memory"), nullptr) << r.out;
  ASSERT_EQ(j["devices"].size(), 1u) << r.out;
  EXPECT_EQ(j["domains"][0]["ranges"][0]["iova"], "0x5000");
  EXPECT_EQ(j["domains"][0]["ranges"][0]["hpa"], "0xabcde000");

  r = vtdsim("translate --json" + sys + " --sid 00:01.0 --iova 0x5010");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0xabcde010"), std::string::npos) << r.out;
  r = vtdsim("walk --json" + sys + " --sid 00:01.0 --iova 0x5010");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0xabcde010"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"fault\": {"), std::string::npos) << r.out;
}

// Issue 15 (c): IRTA reserved bits 10:4 and EIME without ECAP.EIM reach the checker.
TEST(CheckRobustness, IrtaFindingsAreReachable) {
  image img;
  img.put(0x3000 + 2 * 16, 1 | (0x31ull << 16) | (2ull << 40));  // IRTE 2 at IRT 0x3000: vector 0x31, APIC 2
  const std::string path = img.write("irta.bin");
  auto r = vtdsim("check --json --mem " + path + "@0x1000 --irta 0x3073");  // S=3, bits 6:4 set
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  auto j = json_of(r);
  ASSERT_NE(finding(j, "irta.reserved"), nullptr) << r.out;
  EXPECT_EQ(j["interrupts"].size(), 1u) << r.out;

  r = vtdsim("check --json --mem " + path + "@0x1000 --irta 0x3803 --ecap-field eim=0");  // EIME, S=3
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  j = json_of(r);
  ASSERT_NE(finding(j, "irta.eime_unsupported"), nullptr) << r.out;
  ASSERT_EQ(j["interrupts"].size(), 1u) << r.out;
  EXPECT_EQ(j["interrupts"][0]["destination"], 2) << "decoded in xAPIC mode, as the hardware does";

  r = vtdsim("check --mem " + path + "@0x1000 --irta 0x3803");  // the server preset has ECAP.EIM=1: legal
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

// Issue 15 (d): the platform loader refuses host addresses above the host address width, naming the file
// and the JSON path.
TEST(CheckRobustness, PlatformMappingAboveHawIsRefusedWithItsPosition) {
  const std::string platform = write_file("hpa-above-haw.json", R"({"iommu": {"haw": 39},
        "domains": [{"id": 1, "mappings": [{"iova": "0x1000", "hpa": "0x1000", "size": "0x1000"},
                                           {"iova": "0x2000", "hpa": "0x7ffffff000", "size": "0x2000"}]}],
        "devices": [{"bdf": "00:02.0", "domain": 1}]})");
  for (const char* cmd : {"check", "dump", "translate --sid 00:02.0 --iova 0x1000"}) {
    auto r = vtdsim(std::string(cmd) + " --platform " + platform);
    EXPECT_EQ(r.code, 1) << cmd << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(platform + ": domains[0].mappings[1].hpa"), std::string::npos)
        << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("host address width"), std::string::npos) << r.err;
  }
  // The preset's HAW applies when the file gives none (server: 46 bits).
  const std::string preset = write_file("hpa-above-preset-haw.json", R"({"domains": [{"id": 1, "mappings": [
        {"iova": "0x1000", "hpa": "0x400000000000", "size": "0x1000"}]}]})");
  auto r = vtdsim("check --platform " + preset);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(preset + ": domains[0].mappings[0].hpa"), std::string::npos) << r.err;
}

// Issue 15 (e): a device that can DMA-write its own page table is warned about, with the device, the IOVA,
// the table page and the leaf entry that maps it.
TEST(CheckRobustness, DmaWritablePageTableIsWarned) {
  image img;
  img.put(0x6000 + 6 * 8, 0x6003);  // PT[6]: IOVA 0x6000 -> the PT page itself, RW
  const std::string path = img.write("self-map.bin");
  auto r = vtdsim("check --json --mem " + path + "@0x1000 --rtaddr 0x1000");
  EXPECT_EQ(r.code, 0) << "a warning only: " << r.out << r.err;
  auto j = json_of(r);
  auto* f = finding(j, "sl.writable_table");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_EQ((*f)["severity"], "warning");
  EXPECT_EQ((*f)["device"], "00:01.0");
  EXPECT_EQ((*f)["table_page"], "0x6000");
  EXPECT_EQ((*f)["entry_address"], "0x6030");
  EXPECT_EQ((*f)["raw"], "0x6003");
  EXPECT_NE((*f)["message"].get<std::string>().find("IOVA 0x6000"), std::string::npos) << *f;
  EXPECT_EQ(vtdsim("check --strict --mem " + path + "@0x1000 --rtaddr 0x1000").code, 3);
  img.put(0x6000 + 6 * 8, 0x6001);  // read-only: no warning
  r = vtdsim("check --json --mem " + img.write("self-map-ro.bin") + "@0x1000 --rtaddr 0x1000");
  j = json_of(r);
  EXPECT_EQ(finding(j, "sl.writable_table"), nullptr) << r.out;
}

// Issue 16 and defect 18: a cycle names the entry that closes it, with its real raw value; raw is always a
// hex string or null.
TEST(CheckRobustness, CycleNamesTheClosingEntry) {
  image img;
  img.put(0x5000 + 1 * 8, 0x4003);  // PD[1] -> the PDPT: a loop
  const std::string path = img.write("cycle.bin");
  auto r = vtdsim("check --json --mem " + path + "@0x1000 --rtaddr 0x1000");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  auto j = json_of(r);
  auto* f = finding(j, "sl.cycle");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_EQ((*f)["entry_address"], "0x5008");
  EXPECT_EQ((*f)["raw"], "0x4003");
  EXPECT_EQ((*f)["index"], 1);
  EXPECT_EQ((*f)["level"], 2);
  EXPECT_EQ((*f)["table_page"], "0x4000");
  for (const auto& x : j["findings"]) {
    EXPECT_TRUE(x["raw"].is_string() || x["raw"].is_null()) << x;
    EXPECT_TRUE(x["entry_address"].is_string() || x["entry_address"].is_null()) << x;
  }
  r = vtdsim("check --mem " + path + "@0x1000 --rtaddr 0x1000");
  EXPECT_EQ(r.out.find("index -1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("at 0x5008 raw 0x0000000000004003"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vtd::robust
