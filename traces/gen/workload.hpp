// The synthetic workload: which devices, with which parameters (all with documented defaults, see
// docs/generator.md), and how long. Rates are in the units people use: Gbit/s, IOPS, GB/s.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "traces/trace_common.hpp"

namespace vtd::traces::gen {

// Legacy mode (the default) or scalable mode: the platform file's "mode" and which translations the devices'
// domains use (docs/generator.md, "Scalable mode").
enum class gen_mode : uint8_t { legacy, scalable };
const char* to_string(gen_mode m);  // "legacy", "scalable"

// The translation of a NIC's, NVMe controller's or GPU's DMA domain (its RID_PASID's, in scalable mode).
// Legacy mode has only `second`. Scalable mode: `first` is Linux's DMA API on a first-stage domain, `second`
// today's device on a second-stage domain, `nested` a device assigned to the vIOMMU guest (the guest's first
// stage over the host's second-stage domain of guest memory).
enum class device_stage : uint8_t { second, first, nested };
const char* to_string(device_stage s);  // "second", "first", "nested"

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
  device_stage stage = device_stage::second;
  bool ats = false;  // ATS with a device TLB (a smart NIC): TT=01 / DTE=1, device-TLB invalidation per flush
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
  device_stage stage = device_stage::second;
  bool ats = false;  // ATS with a device TLB
};

struct gpu_params {
  unsigned count = 0;
  double gbytes_per_s = 16;
  unsigned buffers = 2;
  uint64_t buffer_bytes = uint64_t{1} << 30;  // mapped once, 2 MiB / 1 GiB aligned (superpages)
  unsigned request_bytes = 256;
  uint64_t stride_bytes = 0;  // 0: streaming; else strided access
  unsigned read_percent = 50;
  device_stage stage = device_stage::second;  // first or second (a GPU in the vIOMMU guest is not modelled)
  bool ats =
      false;  // ATS with a device TLB: the typical GPU, streaming over buffers far larger than the IOTLB
};

// Shared virtual addressing: a DSA-like accelerator whose work queue is shared by `pasids` processes, each
// bound (PASID-table entry) to a first-stage domain that stands for its address space. Scalable mode only.
struct sva_params {
  unsigned count = 0;              // accelerators (each one source-id)
  unsigned pasids = 8;             // processes per accelerator
  double gbytes_per_s = 8;         // copy bandwidth per accelerator (bytes read = bytes written)
  unsigned transfer_bytes = 4096;  // bytes per work descriptor (memory move)
  uint64_t rebind_us = 0;          // each process unbinds and binds again this often; 0: bound throughout
  uint64_t unbound_us = 20;        // ... staying unbound this long
  bool ats = false;  // ATS with a device TLB (DTE=1): PASID-based device-TLB invalidation on unbind
};

struct workload {
  std::string name = "mixed";
  uint64_t seed = 1;
  uint64_t dma_target = 1000000;  // stop after this many DMA records
  uint64_t faults = 0;            // DMAs to unmapped IOVAs, spread over the trace
  gen_mode mode = gen_mode::legacy;
  // What the trace's header says its times mean (docs/generator.md, "Open and closed loop"): open, issue
  // times (a NIC's packets arrive at line rate whatever the IOMMU does); closed, the earliest each request
  // may be issued (a device with bounded outstanding requests). The records are the same either way.
  issue_mode issue = issue_mode::open;
  // The platform's capability preset; empty: "server" (legacy) or "server-sm" (scalable). ATS devices need
  // one with ECAP.DT (validate() refuses others).
  std::string preset;
  // Remapping units the platform has (docs/generator.md, "Several remapping units"): device k of the one-unit
  // platform's list goes under unit k mod `units`. The trace is the same for every count.
  unsigned units = 1;
  nic_params nic;
  nvme_params nvme;
  gpu_params gpu;
  sva_params sva;
};

