// Subcommand table and dispatch.
#include "apps/vtdsim/commands.hpp"

#include <fmt/core.h>

#include <exception>

namespace vtdsim::app {

int run_help(const std::vector<std::string>&);

const std::vector<command>& commands() {
  static const std::vector<command> table{
      {"help", "list the commands", run_help},
  };
  return table;
}

int run_help(const std::vector<std::string>&) {
  fmt::print("usage: vtdsim <command> [options]   (vtdsim <command> --help for its options)\n\ncommands:\n");
  for (const auto& c : commands()) fmt::print("  {:<12} {}\n", c.name, c.summary);
  return 0;
}

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    run_help({});
    return 2;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args[0] == "--help" || args[0] == "-h") args[0] = "help";
  for (const auto& c : commands()) {
    if (args[0] == c.name) {
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        fmt::print(stderr, "vtdsim {}: error: {}\n", c.name, e.what());
        return 1;
      }
    }
  }
  fmt::print(stderr, "vtdsim: unknown command '{}' (try 'vtdsim help')\n", args[0]);
  return 2;
}

}  // namespace vtdsim::app
