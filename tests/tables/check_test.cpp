// The checker against a library of deliberately broken tables (one per violation class, each found with the
// right path and severity), clean tables from an independent raw writer and from the project's builders, and
// random garbage (terminates, reports, never crashes).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

#include "model/core/remapping_unit.hpp"
#include "tables/check/checker.hpp"
#include "tables/platform_state.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kPml4 = 0x102000, kPdpt = 0x103000, kPd = 0x104000,
                   kPt = 0x105000, kIrt = 0x200000;

// Independent raw writer: one device 01:02.3 in domain 9, IOVA 0x3000 -> 0x9000_0000 (4 KiB, RW), plus a
// 2 MiB page at IOVA 0x4000_0000; an IRT of 16 entries with entry 5 programmed.
struct CheckTest : ::testing::Test {
  core::physical_memory mem{uint64_t{1} << 32};
  check_registers regs;
  void put(uint64_t a, uint64_t v) { mem.write64(a, v); }
  void SetUp() override {
    mem = core::physical_memory{uint64_t{1} << 32};  // each case starts from the clean tables
    auto p = *spec::find_capability_preset("server");
    regs.cap = p.cap;
    regs.ecap = p.ecap;
    regs.haw = 39;  // small HAW so that "beyond HAW" is easy to write
    regs.has_rtaddr = true;
    regs.rtaddr = kRoot;
    regs.irta = spec::reg::make_irta(kIrt, 3, false);
    put(kRoot + 1 * 16, kCtx | 1);               // bus 1 -> context table
    put(kCtx + 0x13 * 16, kPml4 | 1);            // devfn 0x13: SLPTPTR, TT=00, P
    put(kCtx + 0x13 * 16 + 8, (9ull << 8) | 2);  // DID 9, AW 4-level
    put(kPml4, kPdpt | 3);
    put(kPdpt, kPd | 3);
    put(kPdpt + 1 * 8, (kPd + 0x10000) | 3);  // PDPT[1] -> second PD
    put(kPd, kPt | 3);
    put(kPt + 3 * 8, 0x90000000 | 3);                        // PTE 3
    put(kPd + 0x10000, 0x80000000ull | 0x83);                // PD2[0]: 2 MiB leaf at IOVA 0x40000000
    put(kIrt + 5 * 16, 1 | (0x31ull << 16) | (2ull << 40));  // IRTE 5: vector 0x31 to APIC 2
  }
  check_report run() { return check_tables(mem, regs); }
  static const finding* find(const check_report& r, const std::string& code) {
    for (const auto& f : r.findings)
      if (f.code == code) return &f;
    return nullptr;
  }
};

}  // namespace

TEST_F(CheckTest, IndependentlyWrittenTablesCheckClean) {
  auto r = run();
  EXPECT_EQ(r.count(severity::error), 0u) << format_check_text(r, false);
  EXPECT_EQ(r.count(severity::warning), 0u) << format_check_text(r, false);
  ASSERT_EQ(r.domains.size(), 1u);
  ASSERT_EQ(r.domains[0].ranges.size(), 2u);
  EXPECT_EQ(r.domains[0].ranges[0].iova, 0x3000u);
  EXPECT_EQ(r.domains[0].ranges[0].hpa, 0x90000000u);
  EXPECT_EQ(r.domains[0].ranges[1].page_size, 2u << 20);
  ASSERT_EQ(r.interrupts.size(), 1u);
  EXPECT_EQ(r.interrupts[0].index, 5u);
}

struct broken_case {
  const char* code;
  severity level;
  const char* structure;
  uint64_t entry_address;
  void (*breaker)(CheckTest&);
};

