// Generator run (see header).
#include "apps/vtdsim/gen_run.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/progress.hpp"
#include "model/io/output_file.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace po = boost::program_options;
namespace gen = vtd::traces::gen;

namespace vtdsim::app {

void add_gen_options(po::options_description& desc, gen_options& o) {
  const auto n = gen::limits::max_devices_per_kind;
  desc.add_options()("help,h", "show this help")(
      "mode", po::value(&o.mode)->default_value("legacy"),
      "legacy | scalable (scalable: \"mode\": \"scalable\" platform, preset server-sm)")(
      "workload", po::value(&o.workload)->default_value("mixed"),
      "legacy: mixed | nic | nvme | gpu | all; scalable: dma-api | sva | viommu | mixed | all")(
      "dmas", po::value(&o.dmas)->default_value("1000000"),
      fmt::format("stop after this many DMA requests, 1..{}", gen::limits::max_dmas).c_str())(
      "seed", po::value(&o.seed)->default_value("1"), "random seed (same seed, same trace)")(
      "faults", po::value(&o.faults)->default_value("0"),
      "inject this many DMAs to unmapped IOVAs, 0..--dmas")("output,o", po::value(&o.output)->required(),
                                                            "trace file to write")(
      "platform-out", po::value(&o.platform_out)->required(), "platform JSON to write")(
      "format", po::value(&o.format)->default_value("binary"), "binary | text")(
      "compression", po::value(&o.compression)->default_value("zstd"), "zstd | xz | gzip | none")(
      "nic-count", po::value(&o.nic_count), fmt::format("NICs, 0..{} (default: the workload's)", n).c_str())(
      "nic-queues", po::value(&o.nic_queues),
      fmt::format("queue pairs per NIC, 1..{} (default 4)", gen::limits::max_nic_queues).c_str())(
      "nic-rx-gbps", po::value(&o.nic_rx_gbps), "receive rate per NIC, Gbit/s: 0 (none) or 0.01..1000 (25)")(
      "nic-tx-gbps", po::value(&o.nic_tx_gbps), "transmit rate per NIC, Gbit/s: 0 (none) or 0.01..1000 (25)")(
      "nic-mode", po::value(&o.nic_mode), "strict | deferred (IOTLB invalidation per unmap, or batched)")(
      "nic-page-pool", po::bool_switch(&o.nic_page_pool), "RX buffers from a pre-mapped page pool")(
      "nvme-count", po::value(&o.nvme_count),
      fmt::format("NVMe controllers, 0..{} (default: the workload's)", n).c_str())(
      "nvme-iops", po::value(&o.nvme_iops),
      fmt::format("I/O rate per controller, {}..{} (200000)", gen::limits::min_nvme_iops,
                  gen::limits::max_nvme_iops)
          .c_str())("nvme-qd", po::value(&o.nvme_qd),
                    fmt::format("queue depth, 1..{} (32)", gen::limits::max_nvme_queue_depth).c_str())(
      "nvme-io", po::value(&o.nvme_io), "I/O size in bytes, a multiple of 4096 in 4096..131072 (4096)")(
      "nvme-mode", po::value(&o.nvme_mode), "strict | deferred")(
      "gpu-count", po::value(&o.gpu_count),
      fmt::format("GPUs / accelerators, 0..{} (default: the workload's)", n).c_str())(
      "gpu-gbps", po::value(&o.gpu_gbps), "GPU DMA bandwidth, GB/s: 0.01..1000 (16)")(
      "nic-stage", po::value(&o.nic_stage),
      "scalable: first | second | nested (the NICs' domains; nested: in the vIOMMU guest)")(
      "nvme-stage", po::value(&o.nvme_stage), "scalable: first | second | nested")(
      "gpu-stage", po::value(&o.gpu_stage), "scalable: first | second")(
      "sva-count", po::value(&o.sva_count),
      fmt::format("scalable: SVA accelerators, 0..{} (default: the workload's)", n).c_str())(
      "sva-pasids", po::value(&o.sva_pasids),
      fmt::format("scalable: processes (PASIDs) per accelerator, 1..{} (8)", gen::limits::max_sva_pasids)
          .c_str())("sva-gbps", po::value(&o.sva_gbps), "scalable: copy bandwidth per accelerator, GB/s (8)")(
      "sva-bytes", po::value(&o.sva_bytes),
      fmt::format("scalable: bytes per work descriptor, {}..{} (4096)", gen::limits::min_sva_transfer,
                  gen::limits::max_sva_transfer)
          .c_str())(
      "sva-rebind-us", po::value(&o.sva_rebind_us),
      "scalable: each process unbinds its PASID and binds again this often, microseconds; 0: never (0)")(
      "sva-unbound-us", po::value(&o.sva_unbound_us),
      "scalable: how long a process stays unbound, microseconds, at most --sva-rebind-us (20)")(
      "ats", po::value(&o.ats),
      "device kinds with ATS and a device TLB, comma-separated: nic, nvme, gpu, sva (sva: scalable)")(
      "issue", po::value(&o.issue)->default_value("open"),
      "open | closed: the trace's times are issue times, or the earliest each request may be issued")(
      "units", po::value(&o.units)->default_value("1"),
      fmt::format("remapping units, 1..{} and at most one per device: device k of the platform's list goes "
                  "under unit k mod N (the trace is the same)",
                  gen::limits::max_units)
          .c_str())("quiet,q", po::bool_switch(&o.quiet), "print nothing");
}

namespace {

[[noreturn]] void refuse(const char* option, const std::string& text, const std::string& allowed) {
  throw usage_error(fmt::format("--{} '{}': {}", option, text, allowed));
}

// An integer in [lo, hi] (decimal, 0x-hex or a size such as 4KiB, as everywhere on the command line).
uint64_t integer(const char* option, const std::string& text, uint64_t lo, uint64_t hi,
                 const std::string& why = "") {
  const std::string allowed = fmt::format("must be an integer in {}..{}{}", lo, hi, why);
  uint64_t v = 0;
  try {
    v = parse_number(text, option);
  } catch (const std::invalid_argument&) {
    refuse(option, text, allowed);
  }
  if (v < lo || v > hi) refuse(option, text, allowed);
  return v;
}

unsigned count(const char* option, const std::string& text, unsigned lo, unsigned hi,
               const std::string& why = "") {
  return static_cast<unsigned>(integer(option, text, lo, hi, why));
}

// A finite rate in [min_gbps, max_gbps], or 0 when `zero` says what zero means.
double rate(const char* option, const std::string& text, const char* unit, const char* zero = nullptr) {
  const std::string allowed =
      zero ? fmt::format("must be 0 ({}) or a number in {}..{} {}", zero, gen::limits::min_gbps,
                         gen::limits::max_gbps, unit)
           : fmt::format("must be a number in {}..{} {}", gen::limits::min_gbps, gen::limits::max_gbps, unit);
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) refuse(option, text, allowed);
  if (zero && v == 0) return 0;
  if (!(v >= gen::limits::min_gbps && v <= gen::limits::max_gbps)) refuse(option, text, allowed);
  return v;
}

bool strict_mode(const char* option, const std::string& m) {
  if (m == "strict") return true;
  if (m == "deferred") return false;
  refuse(option, m, "expected strict or deferred");
}

gen::device_stage stage(const char* option, const std::string& s, bool nested_allowed) {
  if (s == "first") return gen::device_stage::first;
  if (s == "second") return gen::device_stage::second;
  if (s == "nested" && nested_allowed) return gen::device_stage::nested;
  refuse(option, s, nested_allowed ? "expected first, second or nested" : "expected first or second");
}

std::string names_or(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

// The workload preset of --mode and --workload.
gen::workload preset(const gen_options& o) {
  gen::gen_mode mode = gen::gen_mode::legacy;
  if (o.mode == "scalable")
    mode = gen::gen_mode::scalable;
  else if (o.mode != "legacy")
    refuse("mode", o.mode, "expected legacy or scalable");
  try {
    return gen::preset_workload(o.workload, mode);
  } catch (const vtd::traces::trace_error&) {
    refuse("workload", o.workload,
           fmt::format("expected {}{}", names_or(gen::workload_names(mode)),
                       mode == gen::gen_mode::scalable ? " (with --mode scalable)" : ""));
  }
}

// The options only scalable mode has: refused in legacy mode, naming the option; else checked and applied.
void scalable_options(const gen_options& o, gen::workload& w) {
  using namespace gen::limits;
  const std::pair<const char*, const std::string*> scalable_only[] = {
      {"nic-stage", &o.nic_stage},          {"nvme-stage", &o.nvme_stage},
      {"gpu-stage", &o.gpu_stage},          {"sva-count", &o.sva_count},
      {"sva-pasids", &o.sva_pasids},        {"sva-gbps", &o.sva_gbps},
      {"sva-bytes", &o.sva_bytes},          {"sva-rebind-us", &o.sva_rebind_us},
      {"sva-unbound-us", &o.sva_unbound_us}};
  if (w.mode == gen::gen_mode::legacy) {
    for (auto [option, text] : scalable_only)
      if (!text->empty())
        refuse(option, *text, "needs --mode scalable (legacy mode has second-stage domains and no PASIDs)");
    return;
  }
  if (!o.nic_stage.empty()) w.nic.stage = stage("nic-stage", o.nic_stage, true);
  if (!o.nvme_stage.empty()) w.nvme.stage = stage("nvme-stage", o.nvme_stage, true);
  if (!o.gpu_stage.empty()) w.gpu.stage = stage("gpu-stage", o.gpu_stage, false);
  if (!o.sva_count.empty())
    w.sva.count = count("sva-count", o.sva_count, 0, max_devices_per_kind,
                        " (accelerator i sits on bus 0x40+i, its processes in domains 0x100+64i..)");
  if (!o.sva_pasids.empty()) w.sva.pasids = count("sva-pasids", o.sva_pasids, 1, max_sva_pasids);
  if (!o.sva_gbps.empty()) w.sva.gbytes_per_s = rate("sva-gbps", o.sva_gbps, "GB/s");
  if (!o.sva_bytes.empty())
    w.sva.transfer_bytes = count("sva-bytes", o.sva_bytes, min_sva_transfer, max_sva_transfer);
  if (!o.sva_rebind_us.empty())
    w.sva.rebind_us = integer("sva-rebind-us", o.sva_rebind_us, 0, max_sva_rebind_us, " (0: never)");
  if (!o.sva_unbound_us.empty())
    w.sva.unbound_us = integer("sva-unbound-us", o.sva_unbound_us, min_sva_unbound_us, max_sva_unbound_us);
  if (w.sva.rebind_us && w.sva.unbound_us > w.sva.rebind_us)
    throw usage_error(
        fmt::format("--sva-unbound-us {} is longer than --sva-rebind-us {}: a process is unbound "
                    "for at most one rebind period",
                    w.sva.unbound_us, w.sva.rebind_us));
}

// --ats: the kinds whose devices get a device TLB (TT=01 / DTE=1) and device-TLB invalidations.
void ats_option(const std::string& text, gen::workload& w) {
  const bool scalable = w.mode == gen::gen_mode::scalable;
  const std::string allowed = scalable ? "nic, nvme, gpu or sva" : "nic, nvme or gpu";
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string kind =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    struct entry {
      const char* name;
      bool* ats;
      unsigned count;
    };
    const entry kinds[] = {{"nic", &w.nic.ats, w.nic.count},
                           {"nvme", &w.nvme.ats, w.nvme.count},
                           {"gpu", &w.gpu.ats, w.gpu.count},
                           {"sva", &w.sva.ats, w.sva.count}};
    const entry* found = nullptr;
    for (const entry& e : kinds)
      if (kind == e.name && (scalable || kind != "sva")) found = &e;
    if (!found)
      refuse("ats", text,
             fmt::format("'{}' is no device kind: expected a comma-separated list of {}{}", kind, allowed,
                         !scalable && kind == "sva" ? " (sva needs --mode scalable)" : ""));
    if (found->count == 0)
      refuse("ats", text,
             fmt::format("the workload has no {} device (--{}-count is 0)", found->name, found->name));
    *found->ats = true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

// Both outputs naming one file would leave only the platform in it.
bool same_output(const std::string& a, const std::string& b) {
  if (a == "-" || b == "-") return a == b;
  namespace fs = std::filesystem;
  std::error_code ea, eb;
  const fs::path ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
  if (ea || eb ? a != b : ca != cb) return false;
  std::error_code es;
  const auto st = fs::status(ca, es);
  return es || !fs::exists(st) || fs::is_regular_file(st);  // devices such as /dev/null may be shared
}

}  // namespace

gen_request make_gen_request(const gen_options& o) {
  using namespace gen::limits;
  gen_request g;
  g.workload = preset(o);
  gen::workload& w = g.workload;
  w.dma_target = integer("dmas", o.dmas, 1, max_dmas);
  w.seed = integer("seed", o.seed, 0, UINT64_MAX);
  w.faults = integer("faults", o.faults, 0, w.dma_target,
                     fmt::format(" (at most one injected fault per DMA; --dmas is {})", w.dma_target));
  if (!o.nic_count.empty())
    w.nic.count =
        count("nic-count", o.nic_count, 0, max_devices_per_kind, " (NIC i sits on bus 0x10+i in domain 1+i)");
  if (!o.nic_queues.empty())
    w.nic.queues =
        count("nic-queues", o.nic_queues, 1, max_nic_queues, " (queue q raises MSI-X vector 0x40+q)");
  if (!o.nic_rx_gbps.empty())
    w.nic.rx_gbps = rate("nic-rx-gbps", o.nic_rx_gbps, "Gbit/s", "no receive traffic");
  if (!o.nic_tx_gbps.empty())
    w.nic.tx_gbps = rate("nic-tx-gbps", o.nic_tx_gbps, "Gbit/s", "no transmit traffic");
  if (!o.nic_mode.empty()) w.nic.strict = strict_mode("nic-mode", o.nic_mode);
  if (o.nic_page_pool) w.nic.page_pool = true;
  if (!o.nvme_count.empty())
    w.nvme.count = count("nvme-count", o.nvme_count, 0, max_devices_per_kind,
                         " (NVMe controller i sits on bus 0x20+i in domain 0x11+i)");
  if (!o.nvme_iops.empty()) w.nvme.iops = integer("nvme-iops", o.nvme_iops, min_nvme_iops, max_nvme_iops);
  if (!o.nvme_qd.empty()) w.nvme.queue_depth = count("nvme-qd", o.nvme_qd, 1, max_nvme_queue_depth);
  if (!o.nvme_io.empty()) {
    w.nvme.io_bytes = count("nvme-io", o.nvme_io, min_nvme_io, max_nvme_io, ", a multiple of 4096");
    if (w.nvme.io_bytes % 4096)
      refuse("nvme-io", o.nvme_io,
             fmt::format("must be a multiple of 4096 in {}..{} (whole pages)", min_nvme_io, max_nvme_io));
  }
  if (!o.nvme_mode.empty()) w.nvme.strict = strict_mode("nvme-mode", o.nvme_mode);
  if (!o.gpu_count.empty())
    w.gpu.count = count("gpu-count", o.gpu_count, 0, max_devices_per_kind,
                        " (GPU i sits on bus 0x30+i in domain 0x21+i)");
  if (!o.gpu_gbps.empty()) w.gpu.gbytes_per_s = rate("gpu-gbps", o.gpu_gbps, "GB/s");
  scalable_options(o, w);
  if (w.nic.count + w.nvme.count + w.gpu.count + w.sva.count == 0)
    throw usage_error(
        w.mode == gen::gen_mode::scalable
            ? fmt::format(
                  "--workload {} with --nic-count {}, --nvme-count {}, --gpu-count {} and --sva-count {}: "
                  "no devices to generate",
                  w.name, w.nic.count, w.nvme.count, w.gpu.count, w.sva.count)
            : fmt::format("--workload {} with --nic-count {}, --nvme-count {} and --gpu-count {}: no devices "
                          "to generate",
                          w.name, w.nic.count, w.nvme.count, w.gpu.count));
  if (w.nic.count && w.nic.rx_gbps == 0 && w.nic.tx_gbps == 0)
    throw usage_error(
        "--nic-rx-gbps and --nic-tx-gbps are both 0: a NIC needs traffic in one direction at least "
        "(or --nic-count 0)");
  if (!o.ats.empty()) ats_option(o.ats, w);
  w.units = count("units", o.units, 1, max_units);
  if (w.units > gen::device_count(w))
    refuse(
        "units", o.units,
        fmt::format("more remapping units than devices: the workload has {} ({} NIC, {} NVMe, {} GPU{}) and "
                    "every unit needs one in its scope",
                    gen::device_count(w), w.nic.count, w.nvme.count, w.gpu.count,
                    w.mode == gen::gen_mode::scalable ? fmt::format(", {} SVA", w.sva.count) : ""));
  if (o.issue == "open")
    w.issue = vtd::traces::issue_mode::open;
  else if (o.issue == "closed")
    w.issue = vtd::traces::issue_mode::closed;
  else
    refuse("issue", o.issue, "expected open or closed");

  if (o.format == "binary")
    g.format = vtd::traces::trace_format::binary;
  else if (o.format == "text")
    g.format = vtd::traces::trace_format::text;
  else
    refuse("format", o.format, "expected binary or text");
  try {
    g.compression = vtd::traces::parse_compression(o.compression);
  } catch (const vtd::traces::trace_error&) {
    refuse("compression", o.compression, "expected zstd, xz, gzip or none");
  }
  if (same_output(o.output, o.platform_out))
    throw usage_error(fmt::format(
        "-o and --platform-out both name '{}': the trace and the platform need a file each", o.output));
  g.output = o.output;
  g.platform_out = o.platform_out;
  g.quiet = o.quiet;
  try {
    gen::validate(w);  // the generator's own check of the same limits: never fires after the checks above
  } catch (const vtd::traces::trace_error& e) {
    throw usage_error(e.what());
  }
  return g;
}

vtd::traces::gen::generation_summary run_gen_request(const gen_request& g) {
  using namespace vtd::traces;
  try {
    binary_header h;
    h.seed = g.workload.seed;
    if (g.workload.issue == issue_mode::closed) h.flags |= header_closed_loop;
    // At most 24 bytes: "vtdsim-gen 1 sm dma-api".
    h.generator =
        (g.workload.mode == gen::gen_mode::scalable ? "vtdsim-gen 1 sm " : "vtdsim-gen 1 ") + g.workload.name;
    trace_writer writer(g.output, g.format, g.compression, h);
    vtd::io::output_file pf(g.platform_out);  // opened before the work, so that a bad path fails at once
    nlohmann::ordered_json platform;
    progress_line progress("gen", !g.quiet);
    auto s = gen::generate_blocks(
        g.workload, [&](std::span<const record> block) { writer.write(block); }, platform,
        [&](uint64_t dmas) { progress.update(dmas, g.workload.dma_target); });
    progress.finish();
    pf.write(platform.dump(2) + "\n");
    writer.close();
    pf.commit();
    return s;
  } catch (const trace_error& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace vtdsim::app
