// The table checker in scalable mode: a platform written by hand with the spec's entry encoders (one device
// with a second-stage, a first-stage, a nested and a pass-through PASID, a second device sharing the
// second-stage domain through the upper half of the root entry) checks clean and dumps the ranges computed by
// hand below; one broken entry per finding code is found with its code, path and raw value; cycles and
// garbage terminate; TTM=00b is still checked as legacy mode.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/memory/physical_memory.hpp"
#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_root_entry.hpp"
#include "model/spec/text.hpp"
#include "tables/check/checker.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

// Table pages. Bus 1: lower context table (devfn 0-127) and upper one (128-255).
constexpr uint64_t kRoot = 0x100000, kCtxLo = 0x101000, kCtxHi = 0x10B000;
// Device 01:00.0: PASID directory and the PASID table for PASIDs 0-63.
constexpr uint64_t kDir = 0x102000, kPt = 0x103000;
// Second-stage domain (DID 5).
constexpr uint64_t kSsPml4 = 0x104000, kSsPdpt = 0x105000, kSsPd = 0x106000, kSsPt = 0x107000;
// First-stage domain (DID 6), with a second branch for the upper (negative) half of the address space.
constexpr uint64_t kFsPml4 = 0x110000, kFsPdpt = 0x111000, kFsPd = 0x112000, kFsPt = 0x113000,
                   kFsHiPdpt = 0x114000, kFsHiPd = 0x115000;
// Nested domain (DID 7): its second stage, and the host pages that hold its first-stage tables, whose GPAs
// are kNfsGpa + 0x0000 (PML4), + 0x1000 (PDPT), + 0x2000 (PD), + 0x3000 (PT).
constexpr uint64_t kNss = 0x120000, kNssPdpt = 0x121000, kNssPd = 0x122000, kNssPt = 0x123000,
                   kNssPt2 = 0x124000;
constexpr uint64_t kNfs = 0x130000, kNfsGpa = 0x50000000;
// Device 01:10.0 (devfn 0x80): its directory and PASID table.
constexpr uint64_t kDir2 = 0x140000, kPt2 = 0x141000;

using raw_t = std::vector<uint64_t>;

spec::pasid_fields_t pasid_fields(spec::pgtt type, uint16_t did) {
  spec::pasid_fields_t f;
  f.p = true;
  f.type = type;
  f.did = did;
  return f;
}

struct SmCheckTest : ::testing::Test {
  core::physical_memory mem{uint64_t{1} << 32};
  check_registers regs;

  raw_t put(uint64_t a, uint64_t v) {
    mem.write64(a, v);
    return {v};
  }
  template <size_t N>
  raw_t put_wide(uint64_t a, const spec::wide_entry<N>& e) {
    for (size_t i = 0; i < N; ++i) mem.write64(a + 8 * i, e.qw[i]);
    return raw_t(e.qw.begin(), e.qw.end());
  }
  raw_t put_root(unsigned bus, const spec::sm_root_entry& e) {
    put(kRoot + bus * 16, e.lo);
    put(kRoot + bus * 16 + 8, e.hi);
    return {e.lo, e.hi};
  }
  raw_t put_fs(uint64_t a, const spec::fs_entry& e) { return put(a, e.raw); }
  static uint64_t ctx_at(unsigned devfn) { return (devfn < 128 ? kCtxLo : kCtxHi) + (devfn & 0x7F) * 32; }
  static uint64_t pasid_at(unsigned pasid) { return kPt + pasid * 64; }

  spec::sm_context_fields_t ctx0;  // device 01:00.0 as built
  spec::pasid_fields_t ss0, fs1, nested2, pt3;