TEST_F(CheckTest, EveryViolationClassIsFoundWithItsPath) {
  const broken_case cases[] = {
      {"root.reserved", severity::error, "root", kRoot + 16,
       [](CheckTest& t) { t.put(kRoot + 16, kCtx | 1 | 0x10); }},
      {"root.nonpresent_bits", severity::warning, "root", kRoot + 2 * 16,
       [](CheckTest& t) { t.put(kRoot + 32, kCtx); }},
      {"context.reserved", severity::error, "context", kCtx + 0x13 * 16,
       [](CheckTest& t) { t.put(kCtx + 0x13 * 16 + 8, (9ull << 8) | 2 | (1ull << 40)); }},
      {"context.aw_unsupported", severity::error, "context", kCtx + 0x13 * 16,
       [](CheckTest& t) { t.regs.cap = spec::set_bits(t.regs.cap, 12, 8, 0b01000); }},
      {"context.tt_unsupported", severity::error, "context", kCtx + 0x13 * 16,
       [](CheckTest& t) { t.put(kCtx + 0x13 * 16, kPml4 | 1 | (1 << 2)), t.regs.ecap &= ~uint64_t{4}; }},
      {"context.slptptr_beyond_memory", severity::error, "context", kCtx + 0x13 * 16,
       [](CheckTest& t) { t.put(kCtx + 0x13 * 16, (1ull << 33) | 1); }},
      {"context.did_reused", severity::warning, "context", kCtx + 0x14 * 16,
       [](CheckTest& t) { t.put(kCtx + 0x14 * 16, kPd | 1), t.put(kCtx + 0x14 * 16 + 8, (9ull << 8) | 1); }},
      {"sl.reserved", severity::error, "sl", kPt + 3 * 8,
       [](CheckTest& t) { t.put(kPt + 3 * 8, (1ull << 45) | 0x90000003); }},
      {"sl.superpage_not_supported", severity::error, "sl", kPd + 0x10000,
       [](CheckTest& t) { t.regs.cap = spec::set_bits(t.regs.cap, 37, 34, 0); }},
      // Both name the entry that points back (what must change), not the page it reaches.
      {"sl.cycle", severity::error, "sl", kPd + 2 * 8, [](CheckTest& t) { t.put(kPd + 2 * 8, kPml4 | 3); }},
      {"sl.table_reused", severity::warning, "sl", kPd + 8, [](CheckTest& t) { t.put(kPd + 8, kPt | 3); }},
      {"sl.nonpresent_bits", severity::warning, "sl", kPt + 4 * 8,
       [](CheckTest& t) { t.put(kPt + 4 * 8, 0x1000); }},
      {"sl.write_only", severity::warning, "sl", kPt + 3 * 8,
       [](CheckTest& t) { t.put(kPt + 3 * 8, 0x90000002); }},
      {"sl.maps_interrupt_range", severity::warning, "sl", kPt + 3 * 8,
       [](CheckTest& t) { t.put(kPt + 3 * 8, 0xFEE00003); }},
      {"sl.table_beyond_memory", severity::error, "sl", kPdpt,
       [](CheckTest& t) { t.put(kPdpt, (1ull << 34) | 3); }},
      {"irte.delivery_mode", severity::error, "irte", kIrt + 5 * 16,
       [](CheckTest& t) { t.put(kIrt + 5 * 16, 1 | (3 << 5) | (0x31ull << 16)); }},
      {"irte.destination", severity::error, "irte", kIrt + 5 * 16,
       [](CheckTest& t) { t.put(kIrt + 5 * 16, 1 | (0x31ull << 16) | (0x1234ull << 48)); }},
      {"irte.svt_reserved", severity::error, "irte", kIrt + 5 * 16,
       [](CheckTest& t) { t.put(kIrt + 5 * 16 + 8, 3ull << 18); }},
      {"irte.reserved", severity::error, "irte", kIrt + 5 * 16,
       [](CheckTest& t) { t.put(kIrt + 5 * 16 + 8, 1ull << 40); }},
      {"irte.posted_unsupported", severity::error, "irte", kIrt + 5 * 16,
       [](CheckTest& t) { t.put(kIrt + 5 * 16, 1 | (1 << 15)), t.regs.cap &= ~(1ull << 59); }},
      {"irta.beyond_memory", severity::error, "irta", 0,
       [](CheckTest& t) { t.regs.irta = spec::reg::make_irta(0xFFFFF000, 15, false); }},
      {"irta.reserved", severity::error, "irta", 0, [](CheckTest& t) { *t.regs.irta |= 0x10; }},
      {"irta.eime_unsupported", severity::error, "irta", 0,
       [](CheckTest& t) { *t.regs.irta |= 1u << 11, t.regs.ecap &= ~(1ull << 4); }},
      {"rtaddr.reserved", severity::error, "rtaddr", 0, [](CheckTest& t) { t.regs.rtaddr |= 0x100; }},
      {"rtaddr.ttm", severity::error, "rtaddr", 0, [](CheckTest& t) { t.regs.rtaddr |= 1u << 10; }},
      {"rtaddr.beyond_memory", severity::error, "rtaddr", 0,
       [](CheckTest& t) { t.regs.rtaddr = uint64_t{1} << 33; }},
      {"sl.writable_table", severity::warning, "sl", kPt + 4 * 8,
       [](CheckTest& t) { t.put(kPt + 4 * 8, kPd | 3); }},
  };
  for (const auto& c : cases) {
    SetUp();
    c.breaker(*this);
    auto r = run();
    const finding* f = find(r, c.code);
    ASSERT_NE(f, nullptr) << c.code << " not found:\n" << format_check_text(r, false);
    EXPECT_EQ(f->level, c.level) << c.code;
    EXPECT_EQ(f->structure, c.structure) << c.code;
    if (c.entry_address) {
      EXPECT_EQ(f->entry_address, c.entry_address) << c.code;
    } else {
      EXPECT_FALSE(f->entry_address) << c.code << ": a register finding names no entry";
    }
    if (f->structure == "context") {
      EXPECT_EQ(f->bus, 1) << c.code;
    }
  }
}

