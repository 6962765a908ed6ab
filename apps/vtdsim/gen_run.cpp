// Generator run (see header).
#include "apps/vtdsim/gen_run.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "apps/vtdsim/atomic_file.hpp"
#include "apps/vtdsim/progress.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {

void add_gen_options(po::options_description& desc, gen_request& g) {
  desc.add_options()("help,h", "show this help")("workload", po::value(&g.workload)->default_value("mixed"),
                                                 "mixed | nic | nvme | gpu | all")(
      "dmas", po::value(&g.dmas)->default_value(1000000), "stop after this many DMA requests")(
      "seed", po::value(&g.seed)->default_value(1), "random seed (same seed, same trace)")(
      "faults", po::value(&g.faults)->default_value(0), "inject this many DMAs to unmapped IOVAs")(
      "output,o", po::value(&g.output)->required(), "trace file to write")(
      "platform-out", po::value(&g.platform_out)->required(), "platform JSON to write")(
      "format", po::value(&g.format)->default_value("binary"), "binary | text")(
      "compression", po::value(&g.compression)->default_value("zstd"), "zstd | xz | gzip | none")(
      "nic-count", po::value(&g.nic_count), "NICs")(
      "nic-queues", po::value(&g.nic_queues), "queue pairs per NIC")("nic-rx-gbps", po::value(&g.nic_rx_gbps),
                                                                     "receive rate per NIC, Gbit/s")(
      "nic-tx-gbps", po::value(&g.nic_tx_gbps), "transmit rate per NIC, Gbit/s")(
      "nic-mode", po::value(&g.nic_mode), "strict | deferred (IOTLB invalidation per unmap, or batched)")(
      "nic-page-pool", po::bool_switch(&g.nic_page_pool), "RX buffers from a pre-mapped page pool")(
      "nvme-count", po::value(&g.nvme_count), "NVMe controllers")("nvme-iops", po::value(&g.nvme_iops),
                                                                  "I/O rate per controller")(
      "nvme-qd", po::value(&g.nvme_qd), "queue depth")("nvme-io", po::value(&g.nvme_io),
                                                       "I/O size in bytes (4096..131072)")(
      "nvme-mode", po::value(&g.nvme_mode), "strict | deferred")("gpu-count", po::value(&g.gpu_count),
                                                                 "GPUs / accelerators")(
      "gpu-gbps", po::value(&g.gpu_gbps), "GPU DMA bandwidth, GB/s")("quiet,q", po::bool_switch(&g.quiet),
                                                                     "print nothing");
}

namespace {
bool strict_mode(const std::string& m, const char* what) {
  if (m == "strict") return true;
  if (m == "deferred") return false;
  throw std::runtime_error(fmt::format("--{}-mode '{}': expected strict or deferred", what, m));
}
}  // namespace

vtd::traces::gen::generation_summary run_gen_request(const gen_request& g) {
  using namespace vtd::traces;
  gen::workload w;
  try {
    w = gen::preset_workload(g.workload);
  } catch (const trace_error& e) {
    throw std::runtime_error(e.what());
  }
  w.seed = g.seed;
  w.dma_target = g.dmas;
  w.faults = g.faults;
  if (g.nic_count) w.nic.count = g.nic_count;
  if (g.nic_queues) w.nic.queues = g.nic_queues;
  if (g.nic_rx_gbps >= 0) w.nic.rx_gbps = g.nic_rx_gbps;
  if (g.nic_tx_gbps >= 0) w.nic.tx_gbps = g.nic_tx_gbps;
  if (!g.nic_mode.empty()) w.nic.strict = strict_mode(g.nic_mode, "nic");
  if (g.nic_page_pool) w.nic.page_pool = true;
  if (g.nvme_count) w.nvme.count = g.nvme_count;
  if (g.nvme_iops) w.nvme.iops = g.nvme_iops;
  if (g.nvme_qd) w.nvme.queue_depth = g.nvme_qd;
  if (g.nvme_io) w.nvme.io_bytes = g.nvme_io;
  if (!g.nvme_mode.empty()) w.nvme.strict = strict_mode(g.nvme_mode, "nvme");
  if (g.gpu_count) w.gpu.count = g.gpu_count;
  if (g.gpu_gbps >= 0) w.gpu.gbytes_per_s = g.gpu_gbps;
  if (w.nic.count && w.nic.rx_gbps <= 0 && w.nic.tx_gbps <= 0)
    throw std::runtime_error("--nic-rx-gbps / --nic-tx-gbps: at least one must be positive");
  if (g.format != "binary" && g.format != "text")
    throw std::runtime_error(fmt::format("--format '{}': expected binary or text", g.format));
  try {
    binary_header h;
    h.seed = g.seed;
    h.generator = "vtdsim-gen 1 " + g.workload;
    trace_writer writer(g.output, g.format == "binary" ? trace_format::binary : trace_format::text,
                        parse_compression(g.compression), h);
    nlohmann::ordered_json platform;
    progress_line progress("gen", !g.quiet);
    auto s = gen::generate(
        w, [&](const record& r) { writer.write(r); }, platform,
        [&](uint64_t dmas) { progress.update(dmas, g.dmas); });
    progress.finish();
    atomic_file pf(g.platform_out);
    pf.write(platform.dump(2) + "\n");
    writer.close();
    pf.commit();
    return s;
  } catch (const trace_error& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace vtdsim::app
