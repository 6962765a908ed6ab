// Closed-loop issue through the replay engine (issue 13): hand-computed timelines of a device with one tag,
// with two tags, with one posted credit, and of a transfer bound by its link. The unit is served for real
// (translation off: every DMA passes through) but timed by a fixed script (translation 3 ns, memory 500 ns),
// and the link is PCIe Gen1 x1: 2.5 GT/s x 8b/10b = 0.25 bytes/ns, 4 ns a byte, so every wire time is exact.
// Wire sizes from the PCIe TLP layout: a 64-bit-address read request is 16 B header + 2 B sequence + 4 B LCRC
// + 2 B framing (STP/END) = 24 B = 96 ns; a completion is 12 + 2 + 4 + 2 = 20 B plus its data (64 B: 336 ns);
// a 64 B write is 24 + 64 = 88 B = 352 ns.
#include <gtest/gtest.h>

#include <vector>

#include "apps/replay/closed_loop.hpp"
#include "model/spec/presets.hpp"

using namespace vtd;
using namespace vtd::replay;
using traces::record;

namespace {

constexpr uint16_t kSid = core::make_source_id(3, 0, 0);
constexpr picoseconds kNs = 1000;

class null_driver final : public table_driver {
 public:
  void map(uint16_t, uint64_t, uint64_t, uint64_t, const map_rights&) override {}
  uint64_t unmap(uint16_t, uint64_t, uint64_t) override { return 0; }
  void attach(uint16_t, uint16_t) override {}
  void detach(uint16_t) override {}
  int domain_of(uint16_t) const override { return -1; }
};

// Serves on the unit, then stamps the script's timing at the clock the closed loop advanced to.
class scripted_timing final : public request_port {
 public:
  explicit scripted_timing(core::remapping_unit& unit) : m_unit(unit) {}
  const timing::upstream_result& transport(const timing::upstream_request& req) override {
    timing::serve(m_unit, req, m_result);
    m_result.timed = true;
    m_result.timing = {};
    m_result.timing.arrival = now;
    m_result.timing.translation_done = now + 3 * kNs;
    m_result.timing.done = m_result.timing.translation_done + 500 * kNs;
    arrivals.push_back(now);
    return m_result;
  }
  std::optional<timing::reservation> price(const timing::invalidation_work&) override { return std::nullopt; }
  picoseconds now = 0;
  std::vector<picoseconds> arrivals;

 private:
  core::remapping_unit& m_unit;
  timing::upstream_result m_result;
};

class ClosedLoop : public ::testing::Test {
 protected:
  core::physical_memory mem{uint64_t{1} << 32};
  null_driver driver;
  std::unique_ptr<core::iommu> unit;
  std::unique_ptr<replay_engine> engine;
  std::unique_ptr<scripted_timing> port;
  device_config config;
  std::vector<picoseconds> completions;

  void SetUp() override {
    unit =
        std::make_unique<core::iommu>(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                                      mem, core::translation_caches_config{});
    engine = std::make_unique<replay_engine>(*unit, driver, replay_options{});
    port = std::make_unique<scripted_timing>(unit->unit());
    config.issue = issue_mode::closed;
    config.params.link.generation = 1;
    config.params.link.lanes = 1;
  }
  // Replays `records`; keeps each request's completion, in the order the unit saw them.
  closed_device_stats run(const std::vector<record>& records) {
    closed_loop loop(*engine, *port, config, 0, [&](picoseconds t) {
      EXPECT_GE(t, port->now) << "the unit's clock never goes back";
      port->now = t;
    });
    size_t i = 0;
    loop.run(
        [&](record& r) {
          if (i == records.size()) return false;
          r = records[i++];
          return true;
        },
        [&] { completions.push_back(loop.last().completion); });
    return loop.devices().at(kSid);
  }
  static record read(picoseconds t, uint64_t addr, uint32_t len = 64) {
    return traces::make_dma(t, kSid, traces::dma_op::read, addr, len);
  }
  static record write(picoseconds t, uint64_t addr) {
    return traces::make_dma(t, kSid, traces::dma_op::write, addr, 64);
  }
};

TEST_F(ClosedLoop, OneTagSerialisesReads) {
  config.params.tags = 1;
  auto s = run({read(0, 0x1000), read(0, 0x2000), read(0, 0x3000)});
  // Each read: 96 up, 3 translate, 500 memory, 336 down = 935 ns, and the next issues when it completes.
  EXPECT_EQ(port->arrivals, (std::vector<picoseconds>{96 * kNs, 1031 * kNs, 1966 * kNs}));
  EXPECT_EQ(completions, (std::vector<picoseconds>{935 * kNs, 1870 * kNs, 2805 * kNs}));
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.latency.max(), 935 * kNs);
  EXPECT_EQ(s.tag_stalls, 2u);
  EXPECT_EQ(s.tag_wait, (935 + 1870) * kNs);
  EXPECT_EQ(s.span(), 2805 * kNs);
  EXPECT_EQ(s.tag_held, s.span());  // one tag, always held
  EXPECT_EQ(s.payload_bytes, 192u);
  EXPECT_EQ(s.translation, 9 * kNs);
  EXPECT_EQ(s.link_memory, 3 * 932 * kNs);
}