TEST_F(CheckTest, BuildersProduceCleanTables) {
  platform_description d;
  d.domains.push_back(
      {1,
       48,
       true,
       {{0x100000, 0x40000000, 0x10000, true, true}, {0x40000000, 0x80000000, 1ull << 30, true, false}}});
  d.domains.push_back({2, 39, true, {{0x200000, 0x100000000, 2ull << 20, true, true}}});
  d.devices.push_back({0x0010, "a", uint16_t(1), spec::translation_type::untranslated_only, false});
  d.devices.push_back({0x0300, "b", uint16_t(2), spec::translation_type::untranslated_only, true});
  d.has_interrupts = true;
  irte_desc e;
  e.index = 3;
  e.vector = 40;
  e.svt = spec::source_validation::requester_id;
  e.sid = 0x0010;
  d.interrupts.push_back(e);
  platform_state p(d, "test");
  check_registers r2;
  r2.cap = p.caps().cap;
  r2.ecap = p.caps().ecap;
  r2.haw = p.caps().haw;
  r2.has_rtaddr = true;
  r2.rtaddr = p.rtaddr();
  r2.irta = p.irta();
  auto r = check_tables(p.memory(), r2);
  EXPECT_EQ(r.count(severity::error) + r.count(severity::warning), 0u) << format_check_text(r, true);
  ASSERT_EQ(r.domains.size(), 2u);
  EXPECT_EQ(r.domains[0].mapped_bytes, 0x10000u + (1ull << 30));
}

