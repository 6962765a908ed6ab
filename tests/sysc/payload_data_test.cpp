// The initiator's payload data array: as long as the longest request, and a write's data is zero except its
// first DWORD, whatever a target wrote into the array for an earlier read.
#include <gtest/gtest.h>

#include <cstring>

#include "model/sysc/payload_data.hpp"

using vtd::sysc::payload_data;

TEST(PayloadData, GrowsToTheLongestLength) {
  payload_data d;
  d.for_read(64);
  EXPECT_GE(d.capacity(), 64u);
  unsigned char* p = d.for_read(1 << 20);
  EXPECT_GE(d.capacity(), size_t{1} << 20);
  std::memset(p, 0x5A, 1 << 20);  // a target filling the whole read stays inside the array
}

TEST(PayloadData, WriteDataIsZeroAfterARead) {
  payload_data d;
  std::memset(d.for_read(256), 0xFF, 256);  // a target's read data
  const uint32_t dword = 0x12345678;
  unsigned char* p = d.for_write(128, dword);
  uint32_t first = 0;
  std::memcpy(&first, p, 4);
  EXPECT_EQ(first, dword);
  for (unsigned i = 4; i < 128; ++i) ASSERT_EQ(p[i], 0) << i;
  // A longer write later still sees zeros past what the shorter one cleared.
  p = d.for_write(256, 0);
  for (unsigned i = 0; i < 256; ++i) ASSERT_EQ(p[i], 0) << i;
}

TEST(PayloadData, ShortWritesCarryPartOfTheDword) {
  payload_data d;
  unsigned char* p = d.for_write(2, 0xAABBCCDD);
  EXPECT_EQ(p[0], 0xDD);
  EXPECT_EQ(p[1], 0xCC);
  EXPECT_EQ(p[2], 0) << "past the length: untouched zero";
}
