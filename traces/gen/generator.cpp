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

generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            nlohmann::ordered_json& platform, const std::function<void(uint64_t)>& progress) {
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
  if (devices.empty()) throw trace_error("the workload has no devices");

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
      default:
        ++s.invalidations;
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