TEST_F(CheckTest, RandomGarbageTerminatesAndReports) {
  uint64_t s = 12345;
  auto next = [&] {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    return (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  };
  for (int round = 0; round < 3; ++round) {
    core::physical_memory garbage(uint64_t{1} << 24);  // 16 MiB of random words
    for (uint64_t a = 0; a < (1u << 24); a += 8) {
      uint64_t v = next();
      // Keep pointers mostly inside this small memory so that the walk goes deep.
      garbage.write64(a, (v & 0xFFF) | ((v >> 12) % (1u << 12)) << 12 | (v & (1ull << 63)));
    }
    check_registers g = regs;
    g.rtaddr = (next() % 4096) << 12;
    g.irta = spec::reg::make_irta((next() % 4096) << 12, unsigned(next() % 16), next() & 1);
    check_limits lim;
    lim.max_entries = 2'000'000;
    auto r = check_tables(garbage, g, lim);
    EXPECT_GT(r.count(severity::error), 0u);
    EXPECT_LE(r.entries_examined, lim.max_entries + 1);
    EXPECT_FALSE(format_check_json(r).empty());
  }
}

// Issue 16: the cycle is reported at the entry that closes it, with its real raw value, level and index, and
// the page it points back to.
TEST_F(CheckTest, CycleNamesTheEntryThatClosesTheLoop) {
  put(kPd + 2 * 8, kPml4 | 3);  // PD[2] (level 2) points back at the PML4 (level 4)
  auto r = run();
  const finding* f = find(r, "sl.cycle");
  ASSERT_NE(f, nullptr) << format_check_text(r, false);
  EXPECT_EQ(f->entry_address, kPd + 2 * 8);
  EXPECT_EQ(f->raw_lo, kPml4 | 3);
  EXPECT_EQ(f->paging_level, 2u);
  EXPECT_EQ(f->index, 2);
  EXPECT_EQ(f->page, kPml4);
  EXPECT_NE(f->message.find("level 4"), std::string::npos) << f->message;
  const std::string text = format_check_text(r, false);
  EXPECT_NE(text.find("domain 9 level 2 index 2 at 0x104010 raw 0x0000000000102003"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("index -1"), std::string::npos) << text;
}

// Defect 18: "raw" has one JSON shape, a hex string for an entry (128-bit entries as one number) and null for
// a finding about a page or a register; "entry_address" likewise.
TEST_F(CheckTest, RawIsAlwaysAHexStringOrNull) {
  put(kRoot + 16 + 8, 0x5);  // root.reserved with a non-zero high quadword
  regs.rtaddr |= 0x1;        // rtaddr.reserved: a register finding
  // A second domain (DID 10, 01:02.4) whose PML4 reaches domain 9's PDPT: sl.shared_between_domains (a page).
  put(kCtx + 0x14 * 16, 0x110000 | 1);
  put(kCtx + 0x14 * 16 + 8, (10ull << 8) | 2);
  put(0x110000, kPdpt | 3);
  put(kRoot + 16, kCtx | 1);
  auto broken_root = run();
  auto j = nlohmann::json::parse(format_check_json(broken_root));
  bool saw_wide = false, saw_register = false;
  for (const auto& f : j["findings"]) {
    ASSERT_TRUE(f.contains("raw") && f.contains("entry_address")) << f;
    if (f["code"] == "root.reserved") {
      EXPECT_EQ(f["raw"], "0x50000000000101001") << f;  // bits 127:64 = 5, 63:0 = CTP | P
      saw_wide = true;
    }
    if (f["code"] == "rtaddr.reserved") {
      EXPECT_TRUE(f["raw"].is_null() && f["entry_address"].is_null()) << f;
      saw_register = true;
    }
  }
  EXPECT_TRUE(saw_wide && saw_register) << j.dump(2);
  // The shared page (root entry fixed so that both domains are walked).
  put(kRoot + 16 + 8, 0);
  auto r = run();
  const finding* shared = find(r, "sl.shared_between_domains");
  ASSERT_NE(shared, nullptr) << format_check_text(r, false);
  EXPECT_FALSE(shared->entry_address);
  EXPECT_EQ(shared->page, kPdpt);
  j = nlohmann::json::parse(format_check_json(r));
  std::set<std::string> shared_pages;
  for (const auto& f : j["findings"]) {
    if (f["code"] != "sl.shared_between_domains") continue;
    EXPECT_TRUE(f["raw"].is_null()) << f;
    EXPECT_TRUE(f["entry_address"].is_null()) << f;
    shared_pages.insert(f["table_page"].get<std::string>());
  }
  EXPECT_TRUE(shared_pages.count("0x103000")) << j.dump(2);  // the PDPT and every page below it
  // A 128-bit entry whose high quadword is zero is still one string.
  put(kRoot + 16, kCtx | 1 | 0x10);
  j = nlohmann::json::parse(format_check_json(run()));
  for (const auto& f : j["findings"]) {
    if (f["code"] == "root.reserved") {
      EXPECT_EQ(f["raw"], "0x101011") << f;
    }
  }
}

// Issue 15 (a), (b): RTADDR bits above HAW are not implemented by the register; the checker reports them and
// checks the table where the hardware reads it, and the model translates through that same table.
TEST_F(CheckTest, RootTableAboveHawModelAndCheckerAgree) {
  regs.rtaddr = (uint64_t{1} << 39) | kRoot;  // HAW 39 in this fixture
  auto r = run();
  const finding* f = find(r, "rtaddr.reserved");
  ASSERT_NE(f, nullptr) << format_check_text(r, false);
  EXPECT_EQ(f->level, severity::error);
  EXPECT_NE(f->message.find("read at 0x100000"), std::string::npos) << f->message;
  EXPECT_EQ(find(r, "rtaddr.beyond_memory"), nullptr) << format_check_text(r, false);
  ASSERT_EQ(r.devices.size(), 1u);  // the table at kRoot was checked
  EXPECT_EQ(r.devices[0].sid, 0x0113);

  core::unit_config cfg = core::unit_config::from_preset(*spec::find_capability_preset("server"));
  cfg.haw = 39;
  core::remapping_unit unit(cfg, mem);
  unit.set_root_table(regs.rtaddr);
  unit.enable_translation(true);
  core::dma_request req;
  req.source_id = 0x0113;
  req.address = 0x3000;
  auto t = unit.translate(req);
  ASSERT_EQ(t.status, core::dma_status::translated) << spec::to_string(t.fault);
  EXPECT_EQ(t.hpa, 0x90000000u);
  // What the register file hands a validator is the programmed value, ignored bits included.
  EXPECT_EQ(unit.regs().rtaddr_as_written(), regs.rtaddr);
  EXPECT_EQ(unit.regs().root_table(), kRoot);

  regs.rtaddr = kRoot | 0x80;  // bit 7 (SSIRWE, 5.x only): RsvdZ here
  r = run();
  ASSERT_NE(find(r, "rtaddr.reserved"), nullptr) << format_check_text(r, false);
  EXPECT_EQ(r.devices.size(), 1u);
}

// Issue 15 (c): IRTA as programmed; base bits above HAW are reported and the table is checked at the base the
// hardware uses; EIME without ECAP.EIM is reported and the entries decoded in xAPIC mode, as the hardware
// does.
TEST_F(CheckTest, IrtaReservedBitsAndUnsupportedEime) {
  regs.irta = spec::reg::make_irta(kIrt, 3, false) | (uint64_t{1} << 40);
  auto r = run();
  const finding* f = find(r, "irta.reserved");
  ASSERT_NE(f, nullptr) << format_check_text(r, false);
  EXPECT_NE(f->message.find("read at 0x200000"), std::string::npos) << f->message;
  ASSERT_EQ(r.interrupts.size(), 1u);
  regs.irta = spec::reg::make_irta(kIrt, 3, true);
  regs.ecap &= ~(uint64_t{1} << 4);  // ECAP.EIM=0
  r = run();
  ASSERT_NE(find(r, "irta.eime_unsupported"), nullptr) << format_check_text(r, false);
  EXPECT_FALSE(r.irta_eime);
  EXPECT_EQ(find(r, "irte.destination"), nullptr);  // xAPIC decoding: DST[15:8] = 2 is valid
}

// Issue 15 (e): a domain that can DMA-write a table page the hardware reads gets a warning naming the
// device, the IOVA, the page and the leaf entry that maps it; read-only mappings, and mappings made
// read-only by an entry above the leaf (permissions AND down the walk), do not.
TEST_F(CheckTest, DmaWritableTablePagesAreReported) {
  struct target {
    uint64_t page;
    const char* what;
  };
  const target targets[] = {{kPt, "level-1 page-table page of domain 9"},
                            {kCtx, "context table of bus 0x01"},
                            {kRoot, "the root table"},
                            {kIrt, "interrupt remapping table"}};
  for (const auto& tg : targets) {
    SetUp();
    put(kPt + 7 * 8, tg.page | 3);  // IOVA 0x7000 -> the table page, RW
    auto r = run();
    const finding* f = find(r, "sl.writable_table");
    ASSERT_NE(f, nullptr) << tg.what << "\n" << format_check_text(r, false);
    EXPECT_EQ(f->level, severity::warning);
    EXPECT_EQ(f->entry_address, kPt + 7 * 8);
    EXPECT_EQ(f->raw_lo, tg.page | 3);
    EXPECT_EQ(f->page, tg.page);
    EXPECT_EQ(f->bus, 1);
    EXPECT_EQ(f->devfn, 0x13);
    EXPECT_NE(f->message.find("01:02.3"), std::string::npos) << f->message;
    EXPECT_NE(f->message.find("IOVA 0x7000"), std::string::npos) << f->message;
    EXPECT_NE(f->message.find(tg.what), std::string::npos) << f->message;
  }
  SetUp();
  put(kPt + 7 * 8, kPt | 1);  // read-only
  EXPECT_EQ(find(run(), "sl.writable_table"), nullptr);
  put(kPt + 7 * 8, kPt | 3);
  put(kPd, kPt | 1);  // the PDE above it grants no write
  auto r = run();
  EXPECT_EQ(find(r, "sl.writable_table"), nullptr) << format_check_text(r, false);
  ASSERT_FALSE(r.domains[0].ranges.empty());
  EXPECT_FALSE(r.domains[0].ranges[0].write);  // the effective permission, as the walker computes it
}

// Issue 15 (d): the platform loader refuses a mapping whose host range reaches above the host address width
// (the leaf entry would have reserved bits 51:HAW set), naming the file and the JSON path; the preset's HAW
// applies when the file gives none.
TEST(PlatformLoader, RefusesHostAddressesAboveHaw) {
  const std::string ok = R"({"iommu": {"haw": 39}, "domains": [{"id": 1, "mappings": [
      {"iova": "0x1000", "hpa": "0x7ffffff000", "size": "0x1000"}]}]})";
  EXPECT_NO_THROW(parse_platform(ok, "ok.json"));
  const std::string above = R"({"iommu": {"haw": 39}, "domains": [{"id": 1, "mappings": [
      {"iova": "0x1000", "hpa": "0x7ffffff000", "size": "0x2000"}]}]})";
  try {
    parse_platform(above, "above.json");
    ADD_FAILURE() << "accepted a host range above HAW";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("above.json: domains[0].mappings[0].hpa: host range"),
              std::string::npos)
        << e.what();
  }
  const std::string preset = R"({"domains": [{"id": 1, "mappings": [
      {"iova": "0x1000", "hpa": "0x400000000000", "size": "0x1000"}]}]})";  // server preset: HAW 46
  EXPECT_THROW(parse_platform(preset, "preset.json"), std::exception);
}
