// The checker against a library of deliberately broken tables (one per violation class, each found with the
// right path and severity), clean tables from an independent raw writer and from the project's builders, and
// random garbage (terminates, reports, never crashes).
#include <gtest/gtest.h>

#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
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
      {"sl.cycle", severity::error, "sl", 0, [](CheckTest& t) { t.put(kPd + 2 * 8, kPml4 | 3); }},
      {"sl.table_reused", severity::warning, "sl", 0, [](CheckTest& t) { t.put(kPd + 8, kPt | 3); }},
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
