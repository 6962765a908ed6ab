// Timing parameters of the remapping unit and its memory path. Every default names where it comes from:
// a published measurement, a vendor document, or a stated assumption (docs/timing.md lists them all).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vtd::timing {

using picoseconds = uint64_t;

struct timing_params {
  double clock_ghz = 1.0;  // remapping-unit clock; assumption: uncore/IIO clocks are ~1-2.4 GHz
  // Lookup latencies in unit cycles (gem5 SMMUv3: 3-cycle TLB, 4-cycle walk caches).
  unsigned iotlb_hit_cycles = 3;
  unsigned context_cache_hit_cycles = 4;
  unsigned pasid_cache_hit_cycles = 4;  // assumption: a configuration cache like the context-cache
  unsigned psc_hit_cycles = 4;          // paging-structure cache
  unsigned iec_hit_cycles = 4;          // interrupt entry cache
  unsigned miss_detect_cycles = 1;      // extra cycles to declare a miss and hand the request to a walker
  unsigned lookups_per_cycle = 1;       // lookup pipeline throughput (port contention)
  unsigned walkers = 16;                // concurrent page walks (gem5 SMMUv3 default: 16)
  double table_read_ns = 70.0;   // one root/context/paging/IRTE read from memory (assumption: DRAM ~70 ns
                                 // from the root complex; calibrated with the pcie-bench knee below)
  double dma_access_ns = 590.0;  // the translated DMA's own round trip (PCIe + memory); pcie-bench
                                 // Broadwell 64 B read median ~600 ns with IOTLB hits
  double register_invalidation_ns = 1000.0;  // register-based invalidation until ICC/IVT clears (assumption)
  double queued_descriptor_ns = 100.0;       // one queued invalidation descriptor (assumption)
  double invalidation_wait_ns = 1500.0;      // inv_wait completion: Linux dmar_perf_latency ~1-2 us
  double interrupt_delivery_ns = 50.0;       // remapped interrupt to the local APIC (assumption)
  picoseconds quantum_ps = 1'000'000;        // SystemC temporal-decoupling quantum (1 us)

  picoseconds cycles(unsigned n) const { return static_cast<picoseconds>(n * 1000.0 / clock_ghz + 0.5); }
  static picoseconds ns(double v) { return static_cast<picoseconds>(v * 1000.0 + 0.5); }
};

struct timing_preset {
  const char* name;
  const char* description;
  timing_params params;
};
std::span<const timing_preset> timing_presets();
std::optional<timing_params> find_timing_preset(std::string_view name);

}  // namespace vtd::timing
