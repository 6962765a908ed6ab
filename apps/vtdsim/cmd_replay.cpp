// `vtdsim replay`: replay a trace against a configured remapping unit (SystemC timed model by default,
// `--functional` for the core alone) and report what the traffic did to the caches, the walkers and latency.
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>

#include "apps/replay/timed/timed_replay.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/progress.hpp"
#include "apps/vtdsim/replay_run.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

int run_replay(const std::vector<std::string>& args) {
  replay_request rq;
  po::options_description desc("vtdsim replay");
  add_replay_options(desc, rq);
  if (!parse_options(args, 1, desc, "vtdsim replay --platform FILE --trace FILE [options]")) return 0;
  auto result = run_replay_request(rq);
  if (rq.quiet) return 0;
  // When an output goes to standard output, the human summary moves to stderr so the data stays clean.
  bool data_on_stdout = false;
  for (const auto* out : {&rq.stats_json, &rq.per_request_csv, &rq.epochs, &rq.vcd})
    data_on_stdout = data_on_stdout || *out == "-";
  std::FILE* human = data_on_stdout ? stderr : stdout;
  fmt::print(human, "{}", result.summary);
  for (const auto& w : result.wrote)
    if (w != "-") fmt::print(human, "wrote {}\n", w);
  return 0;
}

const command_registrar replay_registrar{
    {"replay", "replay a DMA/interrupt trace and report caches, walks and latency", run_replay}};

}  // namespace
}  // namespace vtdsim::app
