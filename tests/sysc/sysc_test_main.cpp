// SystemC shell tests. SystemC refuses new modules once simulation has run, so this binary builds one
// testbench, runs every sub-case inside a single sc_start(), and checks the results afterwards with
// GoogleTest. Compared against the functional core (a second unit over the same memory) and hand-computed
// latencies.
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>
#include <vector>

#include "model/core/remapping_unit.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/sysc/memory_target.hpp"
#include "model/sysc/remapping_unit_module.hpp"
#include "model/sysc/request_initiator.hpp"

using namespace vtd;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kPml4 = 0x102000, kPdpt = 0x103000, kPd = 0x104000,
                   kPt = 0x105000;
constexpr uint16_t kSid = core::make_source_id(0, 2, 0);

void build_tables(core::physical_memory& mem) {
  mem.write64(kRoot, spec::root_entry::make(kCtx).lo);
  auto ctx = spec::context_entry::make(kPml4, 2, 7, spec::translation_type::untranslated_only);
  mem.write64(kCtx + (kSid & 0xFF) * 16, ctx.lo);
  mem.write64(kCtx + (kSid & 0xFF) * 16 + 8, ctx.hi);
  mem.write64(kPml4, spec::sl_entry::make_table(kPdpt).raw);
  mem.write64(kPdpt, spec::sl_entry::make_table(kPd).raw);
  mem.write64(kPd, spec::sl_entry::make_table(kPt).raw);
  // IOVA 0x1000 -> 0x7000_0000 read/write; IOVA 0x2000 -> 0x7000_1000 read-only.
  mem.write64(kPt + 1 * 8, spec::sl_entry::make_leaf(1, 0x70000000, true, true).raw);
  mem.write64(kPt + 2 * 8, spec::sl_entry::make_leaf(1, 0x70001000, true, false).raw);
}

struct observed {
  sysc::upstream_request req;
  sysc::request_extension ext;
};

std::vector<sysc::upstream_request> g_requests;
std::vector<observed> g_seen;
core::physical_memory* g_mem = nullptr;
timing::timing_params g_params;

sysc::upstream_request dma(uint64_t t_ns, uint64_t addr, bool write) {
  sysc::upstream_request r;
  r.time_ps = t_ns * 1000;
  r.source_id = kSid;
  r.address = addr;
  r.length = 64;
  r.write = write;
  return r;
}

}  // namespace

TEST(SystemcShell, TimedResultsMatchFunctionalCore) {
  ASSERT_EQ(g_seen.size(), g_requests.size());
  core::remapping_unit reference(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                                 *g_mem);
  reference.set_root_table(kRoot);
  reference.enable_translation(true);
  for (const auto& o : g_seen) {
    core::dma_request r;
    r.source_id = o.req.source_id;
    r.address = o.req.address;
    r.length = o.req.length;
    r.access = o.req.write ? core::access_kind::write : core::access_kind::read;
    auto f = reference.translate(r);
    EXPECT_EQ(o.ext.status, f.status);
    EXPECT_EQ(o.ext.fault, f.fault);
    if (f.ok()) {
      EXPECT_EQ(o.ext.hpa, f.hpa);
    }
  }
}

TEST(SystemcShell, UncachedWalkLatencyIsHandComputed) {
  // No caches plugged in: every request reads root, context and 4 paging entries (6 reads), after one
  // miss-detect cycle. A successful DMA then adds the memory target's latency.
  const uint64_t cycle = g_params.cycles(1);
  const uint64_t walk =
      cycle * g_params.miss_detect_cycles + 6 * timing::timing_params::ns(g_params.table_read_ns);
  const uint64_t access = timing::timing_params::ns(g_params.dma_access_ns);
  const auto& first = g_seen.at(0);
  EXPECT_EQ(first.ext.timing.arrival, 1'000'000u);
  EXPECT_EQ(first.ext.timing.translation_done - first.ext.timing.arrival, walk);
  EXPECT_EQ(first.ext.timing.done - first.ext.timing.arrival, walk + access);
  // The write to the read-only page faults: translation time only, no access.
  const auto& fault = g_seen.at(2);
  EXPECT_EQ(fault.ext.fault, spec::fault_reason::write_denied);
  EXPECT_EQ(fault.ext.timing.done - fault.ext.timing.arrival, walk);
}

TEST(SystemcShell, BackToBackRequestsQueueForTheOnlyWalker) {
  // Requests 3 and 4 arrive at the same time; with one walker the second waits for the first walk.
  const auto& a = g_seen.at(3).ext.timing;
  const auto& b = g_seen.at(4).ext.timing;
  EXPECT_EQ(a.walker_queue_delay, 0u);
  EXPECT_GT(b.walker_queue_delay, 0u);
  EXPECT_EQ(b.walk_start, a.translation_done);
}

int sc_main(int argc, char** argv) {
  core::physical_memory mem(uint64_t{1} << 32);
  g_mem = &mem;
  build_tables(mem);
  core::remapping_unit unit(core::unit_config::from_preset(*spec::find_capability_preset("server")), mem);
  unit.set_root_table(kRoot);
  unit.enable_translation(true);

  g_params = timing::timing_params{};
  g_params.walkers = 1;
  g_params.table_read_ns = 100;
  g_params.dma_access_ns = 500;
  g_requests = {dma(1000, 0x1040, false), dma(2000, 0x2000, false), dma(3000, 0x2000, true),
                dma(10000, 0x1000, true), dma(10000, 0x1080, true), dma(20000, 0x9000, false)};

  sysc::remapping_unit_module iommu("iommu", unit, g_params);
  sysc::memory_target memory("memory", sc_core::sc_time(g_params.dma_access_ns, sc_core::SC_NS));
  sysc::request_initiator root_port("root_port", sc_core::sc_time(1, sc_core::SC_US));
  root_port.socket.bind(iommu.upstream);
  iommu.downstream.bind(memory.socket);
  size_t next = 0;
  root_port.next = [&](sysc::upstream_request& r) {
    if (next == g_requests.size()) return false;
    r = g_requests[next++];
    return true;
  };
  root_port.on_complete = [&](const sysc::upstream_request& r, const sysc::request_extension& e) {
    g_seen.push_back({r, e});
  };
  sc_core::sc_start();

  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
