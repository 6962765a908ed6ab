// Replay engine (functional mode): driver records change the tables in memory while the trace runs; a DMA
// served from a cached translation that memory no longer backs is reported as stale, naming the change and
// the invalidation that would have removed it; the right invalidation ends it. The tables are written by a
// tiny independent 4-level, 4 KiB-only writer kept in this test (not the project's builders).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "apps/replay/replay_engine.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "tests/replay/tiny_driver.hpp"

using namespace vtd;
using namespace vtd::replay;
using traces::record;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kTables = 0x200000;
constexpr uint16_t kSid = core::make_source_id(0, 4, 0);
constexpr uint16_t kDid = 3;

// A request port other than the unit itself, as the timed mode's: it serves requests on the same unit (and
// stamps a fixed timing when `timed`), and answers each invalidation with the next busy interval of a script,
// keeping the work it was asked to price.
class scripted_port final : public request_port {
 public:
  scripted_port(core::remapping_unit& unit, std::vector<timing::reservation> busy, bool timed = false)
      : m_unit(unit), m_busy(std::move(busy)), m_timed(timed) {}
  const timing::upstream_result& transport(const timing::upstream_request& req) override {
    timing::serve(m_unit, req, m_result);
    if (m_timed) {
      m_result.timed = true;
      m_result.timing = {};
      m_result.timing.done = 1000;
    }
    return m_result;
  }
  std::optional<timing::reservation> price(const timing::invalidation_work& work) override {
    priced.push_back(work);
    return m_busy.at(priced.size() - 1);
  }
  std::vector<timing::invalidation_work> priced;

 private:
  core::remapping_unit& m_unit;
  std::vector<timing::reservation> m_busy;
  bool m_timed;
  timing::upstream_result m_result;
};

class ReplayEngine : public ::testing::Test {
 protected:
  core::physical_memory mem{uint64_t{1} << 32};
  test::tiny_driver driver{mem, kCtx, kTables};
  std::unique_ptr<core::iommu> unit;
  std::unique_ptr<replay_engine> engine;
  uint64_t t = 0;

  void SetUp() override {
    mem.write64(kRoot, spec::root_entry::make(kCtx).lo);
    unit =
        std::make_unique<core::iommu>(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                                      mem, core::translation_caches_config{});
    unit->unit().set_root_table(kRoot);
    unit->unit().enable_translation(true);
    unit->setup_queue(0x300000, 0);
    engine = std::make_unique<replay_engine>(*unit, driver, replay_options{});
    apply(traces::make_attach(t, kSid, kDid));
  }
  request_outcome apply(const record& r) { return engine->submit(r); }
  request_outcome read(uint64_t iova) {
    return apply(traces::make_dma(t += 1000, kSid, traces::dma_op::read, iova, 64));
  }
};

}  // namespace

TEST_F(ReplayEngine, MapThenDmaTranslates) {
  apply(traces::make_map(t, kDid, 0x10000, 0x80000000, 0x2000, true, true));
  auto r = read(0x11040);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.hpa, 0x80001040u);
  EXPECT_EQ(engine->stale_count(), 0u);
}

TEST_F(ReplayEngine, UnmapWithoutInvalidationIsReportedStale) {
  apply(traces::make_map(t, kDid, 0x10000, 0x80000000, 0x1000, true, true));
  ASSERT_TRUE(read(0x10000).ok);  // fills the IOTLB
  apply(traces::make_unmap(t += 1000, kDid, 0x10000, 0x1000));
  auto stale = read(0x10008);
  EXPECT_TRUE(stale.ok) << "the IOTLB still serves the old translation";
  EXPECT_TRUE(stale.iotlb_hit);
  ASSERT_EQ(engine->stale_count(), 1u);
  const auto& e = engine->stale_events().at(0);
  EXPECT_EQ(e.address, 0x10008u);
  EXPECT_NE(e.changed.find("unmap of [0x10000, 0x11000) at record 3"), std::string::npos) << e.changed;
  EXPECT_NE(e.fix.find("DID=3 ADDR=0x10000"), std::string::npos) << e.fix;
  EXPECT_NE(e.memory.find("fault 0x06"), std::string::npos) << e.memory;

  // An invalidation of another domain changes nothing; the right page-selective one ends it.
  apply(traces::make_iotlb_inval(t, traces::granularity::page, kDid + 1, 0x10000, 0, false, true));
  EXPECT_TRUE(read(0x10008).ok);
  EXPECT_EQ(engine->stale_count(), 2u);
  apply(traces::make_iotlb_inval(t, traces::granularity::page, kDid, 0x10000, 0, false, true));
  auto after = read(0x10008);
  EXPECT_FALSE(after.ok);
  EXPECT_EQ(after.fault, spec::fault_reason::read_denied);
  EXPECT_EQ(engine->stale_count(), 2u);
}

