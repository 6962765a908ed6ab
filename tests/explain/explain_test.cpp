// The explanation of a known walk matches hand-computed addresses, indices and values; faults name the entry
// and field that caused them; every renderer shows every step.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apps/explain/explanation.hpp"
#include "apps/explain/result_json.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/text.hpp"

using namespace vtd;

namespace {

// Hand-placed tables: root 0x100000, context 0x101000, PML4 0x102000, PDPT 0x103000, PD 0x104000, PT
// 0x105000. IOVA 0x0000_0080_4060_3ABC: PML4 index 1, PDPT index 1, PD index 3, PT index 3, offset 0xABC.
constexpr uint64_t kIova = (1ull << 39) | (1ull << 30) | (3ull << 21) | (3ull << 12) | 0xABC;
constexpr uint16_t kSid = core::make_source_id(2, 1, 3);  // bus 2, devfn 0x0B

struct ExplainTest : ::testing::Test {
  core::physical_memory mem{uint64_t{1} << 32};
  std::unique_ptr<core::remapping_unit> unit;
  void SetUp() override {
    mem.write64(0x100000 + 2 * 16, spec::root_entry::make(0x101000).lo);
    auto ctx = spec::context_entry::make(0x102000, 2, 0x33, spec::translation_type::untranslated_only);
    mem.write64(0x101000 + 0x0B * 16, ctx.lo);
    mem.write64(0x101000 + 0x0B * 16 + 8, ctx.hi);
    mem.write64(0x102000 + 1 * 8, spec::sl_entry::make_table(0x103000).raw);
    mem.write64(0x103000 + 1 * 8, spec::sl_entry::make_table(0x104000).raw);
    mem.write64(0x104000 + 3 * 8, spec::sl_entry::make_table(0x105000).raw);
    mem.write64(0x105000 + 3 * 8, spec::sl_entry::make_leaf(1, 0x7654321000, true, false).raw);
    unit = std::make_unique<core::remapping_unit>(
        core::unit_config::from_preset(*spec::find_capability_preset("server")), mem);
    unit->set_root_table(0x100000);
    unit->enable_translation(true);
  }
  explain::explanation walk(bool write) {
    core::dma_request q;
    q.source_id = kSid;
    q.address = kIova;
    q.access = write ? core::access_kind::write : core::access_kind::read;
    return explain::explain_dma(*unit, q);
  }
};

}  // namespace

TEST_F(ExplainTest, KnownWalkMatchesHandComputedAddresses) {
  auto x = walk(false);
  ASSERT_TRUE(x.ok) << x.result;
  ASSERT_EQ(x.steps.size(), 7u);  // register, root, context, 4 levels
  EXPECT_EQ(x.steps[1].entry_address, 0x100000u + 2 * 16);
  EXPECT_EQ(x.steps[2].entry_address, 0x101000u + 0x0B * 16);
  const uint64_t expected[4] = {0x102000 + 1 * 8, 0x103000 + 1 * 8, 0x104000 + 3 * 8, 0x105000 + 3 * 8};
  const unsigned indices[4] = {1, 1, 3, 3};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(x.steps[3 + i].level, unsigned(4 - i));
    EXPECT_EQ(x.steps[3 + i].entry_address, expected[i]);
    EXPECT_EQ(x.steps[3 + i].index, indices[i]);
  }
  EXPECT_EQ(x.steps[6].raw_lo, 0x7654321000ull | 1);
  EXPECT_EQ(x.result, "HPA 0x7654321abc = page 0x7654321000 + offset 0xabc (4 KiB page, R-, domain 51)");
  ASSERT_EQ(x.slices.size(), 5u);
  EXPECT_EQ(x.slices[0].value, 1u);
  EXPECT_EQ(x.slices[2].value, 3u);
  EXPECT_EQ(x.slices[4].value, 0xABCu);
  EXPECT_EQ(x.steps[3].address_calc, "table 0x102000 + IOVA[47:39] = 0x1 x 8 = 0x102008");
}

TEST_F(ExplainTest, WriteFaultNamesTheLeafAndItsWBit) {
  auto x = walk(true);
  ASSERT_FALSE(x.ok);
  EXPECT_EQ(x.fault_code, "0x05");
  EXPECT_EQ(x.fault_condition, "LGN.2");
  const auto& leaf = x.steps.back();
  EXPECT_TRUE(leaf.fault);
  bool w_marked = false;
  for (const auto& f : leaf.fields) w_marked |= f.culprit && f.name == "W";
  EXPECT_TRUE(w_marked);
  EXPECT_NE(x.fault_fix.find("W=1"), std::string::npos);
}

TEST_F(ExplainTest, NotPresentContextIsTheCause) {
  mem.write64(0x101000 + 0x0B * 16, 0);
  auto x = walk(false);
  EXPECT_EQ(x.fault_code, "0x02");
  EXPECT_EQ(x.steps.back().kind, "context_entry");
  EXPECT_TRUE(x.steps.back().fields[0].culprit);  // P
}

TEST_F(ExplainTest, ExplainingDoesNotChangeTheUnit) {
  walk(true);  // a fault in the twin
  EXPECT_EQ(unit->faults().fsts() & spec::reg::FSTS_PPF, 0u) << "the explained unit's FRCDs stay untouched";
}

TEST_F(ExplainTest, SecondAccessHitsTheCaches) {
  auto x = walk(false);
  ASSERT_FALSE(x.second_access.empty());
  EXPECT_EQ(x.second_access.back(), "no memory reads: served entirely from the caches");
}

