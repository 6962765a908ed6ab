// Generator driver and workload presets (see headers).
#include "traces/gen/generator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "model/spec/caps.hpp"
#include "model/spec/presets.hpp"
#include "traces/gen/gpu.hpp"
#include "traces/gen/nic.hpp"
#include "traces/gen/nvme.hpp"
#include "traces/gen/sva.hpp"
#include "traces/gen/unit_split.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

const char* to_string(gen_mode m) {
  switch (m) {
    case gen_mode::legacy:
      return "legacy";
    case gen_mode::scalable:
      return "scalable";
  }
  return "?";
}

const char* to_string(device_stage s) {
  switch (s) {
    case device_stage::second:
      return "second";
    case device_stage::first:
      return "first";
    case device_stage::nested:
      return "nested";
  }
  return "?";
}

std::vector<std::string> workload_names(gen_mode mode) {
  if (mode == gen_mode::scalable) return {"dma-api", "sva", "viommu", "mixed", "all"};
  return {"mixed", "nic", "nvme", "gpu", "all"};
}

namespace {

std::string names_text(gen_mode mode) {
  const auto names = workload_names(mode);
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

// Scalable mode (docs/generator.md, "Scalable mode"): devices of one kind share one stage.
void scalable_preset(workload& w, const std::string& name) {
  w.nic.count = w.nvme.count = w.gpu.count = w.sva.count = 0;
  if (name == "dma-api") {
    w.nic.count = w.nvme.count = 1;
    w.nic.stage = w.nvme.stage = device_stage::first;
  } else if (name == "sva") {
    w.sva.count = 1;
  } else if (name == "viommu") {
    w.nic.count = w.nvme.count = 1;
    w.nic.stage = w.nvme.stage = device_stage::nested;
  } else if (name == "mixed") {
    w.nic.count = w.nvme.count = w.sva.count = 1;
    w.nic.stage = device_stage::first;
    w.nvme.stage = device_stage::second;
  } else if (name == "all") {
    w.nic.count = w.nvme.count = w.gpu.count = w.sva.count = 1;
    w.nic.stage = device_stage::nested;
    w.nvme.stage = device_stage::first;
    w.gpu.stage = device_stage::second;
  } else {
    throw trace_error(fmt::format("workload '{}': unknown in scalable mode (known: {})", name,
                                  names_text(gen_mode::scalable)));
  }
}

}  // namespace

workload preset_workload(const std::string& name, gen_mode mode) {
  workload w;
  w.name = name;
  w.mode = mode;
  if (mode == gen_mode::scalable) {
    scalable_preset(w, name);
    return w;
  }
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
    throw trace_error(fmt::format("workload '{}': unknown (known: {})", name, names_text(gen_mode::legacy)));
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

unsigned device_count(const workload& w) {
  return w.nic.count + w.nvme.count + w.gpu.count + w.sva.count;
}

std::string preset_of(const workload& w) {
  if (!w.preset.empty()) return w.preset;
  return w.mode == gen_mode::scalable ? "server-sm" : "server";
}

std::vector<std::string> ats_kinds(const workload& w) {
  std::vector<std::string> kinds;
  for (auto [name, ats] : {std::pair{"nic", w.nic.ats}, std::pair{"nvme", w.nvme.ats},
                           std::pair{"gpu", w.gpu.ats}, std::pair{"sva", w.sva.ats}})
    if (ats) kinds.emplace_back(name);
  return kinds;
}

namespace {
// An ATS device's context entry asks for a device TLB (TT=01 in legacy mode, DTE=1 in scalable mode), which
// the unit must report in ECAP.DT (spec 9.3 and 9.4: reserved otherwise).
void check_preset(const workload& w) {
  const std::string name = preset_of(w);
  const auto preset = spec::find_capability_preset(name);
  if (!preset)
    throw trace_error(
        fmt::format("workload preset '{}': unknown (known: {})", name, spec::capability_preset_names()));
  const auto ats = ats_kinds(w);
  if (ats.empty()) return;
  const spec::caps caps = spec::caps::decode(preset->ver, preset->cap, preset->ecap, preset->haw);
  if (!caps.dt)
    throw trace_error(fmt::format(
        "workload ats ({}): preset '{}' has no device-TLB support (ECAP.DT=0), so a context entry cannot "
        "ask for a device TLB (TT=01 / DTE=1); ATS devices need a preset with ECAP.DT=1",
        fmt::join(ats, ", "), name));
}
}  // namespace

void validate(const workload& w) {
  using namespace limits;
  check_range<uint64_t>("dma_target", w.dma_target, 0, max_dmas);
  check_range<uint64_t>("faults", w.faults, 0, w.dma_target);
  check_range<unsigned>("nic.count", w.nic.count, 0, max_devices_per_kind);
  check_range<unsigned>("nvme.count", w.nvme.count, 0, max_devices_per_kind);
  check_range<unsigned>("gpu.count", w.gpu.count, 0, max_devices_per_kind);
  check_range<unsigned>("sva.count", w.sva.count, 0, max_devices_per_kind);
  if (device_count(w) == 0) throw trace_error("the workload has no devices");
  check_range<unsigned>("units", w.units, 1, max_units);
  if (w.units > device_count(w))
    throw trace_error(fmt::format(
        "workload units = {}: more remapping units than devices ({}): every unit needs a device in its scope",
        w.units, device_count(w)));
  if (w.mode == gen_mode::legacy) {
    // Legacy mode has second-stage domains only, and no PASIDs.
    for (auto [name, stage] : {std::pair{"nic.stage", w.nic.stage}, std::pair{"nvme.stage", w.nvme.stage},
                               std::pair{"gpu.stage", w.gpu.stage}})
      if (stage != device_stage::second)
        throw trace_error(fmt::format("workload {} = {}: legacy mode has second-stage domains only", name,
                                      to_string(stage)));
    if (w.sva.count) throw trace_error("workload sva.count: SVA needs scalable mode (PASIDs)");
    if (w.sva.ats) throw trace_error("workload sva.ats: SVA needs scalable mode (PASIDs)");
  }
  check_preset(w);
  if (w.gpu.stage == device_stage::nested)
    throw trace_error("workload gpu.stage = nested: a GPU's domain is first- or second-stage");
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
  check_range<unsigned>("sva.pasids", w.sva.pasids, 1, max_sva_pasids);
  check_rate("sva.gbytes_per_s", w.sva.gbytes_per_s, false);
  check_range<unsigned>("sva.transfer_bytes", w.sva.transfer_bytes, min_sva_transfer, max_sva_transfer);
  check_range<uint64_t>("sva.rebind_us", w.sva.rebind_us, 0, max_sva_rebind_us);
  check_range<uint64_t>("sva.unbound_us", w.sva.unbound_us, min_sva_unbound_us, max_sva_unbound_us);
  if (w.sva.rebind_us && w.sva.unbound_us > w.sva.rebind_us)
    throw trace_error(fmt::format("workload sva.unbound_us = {}: at most sva.rebind_us ({})",
                                  w.sva.unbound_us, w.sva.rebind_us));
}

namespace {

// Counts a record in the summary's field of its kind.
void count_kind(generation_summary& s, record_kind k, uint64_t n) {
  switch (k) {
    case record_kind::dma:
      s.dmas += n;
      break;
    case record_kind::msi:
      s.msis += n;
      break;
    case record_kind::map:
      s.maps += n;
      break;
    case record_kind::unmap:
      s.unmaps += n;
      break;
    case record_kind::inv_wait:
      s.waits += n;
      break;
    case record_kind::cc_inval:
    case record_kind::iotlb_inval:
    case record_kind::iec_inval:
    case record_kind::devtlb_inval:
    case record_kind::pc_inval:
    case record_kind::piotlb_inval:
    case record_kind::pdevtlb_inval:
      s.invalidations += n;
      break;
    case record_kind::attach:
    case record_kind::detach:
    case record_kind::pasid_attach:
    case record_kind::pasid_detach:
      s.attaches += n;
      break;
  }
}

// Blocks of released records for the sink: the device models write into room(), commit() hands full blocks
// out.
class block_buffer {
 public:
  explicit block_buffer(const record_block_sink& out) : m_out(out) { m_block.resize(block_records); }
  std::span<record> room() { return {m_block.data() + m_used, m_block.size() - m_used}; }
  void commit(size_t n) {
    m_used += n;
    if (m_used == m_block.size()) flush();
  }
  void add(const record& r) {
    m_block[m_used] = r;
    commit(1);
  }
  void flush() {
    if (m_used) m_out(std::span<const record>(m_block.data(), m_used));
    m_used = 0;
  }

 private:
  const record_block_sink& m_out;
  std::vector<record> m_block;
  size_t m_used = 0;
};

// The generator proper: `describe` gets the devices' platform parts once the device models are built.
generation_summary run(const workload& w, const record_block_sink& out,
                       const std::function<void(const platform_parts&)>& describe,
                       const std::function<void(uint64_t)>& progress);

record_block_sink one_by_one(const std::function<void(const record&)>& out) {
  return [&out](std::span<const record> block) {
    for (const record& r : block) out(r);
  };
}

}  // namespace

generation_summary generate_blocks(const workload& w, const record_block_sink& out,
                                   tables::platform_description& platform,
                                   const std::function<void(uint64_t)>& progress) {
  return run(
      w, out, [&](const platform_parts& parts) { platform = describe_platform(parts, w.mode, preset_of(w)); },
      progress);
}

generation_summary generate_blocks(const workload& w, const record_block_sink& out,
                                   tables::platform_units& platform,
                                   const std::function<void(uint64_t)>& progress) {
  return run(
      w, out,
      [&](const platform_parts& parts) {
        platform =
            split_units(describe_platform(parts, w.mode, preset_of(w)), parts.interrupt_devices, w.units);
      },
      progress);
}

generation_summary generate_blocks(const workload& w, const record_block_sink& out,
                                   nlohmann::ordered_json& platform,
                                   const std::function<void(uint64_t)>& progress) {
  tables::platform_units units;
  auto s = generate_blocks(w, out, units, progress);
  platform = units_json(units);
  return s;
}

generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            nlohmann::ordered_json& platform, const std::function<void(uint64_t)>& progress) {
  return generate_blocks(w, one_by_one(out), platform, progress);
}

generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            tables::platform_units& platform, const std::function<void(uint64_t)>& progress) {
  return generate_blocks(w, one_by_one(out), platform, progress);
}

