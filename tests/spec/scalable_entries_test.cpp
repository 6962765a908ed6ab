// Scalable-mode structure layouts (root, context, PASID directory, PASID table, first-stage entries): every
// field round-trips through encode/decode, and entries written out by hand from the spec's bit tables match
// the encoder bit for bit.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>

#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_root_entry.hpp"

using namespace vtd::spec;

namespace {

constexpr uint64_t width_mask(const field_desc& f) {
  return field_mask(f.width() - 1, 0);
}

template <std::size_t N>
constexpr bool fields_fit(const std::array<field_desc, N>& fields, unsigned qwords) {
  for (const auto& f : fields)
    if (f.hi < f.lo || f.hi / 64 != f.lo / 64 || f.lo / 64 >= qwords || f.width() >= 64) return false;
  return true;
}
static_assert(fields_fit(sm_root_fields::kAll, 2));
static_assert(fields_fit(sm_context_fields::kAll, 4));
static_assert(fields_fit(pasid_dir_fields::kAll, 1));
static_assert(fields_fit(pasid_fields::kAll, 8));
static_assert(fields_fit(fs_fields::kAll, 1));

// Writes a seeded random value into every field of an entry that starts as random words: the field reads
// back, and no bit outside the field changes.
template <std::size_t N, std::size_t Q>
void round_trip_descriptors(const std::array<field_desc, N>& fields, std::mt19937_64& rng) {
  for (int iter = 0; iter < 200; ++iter) {
    for (const auto& f : fields) {
      std::array<uint64_t, Q> words{};
      for (auto& w : words) w = rng();
      const auto before = words;
      const uint64_t value = rng() & width_mask(f);
      uint64_t& w = words[qword_of(f)];
      w = set_bits(w, f.hi % 64, f.lo % 64, value);
      ASSERT_EQ(f.get(w), value) << f.name << " " << f.bits();
      ASSERT_EQ(f.place(value), value << (f.lo % 64)) << f.name;
      for (std::size_t i = 0; i < Q; ++i) {
        uint64_t outside = i == qword_of(f) ? ~field_mask(f.hi % 64, f.lo % 64) : ~uint64_t{0};
        ASSERT_EQ(words[i] & outside, before[i] & outside) << f.name << " QW" << i;
      }
    }
  }
}

bool coin(std::mt19937_64& rng) {
  return rng() & 1;
}
uint64_t bits(std::mt19937_64& rng, const field_desc& f) {
  return rng() & width_mask(f);
}
uint64_t address(std::mt19937_64& rng, const field_desc& f) {
  return rng() & field_mask(f.hi % 64, f.lo % 64);
}

}  // namespace

TEST(ScalableEntries, FieldDescriptorsRoundTrip) {
  std::mt19937_64 rng(0x5CA1AB1E);
  round_trip_descriptors<4, 2>(sm_root_fields::kAll, rng);
  round_trip_descriptors<9, 4>(sm_context_fields::kAll, rng);
  round_trip_descriptors<3, 1>(pasid_dir_fields::kAll, rng);
  round_trip_descriptors<24, 8>(pasid_fields::kAll, rng);
  round_trip_descriptors<13, 1>(fs_fields::kAll, rng);
}