  void SetUp() override {
    mem = core::physical_memory{uint64_t{1} << 32};
    auto p = *spec::find_capability_preset("server-sm");
    regs = {};
    regs.cap = p.cap;
    regs.ecap = p.ecap;
    regs.haw = 39;  // small HAW so that "beyond HAW" is easy to write
    regs.has_rtaddr = true;
    regs.rtaddr = kRoot | (1u << 10);  // RTADDR.TTM (11:10) = 01b: scalable mode

    put_root(1, spec::sm_root_entry::make(kCtxLo, kCtxHi));
    ctx0 = {};
    ctx0.p = true;
    ctx0.paside = true;
    ctx0.pdts = 0;  // 128 directory entries: PASIDs 0-8191
    ctx0.pasiddirptr = kDir;
    put_wide(ctx_at(0x00), spec::sm_context_entry::encode(ctx0));
    put(kDir, spec::pasid_dir_entry::encode({true, false, kPt}).raw);

    // PASID 0 (RID_PASID): second stage, DID 5, 4-level.
    ss0 = pasid_fields(spec::pgtt::second_stage, 5);
    ss0.aw = 2;
    ss0.slptptr = kSsPml4;
    put_wide(pasid_at(0), spec::pasid_entry::encode(ss0));
    put(kSsPml4, kSsPdpt | 3);
    put(kSsPdpt, kSsPd | 3);
    put(kSsPd, kSsPt | 3);
    put(kSsPt + 1 * 8, 0xA0000000 | 3);         // IOVA 0x1000 -> 0xA0000000 RW
    put(kSsPt + 2 * 8, 0xA0001000 | 3);         // IOVA 0x2000 -> 0xA0001000 RW (merges with the one above)
    put(kSsPd + 1 * 8, 0xB0000000 | 0x80 | 1);  // IOVA 0x200000: 2 MiB read-only (PS=1, R)

    // PASID 1: first stage, DID 6, 4-level (FLPM=00b).
    fs1 = pasid_fields(spec::pgtt::first_stage, 6);
    fs1.flptptr = kFsPml4;
    put_wide(pasid_at(1), spec::pasid_entry::encode(fs1));
    put_fs(kFsPml4, spec::fs_entry::make_table(kFsPdpt));
    put_fs(kFsPdpt, spec::fs_entry::make_table(kFsPd));
    put_fs(kFsPd, spec::fs_entry::make_table(kFsPt));
    put_fs(kFsPt + 0 * 8, spec::fs_entry::make_leaf(1, 0xC0000000, true, true));
    put_fs(kFsPt + 1 * 8, spec::fs_entry::make_leaf(1, 0xC0001000, true, true));
    put_fs(kFsPt + 2 * 8, spec::fs_entry::make_leaf(1, 0xC0002000, false, false, true));  // R, supervisor, XD
    put_fs(kFsPdpt + 1 * 8, spec::fs_entry::make_leaf(3, 0x100000000, true, true));       // 1 GiB (FS1GP)
    // PML4[511] -> PDPT[511] -> PD[511]: a 2 MiB supervisor page at the top of the canonical upper half.
    put_fs(kFsPml4 + 511 * 8, spec::fs_entry::make_table(kFsHiPdpt));
    put_fs(kFsHiPdpt + 511 * 8, spec::fs_entry::make_table(kFsHiPd));
    put_fs(kFsHiPd + 511 * 8, spec::fs_entry::make_leaf(2, 0x200000000, true, false));

    // PASID 2: nested, DID 7; FLPTPTR is the GPA kNfsGpa.
    nested2 = pasid_fields(spec::pgtt::nested, 7);
    nested2.aw = 2;
    nested2.slptptr = kNss;
    nested2.flptptr = kNfsGpa;
    put_wide(pasid_at(2), spec::pasid_entry::encode(nested2));
    // Its second stage: GPA 0x50000000-0x50003fff -> the first-stage table pages (4 KiB), GPA
    // 0x50200000-0x503fffff -> HPA 0xE0000000.. (512 x 4 KiB), GPA 0x60000000 -> HPA 0xD0000000 (2 MiB).
    put(kNss, kNssPdpt | 3);
    put(kNssPdpt + 1 * 8, kNssPd | 3);  // GPA 1-2 GiB
    put(kNssPd + 0x80 * 8, kNssPt | 3);
    for (unsigned i = 0; i < 4; ++i) put(kNssPt + i * 8, (kNfs + i * 0x1000) | 3);
    put(kNssPd + 0x81 * 8, kNssPt2 | 3);
    for (unsigned i = 0; i < 512; ++i) put(kNssPt2 + i * 8, (0xE0000000 + i * 0x1000) | 3);
    put(kNssPd + 0x100 * 8, 0xD0000000 | 0x80 | 3);
    // Its first stage (table addresses are GPAs): IOVA 0-0x1fff -> GPA 0x60000000.., IOVA 0x200000 (2 MiB)
    // -> GPA 0x50200000.
    put_fs(kNfs, spec::fs_entry::make_table(kNfsGpa + 0x1000));
    put_fs(kNfs + 0x1000, spec::fs_entry::make_table(kNfsGpa + 0x2000));
    put_fs(kNfs + 0x2000, spec::fs_entry::make_table(kNfsGpa + 0x3000));
    put_fs(kNfs + 0x2000 + 8, spec::fs_entry::make_leaf(2, 0x50200000, true, true));
    put_fs(kNfs + 0x3000, spec::fs_entry::make_leaf(1, 0x60000000, true, true));
    put_fs(kNfs + 0x3000 + 8, spec::fs_entry::make_leaf(1, 0x60001000, true, true));

    // PASID 3: pass-through, DID 8.
    pt3 = pasid_fields(spec::pgtt::pass_through, 8);
    put_wide(pasid_at(3), spec::pasid_entry::encode(pt3));

    // Device 01:10.0 (upper half): PASID 0 in the second-stage domain of DID 5.
    spec::sm_context_fields_t c2;
    c2.p = true;
    c2.pasiddirptr = kDir2;
    put_wide(ctx_at(0x80), spec::sm_context_entry::encode(c2));
    put(kDir2, spec::pasid_dir_entry::encode({true, false, kPt2}).raw);
    put_wide(kPt2, spec::pasid_entry::encode(ss0));
  }

  check_report run() { return check_tables(mem, regs); }
  static const finding* find(const check_report& r, const std::string& code) {
    for (const auto& f : r.findings)
      if (f.code == code) return &f;
    return nullptr;
  }
  static const domain_info* domain(const check_report& r, uint16_t did) {
    for (const auto& d : r.domains)
      if (d.did == did) return &d;
    return nullptr;
  }
  void set_cap(const char* field, uint64_t v) {
    ASSERT_TRUE(spec::set_cap_field(regs.cap, field, v)) << field;
  }
  void set_ecap(const char* field, uint64_t v) {
    ASSERT_TRUE(spec::set_ecap_field(regs.ecap, field, v)) << field;
  }
};

