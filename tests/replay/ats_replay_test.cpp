// ATS devices through the replay engine (issue 13), by hand: a device whose context entry has TT=01 keeps a
// device-TLB; a miss sends a translation request, the answer fills the TLB, and the next DMA to the page is
// one translated request with no walk and no IOTLB lookup; a device-TLB invalidation empties it; a device
// that does not answer raises the Invalidation Time-out Error and the replay goes on; a stale device-TLB
// entry is reported with the invalidation that would have removed it; a TT=00 device's translated request
// faults; the timed latency of a miss and of a hit, and a closed-loop timeline where the translation request
// takes the tag. Tables are written by a tiny 4-level, 4 KiB-only writer kept in this test.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "apps/replay/ats_devices.hpp"
#include "apps/replay/closed_loop.hpp"
#include "apps/replay/replay_engine.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "tests/replay/tiny_driver.hpp"

using namespace vtd;
using namespace vtd::replay;
using traces::record;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kTables = 0x200000, kQueue = 0x300000;
constexpr uint64_t kStatus = 0x310000;
constexpr uint16_t kAts = core::make_source_id(0, 4, 0);    // TT=01 (device-TLB)
constexpr uint16_t kPlain = core::make_source_id(0, 5, 0);  // TT=00
constexpr uint16_t kDid = 3;
constexpr picoseconds kNs = 1000;

// Serves on the unit and stamps a script's timing at `now`: lookups 3 ns, 10 ns per table read, memory 500 ns
// for an access (none for a translation request).
class scripted_port final : public request_port {
 public:
  explicit scripted_port(core::remapping_unit& unit) : m_unit(unit) {}
  const timing::upstream_result& transport(const timing::upstream_request& req) override {
    timing::serve(m_unit, req, m_result);
    m_result.timed = true;
    m_result.timing = {};
    m_result.timing.arrival = now;
    m_result.timing.translation_done = now + 3 * kNs + 10 * kNs * m_result.memory_reads;
    const bool access = m_result.ok() && req.dma.at != core::address_type::translation_request;
    m_result.timing.done = m_result.timing.translation_done + (access ? 500 * kNs : 0);
    seen.push_back(req.dma);
    arrivals.push_back(now);
    return m_result;
  }
  std::optional<timing::reservation> price(const timing::invalidation_work&) override { return std::nullopt; }
  picoseconds now = 0;
  std::vector<core::dma_request> seen;
  std::vector<picoseconds> arrivals;

 private:
  core::remapping_unit& m_unit;
  timing::upstream_result m_result;
};

class AtsReplay : public ::testing::Test {
 protected:
  core::physical_memory mem{uint64_t{1} << 32};
  test::tiny_driver driver{mem, kCtx, kTables, {kAts}};
  std::unique_ptr<core::iommu> unit;
  std::unique_ptr<replay_engine> engine;
  ats_devices devices;
  uint64_t t = 0;

  void make(bool answers = true, double translation_link_ns = 0) {
    mem.write64(kRoot, spec::root_entry::make(kCtx).lo);
    unit =
        std::make_unique<core::iommu>(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                                      mem, core::translation_caches_config{});
    unit->unit().set_root_table(kRoot);
    unit->unit().enable_translation(true);
    unit->setup_queue(kQueue, 0);
    device::ats_params p;
    p.answers_invalidations = answers;
    devices.add(kAts, "gpu0", p, 1500.0, translation_link_ns);
    engine = std::make_unique<replay_engine>(*unit, driver, replay_options{});
    engine->use_ats(&devices);
    engine->set_device_names({{kAts, "gpu0"}});
    apply(traces::make_attach(t, kAts, kDid));
    apply(traces::make_attach(t, kPlain, kDid));
    apply(traces::make_map(t, kDid, 0x10000, 0x80000000, 0x4000, true, true));
  }
  struct timed_run {
    std::vector<std::string> latency;     // the per-request CSV's latency column, one per DMA
    std::vector<core::dma_request> seen;  // what reached the unit
    stats_report stats;
  };
  // A read that misses the device-TLB, then one that hits the same page, through a fresh engine (over the
  // same unit and devices) with the per-request CSV and the scripted timed port.
  timed_run miss_then_hit() {
    scripted_port port(unit->unit());
    std::FILE* csv = std::tmpfile();
    replay_options o;
    o.per_request_csv = csv;
    replay_engine timed(*unit, driver, o);
    timed.use_ats(&devices);
    timed.use_port(&port);
    timed.set_device_names({{kAts, "gpu0"}});
    timed.submit(traces::make_dma(t += 1000, kAts, traces::dma_op::read, 0x12000, 64));
    timed.submit(traces::make_dma(t += 1000, kAts, traces::dma_op::read, 0x12040, 64));
    timed_run run{{}, port.seen, timed.report(0, true)};
    std::rewind(csv);
    char line[512];
    while (std::fgets(line, sizeof line, csv)) {
      std::string l(line);
      run.latency.push_back(l.substr(l.rfind(',') + 1, l.find('\n') - l.rfind(',') - 1));
    }
    std::fclose(csv);
    return run;
  }