TEST_F(ClosedLoop, TwoTagsOverlapAndShareTheLink) {
  config.params.tags = 2;
  auto s = run({read(0, 0x1000), read(0, 0x2000), read(0, 0x3000), read(0, 0x4000)});
  // R0: issue 0, arrives 96, served 599, completion 599+336 = 935.
  // R1: second tag at 0, waits for the upstream wire: arrives 192, served 695; the downstream wire is busy
  //     with R0's completion until 935: 935+336 = 1271.
  // R2: the first tag frees at 935: arrives 1031, served 1534, completion 1870.
  // R3: R1's tag frees at 1271: arrives 1367, served 1870, completion 1870+336 = 2206.
  EXPECT_EQ(port->arrivals, (std::vector<picoseconds>{96 * kNs, 192 * kNs, 1031 * kNs, 1367 * kNs}));
  EXPECT_EQ(completions, (std::vector<picoseconds>{935 * kNs, 1271 * kNs, 1870 * kNs, 2206 * kNs}));
  EXPECT_EQ(s.tag_stalls, 2u);
  EXPECT_EQ(s.tag_wait, (935 + 1271) * kNs);
  EXPECT_EQ(s.tag_held, (935 + 1271 + (1870 - 935) + (2206 - 1271)) * kNs);
}

TEST_F(ClosedLoop, TraceTimeIsTheEarliestIssue) {
  config.params.tags = 1;
  // The second read is ready only at 2000 ns, after the tag is free: no stall, issued at its time.
  auto s = run({read(0, 0x1000), read(2000 * kNs, 0x2000)});
  EXPECT_EQ(completions, (std::vector<picoseconds>{935 * kNs, 2935 * kNs}));
  EXPECT_EQ(s.tag_stalls, 0u);
  EXPECT_EQ(s.queueing, 0u);
}

TEST_F(ClosedLoop, PostedCreditStall) {
  config.params.posted_credits = 1;
  auto s = run({write(0, 0x1000), write(0, 0x2000), write(0, 0x3000)});
  // A write's credit frees once the unit has translated it: 352 up + 3 = 355 ns after its issue.
  EXPECT_EQ(port->arrivals, (std::vector<picoseconds>{352 * kNs, 707 * kNs, 1062 * kNs}));
  EXPECT_EQ(completions, (std::vector<picoseconds>{355 * kNs, 710 * kNs, 1065 * kNs}));
  EXPECT_EQ(s.posted, 3u);
  EXPECT_EQ(s.credit_stalls, 2u);
  EXPECT_EQ(s.credit_wait, (355 + 710) * kNs);
  EXPECT_EQ(s.tag_stalls, 0u);
}

TEST_F(ClosedLoop, WritesDoNotWaitForTags) {
  config.params.tags = 1;
  config.params.posted_credits = 4;
  run({read(0, 0x1000), write(0, 0x2000)});
  // The write takes a credit at 0 and queues on the upstream wire behind the read request: 96 + 352.
  EXPECT_EQ(port->arrivals, (std::vector<picoseconds>{96 * kNs, 448 * kNs}));
  EXPECT_EQ(completions, (std::vector<picoseconds>{935 * kNs, 451 * kNs}));
}

TEST_F(ClosedLoop, LinkBoundTransfer) {
  config.params.tags = 8;
  std::vector<record> rs;
  for (unsigned i = 0; i < 10; ++i) rs.push_back(read(0, 0x10000 + 0x1000 * i, 256));
  auto s = run(rs);
  // 256 B reads (MPS 256): one completion of 20 + 256 = 276 B = 1104 ns each, longer than the 96 ns
  // between arrivals: the downstream wire is busy from the first data (599 ns) on, one completion per
  // 1104 ns, the two reads past the 8 tags included (they are served long before the wire frees).
  for (unsigned k = 0; k < 10; ++k) EXPECT_EQ(completions[k], (599 + 1104 * (k + 1)) * kNs) << k;
  EXPECT_EQ(s.span(), 11639 * kNs);
  EXPECT_EQ(s.payload_bytes, 2560u);
  // Two reads waited for a tag: R8 for R0's (1703 ns), R9 for R1's (2807 ns).
  EXPECT_EQ(s.tag_wait, (1703 + 2807) * kNs);
}

TEST_F(ClosedLoop, DevicesDoNotWaitForEachOther) {
  config.params.tags = 1;
  const uint16_t other = core::make_source_id(4, 0, 0);
  run({read(0, 0x1000), read(0, 0x2000),
       traces::make_dma(100 * kNs, other, traces::dma_op::read, 0x5000, 64)});
  // The other device has its own tag and link: its read arrives at 100 + 96, before the first device's
  // second read (1031), though it comes later in the trace.
  EXPECT_EQ(port->arrivals, (std::vector<picoseconds>{96 * kNs, 196 * kNs, 1031 * kNs}));
}

}  // namespace