void expect_range(const mapped_range& r, uint64_t iova, uint64_t hpa, uint64_t size, uint64_t page_size,
                  bool read, bool write) {
  EXPECT_EQ(r.iova, iova);
  EXPECT_EQ(r.hpa, hpa) << std::hex << "IOVA 0x" << iova;
  EXPECT_EQ(r.size, size) << std::hex << "IOVA 0x" << iova;
  EXPECT_EQ(r.page_size, page_size) << std::hex << "IOVA 0x" << iova;
  EXPECT_EQ(r.read, read) << std::hex << "IOVA 0x" << iova;
  EXPECT_EQ(r.write, write) << std::hex << "IOVA 0x" << iova;
}

}  // namespace

TEST_F(SmCheckTest, HandWrittenPlatformChecksCleanAndDumpsTheRangesItMaps) {
  const auto r = run();
  EXPECT_TRUE(r.scalable);
  EXPECT_EQ(r.count(severity::error) + r.count(severity::warning), 0u) << format_check_text(r, true);

  ASSERT_EQ(r.devices.size(), 2u);
  const device_info& d0 = r.devices[0];
  EXPECT_TRUE(d0.scalable);
  EXPECT_EQ(d0.sid, 0x0100);
  EXPECT_EQ(d0.pasid_dir, kDir);
  EXPECT_TRUE(d0.paside);
  ASSERT_EQ(d0.pasids.size(), 4u);
  const translation_stage stages[] = {translation_stage::second, translation_stage::first,
                                      translation_stage::nested, translation_stage::pass_through};
  const uint16_t dids[] = {5, 6, 7, 8};
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(d0.pasids[i].pasid, i);
    EXPECT_TRUE(d0.pasids[i].valid) << i;
    EXPECT_EQ(d0.pasids[i].stage(), stages[i]) << i;
    EXPECT_EQ(d0.pasids[i].did, dids[i]) << i;
    EXPECT_EQ(d0.pasids[i].rid_pasid, i == 0) << i;
  }
  EXPECT_EQ(d0.pasids[1].flptptr, kFsPml4);
  EXPECT_EQ(d0.pasids[1].fs_levels, 4u);
  EXPECT_EQ(d0.pasids[2].slptptr, kNss);
  EXPECT_EQ(r.devices[1].sid, 0x0180);  // 01:10.0, through the root entry's upper half
  ASSERT_EQ(r.devices[1].pasids.size(), 1u);
  EXPECT_EQ(r.devices[1].pasids[0].did, 5);

  // Three domains (pass-through has no tables).
  ASSERT_EQ(r.domains.size(), 3u);
  const domain_info* ss = domain(r, 5);
  ASSERT_NE(ss, nullptr);
  EXPECT_EQ(ss->stage, translation_stage::second);
  EXPECT_EQ(ss->root, kSsPml4);
  EXPECT_EQ(ss->levels, 4u);
  EXPECT_EQ(ss->devices, (std::vector<uint16_t>{0x0100, 0x0180}));
  EXPECT_EQ(ss->pasids, (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(ss->table_pages, 4u);
  ASSERT_EQ(ss->ranges.size(), 2u);
  expect_range(ss->ranges[0], 0x1000, 0xA0000000, 0x2000, 0x1000, true, true);
  expect_range(ss->ranges[1], 0x200000, 0xB0000000, 0x200000, 0x200000, true, false);

  const domain_info* fs = domain(r, 6);
  ASSERT_NE(fs, nullptr);
  EXPECT_EQ(fs->stage, translation_stage::first);
  EXPECT_EQ(fs->root, kFsPml4);
  EXPECT_EQ(fs->table_pages, 6u);
  ASSERT_EQ(fs->ranges.size(), 4u);
  expect_range(fs->ranges[0], 0x0, 0xC0000000, 0x2000, 0x1000, true, true);
  EXPECT_TRUE(fs->ranges[0].user);
  EXPECT_FALSE(fs->ranges[0].execute_disable);
  expect_range(fs->ranges[1], 0x2000, 0xC0002000, 0x1000, 0x1000, true, false);
  EXPECT_FALSE(fs->ranges[1].user);
  EXPECT_TRUE(fs->ranges[1].execute_disable);
  expect_range(fs->ranges[2], 0x40000000, 0x100000000, 1ull << 30, 1ull << 30, true, true);
  // PML4 index 511: bits 63:48 copy bit 47 (canonical).
  expect_range(fs->ranges[3], 0xFFFFFFFFFFE00000, 0x200000000, 0x200000, 0x200000, true, true);
  EXPECT_FALSE(fs->ranges[3].user);
  EXPECT_EQ(fs->mapped_bytes, 0x3000 + (1ull << 30) + 0x200000);

  const domain_info* n = domain(r, 7);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->stage, translation_stage::nested);
  EXPECT_EQ(n->root, kNfsGpa);
  EXPECT_EQ(n->ss_root, kNss);
  EXPECT_EQ(n->table_pages, 4u + 5u);  // first-stage pages and second-stage pages
  ASSERT_EQ(n->ranges.size(), 2u);
  expect_range(n->ranges[0], 0x0, 0xD0000000, 0x2000, 0x1000, true, true);
  EXPECT_EQ(n->ranges[0].gpa, 0x60000000u);
  EXPECT_EQ(n->ranges[0].ss_page_size, 0x200000u);
  // A 2 MiB first-stage page over 512 contiguous second-stage 4 KiB pages is one range.
  expect_range(n->ranges[1], 0x200000, 0xE0000000, 0x200000, 0x200000, true, true);
  EXPECT_EQ(n->ranges[1].gpa, 0x50200000u);
  EXPECT_EQ(n->ranges[1].ss_page_size, 0x1000u);
}