generation_summary generate(const workload& w, const std::function<void(const record&)>& out,
                            tables::platform_description& platform,
                            const std::function<void(uint64_t)>& progress) {
  return generate_blocks(w, one_by_one(out), platform, progress);
}

namespace {

generation_summary run(const workload& w, const record_block_sink& out,
                       const std::function<void(const platform_parts&)>& describe,
                       const std::function<void(uint64_t)>& progress) {
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
  for (unsigned i = 0; i < w.sva.count; ++i)
    devices.push_back(
        std::make_unique<sva_model>(i, w.sva, component_seed(w.seed, 300 + ++component), parts));
  describe(parts);

  generation_summary s;
  // Faults on request: DMAs to an IOVA no device ever maps (below the allocators' floor), spread evenly.
  const uint64_t fault_every = w.faults ? std::max<uint64_t>(1, w.dma_target / (w.faults + 1)) : 0;
  rng fault_rng(component_seed(w.seed, 999));
  block_buffer block(out);
  uint64_t by_kind[256] = {};  // records per kind code (the summary's fields are sums of these)
  uint64_t last_time = 0;
  while (s.dmas < w.dma_target) {
    // The merge releases the record of smallest (time, device index). The device holding it keeps releasing
    // while its head stays before the runner-up's (time, index): the same order, one device scan per run of
    // records instead of one per record. Each device generates its events only as its own head needs them,
    // so the events are generated in the same order as a record-by-record merge would.
    size_t best = 0, second = devices.size();
    uint64_t best_time = devices[0]->head_time(), second_time = UINT64_MAX;
    for (size_t i = 1; i < devices.size(); ++i) {
      const uint64_t t = devices[i]->head_time();
      if (t < best_time) {
        second = best, second_time = best_time;
        best = i, best_time = t;
      } else if (t < second_time) {
        second = i, second_time = t;
      }
    }
    device_model& d = *devices[best];
    for (;;) {
      // The DMAs the device may release now: up to the target, or up to the DMA an injected fault follows.
      uint64_t budget = w.dma_target - s.dmas;
      if (fault_every && s.faults < w.faults) budget = std::min(budget, fault_every - s.dmas % fault_every);
      const uint64_t budget_given = budget;
      const std::span<record> room = block.room();
      const size_t n = d.release(room.data(), room.size(), budget, second_time, best < second);
      if (n == 0) break;  // its head is now after the runner-up's
      for (size_t i = 0; i < n; ++i) ++by_kind[uint8_t(room[i].kind)];
      const record last = room[n - 1];
      const uint64_t records_before = s.records;
      s.dmas += budget_given - budget;
      s.records += n;
      last_time = last.time_ps;
      block.commit(n);
      // The budget stopped the release right after the DMA a fault follows.
      if (fault_every && last.kind == record_kind::dma && s.dmas % fault_every == 0 && s.faults < w.faults) {
        record bad = last;
        bad.addr = 0x1000 + (fault_rng.below(0xF0) << 12);  // never mapped: allocators start at 1 MiB
        // A read by the same requester (with the same PASID, when it had one).
        bad.flags =
            static_cast<uint8_t>(static_cast<unsigned>(dma_op::read) | (last.flags & flag::has_pasid));
        bad.length = 64;
        block.add(bad);
        ++s.records;
        ++s.faults;
      }
      if (progress && (records_before >> 20) != (s.records >> 20)) progress(s.dmas);
      if (s.dmas >= w.dma_target) break;
    }
  }
  block.flush();
  s.end_time_ps = last_time;
  // by_kind counts the devices' records, not the injected faults (s.faults); the DMAs are counted already.
  for (unsigned k = 0; k < 256; ++k)
    if (by_kind[k] && valid_kind(uint8_t(k)) && record_kind(k) != record_kind::dma)
      count_kind(s, record_kind(k), by_kind[k]);
  return s;
}

}  // namespace

}  // namespace vtd::traces::gen
