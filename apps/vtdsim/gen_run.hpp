// One generator run from options to files; shared by `gen` and `demo`.
#pragma once
#include <boost/program_options.hpp>
#include <string>

#include "traces/gen/generator.hpp"
#include "traces/trace_common.hpp"

namespace vtdsim::app {

// The options of `vtdsim gen` as typed. Every value stays text until make_gen_request checks it: Boost's
// conversions would turn "-1" into 2^64-1 and accept "nan" for a rate.
struct gen_options {
  std::string mode = "legacy", workload = "mixed", dmas = "1000000", seed = "1", faults = "0", output,
              platform_out, format = "binary", compression = "zstd";
  // Empty: the workload preset's value (docs/generator.md). Zero counts mean no device of that kind.
  std::string nic_count, nic_queues, nic_rx_gbps, nic_tx_gbps, nic_mode;
  std::string nvme_count, nvme_iops, nvme_qd, nvme_io, nvme_mode;
  std::string gpu_count, gpu_gbps;
  // Scalable mode only: each kind's domain stage, and the SVA accelerators.
  std::string nic_stage, nvme_stage, gpu_stage;
  std::string sva_count, sva_pasids, sva_gbps, sva_bytes, sva_rebind_us, sva_unbound_us;
  // Device kinds with ATS (a comma-separated list of nic, nvme, gpu, sva), and what the trace's times mean.
  std::string ats, issue = "open";
  // Remapping units the platform has, the devices spread over them (docs/generator.md).
  std::string units = "1";
  bool nic_page_pool = false, quiet = false;
};

// A checked run: everything in range, the workload complete.
struct gen_request {
  vtd::traces::gen::workload workload;
  std::string output, platform_out;
  vtd::traces::trace_format format = vtd::traces::trace_format::binary;
  vtd::traces::compression compression = vtd::traces::compression::zstd;
  bool quiet = false;
};

void add_gen_options(boost::program_options::options_description& desc, gen_options& o);
// Checks every option against the range the generated platform and trace can encode
// (vtd::traces::gen::limits); throws usage_error naming the option, the value given and what is allowed.
gen_request make_gen_request(const gen_options& o);
vtd::traces::gen::generation_summary run_gen_request(const gen_request& g);

}  // namespace vtdsim::app