TEST_F(SmCheckTest, DumpShowsEveryDeviceAndPasidWithItsStageDidAndRanges) {
  const auto r = run();
  const std::string text = format_dump_text(r);
  for (const char* line : {
           "PASID 0       second-stage           DID 5      AW 2 (4-level) SLPTPTR 0x104000  (RID_PASID)",
           "PASID 1       first-stage            DID 6      4-level FLPTPTR 0x110000",
           "PASID 2       nested                 DID 7      4-level FLPTPTR 0x50000000 (GPA) over AW 2 "
           "(4-level) "
           "SLPTPTR 0x120000",
           "PASID 3       pass-through           DID 8",
           "domain 5 (second-stage): 4-level table at 0x104000, 4 table pages, 2056KiB mapped in 2 ranges, "
           "users "
           "01:00.0 PASID 0 01:10.0 PASID 0",
           "IOVA 0x000000001000-0x000000002fff -> HPA 0x0000a0000000-0x0000a0001fff  RW  2 x 4KiB",
           "IOVA 0x000000002000-0x000000002fff -> HPA 0x0000c0002000-0x0000c0002fff  R- supervisor XD  1 x "
           "4KiB",
           "IOVA 0xffffffffffe00000-0xffffffffffffffff -> HPA 0x000200000000-0x0002001fffff  RW supervisor  "
           "1 x "
           "2MiB",
           "domain 7 (nested): first stage 4-level at GPA 0x50000000 over second stage 4-level at 0x120000",
           "IOVA 0x000000000000-0x000000001fff -> GPA 0x000060000000-0x000060001fff -> HPA "
           "0x0000d0000000-0x0000d0001fff  RW user  4KiB pages, second stage 2MiB",
       })
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  const auto j = nlohmann::json::parse(format_dump_json(r));
  ASSERT_EQ(j["devices"].size(), 2u);
  const auto& p = j["devices"][0]["pasids"];
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0]["stage"], "second");
  EXPECT_EQ(p[0]["slptptr"], "0x104000");
  EXPECT_EQ(p[1]["stage"], "first");
  EXPECT_EQ(p[1]["flptptr"], "0x110000");
  EXPECT_FALSE(p[1].contains("slptptr"));
  EXPECT_EQ(p[2]["stage"], "nested");
  EXPECT_EQ(p[3]["stage"], "pass_through");
  EXPECT_EQ(p[3]["did"], 8);
  bool saw_nested = false;
  for (const auto& d : j["domains"]) {
    if (d["stage"] != "nested") continue;
    saw_nested = true;
    EXPECT_EQ(d["ss_root"], "0x120000");
    EXPECT_EQ(d["ranges"][1]["iova"], "0x200000");
    EXPECT_EQ(d["ranges"][1]["gpa"], "0x50200000");
    EXPECT_EQ(d["ranges"][1]["hpa"], "0xe0000000");
    EXPECT_EQ(d["ranges"][1]["ss_page_size"], 4096);
    EXPECT_EQ(d["ranges"][1]["user"], true);
    EXPECT_EQ(d["users"][0]["pasid"], 2);
  }
  EXPECT_TRUE(saw_nested) << j.dump(2);
}

struct sm_case {
  const char* code;
  severity level;
  const char* structure;
  uint64_t entry_address;
  int pasid;  // the finding's PASID (-1: none)
  // Breaks the platform and returns the raw value of the entry the finding must name (empty: no entry).
  std::function<raw_t(SmCheckTest&)> breaker;
  const char* message_part = nullptr;  // something the message must say (the fault, the reason)
};

