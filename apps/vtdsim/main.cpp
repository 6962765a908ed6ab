// vtdsim: command-line entry. SystemC needs its own elaboration entry (sc_elab_and_sim -> sc_main), so main()
// only silences the SystemC banner (it must be set before the kernel starts) and hands over; sc_main
// dispatches to one subcommand (see `vtdsim help`).
#include <systemc>

#include <cstdlib>

#include "apps/vtdsim/commands.hpp"
#include "model/io/output_file.hpp"

int sc_main(int argc, char** argv) {
  return vtdsim::app::dispatch(argc, argv);
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  // Ctrl-C or a kill never leaves a temporary or half-written output file (model/io/output_file.hpp).
  vtd::io::remove_temporaries_on_signals();
  return sc_core::sc_elab_and_sim(argc, argv);
}
