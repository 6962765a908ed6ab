// Subcommand table and dispatch.
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/version.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <boost/program_options/errors.hpp>
#include <exception>
#include <string_view>

namespace vtdsim::app {

int run_help(const std::vector<std::string>&);

namespace {
std::vector<command>& registry() {
  static std::vector<command> table;
  return table;
}
const command_registrar help_registrar{{"help", "list the commands", run_help}};
}  // namespace

command_registrar::command_registrar(command c) {
  auto& table = registry();
  auto pos = std::lower_bound(table.begin(), table.end(), c, [](const command& a, const command& b) {
    return std::string_view(a.name) < b.name;
  });
  table.insert(pos, c);
}

const std::vector<command>& commands() {
  return registry();
}

int run_help(const std::vector<std::string>&) {
  fmt::print(
      "usage: vtdsim <command> [options]   (vtdsim <command> --help for its options; vtdsim "
      "--version)\n\ncommands:\n");
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
  if (args[0] == "--version" || args[0] == "version") {
    fmt::print("vtdsim {}\n", tool_version());
    return 0;
  }
  for (const auto& c : commands()) {
    if (args[0] == c.name) {
      try {
        return c.run(args);
      } catch (const boost::program_options::error& e) {
        fmt::print(stderr, "vtdsim {}: usage error: {} (see 'vtdsim {} --help')\n", c.name, e.what(), c.name);
        return 2;
      } catch (const usage_error& e) {
        fmt::print(stderr, "vtdsim {}: usage error: {} (see 'vtdsim {} --help')\n", c.name, e.what(), c.name);
        return 2;
      } catch (const std::invalid_argument& e) {
        // Input files report their problems as runtime errors with a position (table_error, trace_error,
        // input_error); an invalid_argument that gets here is a command-line value (a number, a choice).
        fmt::print(stderr, "vtdsim {}: usage error: {} (see 'vtdsim {} --help')\n", c.name, e.what(), c.name);
        return 2;
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
