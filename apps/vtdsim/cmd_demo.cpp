// `vtdsim demo`: the README's main job. Generates the default mixed workload (one NIC, one NVMe controller,
// about a million DMAs) into a work directory and replays it on the timed model, printing the statistics.
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/gen_run.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/replay_run.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

int run_demo(const std::vector<std::string>& args) {
  std::string dir = "out/demo", preset = "server";
  gen_options o;  // the mixed workload; --dmas and --seed are checked as `gen` checks them
  bool functional = false;
  po::options_description desc("vtdsim demo");
  desc.add_options()("help,h", "show this help")("dir", po::value(&dir)->default_value("out/demo"),
                                                 "where the trace, platform and statistics go")(
      "dmas", po::value(&o.dmas)->default_value("1000000"), "DMA requests in the generated workload")(
      "seed", po::value(&o.seed)->default_value("1"), "generator seed")(
      "preset", po::value(&preset)->default_value("server"), "configuration preset: server | broadwell")(
      "functional", po::bool_switch(&functional), "replay on the functional core only");
  if (!parse_options(args, 1, desc,
                     "vtdsim demo [--dir DIR] [--dmas N] [--seed S] [--preset NAME] [--functional]"))
    return 0;
  o.output = dir + "/mixed.vtdt.zst";
  o.platform_out = dir + "/platform.json";
  const gen_request g = make_gen_request(o);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw std::runtime_error(fmt::format("--dir {}: cannot make a directory there: {}", dir,
                                         ec ? ec.message() : "it exists and is not a directory"));
  auto s = run_gen_request(g);
  fmt::print(
      "generated {} records ({} DMAs from nic0 and nvme0, {} map/{} unmap, {} IOTLB invalidations) -> {}\n\n",
      s.records, s.dmas, s.maps, s.unmaps, s.invalidations, g.output);
  replay_request rq;
  rq.platform = g.platform_out;
  rq.trace = g.output;
  rq.preset = preset;
  rq.functional = functional;
  rq.stats_json = dir + "/stats.json";
  auto r = run_replay_request(rq);
  fmt::print("{}\n  all statistics with descriptions and units: {}\n", r.summary, rq.stats_json);
  return 0;
}

const command_registrar demo_registrar{
    {"demo", "generate the default NIC + NVMe workload and replay it (the README's main job)", run_demo}};

}  // namespace
}  // namespace vtdsim::app