TEST(ScalableEntries, TypedEncodeDecodeRoundTrip) {
  std::mt19937_64 rng(20260911);
  for (int iter = 0; iter < 1000; ++iter) {
    {
      using namespace sm_root_fields;
      sm_root_fields_t f{coin(rng), address(rng, LCTP), coin(rng), address(rng, UCTP)};
      ASSERT_EQ(sm_root_entry::encode(f).decode(), f);
    }
    {
      using namespace sm_context_fields;
      sm_context_fields_t f;
      f.p = coin(rng);
      f.fpd = coin(rng);
      f.dte = coin(rng);
      f.paside = coin(rng);
      f.pre = coin(rng);
      f.pdts = static_cast<unsigned>(bits(rng, PDTS));
      f.pasiddirptr = address(rng, PASIDDIRPTR);
      f.rid_pasid = static_cast<uint32_t>(bits(rng, RID_PASID));
      f.rid_priv = coin(rng);
      auto e = sm_context_entry::encode(f);
      ASSERT_EQ(e.decode(), f);
      ASSERT_EQ(e.qw[2] | e.qw[3], 0u);
    }
    {
      pasid_dir_fields_t f{coin(rng), coin(rng), address(rng, pasid_dir_fields::SMPTBLPTR)};
      ASSERT_EQ(pasid_dir_entry::encode(f).decode(), f);
    }
    {
      using namespace pasid_fields;
      pasid_fields_t f;
      f.p = coin(rng);
      f.fpd = coin(rng);
      f.aw = static_cast<unsigned>(bits(rng, AW));
      f.slee = coin(rng);
      f.type = static_cast<pgtt>(bits(rng, PGTT));
      f.slade = coin(rng);
      f.slptptr = address(rng, SLPTPTR);
      f.did = static_cast<uint16_t>(bits(rng, DID));
      f.pwsnp = coin(rng);
      f.pgsnp = coin(rng);
      f.cd = coin(rng);
      f.emte = coin(rng);
      f.emt = static_cast<unsigned>(bits(rng, EMT));
      f.pwt = coin(rng);
      f.pcd = coin(rng);
      f.pat = static_cast<uint32_t>(bits(rng, PAT));
      f.sre = coin(rng);
      f.ere = coin(rng);
      f.flpm = static_cast<unsigned>(bits(rng, FLPM));
      f.wpe = coin(rng);
      f.nxe = coin(rng);
      f.smep = coin(rng);
      f.eafe = coin(rng);
      f.flptptr = address(rng, FLPTPTR);
      auto e = pasid_entry::encode(f);
      ASSERT_EQ(e.decode(), f);
      for (unsigned i = 3; i < 8; ++i) ASSERT_EQ(e.qw[i], 0u);
    }
    {
      using namespace fs_fields;
      fs_fields_t f;
      f.p = coin(rng);
      f.rw = coin(rng);
      f.us = coin(rng);
      f.pwt = coin(rng);
      f.pcd = coin(rng);
      f.a = coin(rng);
      f.d = coin(rng);
      f.ps = coin(rng);
      f.g = coin(rng);
      f.ea = coin(rng);
      f.xd = coin(rng);
      f.addr = address(rng, ADDR_TABLE);
      ASSERT_EQ(fs_entry::encode(f).decode(), f);
    }
  }
}

TEST(SmRootEntry, HandWrittenEntry) {
  // LCTP=0x12345000, LP=1 (bits 63:12, 0); UCTP=0xABCDE000 in 127:76 = QW1 63:12, UP=1 (bit 64 = QW1 0).
  sm_root_entry e{0x12345001, 0xABCDE001};
  EXPECT_TRUE(e.lp());
  EXPECT_TRUE(e.up());
  EXPECT_EQ(e.lctp(), 0x12345000u);
  EXPECT_EQ(e.uctp(), 0xABCDE000u);
  EXPECT_EQ(e.ctp_for(0x7F), 0x12345000u);
  EXPECT_EQ(e.ctp_for(0x80), 0xABCDE000u);
  auto m = sm_root_entry::make(0x12345000, 0xABCDE000);
  EXPECT_EQ(m.lo, e.lo);
  EXPECT_EQ(m.hi, e.hi);
}