  void SetUp() override { make(); }
  request_outcome apply(const record& r) { return engine->submit(r); }
  request_outcome dma(uint64_t iova, uint16_t sid = kAts, traces::dma_op op = traces::dma_op::read,
                      traces::address_type at = traces::address_type::untranslated) {
    return apply(traces::make_dma(t += 1000, sid, op, iova, 64, at));
  }
  const ats_device& gpu() { return *devices.find(kAts); }
  static double stat(const stats_report& s, const std::string& name) {
    const auto* e = s.find(name);
    if (!e) ADD_FAILURE() << "no statistic " << name;
    return e ? e->value : -1;
  }
  uint64_t iotlb_lookups() { return unit->caches()->stats().iotlb.total.lookups; }
};

}  // namespace

TEST_F(AtsReplay, MissTranslationRequestFillThenTranslatedHit) {
  const request_outcome first = dma(0x10040);
  EXPECT_TRUE(first.ok);
  EXPECT_TRUE(first.ats);
  EXPECT_FALSE(first.ats_hit);
  EXPECT_EQ(first.hpa, 0x80000040u);  // the translated request's address: translated base + offset
  // Root, context and four paging-structure reads for the translation request.
  EXPECT_EQ(first.memory_reads, 6u);
  const uint64_t lookups = iotlb_lookups();
  const request_outcome second = dma(0x10F00, kAts, traces::dma_op::write);
  EXPECT_TRUE(second.ok);
  EXPECT_TRUE(second.ats_hit);
  EXPECT_EQ(second.hpa, 0x80000F00u);
  EXPECT_EQ(second.memory_reads, 0u);   // no walk (the context entry comes from the context-cache)
  EXPECT_EQ(iotlb_lookups(), lookups);  // translated requests bypass the IOTLB
  const auto& c = gpu().endpoint.counters();
  EXPECT_EQ(c.translation_requests, 1u);
  EXPECT_EQ(c.translated_requests, 2u);
  EXPECT_EQ(gpu().endpoint.tlb().stats().hits, 1u);
  EXPECT_EQ(gpu().endpoint.tlb().stats().misses, 1u);
  // The statistics name the device.
  const stats_report s = engine->report(0, false);
  EXPECT_EQ(stat(s, "device.gpu0.ats.tlb_hits"), 1.0);
  EXPECT_EQ(stat(s, "device.gpu0.ats.translation_requests"), 1.0);
  EXPECT_EQ(stat(s, "device.gpu0.ats.translated_requests"), 2.0);
}

TEST_F(AtsReplay, InvalidationAndItsCompletionEmptyTheDeviceTlb) {
  dma(0x11000);
  ASSERT_TRUE(dma(0x11000).ats_hit);
  // dev_tlb_inv_dsc SID 00:04.0, S=0 ADDR 0x11000: the one page.
  apply(traces::make_devtlb_inval(t += 1000, kAts, 0x11000, false, true));
  EXPECT_EQ(gpu().endpoint.counters().invalidation_requests, 1u);
  EXPECT_EQ(gpu().endpoint.counters().entries_invalidated, 1u);
  apply(traces::make_inv_wait(t += 1000, kStatus, 0xC0FFEE, false, true, false, true));
  EXPECT_EQ(*mem.read64(kStatus) & 0xFFFFFFFF, 0xC0FFEEu);  // answered: the wait completes
  const request_outcome again = dma(0x11000);
  EXPECT_FALSE(again.ats_hit);
  EXPECT_EQ(gpu().endpoint.counters().translation_requests, 2u);
  EXPECT_EQ(engine->ats_timeouts(), 0u);
}

