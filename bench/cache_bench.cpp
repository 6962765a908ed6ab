// IOTLB and context-cache lookup speed (VT-d spec 6.2 caches): hit and miss paths of the default geometry.
#include <benchmark/benchmark.h>

#include <vector>

#include "model/core/cache/translation_caches.hpp"

namespace {
using namespace vtd::core;

// 512 resident 4 KiB pages of one domain, looked up round-robin: every lookup hits.
void bm_iotlb_hit(benchmark::State& state) {
  translation_caches c;
  for (uint64_t p = 0; p < 512; ++p) c.tlb().fill(1, p << 12, (p + 1000) << 12, 4096, true, true);
  uint64_t p = 0, sum = 0;
  for (auto _ : state) {
    const iotlb_entry* e = c.tlb().lookup(1, (p << 12) | 0x40);
    sum += e->frame;
    p = (p + 1) & 511;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_iotlb_hit);

// Hits on 2 MiB entries: the lookup probes the (non-empty) 4 KiB size first.
void bm_iotlb_hit_2m_behind_4k(benchmark::State& state) {
  translation_caches c;
  c.tlb().fill(1, 0x4000'0000, 0, 4096, true, true);
  for (uint64_t p = 0; p < 256; ++p) c.tlb().fill(1, p << 21, p << 21, 1ull << 21, true, true);
  uint64_t p = 0, sum = 0;
  for (auto _ : state) {
    sum += c.tlb().lookup(1, (p << 21) | 0x1234)->frame;
    p = (p + 1) & 255;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_iotlb_hit_2m_behind_4k);

// Misses with all three page sizes populated (three probes each).
void bm_iotlb_miss(benchmark::State& state) {
  translation_caches c;
  for (uint64_t p = 0; p < 256; ++p) {
    c.tlb().fill(1, p << 12, p << 12, 4096, true, true);
    c.tlb().fill(1, p << 21, p << 21, 1ull << 21, true, true);
    c.tlb().fill(1, p << 30, p << 30, 1ull << 30, true, true);
  }
  uint64_t p = 0, n = 0;
  for (auto _ : state) {
    n += c.tlb().lookup(2, p << 12) == nullptr;
    p = (p + 1) & 1023;
  }
  benchmark::DoNotOptimize(n);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_iotlb_miss);

// A full cached translation's cache work: context-cache hit then IOTLB hit.
void bm_context_then_iotlb_hit(benchmark::State& state) {
  translation_caches c;
  for (uint16_t sid = 0; sid < 16; ++sid)
    c.context().fill(
        sid, vtd::spec::context_entry::make(0x1000, 2, 1, vtd::spec::translation_type::untranslated_only));
  for (uint64_t p = 0; p < 512; ++p) c.tlb().fill(1, p << 12, p << 12, 4096, true, true);
  uint64_t p = 0, sum = 0;
  for (auto _ : state) {
    const context_cache_entry* ctx = c.context().lookup(uint16_t(p & 15));
    sum += c.tlb().lookup(ctx->did, p << 12)->frame;
    p = (p + 1) & 511;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_context_then_iotlb_hit);

}  // namespace
