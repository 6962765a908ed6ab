// Entry layouts checked against entries written out by hand from the spec's bit tables.
#include <gtest/gtest.h>

#include "model/spec/context_entry.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

using namespace vtd::spec;

TEST(RootEntry, HandWrittenPresentEntryDecodes) {
  // CTP = 0x12345000, P = 1 (spec 9.1: P bit 0, CTP 63:12).
  root_entry e{0x12345001, 0};
  EXPECT_TRUE(e.present());
  EXPECT_EQ(e.ctp(), 0x12345000u);
  EXPECT_FALSE(e.has_reserved(46));
  EXPECT_EQ(root_entry::make(0x12345000).lo, 0x12345001u);
}

TEST(RootEntry, ReservedBitsFound) {
  EXPECT_TRUE((root_entry{0x12345003, 0}.has_reserved(46)));        // bit 1
  EXPECT_TRUE((root_entry{0x12345001, 1}.has_reserved(46)));        // QW1
  EXPECT_TRUE((root_entry{(1ull << 46) | 1, 0}.has_reserved(46)));  // CTP above HAW
  EXPECT_FALSE((root_entry{(1ull << 45) | 1, 0}.has_reserved(46)));
}

TEST(ContextEntry, HandWrittenEntryDecodes) {
  // lo: SLPTPTR=0xABCDE000, TT=10b (bits 3:2 = 8), FPD=1, P=1 -> 0xABCDE00B
  // hi: AW=010b, DID=0x1234 in 87:72 -> hi bits 23:8 -> 0x123402
  context_entry e{0xABCDE00B, 0x123402};
  EXPECT_TRUE(e.present());
  EXPECT_TRUE(e.fpd());
  EXPECT_EQ(e.tt(), translation_type::pass_through);
  EXPECT_EQ(e.slptptr(), 0xABCDE000u);
  EXPECT_EQ(e.aw(), 2u);
  EXPECT_EQ(e.did(), 0x1234);
  auto m = context_entry::make(0xABCDE000, 2, 0x1234, translation_type::pass_through, true);
  EXPECT_EQ(m.lo, e.lo);
  EXPECT_EQ(m.hi, e.hi);
  EXPECT_FALSE(e.has_reserved(46, 16));
  EXPECT_TRUE(e.has_reserved(46, 8));                                   // DID 0x1234 does not fit 8 bits
  EXPECT_TRUE((context_entry{0xABCDE01B, 0x2}.has_reserved(46, 16)));   // bit 4
  EXPECT_TRUE((context_entry{0xABCDE001, 0x82}.has_reserved(46, 16)));  // bit 71
}

TEST(SlEntry, LeafAndTableDecoding) {
  sl_entry pte{0x0000'0012'3456'7003};
  EXPECT_TRUE(pte.r());
  EXPECT_TRUE(pte.w());
  EXPECT_TRUE(pte.is_leaf(1));
  EXPECT_EQ(pte.address(1), 0x1234567000u);
  sl_entry pde{0x40200083};  // 2 MiB leaf at 0x40200000, R+W, PS
  EXPECT_TRUE(pde.is_leaf(2));
  EXPECT_EQ(pde.address(2), 0x40200000u);
  sl_check_config cfg;
  EXPECT_EQ(pde.reserved_bits(2, cfg), 0u);
  sl_entry bad_pde{0x40201083};  // bit 12 set in a 2 MiB leaf: 20:12 reserved
  EXPECT_EQ(bad_pde.reserved_bits(2, cfg), 0x1000u);
  cfg.super_2m = false;
  EXPECT_EQ(pde.reserved_bits(2, cfg), 0x80u);  // PS not allowed by SLLPS
  EXPECT_EQ(sl_entry::make_leaf(2, 0x40200000, true, true).raw, 0x40200083u);
  EXPECT_EQ(sl_entry{0x83}.reserved_bits(4, cfg), 0x80u);  // PS reserved in PML4E
}

TEST(SlEntry, LevelIndexMath) {
  uint64_t iova = 0x0000'7F12'3456'7ABCull;
  EXPECT_EQ(level_index(iova, 1), (iova >> 12) & 0x1FF);
  EXPECT_EQ(level_index(iova, 4), (iova >> 39) & 0x1FF);
  EXPECT_EQ(level_page_size(3), 1ull << 30);
}

TEST(Irte, RemappedRoundTripMatchesHandEncoding) {
  irte::remapped_fields f;
  f.vector = 0x31;
  f.destination = 0x05;
  f.dlm = 1;
  f.tm = true;
  f.sid = 0x0010;
  f.svt = source_validation::requester_id;
  f.sq = 2;
  irte e = irte::make_remapped(f, false);
  // lo: P | TM(bit4) | DLM=1<<5 | V=0x31<<16 | DST: xAPIC id 5 at bits 47:40
  EXPECT_EQ(e.lo, 0x1ull | 0x10 | 0x20 | (0x31ull << 16) | (0x05ull << 40));
  EXPECT_EQ(e.hi, 0x0010ull | (2ull << 16) | (1ull << 18));
  EXPECT_EQ(e.destination(false), 5u);
  EXPECT_EQ(e.reserved_lo_remapped(false), 0u);
  EXPECT_EQ(e.svt(), source_validation::requester_id);
  EXPECT_EQ(sq_mask(e.sq()), 0xFFF9);
}

TEST(Msi, RemappableHandleAndSubhandle) {
  auto m = msi_request::make_remappable(0x8123, true, 3);
  EXPECT_TRUE(m.remappable());
  EXPECT_EQ(m.handle(), 0x8123);
  EXPECT_EQ(m.interrupt_index(), 0x8126u);
  EXPECT_TRUE(in_interrupt_range(m.address));
}

TEST(FaultReason, TableIsConsistent) {
  for (const auto& f : all_fault_reasons()) {
    EXPECT_EQ(fault_reason_from_code(uint8_t(f.reason)), f.reason);
    EXPECT_STREQ(to_string(f.reason), f.name);
  }
  EXPECT_TRUE(is_qualified(fault_reason::context_reserved));  // LCT.3 is qualified (QEMU gets this wrong)
  EXPECT_FALSE(is_qualified(fault_reason::root_not_present));
}
