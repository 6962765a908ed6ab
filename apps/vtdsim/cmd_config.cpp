// `vtdsim config`: print the resolved simulation configuration (preset + file + --set overrides) as JSON, and
// `vtdsim presets`: list the capability and configuration presets.
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "apps/replay/sim_config.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/registers.hpp"
#include "model/timing/timing_params.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

int run_config(const std::vector<std::string>& args) {
  std::string preset = "server", file;
  std::vector<std::string> sets;
  po::options_description desc("vtdsim config: print the resolved configuration (docs/config.md)");
  desc.add_options()("help,h", "show this help")("preset", po::value(&preset)->default_value("server"),
                                                 "configuration preset: server | broadwell")(
      "config", po::value(&file), "configuration JSON file")(
      "set", po::value(&sets)->composing(), "override KEY=VALUE, e.g. iotlb.entries=64 (repeatable)");
  if (!parse_options(args, 1, desc, "vtdsim config [--preset NAME] [--config FILE] [--set KEY=VALUE ...]"))
    return 0;
  vtd::replay::sim_config c =
      file.empty() ? vtd::replay::sim_preset(preset) : vtd::replay::load_sim_config(file);
  for (const auto& s : sets) vtd::replay::apply_override(c, s);
  fmt::print("{}\n", vtd::replay::to_json(c).dump(2));
  return 0;
}

int run_presets(const std::vector<std::string>&) {
  fmt::print(
      "Capability presets (--preset for translate/interrupt/walk/check; \"iommu.preset\" in a platform "
      "file):\n");
  for (const auto& p : vtd::spec::capability_presets()) {
    vtd::spec::reg::cap_reg cap{p.cap};
    vtd::spec::reg::ecap_reg ecap{p.ecap};
    fmt::print("  {:<10} CAP 0x{:016x} ECAP 0x{:016x} HAW {}  {}\n", p.name, p.cap, p.ecap, p.haw,
               p.description);
    fmt::print(
        "  {:<10} SAGAW {:05b} MGAW {} SLLPS {:04b} NFR {} ND {} PSI {} PT {} DT {} IR {} EIM {} PI {}\n", "",
        cap.sagaw(), cap.mgaw(), cap.sllps(), cap.nfr(), cap.nd(), int(cap.psi()), int(ecap.pt()),
        int(ecap.dt()), int(ecap.ir()), int(ecap.eim()), int(cap.pi()));
  }
  fmt::print("\nConfiguration presets (--preset for replay/sweep/config; docs/timing.md):\n");
  for (const auto& p : vtd::timing::timing_presets()) fmt::print("  {:<10} {}\n", p.name, p.description);
  return 0;
}

const command_registrar config_registrar{
    {"config", "print the resolved cache and timing configuration", run_config}};
const command_registrar presets_registrar{
    {"presets", "list capability and configuration presets", run_presets}};

}  // namespace
}  // namespace vtdsim::app