TEST(SmRootEntry, ReservedMasksForHaw46) {
  // 11:1 = 0xFFE, 63:46 = 0xFFFF_C000_0000_0000; QW1: 75:65 -> 11:1, 127:110 -> 63:46.
  EXPECT_EQ(sm_root_entry::reserved_mask_lo(46), 0xFFFF'C000'0000'0FFEull);
  EXPECT_EQ(sm_root_entry::reserved_mask_hi(46), 0xFFFF'C000'0000'0FFEull);
  // Only the half in use is checked: UP=0 makes the upper half's junk irrelevant.
  sm_root_entry e{0x12345001, 0xFFFF'FFFF'FFFF'FFFEull};
  EXPECT_EQ(e.reserved_for(0x10, 46), 0u);
  EXPECT_EQ(e.reserved_for(0x90, 46), 0u);
  sm_root_entry bad{0x12345003, (1ull << 46) | 1};
  EXPECT_EQ(bad.reserved_for(0x10, 46), 0x2u);
  EXPECT_EQ(bad.reserved_for(0x90, 46), 1ull << 46);
}

TEST(SmContextEntry, HandWrittenEntry) {
  // P=1, DTE=1 (bit 2), PASIDE=1 (bit 3), PDTS=2 (11:9 -> 0x400), PASIDDIRPTR=0x76543000:
  //   QW0 = 0x76543000 | 0x400 | 0x8 | 0x4 | 0x1 = 0x7654340D
  // RID_PASID=0x12345 (83:64 -> QW1 19:0), RID_PRIV=1 (84 -> QW1 20): QW1 = 0x112345.
  sm_context_entry hand;
  hand.qw = {0x7654340Dull, 0x112345ull, 0, 0};
  sm_context_fields_t f;
  f.p = true;
  f.dte = true;
  f.paside = true;
  f.pdts = 2;
  f.pasiddirptr = 0x76543000;
  f.rid_pasid = 0x12345;
  f.rid_priv = true;
  EXPECT_EQ(sm_context_entry::encode(f).qw, hand.qw);
  EXPECT_EQ(hand.decode(), f);
  EXPECT_FALSE(hand.fpd());
  EXPECT_FALSE(hand.pre());
  EXPECT_EQ(pasid_dir_entries(hand.pdts()), 512u);
  EXPECT_EQ(pasid_limit(hand.pdts()), 1u << 15);
}

TEST(SmContextEntry, ReservedMasksForHaw46) {
  sm_context_check_config none;  // no DT, PASID, PRS, RPS, RPRIVS
  // 8:5 = 0x1E0, DTE|PASIDE|PRE = 0x1C, 63:46; QW1: 127:85 -> 63:21, RID_PASID 19:0, RID_PRIV 20.
  const std::array<uint64_t, 4> m0{0xFFFF'C000'0000'01FCull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(sm_context_entry::reserved_mask(none), m0);
  sm_context_check_config all{46, true, true, true, true, true};
  const std::array<uint64_t, 4> m1{0xFFFF'C000'0000'01E0ull, 0xFFFF'FFFF'FFE0'0000ull, ~0ull, ~0ull};
  EXPECT_EQ(sm_context_entry::reserved_mask(all), m1);
  sm_context_entry e;
  e.qw = {0x7654340Dull, 0x112345ull, 0, 0};
  EXPECT_FALSE(e.has_reserved(all));
  EXPECT_TRUE(e.has_reserved(none));
  e.qw[3] = 1;  // bit 192
  EXPECT_TRUE(e.has_reserved(all));
}

TEST(PasidDirEntry, HandWrittenEntry) {
  // P=1, FPD=1, SMPTBLPTR=0x10000000 -> 0x10000003; reserved 11:2 = 0xFFC and 63:46.
  pasid_dir_entry e{0x10000003};
  EXPECT_TRUE(e.present());
  EXPECT_TRUE(e.fpd());
  EXPECT_EQ(e.smptblptr(), 0x10000000u);
  EXPECT_EQ(pasid_dir_entry::encode({true, true, 0x10000000}).raw, 0x10000003u);
  EXPECT_EQ(pasid_dir_entry::reserved_mask(46), 0xFFFF'C000'0000'0FFCull);
  EXPECT_EQ(pasid_dir_entry{0x10000013}.reserved_bits(46), 0x10u);
  EXPECT_EQ(pasid_dir_index(0xABCDE), 0x2AF3u);
  EXPECT_EQ(pasid_table_index(0xABCDE), 0x1Eu);
}

TEST(PasidEntry, HandWrittenFirstStageEntry) {
  // PGTT=001b (8:6 -> 0x40), P=1                                      QW0 = 0x41
  // DID=5 (79:64 -> QW1 15:0), PAT=0x07010604 (127:96 -> QW1 63:32)  QW1 = 0x07010604'00000005
  // SRE=1 (128), FLPM=01b (131:130 -> 0x4), WPE=1 (132 -> 0x10),
  // FLPTPTR=0x12345000 (191:140 -> QW2 63:12)                         QW2 = 0x12345015
  pasid_fields_t f;
  f.p = true;
  f.type = pgtt::first_stage;
  f.did = 5;
  f.pat = 0x07010604;
  f.sre = true;
  f.flpm = 1;
  f.wpe = true;
  f.flptptr = 0x12345000;
  const std::array<uint64_t, 8> hand{0x41, 0x07010604'00000005ull, 0x12345015, 0, 0, 0, 0, 0};
  EXPECT_EQ(pasid_entry::encode(f).qw, hand);
  pasid_entry e;
  e.qw = hand;
  EXPECT_EQ(e.decode(), f);
  EXPECT_EQ(e.type(), pgtt::first_stage);
  EXPECT_EQ(e.fs_levels(), 5u);
  EXPECT_EQ(e.pat_entry(0), 4u);
  EXPECT_EQ(e.pat_entry(2), 6u);
  EXPECT_EQ(e.pat_entry(4), 1u);
  EXPECT_EQ(e.pat_entry(6), 7u);
}

TEST(PasidEntry, HandWrittenNestedEntry) {
  // P=1, AW=010b (4:2 -> 0x8), PGTT=011b (8:6 -> 0xC0), SLADE=1 (9 -> 0x200), SLPTPTR=0xABCD000:
  //   QW0 = 0xABCD000 | 0x200 | 0xC0 | 0x8 | 0x1 = 0xABCD2C9
  // DID=0x42, PWSNP=1 (87 -> QW1 23): QW1 = 0x800042.
  pasid_entry e;
  e.qw = {0xABCD2C9, 0x800042, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(e.present());
  EXPECT_EQ(e.aw(), 2u);
  EXPECT_EQ(e.type(), pgtt::nested);
  EXPECT_TRUE(e.slade());
  EXPECT_EQ(e.slptptr(), 0xABCD000u);
  EXPECT_EQ(e.did(), 0x42);
  EXPECT_TRUE(e.pwsnp());
  EXPECT_FALSE(e.pgsnp());
  pasid_fields_t f;
  f.p = true;
  f.aw = 2;
  f.type = pgtt::nested;
  f.slade = true;
  f.slptptr = 0xABCD000;
  f.did = 0x42;
  f.pwsnp = true;
  EXPECT_EQ(pasid_entry::encode(f).qw, e.qw);
}

TEST(PasidEntry, ReservedMasksForHaw46) {
  pasid_check_config none;
  none.did_bits = 8;
  // QW0: 11:10 = 0xC00, SLEE 0x20, SLADE 0x200, 63:46.
  // QW1: DID 15:8 = 0xFF00, 86:80 -> 22:16 = 0x7F0000, PWSNP..PCD (87:95 -> 23:31) = 0xFF800000.
  // QW2: SRE 0x1, ERE 0x2, EAFE 0x80, 139:136 -> 11:8 = 0xF00, 191:174 -> 63:46.
  const std::array<uint64_t, 8> m0{
      0xFFFF'C000'0000'0E20ull, 0xFFFF'FF00ull, 0xFFFF'C000'0000'0F83ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(pasid_entry::reserved_mask(none), m0);
  pasid_check_config all{46, 16, true, true, true, true, true, true, true, true};
  const std::array<uint64_t, 8> m1{
      0xFFFF'C000'0000'0C00ull, 0x7F'0000ull, 0xFFFF'C000'0000'0F00ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(pasid_entry::reserved_mask(all), m1);
  // Rev 4.x with every feature: SLEE, EMT/PWT/PCD and ERE are reserved again.
  pasid_check_config v4 = all;
  v4.rev3 = false;
  const auto m2 = pasid_entry::reserved_mask(v4);
  EXPECT_EQ(m2[0], 0xFFFF'C000'0000'0C20ull);
  EXPECT_EQ(m2[1], 0xF87F'0000ull);
  EXPECT_EQ(m2[2], 0xFFFF'C000'0000'0F02ull);
  // The hand-written first-stage entry is clean on a part with SRS; without SRS its SRE bit is reserved.
  pasid_entry e;
  e.qw = {0x41, 0x07010604'00000005ull, 0x12345015, 0, 0, 0, 0, 0};
  pasid_check_config cfg;
  cfg.supervisor = true;
  EXPECT_FALSE(e.has_reserved(cfg));
  cfg.supervisor = false;
  EXPECT_EQ(e.reserved_bits(cfg)[2], 0x1u);
}

TEST(FsEntry, HandWrittenEntries) {
  // 4 KiB PTE: frame 0x1234567000, P|R/W|U/S = 0x7, A (5) = 0x20, D (6) = 0x40, XD (63).
  fs_entry pte{0x8000'0012'3456'7067ull};
  EXPECT_TRUE(pte.present() && pte.rw() && pte.us() && pte.a() && pte.d() && pte.xd());
  EXPECT_FALSE(pte.pat(1));
  EXPECT_TRUE(pte.is_leaf(1));
  EXPECT_EQ(pte.address(1), 0x12'3456'7000ull);
  fs_fields_t f;
  f.p = f.rw = f.us = f.a = f.d = f.xd = true;
  f.addr = 0x12'3456'7000ull;
  EXPECT_EQ(fs_entry::encode(f).raw, pte.raw);
  // 2 MiB leaf at 0x40200000: P|R/W = 0x3, PS (7) = 0x80, PAT (12) = 0x1000, supervisor-only (U/S=0).
  fs_entry pde{0x4020'1083};
  EXPECT_TRUE(pde.is_leaf(2));
  EXPECT_TRUE(pde.pat(2));
  EXPECT_FALSE(pde.us());
  EXPECT_EQ(pde.address(2), 0x4020'0000u);
  EXPECT_EQ(fs_entry::make_leaf(2, 0x4020'0000, true, false).raw | 0x1000, pde.raw);
  // Non-leaf PML4E pointing to 0x5000, user and writable.
  EXPECT_EQ(fs_entry::make_table(0x5000).raw, 0x5007u);
}

TEST(FsEntry, ReservedMasksForHaw46) {
  fs_check_config cfg;                              // HAW 46, no FL1GP, XD not reserved
  const uint64_t above = 0x000F'C000'0000'0000ull;  // 51:46
  EXPECT_EQ(fs_entry{0x1}.reserved_mask(1, cfg), above);
  EXPECT_EQ(fs_entry{0x1}.reserved_mask(2, cfg), above);                           // PS=0: a table pointer
  EXPECT_EQ(fs_entry{0x81}.reserved_mask(2, cfg), above | 0x1F'E000ull);           // 2 MiB leaf: 20:13
  EXPECT_EQ(fs_entry{0x81}.reserved_mask(3, cfg), above | 0x3FFF'E000ull | 0x80);  // 1 GiB w/o FL1GP
  EXPECT_EQ(fs_entry{0x1}.reserved_mask(4, cfg), above | 0x80);                    // PS RsvdZ in PML4E
  EXPECT_EQ(fs_entry{0x1}.reserved_mask(5, cfg), above | 0x80);                    // and in PML5E
  cfg.super_1g = true;
  EXPECT_EQ(fs_entry{0x81}.reserved_mask(3, cfg), above | 0x3FFF'E000ull);
  cfg.xd_reserved = true;
  EXPECT_EQ(fs_entry{0x1}.reserved_mask(1, cfg), above | 0x8000'0000'0000'0000ull);
  cfg.xd_reserved = false;
  EXPECT_EQ(fs_entry{0x4020'1083}.reserved_bits(2, cfg), 0u);  // PAT (12) is not reserved
  EXPECT_EQ(fs_entry{0x4020'3083}.reserved_bits(2, cfg), 0x2000u);
  EXPECT_EQ(fs_entry{0x83}.reserved_bits(4, cfg), 0x80u);
}
