// Register field masks shared by the register file and the table checker, against values worked out by hand
// from the spec's bit tables (RTADDR_REG, IRTA_REG) and the spec's "hardware may ignore and not implement
// bits 63:HAW" (RTADDR_REG.RTA, IRTA_REG.IRTA).
#include <gtest/gtest.h>

#include "model/spec/registers.hpp"

using namespace vtd::spec::reg;

TEST(Rtaddr, ImplementedBitsAreRtaBelowHawAndTtm) {
  // HAW 39: RTA 38:12 -> 0x7F_FFFF_F000; TTM 11:10 -> 0xC00.
  EXPECT_EQ(rtaddr_implemented(39), 0x7FFFFFFC00ull);
  EXPECT_EQ(rtaddr_implemented(46), 0x3FFFFFFFFC00ull);
  EXPECT_EQ(rtaddr_implemented(52), 0xFFFFFFFFFFC00ull);
}

TEST(Rtaddr, ReservedBitsAreNineToZeroAndRtaAboveHaw) {
  EXPECT_EQ(rtaddr_reserved(0x100000, 39), 0u);
  EXPECT_EQ(rtaddr_reserved(0x100C00, 39), 0u);                      // TTM=11b is a value, not a reserved bit
  EXPECT_EQ(rtaddr_reserved(0x100081, 39), 0x81u);                   // bit 7 (5.x SSIRWE) and bit 0
  EXPECT_EQ(rtaddr_reserved(0x8000100000ull, 39), 0x8000000000ull);  // bit 39
  EXPECT_EQ(rtaddr_reserved(0x8000100000ull, 40), 0u);
  EXPECT_EQ(rtaddr_rta(0x8000100C00ull & rtaddr_implemented(39)), 0x100000u);
}

TEST(Irta, ImplementedBitsDependOnHawAndEim) {
  // HAW 39: base 38:12, EIME 11 (with ECAP.EIM), S 3:0.
  EXPECT_EQ(irta_implemented(39, true), 0x7FFFFFF80Full);
  EXPECT_EQ(irta_implemented(39, false), 0x7FFFFFF00Full);
  EXPECT_EQ(irta_reserved(0x300873), 0x70u);  // bits 6:4
  EXPECT_EQ(irta_reserved(0x30080F), 0u);
  EXPECT_EQ(irta_above_haw(0x8000300000ull | 0xF, 39), 0x8000000000ull);
  EXPECT_EQ(irta_above_haw(0x7FFFFFF000ull, 39), 0u);
  EXPECT_FALSE(irta_eime(0x30080F & irta_implemented(39, false)));
}
