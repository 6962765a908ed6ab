// The parts of a closed-loop device, checked by hand: the PCIe link's TLP plan and wire time (rates and
// overheads from the PCI Express Base Specification), and the tag/credit pool's timelines (a limit of 1 and
// of N, a stall).
#include <gtest/gtest.h>

#include "model/timing/pcie_link.hpp"
#include "model/timing/slot_pool.hpp"

using namespace vtd::timing;

TEST(pcie_link, gen3_x8_rate_and_overheads) {
  pcie_link l({});  // Gen3 x8, MPS 256, MRRS 512, 64-bit addresses
  // 8 GT/s x 8 lanes x 128/130 / 8 bits = 7.877 bytes/ns.
  EXPECT_NEAR(l.bytes_per_ns(), 8.0 * 8 * 128 / 130 / 8, 1e-9);
  EXPECT_EQ(l.tlp_overhead(false), 16u + 2 + 4 + 4);  // 4 DW header, sequence, LCRC, STP token
  EXPECT_EQ(l.tlp_overhead(true), 12u + 2 + 4 + 4);   // 3 DW completion header
  pcie_link_params g2;
  g2.generation = 2;
  g2.lanes = 4;
  pcie_link l2(g2);
  EXPECT_NEAR(l2.bytes_per_ns(), 5.0 * 4 * 0.8 / 8, 1e-9);
  EXPECT_EQ(l2.tlp_overhead(false), 16u + 2 + 4 + 2);  // Gen1/2: STP and END symbols
}

TEST(pcie_link, a_64_byte_read_and_a_4k_write) {
  pcie_link l({});
  const tlp_plan r = l.plan(false, 0x1000, 64);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.completions, 1u);
  EXPECT_EQ(r.upstream_bytes, 26u);
  EXPECT_EQ(r.downstream_bytes, 64u + 22);
  // A 4 KiB write is 16 MWr TLPs of 256 bytes: 16 x (256 + 26) = 4512 bytes, 4512 / 7.877 = 572.8 ns.
  const tlp_plan w = l.plan(true, 0x2000, 4096);
  EXPECT_EQ(w.requests, 16u);
  EXPECT_EQ(w.completions, 0u);
  EXPECT_EQ(w.upstream_bytes, 4512u);
  EXPECT_NEAR(double(l.wire_time(w.upstream_bytes)), 4512 / (8.0 * 8 * 128 / 130 / 8) * 1000, 1.0);
  // A 1 KiB read at 0x1f00 (crossing MRRS 512 boundaries at 0x2000 and 0x2200): requests [0x1f00,0x2000),
  // [0x2000,0x2200), [0x2200,0x2300); completions split at the 256-byte MPS boundaries: 4 of them.
  const tlp_plan x = l.plan(false, 0x1f00, 1024);
  EXPECT_EQ(x.requests, 3u);
  EXPECT_EQ(x.completions, 4u);
  EXPECT_EQ(x.downstream_bytes, 1024u + 4 * 22);
}

TEST(pcie_link, a_link_bound_transfer_serialises) {
  pcie_link l({});
  const picoseconds one = l.wire_time(282);  // one 256-byte MWr TLP
  picoseconds done = 0;
  for (int i = 0; i < 16; ++i) done = l.reserve_upstream(0, 282);  // all ready at 0
  EXPECT_EQ(done, 16 * one);
  // A TLP ready after the wire went idle starts when it is ready.
  EXPECT_EQ(l.reserve_upstream(done + 5000, 282), done + 5000 + one);
}

TEST(pcie_link, refuses_impossible_links) {
  pcie_link_params p;
  p.generation = 6;
  EXPECT_THROW(pcie_link{p}, std::invalid_argument);
  p = {};
  p.lanes = 3;
  EXPECT_THROW(pcie_link{p}, std::invalid_argument);
  p = {};
  p.max_payload = 96;
  EXPECT_THROW(pcie_link{p}, std::invalid_argument);
}

// Three requests ready at 0, each 100 ns from issue to completion.
TEST(slot_pool, one_tag_serialises_requests) {
  slot_pool tags(1);
  picoseconds issue[3];
  for (auto& t : issue) {
    t = tags.acquire(0);
    tags.hold_until(t, t + 100000);
  }
  EXPECT_EQ(issue[0], 0u);
  EXPECT_EQ(issue[1], 100000u);
  EXPECT_EQ(issue[2], 200000u);
  EXPECT_EQ(tags.stalled(), 100000u + 200000u);
  EXPECT_EQ(tags.stalls(), 2u);
  EXPECT_EQ(tags.held(), 300000u);
}

TEST(slot_pool, n_tags_let_n_requests_overlap) {
  slot_pool tags(4);
  std::vector<picoseconds> issue;
  for (int i = 0; i < 6; ++i) {
    const picoseconds t = tags.acquire(0);
    tags.hold_until(t, t + 100000);
    issue.push_back(t);
  }
  EXPECT_EQ(issue, (std::vector<picoseconds>{0, 0, 0, 0, 100000, 100000}));
  EXPECT_EQ(tags.stalls(), 2u);
}

TEST(slot_pool, a_credit_stall_ends_when_the_first_write_completes) {
  slot_pool credits(2);
  const picoseconds a = credits.acquire(0);
  credits.hold_until(a, 50000);
  const picoseconds b = credits.acquire(10000);
  credits.hold_until(b, 70000);
  const picoseconds c = credits.acquire(20000);  // both held: waits for the first (free at 50 ns)
  credits.hold_until(c, c + 50000);
  EXPECT_EQ(c, 50000u);
  EXPECT_EQ(credits.stalled(), 30000u);
  EXPECT_THROW(slot_pool{0}, std::invalid_argument);
}
