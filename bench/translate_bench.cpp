// Functional translation throughput of the complete unit (core + caches), the inner loop of `vtdsim replay
// --functional`: IOTLB-hit-dominated traffic, and traffic whose working set overflows the IOTLB so that most
// requests walk (with paging-structure-cache help). Goals (issue 4): >= 30 M/s hit-dominated, >= 8 M/s
// missing.
#include <benchmark/benchmark.h>

#include <memory>

#include "model/core/system/iommu.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/timing/upstream.hpp"

using namespace vtd;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kPml4 = 0x102000, kPdpt = 0x103000, kPd = 0x104000,
                   kPtBase = 0x200000;
constexpr uint16_t kSid = core::make_source_id(1, 0, 0);

// 4-level tables mapping `pages` 4 KiB pages from IOVA 0 (identity + 0x40000000).
struct bench_system {
  core::physical_memory mem{uint64_t{1} << 34};
  std::unique_ptr<core::iommu> unit;

  explicit bench_system(uint64_t pages) {
    mem.write64(kRoot + 16 * 1, spec::root_entry::make(kCtx).lo);
    auto ctx = spec::context_entry::make(kPml4, 2, 1, spec::translation_type::untranslated_only);
    mem.write64(kCtx, ctx.lo);
    mem.write64(kCtx + 8, ctx.hi);
    mem.write64(kPml4, spec::sl_entry::make_table(kPdpt).raw);
    mem.write64(kPdpt, spec::sl_entry::make_table(kPd).raw);
    for (uint64_t p = 0; p < pages; ++p) {
      uint64_t pt = kPtBase + (p / 512) * 0x1000;
      if (p % 512 == 0) mem.write64(kPd + (p / 512) * 8, spec::sl_entry::make_table(pt).raw);
      mem.write64(pt + (p % 512) * 8, spec::sl_entry::make_leaf(1, 0x40000000 + p * 0x1000, true, true).raw);
    }
    unit =
        std::make_unique<core::iommu>(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                                      mem, core::translation_caches_config{});
    unit->unit().set_root_table(kRoot);
    unit->unit().enable_translation(true);
  }
};

void run(benchmark::State& state, uint64_t pages, uint64_t stride_pages) {
  bench_system sys(pages);
  core::dma_request req;
  req.source_id = kSid;
  req.length = 64;
  uint64_t page = 0, sum = 0;
  for (auto _ : state) {
    req.address = page * 0x1000 + 0x40;
    sum += sys.unit->translate(req).hpa;
    page += stride_pages;
    if (page >= pages) page -= pages;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  auto st = sys.unit->caches()->stats();
  state.counters["iotlb_hit_rate"] =
      st.iotlb.total.lookups ? double(st.iotlb.total.hits) / double(st.iotlb.total.lookups) : 0.0;
}

// 64 pages: fits the 1024-entry IOTLB, every request hits after the first pass.
void BM_TranslateIotlbHit(benchmark::State& state) {
  run(state, 64, 1);
}
// 64 Ki pages (256 MiB) walked with a large stride: almost every request misses the IOTLB and walks.
void BM_TranslateIotlbMiss(benchmark::State& state) {
  run(state, 65536, 4099);
}

// The functional replay's call (issue 16): serve() with its walk record, on IOTLB hits. `keep_steps` false is
// the record a caller gets when it reads only the facts (hit, memory reads), not the steps.
void serve_hits(benchmark::State& state, bool keep_steps) {
  bench_system sys(64);
  timing::upstream_request req;
  req.dma.source_id = kSid;
  req.dma.length = 64;
  timing::upstream_result out;
  out.walk.keep_steps(keep_steps);
  uint64_t page = 0, sum = 0;
  for (auto _ : state) {
    req.dma.address = page * 0x1000 + 0x40;
    timing::serve(sys.unit->unit(), req, out);
    sum += out.translation.hpa + out.iotlb_hit;
    page = (page + 1) & 63;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
void BM_ServeIotlbHit(benchmark::State& state) {
  serve_hits(state, true);
}
void BM_ServeIotlbHitFactsOnly(benchmark::State& state) {
  serve_hits(state, false);
}

}  // namespace

BENCHMARK(BM_TranslateIotlbHit);
BENCHMARK(BM_TranslateIotlbMiss);
BENCHMARK(BM_ServeIotlbHit);
BENCHMARK(BM_ServeIotlbHitFactsOnly);
