// `vtdsim walk` on a scalable-mode memory image: a sparse page file (docs/memory-image.md) holding scalable
// tables written here by hand, entry by entry, from the spec's bit tables, run with `--rtaddr 0x100400`
// (root table 0x100000, TTM=01b in bits 11:10) and `--preset server-sm`. The text and JSON must show the walk
// the tables describe (addresses and indices worked out below), a nested walk's groups, and faults with the
// field to blame.
//
//   root table 0x100000, bus 0: LP=1, LCTP=0x101000
//   00:02.0 (devfn 0x10, context entry 0x101000 + 0x10*32 = 0x101200), a NIC in a first-stage DMA domain as
//     Linux builds it: P, PASIDE=0, PDTS=010b, PASIDDIRPTR=0x102000, RID_PASID=0; directory entry 0 -> PASID
//     table 0x103000; PASID 0: PGTT=001b, DID 1, PWSNP, FLPTPTR 0x110000 (4-level)
//     IOVA 0xffffe040: PML4 index 0, PDPT 3, PD 0x1ff, PT 0x1fe -> page 0x80000000 (RW, A and D preset);
//     PT index 0x1ff -> page 0x80001000, read-only (R/W=0)
//   00:03.0 (devfn 0x18, context 0x101300), a device of a VM: PASIDE=1, PDTS=010b, PASIDDIRPTR=0x104000;
//     PASID 0x42 (directory index 1 -> table 0x105000, table index 2 -> 0x105080): nested, DID 2, AW=010b,
//     SLPTPTR 0x120000, FLPTPTR GPA 0x1000000. Second stage: PML4[0] -> PDPT 0x121000, PDPT[0] = 1 GiB leaf
//     GPA 0 -> HPA 0x40000000. Guest first stage at GPAs 0x1000000-0x1003000 (HPAs 0x41000000-0x41003000)
//     for IOVA 0x7f0000201040 (indices 0xfe, 0, 1, 1): leaf GPA 0x2345000 with A and D clear (P|R/W|U/S).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

using run_result = vtd::test::cli_result;
constexpr auto& run = vtd::test::run_vtdsim_split;

// A sparse page file: "VTDPAGE1", then per page its address (u64 little-endian) and 4096 bytes.
class page_image {
 public:
  void put(uint64_t addr, std::initializer_list<uint64_t> qwords) {
    for (uint64_t q : qwords) {
      auto& page = m_pages[addr & ~uint64_t{0xFFF}];
      for (unsigned i = 0; i < 8; ++i) page[(addr & 0xFFF) + i] = static_cast<char>(q >> (8 * i));
      addr += 8;
    }
  }
  std::string write(const std::string& name) const {
    const std::string path = vtd::test::temp_dir() + name;
    std::ofstream f(path, std::ios::binary);
    f.write("VTDPAGE1", 8);
    for (const auto& [addr, bytes] : m_pages) {
      char a[8];
      for (unsigned i = 0; i < 8; ++i) a[i] = static_cast<char>(addr >> (8 * i));
      f.write(a, 8);
      f.write(bytes.data(), bytes.size());
    }
    return path;
  }

 private:
  std::map<uint64_t, std::array<char, 4096>> m_pages;
};

page_image tables() {
  page_image m;
  m.put(0x100000, {0x101001, 0});
  // 00:02.0: QW0 = PASIDDIRPTR 0x102000 | PDTS 010b (11:9) | P.
  m.put(0x101200, {0x102000 | 0x400 | 1, 0, 0, 0});
  m.put(0x102000, {0x103001});
  // PASID 0: QW0 P | PGTT=001b (8:6); QW1 DID 1 (79:64) | PWSNP (87 = QW1 bit 23); QW2 FLPTPTR (191:140).
  m.put(0x103000, {0x41, 0x800001, 0x110000, 0, 0, 0, 0, 0});
  m.put(0x110000, {0x111027});  // P | R/W | U/S | A
  m.put(0x111000 + 3 * 8, {0x112027});
  m.put(0x112000 + 0x1FF * 8, {0x113027});
  m.put(0x113000 + 0x1FE * 8, {0x80000067, 0x80001025});  // RW leaf with D; read-only leaf (R/W=0)
  // 00:03.0: PASIDE (bit 3) too.
  m.put(0x101300, {0x104000 | 0x400 | 0x8 | 1, 0, 0, 0});
  m.put(0x104008, {0x105001});
  // PASID 0x42: QW0 SLPTPTR 0x120000 | PGTT=011b | AW=010b (4:2) | P; DID 2 | PWSNP; FLPTPTR GPA 0x1000000.
  m.put(0x105080, {0x120000 | 0xC0 | 0x8 | 1, 0x800002, 0x1000000, 0, 0, 0, 0, 0});
  m.put(0x120000, {0x121003});    // R | W
  m.put(0x121000, {0x40000083});  // 1 GiB leaf: R | W | PS
  m.put(0x41000000 + 0xFE * 8, {0x1001027});
  m.put(0x41001000, {0x1002027});
  m.put(0x41002000 + 8, {0x1003027});
  m.put(0x41003000 + 8, {0x2345007});  // A and D clear: the walk sets them
  return m;
}

