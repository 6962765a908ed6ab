// The synthetic workload: which devices, with which parameters (all with documented defaults, see
// docs/generator.md), and how long. Rates are in the units people use: Gbit/s, IOPS, GB/s.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vtd::traces::gen {

struct nic_params {
  unsigned count = 1;   // NICs (each on its own bus and domain)
  unsigned queues = 4;  // RX/TX queue pairs, each with an MSI-X vector
  double rx_gbps = 25, tx_gbps = 25;
  unsigned ring_size = 512;           // descriptors per ring (16 bytes each)
  bool strict = true;                 // strict: invalidate per unmap; deferred: batched flush
  unsigned flush_batch = 256;         // deferred: flush after this many unmaps (Linux IOVA_FQ_SIZE)
  uint64_t flush_timeout_us = 10000;  // ... or this long after the first queued unmap (Linux: 10 ms)
  unsigned coalesce_packets = 32;     // interrupt moderation: one MSI per N packets ...
  unsigned coalesce_us = 50;          // ... or per T microseconds, whichever comes first
  bool page_pool = false;             // RX buffers from a pre-mapped pool instead of per-packet map/unmap
};

struct nvme_params {
  unsigned count = 1;
  unsigned queues = 4;
  uint64_t iops = 200000;
  unsigned queue_depth = 32;  // outstanding I/Os per controller
  unsigned io_bytes = 4096;   // 4 KiB .. 128 KiB
  unsigned read_percent = 70;
  bool sequential = false;  // sequential I/O uses physically contiguous buffers (readahead-like)
  bool strict = true;
  unsigned flush_batch = 256;
  uint64_t flush_timeout_us = 10000;
  uint64_t device_latency_us = 80;  // submission to completion
};

struct gpu_params {
  unsigned count = 0;
  double gbytes_per_s = 16;
  unsigned buffers = 2;
  uint64_t buffer_bytes = uint64_t{1} << 30;  // mapped once, 2 MiB / 1 GiB aligned (superpages)
  unsigned request_bytes = 256;
  uint64_t stride_bytes = 0;  // 0: streaming; else strided access
  unsigned read_percent = 50;
};

struct workload {
  std::string name = "mixed";
  uint64_t seed = 1;
  uint64_t dma_target = 1000000;  // stop after this many DMA records
  uint64_t faults = 0;            // DMAs to unmapped IOVAs, spread over the trace
  nic_params nic;
  nvme_params nvme;
  gpu_params gpu;
};

// "mixed" (NIC + NVMe), "nic", "nvme", "gpu", "all" (NIC + NVMe + GPU).
workload preset_workload(const std::string& name);
std::vector<std::string> workload_names();

// What a generated platform and trace can encode (docs/generator.md, "Limits"). Each kind of device has 16
// buses and 16 domain ids of its own (NIC i: bus 0x10+i, domain 1+i; NVMe: 0x20+i, 0x11+i; GPU: 0x30+i,
// 0x21+i), so no two devices share a BDF or a domain id and every id fits even CAP.ND=2 (8 bits).
// NIC queue q uses MSI-X vector 0x40+q and destination APIC q (xAPIC). The rates' lower bounds and the DMA
// bound keep the last record's time below 2^63 ps: the slowest allowed device (NVMe at 100 IOPS, three DMAs
// per I/O at least) reaches 10^9 DMAs at 3.3e18 ps. Queue depth times the largest I/O stays far inside the
// 4 GiB IOVA window of a domain.
namespace limits {
inline constexpr unsigned max_devices_per_kind = 16;
inline constexpr uint64_t max_dmas = 1000000000;
inline constexpr unsigned max_nic_queues = 64;
inline constexpr double min_gbps = 0.01, max_gbps = 1000;  // NIC Gbit/s and GPU GB/s
inline constexpr uint64_t min_nvme_iops = 100, max_nvme_iops = 10000000;
inline constexpr unsigned max_nvme_queue_depth = 4096;
inline constexpr unsigned min_nvme_io = 4096, max_nvme_io = 128 * 1024;  // a multiple of 4 KiB
}  // namespace limits

// Checks every parameter of `w` against the limits above; throws trace_error naming the first parameter out
// of range. generate() calls it first; the command line checks the same ranges with its option names.
void validate(const workload& w);

}  // namespace vtd::traces::gen