TEST_F(AtsReplay, DeviceThatDoesNotAnswerTimesOutAndTheReplayGoesOn) {
  devices = ats_devices{};
  make(false);
  dma(0x12000);
  mem.write64(kStatus, 0);
  apply(traces::make_devtlb_inval(t += 1000, kAts, 0x12000, false, true));
  auto& regs = unit->unit().regs();
  EXPECT_TRUE(unit->unit().faults().fsts() & spec::reg::FSTS_ITE);
  EXPECT_EQ((regs.read64(spec::reg::IQERCD) >> 32) & 0xFFFF, kAts);  // IQERCD.ITESID
  apply(traces::make_inv_wait(t += 1000, kStatus, 0xC0FFEE, false, true, false, true));
  EXPECT_EQ(*mem.read64(kStatus), 0u);                               // the aborted wait wrote no status
  EXPECT_FALSE(unit->unit().faults().fsts() & spec::reg::FSTS_ITE);  // cleared as a driver does
  // The device kept its entry; the replay continues, later invalidations run again.
  EXPECT_TRUE(dma(0x12000).ats_hit);
  apply(traces::make_iotlb_inval(t += 1000, traces::granularity::domain, kDid, 0, 0, false, true));
  apply(traces::make_inv_wait(t += 1000, kStatus, 0x1234, false, true, false, true));
  EXPECT_EQ(*mem.read64(kStatus) & 0xFFFFFFFF, 0x1234u);
  EXPECT_EQ(engine->ats_timeouts(), 1u);
  EXPECT_EQ(engine->ats_waits_aborted(), 1u);
  const stats_report s = engine->report(0, false);
  EXPECT_EQ(stat(s, "device.gpu0.ats.timeouts"), 1.0);
  EXPECT_EQ(stat(s, "ats.invalidation_timeouts"), 1.0);
}

TEST_F(AtsReplay, StaleDeviceTlbEntryWithoutTheDeviceTlbInvalidation) {
  dma(0x13000);
  // The driver unmaps and invalidates the IOTLB, but not the device-TLB.
  apply(traces::make_unmap(t += 1000, kDid, 0x13000, 0x1000));
  apply(traces::make_iotlb_inval(t += 1000, traces::granularity::page, kDid, 0x13000, 0, false, true));
  const request_outcome r = dma(0x13000);
  EXPECT_TRUE(r.ats_hit);
  EXPECT_TRUE(r.ok);  // the device still reaches the old page: that is the bug
  ASSERT_EQ(engine->stale_count(), 1u);
  const stale_event& e = engine->stale_events().at(0);
  EXPECT_TRUE(e.device_tlb);
  EXPECT_NE(e.served.find("device-TLB of gpu0"), std::string::npos) << e.served;
  EXPECT_NE(e.served.find("0x80003000"), std::string::npos) << e.served;
  EXPECT_NE(e.memory.find("fault"), std::string::npos) << e.memory;
  EXPECT_NE(e.changed.find("unmap of [0x13000, 0x14000)"), std::string::npos) << e.changed;
  EXPECT_EQ(e.fix.rfind("dev_tlb_inv_dsc SID 00:04.0 ADDR 0x13000 S 0", 0), 0u) << e.fix;
  // A page of the same domain that did not change is checked once and re-stamped, not reported.
  dma(0x10000);
  EXPECT_EQ(engine->stale_count(), 1u);
}

TEST_F(AtsReplay, NoStaleEventWithTheDeviceTlbInvalidation) {
  dma(0x13000);
  apply(traces::make_unmap(t += 1000, kDid, 0x13000, 0x1000));
  apply(traces::make_iotlb_inval(t += 1000, traces::granularity::page, kDid, 0x13000, 0, false, true));
  apply(traces::make_devtlb_inval(t += 1000, kAts, 0x13000, false, true));
  const request_outcome r = dma(0x13000);
  EXPECT_FALSE(r.ats_hit);
  // The unit answers R=W=0 (translation-request column): no access, no fault.
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.ats_denied);
  EXPECT_EQ(r.fault, spec::fault_reason::none);
  EXPECT_EQ(engine->stale_count(), 0u);
  EXPECT_EQ(gpu().endpoint.counters().denied, 1u);
}

TEST_F(AtsReplay, TranslatedRequestOfATt00DeviceFaults0Dh) {
  const request_outcome r = dma(0x80000000, kPlain, traces::dma_op::read, traces::address_type::translated);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(uint8_t(r.fault), 0x0D);  // LCT.5: translated request with TT != 01
  EXPECT_FALSE(r.ats);
  // The ATS device's own translated record goes as it is (no device-TLB involved).
  const request_outcome a = dma(0x80000000, kAts, traces::dma_op::read, traces::address_type::translated);
  EXPECT_TRUE(a.ok);
  EXPECT_FALSE(a.ats);
  EXPECT_EQ(a.hpa, 0x80000000u);
}

