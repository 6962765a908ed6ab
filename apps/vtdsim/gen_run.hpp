// One generator run from options to files; shared by `gen` and `demo`.
#include <boost/program_options.hpp>
#include <string>

#include "traces/gen/generator.hpp"

#pragma once

namespace vtdsim::app {

struct gen_request {
  std::string workload = "mixed", output, platform_out, format = "binary", compression = "zstd";
  uint64_t dmas = 1000000, seed = 1, faults = 0;
  vtd::traces::gen::workload overrides;  // filled from the device options
  bool quiet = false;
  // device options (0 / negative = keep the preset's value)
  double nic_rx_gbps = -1, nic_tx_gbps = -1, gpu_gbps = -1;
  unsigned nic_count = 0, nic_queues = 0, nvme_count = 0, nvme_qd = 0, nvme_io = 0, gpu_count = 0;
  uint64_t nvme_iops = 0;
  std::string nic_mode, nvme_mode;
  bool nic_page_pool = false;
};

void add_gen_options(boost::program_options::options_description& desc, gen_request& g);
vtd::traces::gen::generation_summary run_gen_request(const gen_request& g);

}  // namespace vtdsim::app
