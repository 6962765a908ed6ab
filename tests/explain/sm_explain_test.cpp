// Scalable-mode walks explained: each structure's step names its spec fields with the values of the hand-
// written raw entries (sm_explain_fixture.hpp), entry addresses follow the index rules worked out by hand, a
// request without PASID is shown going through RID_PASID, and a nested walk groups its second-stage reads
// under the guest-physical address they translate. Renderers show the new steps and fields.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/explain/sm_explain_fixture.hpp"

namespace vtd::test {
namespace {

std::vector<std::string> kinds(const explain::explanation& x) {
  std::vector<std::string> k;
  for (const auto& s : x.steps) k.push_back(s.kind);
  return k;
}

// A request without PASID, RID_PASID = 5: PASID 5's entry (directory index 0, table index 5 at
// 0x103000 + 5*64 = 0x103140) selects the first stage.
TEST_F(SmExplain, FirstStageThroughRidPasidNamesEveryField) {
  put(kCtx + 8, {5});  // RID_PASID (83:64) = 5
  first_stage_entry(5, 9);
  const auto x = walk();
  ASSERT_TRUE(x.ok) << x.result;
  ASSERT_EQ(kinds(x),
            (std::vector<std::string>{"register", "sm_root_entry", "sm_context_entry", "pasid_dir_entry",
                                      "pasid_entry", "fs_entry", "fs_entry", "fs_entry", "fs_entry"}));
  EXPECT_EQ(x.mode, "scalable");
  EXPECT_EQ(value(x.steps[0], "TTM"), "01b");

  // Root entry: bus 0 at RTA + 0; devfn 0x18 uses the lower half.
  const auto& root = x.steps[1];
  EXPECT_EQ(root.entry_address, 0x100000u);
  EXPECT_NE(root.title.find("lower half"), std::string::npos) << root.title;
  EXPECT_EQ(value(root, "LP"), "1");
  EXPECT_EQ(value(root, "LCTP"), "0x101000");
  EXPECT_EQ(value(root, "UP"), "0");
  EXPECT_EQ(bits(root, "UCTP"), "127:76");
  EXPECT_NE(root.verdict.find("LCTP 0x101000"), std::string::npos) << root.verdict;

  // Context entry: 0x101000 + 0x18 * 32, 256 bits.
  const auto& ctx = x.steps[2];
  EXPECT_EQ(ctx.entry_address, 0x101300u);
  EXPECT_EQ(ctx.address_calc, "LCTP 0x101000 + (devfn 0x18 & 0x7f) x 32 = 0x101300");
  EXPECT_EQ(ctx.qwords(), 4u);
  EXPECT_EQ(ctx.qw(0), 0x102409u);
  EXPECT_EQ(ctx.qw(1), 5u);
  EXPECT_EQ(value(ctx, "P"), "1");
  EXPECT_EQ(value(ctx, "FPD"), "0");
  EXPECT_EQ(value(ctx, "DTE"), "0");
  EXPECT_EQ(value(ctx, "PASIDE"), "1");
  EXPECT_EQ(value(ctx, "PRE"), "0");
  EXPECT_EQ(value(ctx, "PDTS"), "010b");
  EXPECT_EQ(bits(ctx, "PDTS"), "11:9");
  EXPECT_NE(meaning(ctx, "PDTS").find("512 entries"), std::string::npos);  // 2^(2+7)
  EXPECT_EQ(value(ctx, "PASIDDIRPTR"), "0x102000");
  EXPECT_EQ(value(ctx, "RID_PASID"), "0x5");
  EXPECT_EQ(bits(ctx, "RID_PASID"), "83:64");
  EXPECT_EQ(meaning(ctx, "RID_PASID"), "request without PASID: PASID = RID_PASID");
  EXPECT_EQ(value(ctx, "RID_PRIV"), "0");
  EXPECT_NE(ctx.verdict.find("request without PASID: PASID = RID_PASID = 0x5"), std::string::npos)
      << ctx.verdict;
  EXPECT_EQ(x.pasid, 5u);
  EXPECT_EQ(x.pasid_source, "RID_PASID");
  EXPECT_FALSE(x.privileged);

  // Directory entry 0 (PASID[19:6] = 0) and PASID-table entry 5 (PASID[5:0] = 5).
  const auto& dir = x.steps[3];
  EXPECT_EQ(dir.entry_address, 0x102000u);
  EXPECT_EQ(dir.address_calc, "PASIDDIRPTR 0x102000 + PASID[19:6] 0x0 x 8 = 0x102000");
  EXPECT_EQ(value(dir, "SMPTBLPTR"), "0x103000");
  const auto& pe = x.steps[4];
  EXPECT_EQ(pe.entry_address, 0x103140u);
  EXPECT_EQ(pe.address_calc, "SMPTBLPTR 0x103000 + PASID[5:0] 0x5 x 64 = 0x103140");
  EXPECT_EQ(pe.qwords(), 8u);
  EXPECT_EQ(pe.qw(2), 0x110000u);
  EXPECT_EQ(value(pe, "PGTT"), "001b");
  EXPECT_EQ(bits(pe, "PGTT"), "8:6");
  EXPECT_NE(meaning(pe, "PGTT").find("first-stage only"), std::string::npos);
  EXPECT_EQ(value(pe, "DID"), "9");
  EXPECT_EQ(value(pe, "FLPTPTR"), "0x110000");
  EXPECT_EQ(bits(pe, "FLPTPTR"), "191:140");
  EXPECT_EQ(value(pe, "FLPM"), "00b");
  EXPECT_EQ(value(pe, "PWSNP"), "1");
  EXPECT_EQ(value(pe, "SRE"), "0");
  EXPECT_EQ(value(pe, "SLADE"), "0");
  EXPECT_EQ(value(pe, "EAFE"), "0");
  EXPECT_EQ(value(pe, "WPE"), "0");
  EXPECT_NE(meaning(pe, "AW").find("ignored"), std::string::npos) << "first stage only: no second stage";
  EXPECT_EQ(x.translation, "first");

  // First-stage entries: the 9-bit indices and the IOVA bits they came from.
  const uint64_t entries[4] = {0x110000 + 0x24 * 8, 0x111000 + 0xD1 * 8, 0x112000 + 0xB3 * 8,
                               0x113000 + 0x189 * 8};
  const char* calcs[4] = {"IOVA[47:39] = 0x24", "IOVA[38:30] = 0xd1", "IOVA[29:21] = 0xb3",
                          "IOVA[20:12] = 0x189"};
  for (unsigned i = 0; i < 4; ++i) {
    const auto& s = x.steps[5 + i];
    EXPECT_EQ(s.level, 4 - i);
    EXPECT_EQ(s.stage, "first");
    EXPECT_EQ(s.entry_address, entries[i]);
    EXPECT_NE(s.address_calc.find(calcs[i]), std::string::npos) << s.address_calc;
    EXPECT_EQ(value(s, "P"), "1");
    EXPECT_EQ(value(s, "R/W"), "1");
    EXPECT_EQ(value(s, "U/S"), "1");
    EXPECT_EQ(value(s, "A"), "1");
    EXPECT_EQ(value(s, "XD"), "0");
  }
  EXPECT_EQ(value(x.steps[5], "ADDR (next table)"), "0x111000");
  EXPECT_EQ(value(x.steps[6], "PS"), "0");
  EXPECT_EQ(value(x.steps[8], "D"), "1");
  EXPECT_EQ(value(x.steps[8], "ADDR (frame)"), "0x40000000");
  EXPECT_EQ(value(x.steps[5], "D"), "") << "D is a leaf field";
  EXPECT_EQ(
      x.result,
      "HPA 0x40000abc = page 0x40000000 + offset 0xabc (4 KiB page, RW, domain 9, PASID 0x5, first stage)");

  // The IOVA's slices: bits 63:48 (canonical), four indices, the offset.
  ASSERT_EQ(x.slices.size(), 6u);
  EXPECT_EQ(x.slices[0].label, "sign extension (canonical)");
  EXPECT_EQ(x.slices[1].value, 0x24u);
  EXPECT_EQ(x.slices[4].value, 0x189u);
  EXPECT_EQ(x.slices[5].value, 0xABCu);
}

// A request with PASID 0x47: directory index 1 (0x102008 -> table 0x104000), table index 7 (0x1041C0); the
// second stage only; a write to the read-only leaf marks its W.
TEST_F(SmExplain, SecondStageWithPasidAndItsWriteFault) {
  second_stage_entry(0x47);
  put(0x123000 + 0x189 * 8, {0x50000001});  // read-only leaf
  const auto x = walk_pasid(0x47);
  ASSERT_TRUE(x.ok) << x.result;
  EXPECT_EQ(x.steps[3].entry_address, 0x102008u);
  EXPECT_EQ(x.steps[3].title, "PASID directory entry for PASID 0x47 (index PASID[19:6] = 0x1)");
  EXPECT_EQ(x.steps[4].entry_address, 0x1041C0u);
  EXPECT_EQ(value(x.steps[4], "AW"), "010b");
  EXPECT_EQ(meaning(x.steps[4], "AW"), "48-bit, 4-level second stage");
  EXPECT_EQ(value(x.steps[4], "SLPTPTR"), "0x120000");
  EXPECT_EQ(x.pasid_source, "request");
  EXPECT_EQ(x.translation, "second");
  ASSERT_EQ(x.steps.size(), 9u);
  EXPECT_EQ(x.steps[5].kind, "sl_entry");
  EXPECT_EQ(x.steps[5].stage, "second");
  EXPECT_EQ(x.steps[5].title, "Second-stage level 4 PML4E (PML4 table, index 36)");
  EXPECT_EQ(x.steps[8].entry_address, 0x123000u + 0x189 * 8);
  EXPECT_TRUE(x.steps[5].group.empty()) << "only nested walks group second-stage reads";

  const auto w = walk_pasid(0x47, kIova, core::access_kind::write);
  ASSERT_FALSE(w.ok);
  EXPECT_EQ(w.fault_code, "0x85");
  const auto& leaf = w.steps.back();
  EXPECT_TRUE(leaf.fault);
  bool w_marked = false;
  for (const auto& f : leaf.fields) w_marked |= f.culprit && f.name == "W";
  EXPECT_TRUE(w_marked);
}

// Nested, 4-level first stage over a 4-level second stage with 1 GiB leaves: each first-stage table's GPA is
// translated by two second-stage reads (PML4E 0x130000, PDPE 0x131000) before the table is read at HPA
// 0x40000000 + GPA; then the output GPA 0x2345abc is translated the same way; a write sets A and D in the
// guest leaf (0x07 -> 0x67).
TEST_F(SmExplain, NestedWalkGroupsTheSecondStageReadsByGpa) {
  nested_entry(0x42);
  const auto x = walk_pasid(0x42, kIova, core::access_kind::write);
  ASSERT_TRUE(x.ok) << x.result;
  EXPECT_EQ(x.result,
            "HPA 0x42345abc = page 0x42345000 + offset 0xabc (4 KiB page, RW, domain 3, PASID 0x42, nested)");
  EXPECT_EQ(x.translation, "nested");
  // register + 4 structures + 4 x (2 second-stage + 1 first-stage) + 2 second-stage + 1 update = 20.
  ASSERT_EQ(x.steps.size(), 20u);
  const uint64_t gpas[4] = {0x1000000, 0x1001000, 0x1002000, 0x1003000};
  const std::string gpa_text[4] = {"0x1000000", "0x1001000", "0x1002000", "0x1003000"};
  const char* tables[4] = {"PML4 table", "PDPT", "page directory", "page table"};
  for (unsigned n = 0; n < 4; ++n) {
    const size_t first = 5 + 3 * n;  // the group's first step (0-based)
    const std::string label =
        "second stage translates GPA " + gpa_text[n] + " of the first-stage " + tables[n];
    for (size_t i = first; i < first + 2; ++i) {
      EXPECT_EQ(x.steps[i].kind, "sl_entry") << i;
      EXPECT_EQ(x.steps[i].group, label) << i;
      EXPECT_NE(x.steps[i].address_calc.find("GPA["), std::string::npos) << x.steps[i].address_calc;
    }
    EXPECT_EQ(x.steps[first].entry_address, 0x130000u);
    EXPECT_EQ(x.steps[first + 1].entry_address, 0x131000u);
    const auto& fs = x.steps[first + 2];
    EXPECT_EQ(fs.kind, "fs_entry");
    EXPECT_TRUE(fs.group.empty());
    EXPECT_EQ(fs.table_base, 0x40000000u + gpas[n]);
    // Step numbers are 1-based: the group is steps first+1 and first+2.
    const std::string note = "(GPA " + gpa_text[n] + ", translated by steps " + std::to_string(first + 1) +
                             "-" + std::to_string(first + 2) + ")";
    EXPECT_NE(fs.address_calc.find(note), std::string::npos) << fs.address_calc;
    EXPECT_NE(meaning(fs, n == 3 ? "ADDR (frame)" : "ADDR (next table)").find("guest physical"),
              std::string::npos);
  }
  EXPECT_NE(x.steps[15].verdict.find("read the first-stage page table"), std::string::npos)
      << x.steps[15].verdict;
  for (size_t i = 17; i < 19; ++i)
    EXPECT_EQ(x.steps[i].group, "second stage translates GPA 0x2345abc, the first stage's output");
  EXPECT_EQ(x.steps[18].verdict, "leaf: GPA 0x2345abc is HPA 0x42345abc (1 GiB page)");

  const auto& update = x.steps[19];
  EXPECT_EQ(update.kind, "status_write");
  EXPECT_EQ(update.stage, "first");
  EXPECT_EQ(update.entry_address, 0x41003000u + 0x189 * 8);
  EXPECT_EQ(update.raw_lo, 0x2345067u);
  EXPECT_EQ(update.address_calc, "write back to 0x41003c48, the entry of step 17");
  EXPECT_EQ(value(update, "A"), "0 -> 1");
  EXPECT_EQ(value(update, "D"), "0 -> 1");
  EXPECT_EQ(update.verdict.rfind("set A and D", 0), 0u) << update.verdict;
}

TEST_F(SmExplain, SecondStageAccessedDirtyUpdatesWithSlade) {
  second_stage_entry(0);
  put(pasid_entry_address(0), {0x120000 | 0x200 | 0x80 | 0x8 | 1});  // SLADE (bit 9)
  const auto x = walk(kIova, core::access_kind::write);
  ASSERT_TRUE(x.ok) << x.result;
  EXPECT_EQ(value(x.steps[4], "SLADE"), "1");
  EXPECT_EQ(value(x.steps[5], "A"), "0") << "A shown in second-stage entries with SLADE=1";
  unsigned writes = 0;
  for (const auto& s : x.steps) {
    if (s.kind != "status_write") continue;
    ++writes;
    EXPECT_EQ(s.stage, "second");
    EXPECT_EQ(value(s, "A"), "0 -> 1");
  }
  EXPECT_EQ(writes, 4u);
  EXPECT_EQ(value(x.steps.back(), "D"), "0 -> 1") << "the leaf of a write";
}

TEST_F(SmExplain, PassThroughAndTranslatedRequests) {
  put(pasid_entry_address(0), {0x101, 0x800002, 0, 0, 0, 0, 0, 0});  // PGTT=100b, DID 2
  const auto x = walk(0x123456000);
  ASSERT_TRUE(x.ok) << x.result;
  EXPECT_EQ(x.result, "HPA 0x123456000 (pass-through: PGTT=100b, domain 2, PASID 0x0)");
  EXPECT_TRUE(x.slices.empty());
  EXPECT_NE(x.steps.back().verdict.find("pass-through (PGTT=100b)"), std::string::npos);
}

TEST_F(SmExplain, RenderersShowTheScalableSteps) {
  nested_entry(0x42);
  const auto x = walk_pasid(0x42, kIova, core::access_kind::write);
  const std::string text = explain::render_text(x, false);
  for (const auto& s : x.steps) EXPECT_NE(text.find(s.title), std::string::npos) << s.title;
  EXPECT_NE(text.find(" +- second stage translates GPA 0x1000000 of the first-stage PML4 table"),
            std::string::npos);
  EXPECT_NE(text.find(" |  6. Second-stage level 4 PML4E"), std::string::npos)
      << "group members are bracketed";
  EXPECT_NE(text.find("    raw:     QW0 0x00000000001300c9  QW1 0x0000000000800003\n"), std::string::npos);
  EXPECT_NE(text.find("QW3-QW7 all zero (512-bit entry)"), std::string::npos);

  const auto j = nlohmann::json::parse(explain::render_json(x));
  EXPECT_EQ(j["mode"], "scalable");
  EXPECT_EQ(j["pasid"], 0x42);
  EXPECT_EQ(j["pasid_source"], "request");
  EXPECT_EQ(j["translation"], "nested");
  ASSERT_EQ(j["steps"].size(), x.steps.size());
  const auto& pe = j["steps"][4];
  EXPECT_EQ(pe["kind"], "pasid_entry");
  ASSERT_EQ(pe["raw"].size(), 8u);
  EXPECT_EQ(pe["raw"][0], "0x1300c9");
  EXPECT_EQ(pe["raw"][2], "0x1000000");
  EXPECT_EQ(j["steps"][5]["stage"], "second");
  EXPECT_EQ(j["steps"][5]["group"], "second stage translates GPA 0x1000000 of the first-stage PML4 table");
  EXPECT_FALSE(j["steps"][7].contains("group"));
  EXPECT_EQ(j["steps"][7]["kind"], "fs_entry");
  EXPECT_EQ(j["steps"][19]["kind"], "status_write");

  const std::string html = explain::render_html(x);
  for (size_t i = 0; i < x.steps.size(); ++i)
    EXPECT_NE(html.find("id=\"step-" + std::to_string(i + 1) + "\""), std::string::npos);
  // Five groups (four tables and the output), each one framed block.
  size_t groups = 0;
  for (size_t at = html.find("<div class=\"group\">"); at != std::string::npos;
       at = html.find("<div class=\"group\">", at + 1))
    ++groups;
  EXPECT_EQ(groups, 5u);
  EXPECT_NE(html.find("QW2 0x0000000001000000"), std::string::npos);
}

}  // namespace
}  // namespace vtd::test
