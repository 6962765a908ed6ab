// SystemC shell tests. SystemC refuses new modules once simulation has run, so this binary builds its
// testbenches, runs every sub-case inside a single sc_start(), and checks the results afterwards with
// GoogleTest. Compared against the functional core (a second unit over the same memory) and hand-computed
// latencies. A second bench puts a memory that honours every payload (fills or reads all data_length bytes)
// behind the unit, and a sink on its interrupt output.
#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <systemc>
#include <vector>

#include "model/core/remapping_unit.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/sysc/memory_target.hpp"
#include "model/sysc/remapping_unit_module.hpp"
#include "model/sysc/request_initiator.hpp"

using namespace vtd;

// The embeddable unit booted through registers (embed_test.cpp): builds its platform, kept alive by the
// result.
std::shared_ptr<void> start_embed_bench();

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kPml4 = 0x102000, kPdpt = 0x103000, kPd = 0x104000,
                   kPt = 0x105000, kIrt = 0x110000;
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
  // Interrupt handle 5: vector 0x41 to APIC 7, logical destination, level-triggered, delivery mode 1.
  spec::irte::remapped_fields f;
  f.vector = 0x41;
  f.destination = 7;
  f.dlm = 1;
  f.dm = true;
  f.tm = true;
  const auto e = spec::irte::make_remapped(f, false);
  mem.write64(kIrt + 5 * 16, e.lo);
  mem.write64(kIrt + 5 * 16 + 8, e.hi);
}

struct timed_request {
  uint64_t time_ps = 0;
  timing::upstream_request req;
};
struct observed {
  timing::upstream_request req;
  timing::upstream_result res;
};

std::vector<timed_request> g_requests;
std::vector<observed> g_seen;
core::physical_memory* g_mem = nullptr;
timing::timing_params g_params;

timed_request dma(uint64_t t_ns, uint64_t addr, bool write, uint32_t length = 64) {
  timed_request r;
  r.time_ps = t_ns * 1000;
  r.req.dma.source_id = kSid;
  r.req.dma.address = addr;
  r.req.dma.length = length;
  r.req.dma.access = write ? core::access_kind::write : core::access_kind::read;
  return r;
}

timed_request msi(uint64_t t_ns, const spec::msi_request& m) {
  timed_request r = dma(t_ns, m.address, true, 4);
  r.req.data = m.data;
  return r;
}

// Issues `list` in order on `port`, keeping every result.
void drive(sysc::request_initiator& port, const std::vector<timed_request>& list,
           std::vector<observed>& seen) {
  size_t next = 0;
  port.step = [&port, &list, &seen, next]() mutable {
    if (next == list.size()) return false;
    const timed_request& r = list[next++];
    port.advance_to(r.time_ps);
    seen.push_back({r.req, port.transport(r.req)});
    return true;
  };
}