TEST_F(SmCheckTest, EveryScalableFindingIsReportedWithItsPathAndRawValue) {
  using T = SmCheckTest;
  const uint64_t big = uint64_t{1} << 33;  // beyond the 4 GiB of memory, below HAW
  const sm_case cases[] = {
      {"rtaddr.ttm", severity::error, "rtaddr", 0, -1,
       [](T& t) {
         t.set_ecap("smts", 0);
         return raw_t{};
       },
       "ECAP.SMTS=0"},
      {"sm_root.reserved", severity::error, "sm_root", kRoot + 16, -1,
       [](T& t) {
         auto e = spec::sm_root_entry::make(kCtxLo, kCtxHi);
         e.lo |= 1u << 1;  // bit 1: RsvdZ (11:1)
         return t.put_root(1, e);
       },
       "3Ah"},
      {"sm_root.nonpresent_bits", severity::warning, "sm_root", kRoot + 2 * 16, -1,
       [](T& t) { return t.put_root(2, spec::sm_root_entry{kCtxLo, 0}); }},
      {"sm_root.ctp_beyond_memory", severity::error, "sm_root", kRoot + 16, -1,
       [big](T& t) { return t.put_root(1, spec::sm_root_entry::make(kCtxLo, big)); }, "40h"},
      {"sm_context.reserved", severity::error, "sm_context", T::ctx_at(0), -1,
       [](T& t) {
         auto e = spec::sm_context_entry::encode(t.ctx0);
         e.qw[0] |= 1u << 5;  // 8:5 RsvdZ
         return t.put_wide(T::ctx_at(0), e);
       },
       "42h"},
      {"sm_context.reserved", severity::error, "sm_context", T::ctx_at(0), -1,
       [](T& t) {
         t.set_ecap("dt", 0);
         t.ctx0.dte = true;
         return t.put_wide(T::ctx_at(0), spec::sm_context_entry::encode(t.ctx0));
       },
       "DTE without ECAP.DT"},
      {"sm_context.pre_without_dte", severity::error, "sm_context", T::ctx_at(0), -1,
       [](T& t) {
         t.ctx0.pre = true;
         return t.put_wide(T::ctx_at(0), spec::sm_context_entry::encode(t.ctx0));
       },
       "43h"},
      {"sm_context.rid_pasid_beyond_pdts", severity::error, "sm_context", T::ctx_at(0), -1,
       [](T& t) {
         t.ctx0.rid_pasid = 8192;  // PDTS=0: PASIDs 0-8191
         return t.put_wide(T::ctx_at(0), spec::sm_context_entry::encode(t.ctx0));
       },
       "43h"},
      {"sm_context.nonpresent_bits", severity::warning, "sm_context", T::ctx_at(1), -1,
       [](T& t) {
         spec::sm_context_fields_t f;
         f.pasiddirptr = kDir;  // P=0
         return t.put_wide(T::ctx_at(1), spec::sm_context_entry::encode(f));
       }},
      {"sm_context.pasid_dir_beyond_memory", severity::error, "sm_context", T::ctx_at(0), -1,
       [big](T& t) {
         t.ctx0.pasiddirptr = big;
         return t.put_wide(T::ctx_at(0), spec::sm_context_entry::encode(t.ctx0));
       },
       "50h"},
      {"sm_context.pasid_dir_shared", severity::warning, "sm_context", T::ctx_at(1), -1,
       [](T& t) { return t.put_wide(T::ctx_at(1), spec::sm_context_entry::encode(t.ctx0)); }},
      {"sm_context.pasids_unreachable", severity::warning, "sm_context", T::ctx_at(0), -1,
       [](T& t) {
         t.ctx0.paside = false;
         return t.put_wide(T::ctx_at(0), spec::sm_context_entry::encode(t.ctx0));
       },
       "3 present PASID-table entries (the first for PASID 1)"},
      {"pasid_dir.reserved", severity::error, "pasid_dir", kDir, -1,
       [](T& t) { return t.put(kDir, kPt | 1 | (1u << 2)); }, "52h"},
      {"pasid_dir.nonpresent_bits", severity::warning, "pasid_dir", kDir + 5 * 8, -1,
       [](T& t) { return t.put(kDir + 5 * 8, 0x7000); }},
      {"pasid_dir.table_beyond_memory", severity::error, "pasid_dir", kDir + 8, -1,
       [big](T& t) { return t.put(kDir + 8, big | 1); }, "58h"},
      {"pasid_dir.table_shared", severity::warning, "pasid_dir", kDir + 8, -1,
       [](T& t) { return t.put(kDir + 8, kPt | 1); }},
      {"pasid.reserved", severity::error, "pasid", T::pasid_at(0), 0,
       [](T& t) {
         auto e = spec::pasid_entry::encode(t.ss0);
         e.qw[0] |= 1u << 10;  // 11:10 RsvdZ
         return t.put_wide(T::pasid_at(0), e);
       },
       "5Ah"},
      {"pasid.reserved", severity::error, "pasid", T::pasid_at(0), 0,
       [](T& t) {
         t.set_cap("nd", 2);  // 8-bit domain ids
         t.ss0.did = 0x100;
         return t.put_wide(T::pasid_at(0), spec::pasid_entry::encode(t.ss0));
       },
       "DID 256 is above the 8 bits CAP.ND allows"},
      {"pasid.reserved", severity::error, "pasid", T::pasid_at(1), 1,
       [](T& t) {
         t.set_ecap("srs", 0);
         t.fs1.sre = true;
         return t.put_wide(T::pasid_at(1), spec::pasid_entry::encode(t.fs1));
       },
       "SRE without ECAP.SRS"},
      {"pasid.pgtt_unsupported", severity::error, "pasid", T::pasid_at(3), 3,
       [](T& t) {
         auto e = spec::pasid_entry::encode(t.pt3);
         e.qw[0] = (e.qw[0] & ~uint64_t{0x1C0}) | (5u << 6);  // PGTT (8:6) = 101b: reserved
         return t.put_wide(T::pasid_at(3), e);
       },
       "5Bh"},
      {"pasid.pgtt_unsupported", severity::error, "pasid", T::pasid_at(2), 2,
       [](T& t) {
         t.set_ecap("nest", 0);
         return t.put_wide(T::pasid_at(2), spec::pasid_entry::encode(t.nested2));
       },
       "ECAP.NEST"},
      {"pasid.aw_unsupported", severity::error, "pasid", T::pasid_at(0), 0,
       [](T& t) {
         t.ss0.aw = 4;
         return t.put_wide(T::pasid_at(0), spec::pasid_entry::encode(t.ss0));
       },
       "5Bh"},
      {"pasid.flpm_unsupported", severity::error, "pasid", T::pasid_at(1), 1,
       [](T& t) {
         t.set_cap("fs5lp", 0);
         t.fs1.flpm = 1;
         return t.put_wide(T::pasid_at(1), spec::pasid_entry::encode(t.fs1));
       },
       "CAP.FS5LP"},
      {"pasid.flptptr_beyond_width", severity::error, "pasid", T::pasid_at(2), 2,
       [](T& t) {
         t.regs.haw = 46;
         t.set_cap("mgaw", 39);  // second-stage input width min(39, 48)
         t.nested2.flptptr = uint64_t{1} << 40;
         return t.put_wide(T::pasid_at(2), spec::pasid_entry::encode(t.nested2));
       },
       "2^39"},
      {"pasid.slptptr_beyond_memory", severity::error, "pasid", T::pasid_at(0), 0,
       [big](T& t) {
         t.ss0.slptptr = big;
         return t.put_wide(T::pasid_at(0), spec::pasid_entry::encode(t.ss0));
       },
       "7Bh"},
      {"pasid.flptptr_beyond_memory", severity::error, "pasid", T::pasid_at(1), 1,
       [big](T& t) {
         t.fs1.flptptr = big;
         return t.put_wide(T::pasid_at(1), spec::pasid_entry::encode(t.fs1));
       },
       "73h"},
      {"pasid.flptptr_gpa_unmapped", severity::error, "pasid", T::pasid_at(2), 2,
       [](T& t) {
         t.nested2.flptptr = 0x70000000;  // no second-stage mapping
         return t.put_wide(T::pasid_at(2), spec::pasid_entry::encode(t.nested2));
       },
       "75h"},
      {"pasid.nonpresent_bits", severity::warning, "pasid", T::pasid_at(5), 5,
       [](T& t) {
         auto f = pasid_fields(spec::pgtt::second_stage, 9);
         f.p = false;
         return t.put_wide(T::pasid_at(5), spec::pasid_entry::encode(f));
       }},
      {"pasid.did_mixed_stage", severity::error, "pasid", T::pasid_at(3), 3,
       [](T& t) {
         t.pt3.did = 5;  // the second-stage domain's DID
         return t.put_wide(T::pasid_at(3), spec::pasid_entry::encode(t.pt3));
       }},
      {"pasid.did_reused", severity::warning, "pasid", T::pasid_at(4), 4,
       [](T& t) {
         auto f = t.ss0;
         f.slptptr = kNss;  // DID 5 with another second stage
         return t.put_wide(T::pasid_at(4), spec::pasid_entry::encode(f));
       }},
      {"pasid.slade_mismatch", severity::warning, "pasid", T::pasid_at(4), 4,
       [](T& t) {
         auto f = t.ss0;
         f.slade = true;
         return t.put_wide(T::pasid_at(4), spec::pasid_entry::encode(f));
       }},
      {"pasid.fs_mode_mismatch", severity::error, "pasid", T::pasid_at(4), 4,
       [](T& t) {
         auto f = t.fs1;
         f.flpm = 1;  // the same tables as 5-level
         return t.put_wide(T::pasid_at(4), spec::pasid_entry::encode(f));
       }},
      {"fs.reserved", severity::error, "fs", kFsPt, -1,
       [](T& t) { return t.put(kFsPt, spec::fs_entry::make_leaf(1, 0xC0000000, true, true).raw | (1ull << 45)); },
       "72h"},
      {"fs.reserved", severity::error, "fs", kFsPml4, -1,
       [](T& t) { return t.put(kFsPml4, spec::fs_entry::make_table(kFsPdpt).raw | 0x80); },
       "PS is reserved in a PML4E"},
      {"fs.reserved", severity::error, "fs", kFsHiPd + 511 * 8, -1,
       [](T& t) {  // frame bit 20 of a 2 MiB leaf (20:13 RsvdZ)
         return t.put(kFsHiPd + 511 * 8, spec::fs_entry::make_leaf(2, 0x200000000, true, false).raw | (1u << 20));
       },
       "72h"},
      {"fs.superpage_not_supported", severity::error, "fs", kFsPdpt + 8, -1,
       [](T& t) {
         t.set_cap("fs1gp", 0);
         return raw_t{spec::fs_entry::make_leaf(3, 0x100000000, true, true).raw};
       },
       "CAP.FS1GP=0"},
      {"fs.table_beyond_memory", severity::error, "fs", kFsPdpt + 2 * 8, -1,
       [big](T& t) { return t.put_fs(kFsPdpt + 2 * 8, spec::fs_entry::make_table(big)); }, "70h"},
      {"fs.cycle", severity::error, "fs", kFsPd + 3 * 8, -1,
       [](T& t) { return t.put_fs(kFsPd + 3 * 8, spec::fs_entry::make_table(kFsPml4)); }},
      {"fs.table_reused", severity::warning, "fs", kFsPd + 4 * 8, -1,
       [](T& t) { return t.put_fs(kFsPd + 4 * 8, spec::fs_entry::make_table(kFsPt)); }},
      {"fs.shared_between_domains", severity::warning, "fs", 0, -1,
       [](T& t) {
         auto f = pasid_fields(spec::pgtt::first_stage, 9);
         f.flptptr = 0x118000;
         t.put_wide(T::pasid_at(4), spec::pasid_entry::encode(f));
         t.put_fs(0x118000, spec::fs_entry::make_table(kFsPdpt));  // DID 9 reaches DID 6's PDPT
         return raw_t{};
       }},
      {"fs.maps_interrupt_range", severity::warning, "fs", kFsPt + 5 * 8, -1,
       [](T& t) { return t.put_fs(kFsPt + 5 * 8, spec::fs_entry::make_leaf(1, 0xFEE00000, true, true)); }, "87h"},
      {"fs.iova_in_interrupt_range", severity::warning, "fs", 0x116000 + 0x1F7 * 8, -1,
       [](T& t) {
         t.ctx0.rid_pasid = 1;  // requests without PASID now use the first-stage PASID
         t.put_wide(T::ctx_at(0), spec::sm_context_entry::encode(t.ctx0));
         t.put_fs(kFsPdpt + 3 * 8, spec::fs_entry::make_table(0x116000));
         // IOVA 0xFEE00000: PDPT index 3, PD index 0x1F7.
         return t.put_fs(0x116000 + 0x1F7 * 8, spec::fs_entry::make_leaf(2, 0x80000000, true, true));
       }},
      {"fs.writable_table", severity::warning, "fs", kFsPt + 6 * 8, -1,
       [](T& t) { return t.put_fs(kFsPt + 6 * 8, spec::fs_entry::make_leaf(1, kPt, true, true)); },
       "the PASID table of device 01:00.0"},
      {"fs.gpa_beyond_width", severity::error, "fs", kNfs + 0x3000 + 2 * 8, -1,
       [](T& t) {
         t.regs.haw = 46;
         t.set_cap("mgaw", 39);
         return t.put_fs(kNfs + 0x3000 + 2 * 8, spec::fs_entry::make_leaf(1, uint64_t{1} << 40, true, true));
       },
       "74h"},
      {"fs.table_gpa_unmapped", severity::error, "fs", kNfs + 0x2000 + 2 * 8, -1,
       [](T& t) { return t.put_fs(kNfs + 0x2000 + 2 * 8, spec::fs_entry::make_table(0x70000000)); }, "76h"},
      {"fs.output_gpa_unmapped", severity::warning, "fs", kNfs + 0x2000 + 8, -1,
       [](T& t) {
         t.put(kNssPt2 + 7 * 8, 0);  // GPA 0x50207000 no longer mapped
         return raw_t{spec::fs_entry::make_leaf(2, 0x50200000, true, true).raw};
       },
       "4096 bytes of it from GPA 0x50207000"},
      {"sl.reserved", severity::error, "sl", kSsPt + 8, -1,
       [](T& t) { return t.put(kSsPt + 8, 0xA0000000 | 3 | (1ull << 45)); }, "7Ah"},
      {"sl.table_beyond_memory", severity::error, "sl", kNssPd + 0x100 * 8, -1,
       [big](T& t) { return t.put(kNssPd + 0x100 * 8, big | 3); }, "78h"},
      {"sl.cycle", severity::error, "sl", kNssPd + 5 * 8, -1,
       [](T& t) { return t.put(kNssPd + 5 * 8, kNss | 3); }, "GPA"},
  };
  for (const auto& c : cases) {
    SetUp();
    const raw_t raw = c.breaker(*this);
    const auto r = run();
    const finding* f = nullptr;
    for (const auto& x : r.findings)
      if (x.code == c.code && (!c.entry_address || x.entry_address == c.entry_address)) f = f ? f : &x;
    ASSERT_NE(f, nullptr) << c.code << " at 0x" << std::hex << c.entry_address << " not found:\n"
                          << format_check_text(r, false);
    SCOPED_TRACE(std::string(c.code) + ": " + f->message);
    EXPECT_EQ(f->level, c.level);
    EXPECT_EQ(f->structure, c.structure);
    EXPECT_EQ(f->pasid, c.pasid);
    if (c.message_part) {
      EXPECT_NE(f->message.find(c.message_part), std::string::npos) << c.message_part;
    }
    if (!c.entry_address) {
      EXPECT_FALSE(f->entry_address);
      continue;
    }
    ASSERT_FALSE(raw.empty());
    EXPECT_EQ(f->raw_lo, raw[0]);
    if (raw.size() >= 2) {
      EXPECT_EQ(f->raw_hi, raw[1]);
    }
    if (raw.size() > 2) {
      EXPECT_EQ(f->raw_wide, raw);
    }
    const std::string st = c.structure;
    if (st == "sm_context" || st == "pasid_dir" || st == "pasid") {
      EXPECT_EQ(f->bus, 1);
    }
    // The text and JSON renderings name the same entry.
    const auto j = nlohmann::json::parse(format_check_json(r));
    bool in_json = false;
    for (const auto& x : j["findings"])
      if (x["code"] == c.code && x["entry_address"] == spec::hex(c.entry_address)) in_json = true;
    EXPECT_TRUE(in_json);
  }
}