std::string image_args() {
  static const std::string path = tables().write("scalable.pages");
  return "--pages " + path + " --rtaddr 0x100400 --preset server-sm --color never";
}

nlohmann::json walk_json(const std::string& request) {
  const auto r = run("walk " + image_args() + " " + request + " --json");
  EXPECT_EQ(r.code, 0) << request << "\n" << r.err;
  return nlohmann::json::parse(r.out);
}

std::string field(const nlohmann::json& step, const std::string& name) {
  for (const auto& f : step["fields"])
    if (f["name"] == name) return f["value"];
  return "";
}
std::vector<std::string> culprits(const nlohmann::json& step) {
  std::vector<std::string> names;
  for (const auto& f : step["fields"])
    if (f.value("culprit", false)) names.push_back(f["name"]);
  return names;
}

}  // namespace

TEST(WalkScalable, FirstStageWalkAsText) {
  const auto r = run("walk " + image_args() + " --sid 00:02.0 --iova 0xffffe040");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string& t = r.out;
  for (const char* line :
       {"    TTM       11:10  01b       scalable mode",
        " 2. Scalable-mode root entry for bus 0x00 (lower half: devfn 0x10 < 0x80)",
        "    address: LCTP 0x101000 + (devfn 0x10 & 0x7f) x 32 = 0x101200",
        "    => request without PASID: PASID = RID_PASID = 0x0, user (RID_PRIV=0): index the PASID directory "
        "at "
        "0x102000 with PASID[19:6] = 0x0",
        "    address: SMPTBLPTR 0x103000 + PASID[5:0] 0x0 x 64 = 0x103000",
        "    raw:     QW0 0x0000000000000041  QW1 0x0000000000800001",
        "    PGTT      8:6      001b      first-stage only",
        " 9. First-stage level 1 PTE (page table, index 510)",
        "    address: table 0x113000 + IOVA[20:12] = 0x1fe x 8 = 0x113ff0",
        "Result: HPA 0x80000040 = page 0x80000000 + offset 0x40 (4 KiB page, RW, domain 1, PASID 0x0, first "
        "stage)"})
    EXPECT_NE(t.find(line), std::string::npos) << "missing: " << line << "\n" << t;
}

TEST(WalkScalable, FirstStageWalkAsJson) {
  const auto j = walk_json("--sid 00:02.0 --iova 0xffffe040");
  EXPECT_EQ(j["mode"], "scalable");
  EXPECT_EQ(j["pasid"], 0);
  EXPECT_EQ(j["pasid_source"], "RID_PASID");
  EXPECT_EQ(j["translation"], "first");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["result"]["hpa"], "0x80000040");
  const std::vector<std::string> kinds{"register",        "sm_root_entry", "sm_context_entry",
                                       "pasid_dir_entry", "pasid_entry",   "fs_entry",
                                       "fs_entry",        "fs_entry",      "fs_entry"};
  const std::vector<std::string> addresses{"",         "0x100000", "0x101200", "0x102000", "0x103000",
                                           "0x110000", "0x111018", "0x112ff8", "0x113ff0"};
  ASSERT_EQ(j["steps"].size(), kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    EXPECT_EQ(j["steps"][i]["kind"], kinds[i]) << i;
    if (i) {
      EXPECT_EQ(j["steps"][i]["entry_address"], addresses[i]) << i;
    }
  }
  const auto& pe = j["steps"][4];
  EXPECT_EQ(pe["raw"],
            nlohmann::json::array({"0x41", "0x800001", "0x110000", "0x0", "0x0", "0x0", "0x0", "0x0"}));
  EXPECT_EQ(field(pe, "FLPTPTR"), "0x110000");
  EXPECT_EQ(field(pe, "DID"), "1");
  EXPECT_EQ(field(j["steps"][2], "RID_PASID"), "0x0");
  EXPECT_EQ(field(j["steps"][2], "PDTS"), "010b");
  for (size_t i = 5; i < 9; ++i) EXPECT_EQ(j["steps"][i]["stage"], "first") << i;
  EXPECT_EQ(j["steps"][8]["index"], 0x1FE);
  EXPECT_EQ(field(j["steps"][8], "ADDR (frame)"), "0x80000000");
}