TEST_F(AtsReplay, TimedLatencyOfAMissAndOfAHit) {
  const timed_run run = miss_then_hit();
  // Miss: the translation request reads the root entry, the context entry and four paging entries (no DMA
  // ran before), 3 + 6 x 10 = 63 ns; then the translated request, 3 + 500 = 503 ns (context-cache hit, no
  // walk): 566 ns. Hit: the translated request alone, 503 ns.
  EXPECT_EQ(run.latency, (std::vector<std::string>{"566.000", "503.000"}));
  EXPECT_EQ(run.seen.size(), 3u);
  EXPECT_EQ(run.seen[0].at, core::address_type::translation_request);
  EXPECT_EQ(run.seen[1].at, core::address_type::translated);
  EXPECT_EQ(run.seen[1].address, 0x80002000u);
  // 63 of (566 + 503) ns.
  EXPECT_NEAR(stat(run.stats, "device.gpu0.ats.translation_latency_share"), 63.0 / 1069.0, 1e-9);
}

// The same DMAs with the translation request's link round trip priced (what make_replay_system sets:
// timing.dma_access_ns - device.memory_ns, 590 - 90 = 500 ns by default): the miss costs 63 ns in the unit
// plus 500 ns on the link before the translated request's 503 ns: 1066 ns; the hit is unchanged.
TEST_F(AtsReplay, TimedMissPaysTheTranslationRequestsLinkRoundTrip) {
  devices = ats_devices{};
  make(true, 500.0);
  const timed_run run = miss_then_hit();
  EXPECT_EQ(run.latency, (std::vector<std::string>{"1066.000", "503.000"}));
  EXPECT_NEAR(stat(run.stats, "device.gpu0.ats.translation_latency_share"), 563.0 / 1569.0, 1e-9);
}

// Closed loop, PCIe Gen1 x1 (4 ns a byte), one tag. The translation request is a header-only 64-bit request
// TLP: 16 B header + 2 B sequence + 4 B LCRC + 2 B framing = 24 B = 96 ns up; its Translation Completion is a
// 12 B completion header + 8 B (one translation entry, two DWORDs) + 8 B of framing = 28 B = 112 ns down. The
// read request is 24 B (96 ns), its completion 20 B + 64 B = 336 ns.
TEST_F(AtsReplay, ClosedLoopTranslationRequestTakesTheTag) {
  scripted_port port(unit->unit());
  device_config config;
  config.issue = issue_mode::closed;
  config.params.tags = 1;
  config.params.link.generation = 1;
  config.params.link.lanes = 1;
  std::vector<picoseconds> completions;
  closed_loop loop(*engine, port, config, 0, [&](picoseconds now) { port.now = now; });
  const std::vector<record> records{traces::make_dma(t, kAts, traces::dma_op::read, 0x12000, 64),
                                    traces::make_dma(t, kAts, traces::dma_op::read, 0x12040, 64)};
  size_t i = 0;
  const uint64_t t0 = t;
  loop.run(
      [&](record& r) {
        if (i == records.size()) return false;
        r = records[i++];
        return true;
      },
      [&] { completions.push_back(loop.last().completion); });
  // Translation request: issue t0, arrives +96, answered +96+63 (3 ns + six reads), completion +159+112 =
  // +271 frees the tag. The translated read issues at +271, arrives +367, is served +367+503 = +870, and
  // completes +870+336 = +1206. The second read (a device-TLB hit) waits for the tag: issues +1206, arrives
  // +1302, served +1805, completes +2141.
  EXPECT_EQ(completions, (std::vector<picoseconds>{t0 + 1206 * kNs, t0 + 2141 * kNs}));
  EXPECT_EQ(port.arrivals, (std::vector<picoseconds>{t0 + 96 * kNs, t0 + 96 * kNs, t0 + 1302 * kNs}));
  const closed_device_stats& s = loop.devices().at(kAts);
  EXPECT_EQ(s.translation_requests, 1u);
  EXPECT_EQ(s.requests, 2u);
  EXPECT_EQ(s.tag_held, 2141 * kNs);  // the one tag is held from the first issue to the last completion
}
