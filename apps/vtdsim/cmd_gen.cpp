// `vtdsim gen`: generate a synthetic workload (NIC, NVMe, GPU devices; in scalable mode also first-stage and
// nested domains and SVA accelerators) as a trace plus the platform file it replays on. Same seed, same bytes
// (docs/generator.md).
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/gen_run.hpp"
#include "apps/vtdsim/options.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

int run_gen(const std::vector<std::string>& args) {
  gen_options o;
  po::options_description desc("vtdsim gen");
  add_gen_options(desc, o);
  if (!parse_options(
          args, 1, desc,
          "vtdsim gen [--mode legacy|scalable] [--workload NAME] [--dmas N] [--seed S] [--units N] "
          "-o TRACE --platform-out FILE"))
    return 0;
  const gen_request g = make_gen_request(o);
  auto s = run_gen_request(g);
  // The summary names both outputs; it goes to stderr when stdout carries the trace or the platform.
  // Scalable mode also counts the PASID attachments and detachments.
  const std::string attaches = g.workload.mode == vtd::traces::gen::gen_mode::scalable
                                   ? fmt::format("{} attach/detach, ", s.attaches)
                                   : "";
  // Several units are named after the platform file (one unit: the line as it always was).
  const std::string units =
      g.workload.units > 1 ? fmt::format(" ({} remapping units)", g.workload.units) : "";
  if (!g.quiet)
    fmt::print(g.output == "-" || g.platform_out == "-" ? stderr : stdout,
               "vtdsim gen: {} records ({} DMA, {} MSI, {} map, {} unmap, {} invalidations, {} waits, {}{} "
               "injected faults) over {:.3f} ms -> {} and {}{}\n",
               s.records, s.dmas, s.msis, s.maps, s.unmaps, s.invalidations, s.waits, attaches, s.faults,
               double(s.end_time_ps) / 1e9, g.output, g.platform_out, units);
  return 0;
}

const command_registrar gen_registrar{
    {"gen", "generate a synthetic NIC/NVMe/GPU/SVA workload: trace + platform", run_gen}};

}  // namespace
}  // namespace vtdsim::app