// Legacy mode: "mixed" (NIC + NVMe), "nic", "nvme", "gpu", "all" (NIC + NVMe + GPU). Scalable mode:
// "dma-api" (NIC + NVMe on first-stage domains), "sva" (an accelerator with 8 processes), "viommu" (NIC +
// NVMe in a vIOMMU guest), "mixed" (first-stage NIC, second-stage NVMe, SVA accelerator), "all" (nested NIC,
// first-stage NVMe, second-stage GPU, SVA accelerator). Throws trace_error for another name.
workload preset_workload(const std::string& name, gen_mode mode = gen_mode::legacy);
std::vector<std::string> workload_names(gen_mode mode = gen_mode::legacy);

// What a generated platform and trace can encode (docs/generator.md, "Limits"). Each kind of device has 16
// buses and 16 domain ids of its own (NIC i: bus 0x10+i, domain 1+i; NVMe: 0x20+i, 0x11+i; GPU: 0x30+i,
// 0x21+i; SVA accelerators, scalable mode only: 0x40+i, 0x31+i), so no two devices share a BDF or a domain
// id and every legacy-mode id fits even CAP.ND=2 (8 bits); the SVA processes' domains (up to 0x4FF) need the
// 16-bit ids of server-sm (CAP.ND=6), and the vIOMMU guest's memory is domain 0x70.
// NIC queue q uses MSI-X vector 0x40+q and destination APIC q (xAPIC). The rates' lower bounds and the DMA
// bound keep the last record's time below 2^63 ps: the slowest allowed device (NVMe at 100 IOPS, three DMAs
// per I/O at least) reaches 10^9 DMAs at 3.3e18 ps. Queue depth times the largest I/O stays far inside the
// 4 GiB IOVA window of a domain. The slowest SVA setting (0.01 GB/s, 1 MiB per descriptor: 513 DMAs per
// 10^8 ns; processes unbound at most half of the time) reaches 10^9 DMAs below 10^18 ps.
namespace limits {
inline constexpr unsigned max_devices_per_kind = 16;
// Remapping units of a generated platform (a two-socket server has a dozen); at most one per device.
inline constexpr unsigned max_units = 16;
inline constexpr uint64_t max_dmas = 1000000000;
inline constexpr unsigned max_nic_queues = 64;
inline constexpr double min_gbps = 0.01, max_gbps = 1000;  // NIC Gbit/s and GPU GB/s
inline constexpr uint64_t min_nvme_iops = 100, max_nvme_iops = 10000000;
inline constexpr unsigned max_nvme_queue_depth = 4096;
inline constexpr unsigned min_nvme_io = 4096, max_nvme_io = 128 * 1024;  // a multiple of 4 KiB
// SVA: accelerator i's process p has PASID 1 + 64i + p and domain 0x100 + 64i + p, so 64 processes keep every
// PASID and domain id apart (and below 2^11). A transfer fits the 2 MiB buffers of a process.
inline constexpr unsigned max_sva_pasids = 64;
inline constexpr unsigned min_sva_transfer = 64, max_sva_transfer = 1024 * 1024;
inline constexpr uint64_t max_sva_rebind_us = 1000000000;  // 1000 s
inline constexpr uint64_t min_sva_unbound_us = 1, max_sva_unbound_us = 1000000;
}  // namespace limits

// Checks every parameter of `w` against the limits above; throws trace_error naming the first parameter out
// of range. generate() calls it first; the command line checks the same ranges with its option names.
void validate(const workload& w);

// Devices of every kind in `w` (the most remapping units it can have).
unsigned device_count(const workload& w);

// The capability preset the platform of `w` names: w.preset, or the mode's default.
std::string preset_of(const workload& w);
// The device kinds with ATS, as the command line names them ("nic", "nvme", "gpu", "sva"), in that order.
std::vector<std::string> ats_kinds(const workload& w);

}  // namespace vtd::traces::gen
