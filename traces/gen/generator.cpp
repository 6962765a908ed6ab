// Generator driver and workload presets (see headers).
#include "traces/gen/generator.hpp"

#include <fmt/format.h>

#include <memory>

#include "traces/gen/gpu.hpp"
#include "traces/gen/nic.hpp"
#include "traces/gen/nvme.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

std::vector<std::string> workload_names() {
  return {"mixed", "nic", "nvme", "gpu", "all"};
}

workload preset_workload(const std::string& name) {
  workload w;
  w.name = name;
  if (name == "mixed") return w;  // one NIC (4 queues, 25+25 Gbit/s) and one NVMe (200k IOPS 4 KiB)
  if (name == "nic") {
    w.nvme.count = 0;
  } else if (name == "nvme") {
    w.nic.count = 0;
  } else if (name == "gpu") {
    w.nic.count = 0;
    w.nvme.count = 0;
    w.gpu.count = 1;
  } else if (name == "all") {
    w.gpu.count = 1;
  } else {
    throw trace_error(fmt::format("workload '{}': unknown (known: mixed, nic, nvme, gpu, all)", name));
  }
  return w;
}

namespace {
template <class T>
void check_range(const char* name, T value, T lo, T hi) {
  if (!(value >= lo && value <= hi))  // also false for NaN
    throw trace_error(fmt::format("workload {} = {}: must be {}..{}", name, value, lo, hi));
}
void check_rate(const char* name, double value, bool zero_allowed) {
  if (zero_allowed && value == 0) return;
  check_range(name, value, limits::min_gbps, limits::max_gbps);
}
}  // namespace

void validate(const workload& w) {
  using namespace limits;
  check_range<uint64_t>("dma_target", w.dma_target, 0, max_dmas);
  check_range<uint64_t>("faults", w.faults, 0, w.dma_target);
  check_range<unsigned>("nic.count", w.nic.count, 0, max_devices_per_kind);
  check_range<unsigned>("nvme.count", w.nvme.count, 0, max_devices_per_kind);
  check_range<unsigned>("gpu.count", w.gpu.count, 0, max_devices_per_kind);
  if (w.nic.count + w.nvme.count + w.gpu.count == 0) throw trace_error("the workload has no devices");
  check_range<unsigned>("nic.queues", w.nic.queues, 1, max_nic_queues);
  check_rate("nic.rx_gbps", w.nic.rx_gbps, true);
  check_rate("nic.tx_gbps", w.nic.tx_gbps, true);
  if (w.nic.count && w.nic.rx_gbps == 0 && w.nic.tx_gbps == 0)
    throw trace_error("workload nic.rx_gbps and nic.tx_gbps: at least one must be positive");
  check_range<uint64_t>("nvme.iops", w.nvme.iops, min_nvme_iops, max_nvme_iops);
  check_range<unsigned>("nvme.queue_depth", w.nvme.queue_depth, 1, max_nvme_queue_depth);
  check_range<unsigned>("nvme.io_bytes", w.nvme.io_bytes, min_nvme_io, max_nvme_io);
  if (w.nvme.io_bytes % 4096) throw trace_error("workload nvme.io_bytes: must be a multiple of 4096");
  check_range<unsigned>("nvme.read_percent", w.nvme.read_percent, 0, 100);
  check_rate("gpu.gbytes_per_s", w.gpu.gbytes_per_s, false);
  check_range<unsigned>("gpu.read_percent", w.gpu.read_percent, 0, 100);
}

generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            nlohmann::ordered_json& platform, const std::function<void(uint64_t)>& progress) {
  validate(w);
  platform_parts parts;
  std::vector<std::unique_ptr<device_model>> devices;
  uint64_t component = 0;
  for (unsigned i = 0; i < w.nic.count; ++i)
    devices.push_back(std::make_unique<nic_model>(i, w.nic, component_seed(w.seed, ++component), parts));
  for (unsigned i = 0; i < w.nvme.count; ++i)
    devices.push_back(
        std::make_unique<nvme_model>(i, w.nvme, component_seed(w.seed, 100 + ++component), parts));
  for (unsigned i = 0; i < w.gpu.count; ++i)
    devices.push_back(
        std::make_unique<gpu_model>(i, w.gpu, component_seed(w.seed, 200 + ++component), parts));

  platform = nlohmann::ordered_json::object();
  platform["schema"] = 1;
  platform["iommu"] = {{"preset", "server"}, {"haw", 46}};
  platform["enable"] = {{"translation", true}, {"interrupt_remapping", true}, {"queued_invalidation", true}};
  platform["domains"] = parts.domains;
  platform["devices"] = parts.devices;
  unsigned log2 = 4;
  while ((1u << log2) < parts.next_irte) ++log2;
  platform["interrupts"] = {{"entries_log2", log2}, {"x2apic", false}, {"entries", parts.interrupts}};

  generation_summary s;
  // Faults on request: DMAs to an IOVA no device ever maps (below the allocators' floor), spread evenly.
  const uint64_t fault_every = w.faults ? std::max<uint64_t>(1, w.dma_target / (w.faults + 1)) : 0;
  rng fault_rng(component_seed(w.seed, 999));
  while (s.dmas < w.dma_target) {
    size_t best = 0;
    uint64_t best_time = devices[0]->head_time();
    for (size_t i = 1; i < devices.size(); ++i) {
      uint64_t t = devices[i]->head_time();
      if (t < best_time) best_time = t, best = i;
    }
    record r = devices[best]->pop();
    switch (r.kind) {
      case record_kind::dma:
        ++s.dmas;
        break;
      case record_kind::msi:
        ++s.msis;
        break;
      case record_kind::map:
        ++s.maps;
        break;
      case record_kind::unmap:
        ++s.unmaps;
        break;
      case record_kind::inv_wait:
        ++s.waits;
        break;
      case record_kind::cc_inval:
      case record_kind::iotlb_inval:
      case record_kind::iec_inval:
      case record_kind::devtlb_inval:
        ++s.invalidations;
        break;
      case record_kind::attach:
      case record_kind::detach:
        break;
    }
    out(r);
    ++s.records;
    if (fault_every && r.kind == record_kind::dma && s.dmas % fault_every == 0 && s.faults < w.faults) {
      record bad = r;
      bad.addr = 0x1000 + (fault_rng.below(0xF0) << 12);  // never mapped: allocators start at 1 MiB
      bad.flags = static_cast<uint8_t>(dma_op::read);
      bad.length = 64;
      out(bad);
      ++s.records;
      ++s.faults;
    }
    s.end_time_ps = r.time_ps;
    if (progress && (s.records & 0xFFFFF) == 0) progress(s.dmas);
  }
  return s;
}

}  // namespace vtd::traces::gen