// The JSON raw value of a 512-bit entry is one hexadecimal integer from its highest non-zero quadword, the
// text shows every quadword from there down; the PASID is part of the path.
TEST_F(SmCheckTest, WideEntriesAreRenderedWholeWithTheirPasid) {
  auto e = spec::pasid_entry::encode(fs1);
  e.qw[3] = 0x5;  // bits 255:192: RsvdZ
  put_wide(pasid_at(1), e);
  const auto r = run();
  const finding* f = find(r, "pasid.reserved");
  ASSERT_NE(f, nullptr) << format_check_text(r, false);
  const std::string want = fmt::format("0x5{:016x}{:016x}{:016x}", e.qw[2], e.qw[1], e.qw[0]);
  const auto j = nlohmann::json::parse(format_check_json(r));
  bool seen = false;
  for (const auto& x : j["findings"]) {
    if (x["code"] != "pasid.reserved") continue;
    seen = true;
    EXPECT_EQ(x["raw"], want);
    EXPECT_EQ(x["pasid"], 1);
    EXPECT_EQ(x["device"], "01:00.0");
  }
  EXPECT_TRUE(seen);
  const std::string text = format_check_text(r, false);
  EXPECT_NE(
      text.find(fmt::format("device 01:00.0 PASID 1 table entry at 0x103040 raw 0x{:016x}_{:016x}_{:016x}_"
                            "{:016x}",
                            e.qw[3], e.qw[2], e.qw[1], e.qw[0])),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("\ndevice 01:00.0\n"), std::string::npos) << text;  // grouped under the device
}

