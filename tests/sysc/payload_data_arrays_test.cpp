// The payload data arrays against what TLM-2.0 and the initiator promise, over a random sequence of reads
// (a target filling every byte) and writes of every length: a write's data_length bytes are the DWORD's
// first min(4, length) bytes and zeros, whatever came before; a read has room for its whole length.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "model/sysc/payload_data.hpp"

using vtd::sysc::payload_data;

TEST(PayloadDataArrays, WritesAreZeroAndTheirDwordAfterAnyHistory) {
  std::mt19937_64 rng(16);
  payload_data d;
  for (int n = 0; n < 20000; ++n) {
    // Mostly short requests, some long ones: lengths 0..9 and up to 8 KiB.
    const uint32_t length = rng() % 4 ? uint32_t(rng() % 10) : uint32_t(rng() % 8193);
    if (rng() % 2) {
      unsigned char* p = d.for_read(length);
      ASSERT_GE(d.capacity(), length);
      std::memset(p, int(rng() % 255 + 1), length);  // the target's read data, never zero
    } else {
      const uint32_t dword = uint32_t(rng());
      const unsigned char* p = d.for_write(length, dword);
      ASSERT_GE(d.write_capacity(), length);
      unsigned char want[4];
      std::memcpy(want, &dword, 4);
      for (uint32_t i = 0; i < length; ++i) ASSERT_EQ(p[i], i < 4 ? want[i] : 0) << n << " byte " << i;
    }
  }
}

TEST(PayloadDataArrays, ShorterWriteClearsTheLongerDword) {
  payload_data d;
  d.for_write(4, 0xAABBCCDD);
  const unsigned char* p = d.for_write(3, 0x00112233);
  EXPECT_EQ(p[0], 0x33);
  EXPECT_EQ(p[1], 0x22);
  EXPECT_EQ(p[2], 0x11);
  EXPECT_EQ(p[3], 0) << "past the 3-byte write: the earlier DWORD's byte is cleared";
  p = d.for_write(1, 0xFFFFFF44);
  EXPECT_EQ(p[0], 0x44);
  EXPECT_EQ(p[1], 0);
  EXPECT_EQ(p[2], 0);
  p = d.for_write(16, 0x01020304);
  for (unsigned i = 4; i < 16; ++i) EXPECT_EQ(p[i], 0) << i;
}