TEST_F(ReplayEngine, StrictInvalidationNeverReportsStale) {
  for (uint64_t i = 0; i < 50; ++i) {
    uint64_t iova = 0x100000 + (i % 4) * 0x1000;
    apply(traces::make_map(t, kDid, iova, 0x90000000 + i * 0x1000, 0x1000, true, i % 2 == 0));
    auto r = read(iova + 0x10);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.hpa, 0x90000010u + i * 0x1000) << "i=" << i;
    apply(traces::make_unmap(t, kDid, iova, 0x1000));
    apply(traces::make_iotlb_inval(t, traces::granularity::page, kDid, iova, 0, i % 3 == 0, true));
  }
  EXPECT_EQ(engine->stale_count(), 0u);
  auto report = engine->report(1.0, false);
  ASSERT_NE(report.find("dma.requests"), nullptr);
  EXPECT_EQ(report.find("dma.requests")->value, 50);
  EXPECT_EQ(report.find("stale.translations_served")->value, 0);
  const double hits = report.find("iotlb_hit")->value, lookups = report.find("iotlb_lookup")->value;
  EXPECT_EQ(lookups, 50);
  EXPECT_EQ(hits, 0) << "every page was invalidated before its reuse";
}

TEST_F(ReplayEngine, RegisterInvalidationWhileQueueEnabledIsRefusedAndStillStale) {
  // Spec 6.5.1: register-based invalidation must not be used while queued invalidation is enabled.
  apply(traces::make_map(t, kDid, 0x10000, 0x80000000, 0x1000, true, true));
  ASSERT_TRUE(read(0x10000).ok);
  apply(traces::make_unmap(t, kDid, 0x10000, 0x1000));
  apply(traces::make_iotlb_inval(t, traces::granularity::page, kDid, 0x10000, 0, false, /*queued=*/false));
  EXPECT_TRUE(read(0x10000).ok);
  EXPECT_EQ(engine->stale_count(), 1u);
  EXPECT_EQ(engine->report(1.0, false).find("inval.refused")->value, 1);
}

TEST_F(ReplayEngine, WarmupResetsStatistics) {
  replay_options o;
  o.warmup = 3;
  engine = std::make_unique<replay_engine>(*unit, driver, o);
  apply(traces::make_map(t, kDid, 0x10000, 0x80000000, 0x1000, true, true));
  for (int i = 0; i < 10; ++i) read(0x10000);
  auto report = engine->report(1.0, false);
  EXPECT_EQ(report.find("dma.requests")->value, 7);
  EXPECT_EQ(report.find("iotlb_lookup")->value, 7);
  EXPECT_EQ(report.find("iotlb_hit")->value, 7);
}