// Cycles and table reuse through the nested second stage: the first-stage walk reads every table page once
// (by host address), so a first-stage entry whose GPA resolves to a page already on its path is a cycle.
TEST_F(SmCheckTest, NestedCycleThroughTheSecondStageTerminates) {
  put_fs(kNfs + 0x2000 + 3 * 8, spec::fs_entry::make_table(kNfsGpa + 0x1000));  // PD[3] -> the PDPT (GPA)
  const auto r = run();
  const finding* f = find(r, "fs.cycle");
  ASSERT_NE(f, nullptr) << format_check_text(r, false);
  EXPECT_EQ(f->entry_address, kNfs + 0x2000 + 3 * 8);
  EXPECT_EQ(f->page, kNfs + 0x1000);  // the host page the GPA resolves to
  EXPECT_EQ(f->domain, 7);
}

TEST_F(SmCheckTest, RandomGarbageTerminatesAndReports) {
  uint64_t s = 777;
  auto next = [&] {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    return (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  };
  for (int round = 0; round < 3; ++round) {
    core::physical_memory garbage(uint64_t{1} << 24);  // 16 MiB of random words
    for (uint64_t a = 0; a < (1u << 24); a += 8) {
      uint64_t v = next();
      // Pointers mostly inside this small memory so that the walk goes deep.
      garbage.write64(a, (v & 0xFFF) | ((v >> 12) % (1u << 12)) << 12 | (v & (1ull << 63)));
    }
    check_registers g = regs;
    g.rtaddr = ((next() % 4096) << 12) | (1u << 10);
    check_limits lim;
    lim.max_entries = 1'000'000;
    const auto r = check_tables(garbage, g, lim);
    EXPECT_TRUE(r.scalable);
    EXPECT_GT(r.count(severity::error), 0u);
    EXPECT_LE(r.entries_examined, lim.max_entries + 1);
    const auto j = nlohmann::json::parse(format_check_json(r));
    EXPECT_EQ(j["summary"]["errors"], r.count(severity::error));
    EXPECT_FALSE(format_dump_text(r).empty());
  }
}

// TTM=00b on a unit that supports scalable mode is still legacy mode: the same memory is read as a legacy
// root table (bus 1's lower half is a legacy root entry pointing at a legacy context table).
TEST_F(SmCheckTest, LegacyModeIsStillLegacyOnAScalableUnit) {
  mem = core::physical_memory{uint64_t{1} << 32};
  regs.rtaddr = kRoot;  // TTM=00b
  put(kRoot + 16, kCtxLo | 1);
  put(kCtxLo + 0x13 * 16, kSsPml4 | 1);
  put(kCtxLo + 0x13 * 16 + 8, (9ull << 8) | 2);
  put(kSsPml4, kSsPdpt | 3);
  put(kSsPdpt, kSsPd | 3);
  put(kSsPd, kSsPt | 3);
  put(kSsPt + 3 * 8, 0x90000000 | 3);
  const auto r = run();
  EXPECT_FALSE(r.scalable);
  EXPECT_EQ(r.count(severity::error) + r.count(severity::warning), 0u) << format_check_text(r, false);
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_FALSE(r.devices[0].scalable);
  EXPECT_EQ(r.devices[0].did, 9);
  ASSERT_EQ(r.domains.size(), 1u);
  EXPECT_FALSE(r.domains[0].scalable);
  const std::string dump = format_dump_text(r);
  EXPECT_NE(dump.find("01:02.3  untranslated  DID 9     AW 2 (4-level)  SLPTPTR 0x104000"), std::string::npos)
      << dump;
  const auto j = nlohmann::json::parse(format_dump_json(r));
  EXPECT_FALSE(j["domains"][0].contains("stage"));
  EXPECT_FALSE(j["devices"][0].contains("pasids"));
}