TEST(WalkScalable, WriteToAReadOnlyFirstStagePageFaults85h) {
  const auto t = run("walk " + image_args() + " --sid 00:02.0 --iova 0xfffff000 --write");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("    R/W           1      0           read-only"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("<-- cause"), std::string::npos);
  EXPECT_NE(t.out.find("Result: FAULT 0x85 sm_write_denied (SGN.6)"), std::string::npos) << t.out;

  const auto j = walk_json("--sid 00:02.0 --iova 0xfffff000 --write");
  EXPECT_EQ(j["fault"]["reason"], "0x85");
  EXPECT_EQ(j["fault"]["condition"], "SGN.6");
  const auto& leaf = j["steps"].back();
  EXPECT_EQ(leaf["kind"], "fs_entry");
  EXPECT_EQ(leaf["entry_address"], "0x113ff8");
  EXPECT_TRUE(leaf["fault"]);
  EXPECT_EQ(culprits(leaf), std::vector<std::string>{"R/W"});
}

TEST(WalkScalable, RequestWithPasidToADeviceWithoutPaside45h) {
  const auto j = walk_json("--sid 00:02.0 --iova 0xffffe040 --pasid 1");
  EXPECT_EQ(j["fault"]["reason"], "0x45");
  ASSERT_EQ(j["steps"].size(), 3u) << "stops at the context entry";
  EXPECT_EQ(culprits(j["steps"][2]), std::vector<std::string>{"PASIDE"});
  EXPECT_EQ(j["pasid"], 1);
  EXPECT_EQ(j["pasid_source"], "request");
}

// PASID 0x42 of 00:03.0, nested: 4 x (2 second-stage reads + 1 first-stage read) + 2 for the output GPA
// 0x2345040 -> HPA 0x42345040, then A and D set in the guest leaf (0x2345007 -> 0x2345067).
TEST(WalkScalable, NestedWalkGroupsAndUpdates) {
  const auto j = walk_json("--sid 00:03.0 --iova 0x7f0000201040 --pasid 0x42 --write");
  ASSERT_EQ(j["status"], "ok") << j.dump(1);
  EXPECT_EQ(j["result"]["hpa"], "0x42345040");
  EXPECT_EQ(j["translation"], "nested");
  ASSERT_EQ(j["steps"].size(), 20u);
  EXPECT_EQ(j["steps"][3]["entry_address"], "0x104008");
  EXPECT_EQ(j["steps"][4]["entry_address"], "0x105080");
  EXPECT_EQ(j["steps"][5]["group"], "second stage translates GPA 0x1000000 of the first-stage PML4 table");
  EXPECT_EQ(j["steps"][6]["group"], j["steps"][5]["group"]);
  EXPECT_EQ(j["steps"][7]["kind"], "fs_entry");
  EXPECT_EQ(j["steps"][7]["entry_address"], "0x410007f0");  // HPA 0x41000000 + 0xfe * 8
  EXPECT_EQ(j["steps"][17]["group"], "second stage translates GPA 0x2345040, the first stage's output");
  const auto& update = j["steps"][19];
  EXPECT_EQ(update["kind"], "status_write");
  EXPECT_EQ(update["entry_address"], "0x41003008");
  EXPECT_EQ(update["raw"], "0x2345067");
  EXPECT_EQ(field(update, "A"), "0 -> 1");
  EXPECT_EQ(field(update, "D"), "0 -> 1");

  const auto t = run("walk " + image_args() + " --sid 00:03.0 --iova 0x7f0000201040 --pasid 0x42 --write");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(
      t.out.find("\n +- second stage translates GPA 0x1000000 of the first-stage PML4 table\n |\n |  6. "),
      std::string::npos)
      << t.out;
  EXPECT_NE(
      t.out.find("    address: table 0x41000000 (GPA 0x1000000, translated by steps 6-7) + IOVA[47:39] = "
                 "0xfe x 8 = 0x410007f0"),
      std::string::npos);
  EXPECT_NE(t.out.find("20. First-stage level 1 PTE: accessed/dirty update"), std::string::npos);
}

TEST(WalkScalable, HtmlPageFramesTheGroups) {
  const std::string page = vtd::test::temp_dir() + "nested.html";
  const auto r =
      run("walk " + image_args() + " --sid 00:03.0 --iova 0x7f0000201040 --pasid 0x42 --html " + page);
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(page);
  std::stringstream s;
  s << in.rdbuf();
  const std::string html = s.str();
  EXPECT_NE(
      html.find(
          "<div class=\"group\"><div class=\"group-title\">second stage translates GPA 0x1000000 of the "
          "first-stage PML4 table</div>"),
      std::string::npos);
  // A read: the guest leaf's A is set (step 20), its D is not.
  EXPECT_NE(html.find("id=\"step-20\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"step-21\""), std::string::npos);
  EXPECT_NE(html.find("set A: the entry was used by a translation"), std::string::npos);
  EXPECT_EQ(html.find("set D"), std::string::npos);
}