// A memory that honours the payload: a read fills all data_length bytes, a write reads them all.
class honest_memory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<honest_memory> socket;
  std::vector<unsigned> lengths;
  unsigned nonzero_write_bytes = 0;  // bytes of writes past the first DWORD that were not zero

  explicit honest_memory(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
    socket.register_b_transport(this, &honest_memory::b_transport);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
    unsigned char* data = gp.get_data_ptr();
    const unsigned n = gp.get_data_length();
    lengths.push_back(n);
    if (gp.is_read()) {
      std::memset(data, 0xA5, n);
    } else {
      for (unsigned i = 4; i < n; ++i) nonzero_write_bytes += data[i] != 0;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

class interrupt_sink : public sc_core::sc_module, public sysc::interrupt_sink_if {
 public:
  std::vector<sysc::interrupt_message> got;
  std::vector<uint64_t> at_ps;  // when each reached the APIC

  explicit interrupt_sink(sc_core::sc_module_name name) : sc_module(name) {}
  void deliver(const sysc::interrupt_message& m, const sc_core::sc_time& delay) override {
    got.push_back(m);
    at_ps.push_back(static_cast<uint64_t>((sc_core::sc_time_stamp() + delay).value()));
  }
};

honest_memory* g_honest = nullptr;
interrupt_sink* g_sink = nullptr;
std::vector<timed_request> g_requests2;
std::vector<observed> g_seen2;

}  // namespace

TEST(SystemcShell, TimedResultsMatchFunctionalCore) {
  ASSERT_EQ(g_seen.size(), g_requests.size());
  core::remapping_unit reference(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                                 *g_mem);
  reference.set_root_table(kRoot);
  reference.enable_translation(true);
  for (const auto& o : g_seen) {
    auto f = reference.translate(o.req.dma);
    EXPECT_EQ(o.res.translation.status, f.status);
    EXPECT_EQ(o.res.translation.fault, f.fault);
    if (f.ok()) {
      EXPECT_EQ(o.res.translation.hpa, f.hpa);
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
  EXPECT_TRUE(first.res.timed);
  EXPECT_EQ(first.res.timing.arrival, 1'000'000u);
  EXPECT_EQ(first.res.timing.translation_done - first.res.timing.arrival, walk);
  EXPECT_EQ(first.res.timing.done - first.res.timing.arrival, walk + access);
  // The write to the read-only page faults: translation time only, no access.
  const auto& fault = g_seen.at(2);
  EXPECT_EQ(fault.res.translation.fault, spec::fault_reason::write_denied);
  EXPECT_EQ(fault.res.timing.done - fault.res.timing.arrival, walk);
}

TEST(SystemcShell, BackToBackRequestsQueueForTheOnlyWalker) {
  // Requests 3 and 4 arrive at the same time; with one walker the second waits for the first walk.
  const auto& a = g_seen.at(3).res.timing;
  const auto& b = g_seen.at(4).res.timing;
  EXPECT_EQ(a.walker_queue_delay, 0u);
  EXPECT_GT(b.walker_queue_delay, 0u);
  EXPECT_EQ(b.walk_start, a.translation_done);
}

TEST(SystemcShell, TheWalkRecordTravelsWithTheTransaction) {
  // Each result carries its own walk record and the facts the core's walk holds.
  for (const auto& o : g_seen) {
    EXPECT_EQ(o.res.memory_reads, o.res.walk.memory_reads());
    EXPECT_FALSE(o.res.iotlb_hit) << "no caches plugged in";
  }
  EXPECT_EQ(g_seen.at(0).res.walk.memory_reads(), 6u);
}

// The payload's data pointer points to data_length bytes: a target that fills a 4 KiB read and reads a 4 KiB
// write stays inside it (this bench runs under AddressSanitizer in the asan preset), and a write's data is
// zero whatever an earlier read left in the initiator's buffer.
TEST(SystemcShell, TargetsMayHonourThePayloadLength) {
  ASSERT_NE(g_honest, nullptr);
  EXPECT_EQ(g_honest->lengths, (std::vector<unsigned>{4096, 4096, 64, 8, 4096}));
  EXPECT_EQ(g_honest->nonzero_write_bytes, 0u);
  for (size_t i = 0; i < 5; ++i) EXPECT_TRUE(g_seen2.at(i).res.translation.ok()) << i;
}

TEST(SystemcShell, RemappedInterruptsLeaveOnTheInterruptOutput) {
  ASSERT_NE(g_sink, nullptr);
  ASSERT_EQ(g_seen2.size(), 7u);
  const auto& remapped = g_seen2.at(5).res;
  ASSERT_TRUE(remapped.is_interrupt());
  ASSERT_EQ(remapped.interrupt.status, core::interrupt_status::remapped) << spec::to_string(remapped.fault());
  ASSERT_EQ(g_sink->got.size(), 1u) << "the blocked interrupt (handle 6, not present) is not delivered";
  const auto& m = g_sink->got[0];
  EXPECT_EQ(m.from, sysc::interrupt_message::source::remapped);
  EXPECT_EQ(m.result.vector, 0x41);
  // Compatibility format towards the APIC: destination 7 in 19:12, DM (logical) in bit 2; vector, delivery
  // mode 1 and level trigger in the data.
  EXPECT_EQ(m.address, 0xFEE07004u);
  EXPECT_EQ(m.data, 0x41u | (1u << 8) | 0xC000u);
  EXPECT_EQ(g_sink->at_ps[0], remapped.timing.done) << "annotated with the delivery time";
  EXPECT_FALSE(g_seen2.at(6).res.ok());
}

int sc_main(int argc, char** argv) {
  core::physical_memory mem(uint64_t{1} << 32);
  g_mem = &mem;
  build_tables(mem);
  const auto config = core::unit_config::from_preset(*spec::find_capability_preset("server"));
  core::remapping_unit unit(config, mem);
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
  drive(root_port, g_requests, g_seen);

  // Second bench: interrupt remapping on, a memory that honours payloads, a sink on the interrupt output.
  core::remapping_unit unit2(config, mem);
  unit2.set_root_table(kRoot);
  unit2.enable_translation(true);
  unit2.set_interrupt_table(spec::reg::make_irta(kIrt, 7, false));
  unit2.enable_interrupt_remapping(true);
  sysc::remapping_unit_module iommu2("iommu2", unit2, g_params);
  honest_memory honest("honest");
  interrupt_sink sink("sink");
  sysc::request_initiator root_port2("root_port2", sc_core::sc_time(1, sc_core::SC_US));
  root_port2.socket.bind(iommu2.upstream);
  iommu2.downstream.bind(honest.socket);
  iommu2.irq_out.bind(sink);
  g_honest = &honest;
  g_sink = &sink;
  g_requests2 = {dma(1000, 0x1000, false, 4096),
                 dma(2000, 0x1000, true, 4096),
                 dma(3000, 0x1040, false),
                 dma(4000, 0x1040, true, 8),
                 dma(5000, 0x1000, false, 4096),
                 msi(6000, spec::msi_request::make_remappable(5, false, 0)),
                 msi(7000, spec::msi_request::make_remappable(6, false, 0))};
  drive(root_port2, g_requests2, g_seen2);

  const std::shared_ptr<void> embed_bench = start_embed_bench();

  sc_core::sc_start();
  if (root_port.failure() || root_port2.failure()) {
    std::fprintf(stderr, "a testbench thread failed\n");
    return 1;
  }

  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
