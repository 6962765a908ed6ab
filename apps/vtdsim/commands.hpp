// The subcommand registry of the vtdsim CLI.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace vtdsim::app {

// A command used wrongly (a missing or conflicting option, a value out of range on the command line):
// dispatch prints it with a pointer to --help and exits 2. Bad input files exit 1 (docs/cli.md).
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// args[0] is the subcommand name. Returns the process exit code.
using command_fn = int (*)(const std::vector<std::string>& args);

struct command {
  const char* name;
  const char* summary;
  command_fn run;
};

// Commands register themselves from their own file: `static const command_registrar reg{{"name", "...",
// fn}};` so that adding a command touches no shared file.
struct command_registrar {
  explicit command_registrar(command c);
};

const std::vector<command>& commands();  // sorted by name
int dispatch(int argc, char** argv);

}  // namespace vtdsim::app