TEST_F(ExplainTest, RenderersShowEveryStep) {
  auto x = walk(true);
  const std::string text = explain::render_text(x, false);
  const std::string html = explain::render_html(x);
  auto json = nlohmann::json::parse(explain::render_json(x));
  ASSERT_EQ(json["steps"].size(), x.steps.size());
  EXPECT_EQ(json["fault"]["reason"], "0x05");
  for (size_t i = 0; i < x.steps.size(); ++i) {
    EXPECT_NE(text.find(x.steps[i].title), std::string::npos) << x.steps[i].title;
    EXPECT_NE(html.find("id=\"step-" + std::to_string(i + 1) + "\""), std::string::npos);
  }
  EXPECT_EQ(html.find("<script src"), std::string::npos) << "self-contained: no external scripts";
  EXPECT_EQ(html.find("http"), std::string::npos) << "no network resources";
  EXPECT_EQ(text.find("\033["), std::string::npos) << "no colour codes when colour is off";
}

TEST_F(ExplainTest, InterruptExplanation) {
  const uint64_t irt = 0x200000;
  spec::irte::remapped_fields f;
  f.vector = 0x55;
  f.destination = 4;
  f.svt = spec::source_validation::requester_id;
  f.sid = kSid;
  auto e = spec::irte::make_remapped(f, false);
  mem.write64(irt + 7 * 16, e.lo);
  mem.write64(irt + 7 * 16 + 8, e.hi);
  unit->set_interrupt_table(spec::reg::make_irta(irt, 7, false));
  unit->enable_interrupt_remapping(true);
  core::interrupt_request q;
  q.source_id = kSid;
  auto msi = spec::msi_request::make_remappable(7, false, 0);
  q.address = msi.address;
  auto x = explain::explain_interrupt(*unit, q);
  ASSERT_TRUE(x.ok) << x.result;
  EXPECT_EQ(x.steps.back().entry_address, irt + 7 * 16);
  EXPECT_EQ(x.result, "vector 85 to physical APIC 4, fixed, edge-triggered");
  q.source_id = core::make_source_id(2, 1, 4);  // another function: fails SVT=01/SQ=00
  auto bad = explain::explain_interrupt(*unit, q);
  EXPECT_EQ(bad.fault_code, "0x26");
}

// Issue 9, item 18: the walk JSON gave the HPA, page size, vector and destination only inside prose. Its
// "result" object now has them as fields, the same object `translate --json` prints (one function makes
// both).
TEST_F(ExplainTest, JsonResultHasTheTranslationAsFields) {
  auto json = nlohmann::json::parse(explain::render_json(walk(false)));
  const auto& r = json["result"];
  ASSERT_TRUE(r.is_object()) << json.dump(2);
  EXPECT_EQ(r["kind"], "dma");
  EXPECT_EQ(r["sid"], "02:01.3");
  EXPECT_EQ(r["access"], "read");
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["result"], "translated");
  EXPECT_EQ(r["hpa"], "0x7654321abc");  // frame 0x7654321000 + offset 0xABC
  EXPECT_EQ(r["page_size"], 4096);
  EXPECT_EQ(r["read"], true);
  EXPECT_EQ(r["write"], false);  // the leaf was made read-only
  EXPECT_EQ(r["domain_id"], 0x33);
  EXPECT_EQ(r["levels"], 4);  // AW 2: 48-bit, 4-level
  EXPECT_EQ(json["summary"],
            "HPA 0x7654321abc = page 0x7654321000 + offset 0xabc (4 KiB page, R-, domain 51)");

  core::dma_request q;
  q.source_id = kSid;
  q.address = kIova;
  EXPECT_EQ(r, nlohmann::json::parse(explain::result_json(q, unit->translate(q)).dump()))
      << "translate --json's";
}

TEST_F(ExplainTest, JsonResultOfAFaultUsesTwoHexDigits) {
  auto json = nlohmann::json::parse(explain::render_json(walk(true)));
  const auto& r = json["result"];
  EXPECT_EQ(r["status"], "fault");
  EXPECT_EQ(r["fault_reason"], "0x05");  // write_denied is 05h
  EXPECT_EQ(r["fault_name"], "write_denied");
  EXPECT_EQ(r["fault_condition"], "LGN.2");
  EXPECT_EQ(json["fault"]["reason"], r["fault_reason"]);
  EXPECT_EQ(spec::format_fault_code(spec::fault_reason::context_not_present), "0x02");
  EXPECT_EQ(spec::format_fault_code(spec::fault_reason::ir_source_id_invalid), "0x26");
}

TEST_F(ExplainTest, JsonResultOfAnInterruptHasVectorAndDestination) {
  const uint64_t irt = 0x200000;
  spec::irte::remapped_fields f;
  f.vector = 0x55;
  f.destination = 4;
  auto e = spec::irte::make_remapped(f, false);
  mem.write64(irt + 7 * 16, e.lo);
  mem.write64(irt + 7 * 16 + 8, e.hi);
  unit->set_interrupt_table(spec::reg::make_irta(irt, 7, false));
  unit->enable_interrupt_remapping(true);
  core::interrupt_request q;
  q.source_id = kSid;
  q.address = spec::msi_request::make_remappable(7, false, 0).address;
  auto json = nlohmann::json::parse(explain::render_json(explain::explain_interrupt(*unit, q), -1));
  const auto& r = json["result"];
  EXPECT_EQ(r["kind"], "interrupt");
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["result"], "remapped");
  EXPECT_EQ(r["interrupt_index"], 7);
  EXPECT_EQ(r["vector"], 0x55);
  EXPECT_EQ(r["destination"], 4);
  EXPECT_EQ(r["delivery_mode"], "fixed");
  EXPECT_EQ(r["dest_mode"], "physical");
  EXPECT_EQ(r["trigger"], "edge");
  EXPECT_EQ(explain::render_json(explain::explain_interrupt(*unit, q), -1).find('\n'), std::string::npos)
      << "indent -1: one line";
}
