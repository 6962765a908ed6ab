// vtdsim: command-line entry. Dispatches to one subcommand; see `vtdsim help`.
#include <fmt/core.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "apps/vtdsim/commands.hpp"

int main(int argc, char** argv) {
  // SystemC prints its banner when the kernel starts unless this is set first.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return vtdsim::app::dispatch(argc, argv);
}