// Functional replay without a caller-supplied walk record still counts walks and memory reads: the statistics
// must not depend on whether someone asked for the walk. They read 0 before, unless a stale check happened to
// need the walk (a table change not yet invalidated).
TEST_F(ReplayEngine, FunctionalReplayCountsWalksAndMemoryReads) {
  for (bool check_stale : {false, true}) {
    SCOPED_TRACE(check_stale ? "stale check on, nothing pending" : "no stale check");
    replay_options o;
    o.check_stale = check_stale;
    engine = std::make_unique<replay_engine>(*unit, driver, o);
    // Global invalidations: empty caches, and nothing left for the stale check to follow.
    apply(traces::make_cc_inval(t, traces::granularity::global, 0, 0, 0, true));
    apply(traces::make_iotlb_inval(t, traces::granularity::global, 0, 0, 0, false, true));
    apply(traces::make_map(t, kDid, 0x10000, 0x80000000, 0x2000, true, true));
    unsigned reads = 0;
    reads += read(0x10000).memory_reads;  // context-cache and IOTLB miss: root, context, four paging entries
    reads += read(0x10040).memory_reads;  // IOTLB hit
    reads += read(0x11000).memory_reads;  // IOTLB miss, paging-structure caches hit: one PTE
    EXPECT_EQ(reads, 6u + 1u);
    auto report = engine->report(1.0, false);
    EXPECT_EQ(report.find("walks")->value, 2);
    EXPECT_EQ(report.find("iommu_mrds")->value, reads);
    EXPECT_DOUBLE_EQ(report.find("walks.per_request")->value, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(report.find("iommu_mrds.per_request")->value, 7.0 / 3.0);
  }
}

// A request port other than the unit itself (the timed mode's is the SystemC shell) gives the same figures
// as the functional one: the replay of the same records both ways reports equal counts.
TEST_F(ReplayEngine, TimedProtocolCountsLikeFunctional) {
  replay_options o;
  o.warmup = 2;
  std::vector<record> records{traces::make_map(t, kDid, 0x10000, 0x80000000, 0x4000, true, true)};
  for (uint64_t i = 0; i < 8; ++i)
    records.push_back(
        traces::make_dma(t + 1000 * (i + 1), kSid, traces::dma_op::read, 0x10000 + (i % 4) * 0x1000, 64));
  auto run = [&](bool timed) {
    core::physical_memory m{uint64_t{1} << 32};
    test::tiny_driver d{m, kCtx, kTables};
    m.write64(kRoot, spec::root_entry::make(kCtx).lo);
    core::iommu u(core::unit_config::from_preset(*spec::find_capability_preset("server")), m,
                  core::translation_caches_config{});
    u.unit().set_root_table(kRoot);
    u.unit().enable_translation(true);
    replay_engine e(u, d, o);
    scripted_port port(u.unit(), {}, true);
    if (timed) e.use_port(&port);
    e.submit(traces::make_attach(0, kSid, kDid));
    for (const auto& r : records) e.submit(r);
    return e.report(1.0, false).to_json();
  };
  const auto functional = run(false), timed = run(true);
  EXPECT_EQ(functional["dma.requests"], 6);
  EXPECT_EQ(functional["iotlb_lookup"], 6) << "exactly the requests after the warmup";
  for (const auto& [name, value] : functional.items()) {
    if (name == "sim.wall_seconds" || name == "sim.requests_per_second") continue;  // host time
    EXPECT_EQ(timed[name], value) << name;
  }
}

// Invalidations are priced from what the unit performed, as its counters say, not from the record: one
// descriptor, one wait, one register command; a queued record the unit never received (no queue) costs
// nothing, where the timed replay used to charge it a descriptor.
TEST_F(ReplayEngine, InvalidationsArePricedFromWhatTheUnitPerformed) {
  scripted_port port(unit->unit(), std::vector<timing::reservation>(8));
  engine->use_port(&port);
  apply(traces::make_iotlb_inval(t, traces::granularity::page, kDid, 0x10000, 0, false, true));
  apply(traces::make_inv_wait(t, 0x300000 + 0x100, 1, false, true, false, true));
  apply(traces::make_iotlb_inval(t, traces::granularity::domain, kDid, 0, 0, false, /*queued=*/false));
  ASSERT_EQ(port.priced.size(), 3u);
  EXPECT_EQ(port.priced[0].descriptors, 1u);
  EXPECT_EQ(port.priced[0].waits + port.priced[0].register_commands, 0u);
  EXPECT_EQ(port.priced[1].waits, 1u);
  EXPECT_EQ(port.priced[1].descriptors + port.priced[1].register_commands, 0u);
  EXPECT_EQ(port.priced[2].register_commands, 1u) << "the unit started it (and refused it: QI is enabled)";
  unit->unit().enable_queued_invalidation(false);
  apply(traces::make_cc_inval(t, traces::granularity::global, 0, 0, 0, true));
  EXPECT_EQ(port.priced.size(), 3u) << "no queue: nothing was performed, nothing is priced";
  EXPECT_EQ(engine->report(1.0, false).find("inval.refused")->value, 2);
  engine->use_port(nullptr);
}

TEST_F(ReplayEngine, WarmupCoveringEveryRequestIsAnError) {
  for (uint64_t warmup : {10u, 11u, 1000u}) {
    replay_options o;
    o.warmup = warmup;
    engine = std::make_unique<replay_engine>(*unit, driver, o);
    apply(traces::make_map(t, kDid, 0x10000 + warmup * 0x10000, 0x80000000, 0x1000, true, true));
    for (int i = 0; i < 10; ++i) read(0x10000 + warmup * 0x10000);
    apply(traces::make_unmap(t, kDid, 0x10000 + warmup * 0x10000, 0x1000));  // a driver record after the last
    try {
      engine->report(1.0, false);
      ADD_FAILURE() << "warmup " << warmup << " over 10 requests reported statistics";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(fmt::format("warmup {} but the trace has 10 requests", warmup)),
                std::string::npos)
          << e.what();
    }
    EXPECT_THROW(engine->check_measured(), std::runtime_error);
  }
  replay_options o;
  o.warmup = 9;
  engine = std::make_unique<replay_engine>(*unit, driver, o);
  for (int i = 0; i < 10; ++i) read(0x10000);
  EXPECT_EQ(engine->report(1.0, false).find("dma.requests")->value, 1);
}

// Statistics start right after the warmup's last request: a driver record between it and the next request
// is measured, and the span starts at that record.
TEST_F(ReplayEngine, WarmupWindowOpensAfterTheLastWarmupRequest) {
  replay_options o;
  o.warmup = 1;
  engine = std::make_unique<replay_engine>(*unit, driver, o);
  apply(traces::make_map(t += 1000, kDid, 0x10000, 0x80000000, 0x1000, true, true));
  read(0x10000);                                                                      // warmup
  apply(traces::make_map(t += 1000, kDid, 0x20000, 0x90000000, 0x1000, true, true));  // measured
  const uint64_t window_start = t;
  read(0x20000);
  read(0x20040);
  auto report = engine->report(1.0, false);
  EXPECT_EQ(report.find("driver.maps")->value, 1);
  EXPECT_EQ(report.find("dma.requests")->value, 2);
  EXPECT_EQ(report.find("iotlb_lookup")->value, 2);
  EXPECT_EQ(report.find("sim.warmup_requests")->value, 1);
  EXPECT_DOUBLE_EQ(report.find("sim.trace_span_ns")->value, double(t - window_start) / 1000.0);
}

// Timed busy figures: counted inside [first measured record, last record], so never above span x resources,
// whatever backlog the timed layer reports; work begun in the warmup is not counted.
TEST_F(ReplayEngine, BusyTimesStayWithinTheTraceSpan) {
  replay_options o;
  o.warmup = 1;
  engine = std::make_unique<replay_engine>(*unit, driver, o);
  // The warmup invalidation is busy 1-9 us (not counted); each measured one is queued behind the others
  // (1.5 us each): the backlog reaches past the trace's end.
  std::vector<timing::reservation> busy{{1'000'000, 9'000'000}};
  for (uint64_t i = 0; i < 4; ++i)
    busy.push_back({2'000'000 + i * 1'500'000, 2'000'000 + (i + 1) * 1'500'000});
  scripted_port port(unit->unit(), busy);
  engine->use_port(&port);
  apply(traces::make_map(t = 1'000'000, kDid, 0x10000, 0x80000000, 0x1000, true, true));
  apply(traces::make_inv_wait(1'000'000, 0x300000 + 0x100, 1, false, true, false, true));  // warmup
  read(0x10000);  // warmup request at 1.001 us
  // The window opens at the next record (2 us) and ends at the last (a DMA at 6 us): a 4 us span.
  for (uint64_t at : {2'000'000u, 3'000'000u, 4'000'000u, 5'000'000u})
    apply(traces::make_inv_wait(at, 0x300000 + 0x100, 1, false, true, false, true));
  apply(traces::make_dma(6'000'000, kSid, traces::dma_op::read, 0x10000, 64));
  ASSERT_EQ(port.priced.size(), 5u);
  auto report = engine->report(1.0, true);
  const double span = report.find("sim.trace_span_ns")->value;
  EXPECT_DOUBLE_EQ(span, 4000.0);
  EXPECT_DOUBLE_EQ(report.find("inval.busy_ns")->value, 4000.0) << "busy the whole span, no more";
  EXPECT_DOUBLE_EQ(report.find("inval.occupancy")->value, 1.0);
  EXPECT_DOUBLE_EQ(report.find("inval.backlog_ns")->value, 8000.0 - 6000.0);
  EXPECT_DOUBLE_EQ(report.find("pw_occupancy")->value, 0.0);
  engine->use_port(nullptr);
}
