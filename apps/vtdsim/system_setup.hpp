// Building the simulated system a command works on: from a platform file (tables built by vtdsim's builders)
// or from raw memory images written by any other program plus the register values a driver would have set.
#pragma once
#include <boost/program_options.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/core/remapping_unit.hpp"
#include "model/memory/physical_memory.hpp"

namespace vtdsim::app {

struct system_options {
  std::string platform;                 // platform JSON
  std::string unit;                     // with a platform of several remapping units: which one
  std::vector<std::string> mem_images;  // FILE@ADDR, raw little-endian bytes
  std::string pages_file;               // sparse page file (docs/memory-image.md)
  std::string registers_file;           // register values as JSON (docs/memory-image.md)
  std::string preset = "server";
  std::string cap, ecap;                             // full register values
  std::vector<std::string> cap_fields, ecap_fields;  // name=value overrides
  std::string haw;
  std::string memory_size = "1TiB";
  std::string rtaddr, irta;
  std::string translation = "auto",
              interrupt_remapping = "auto";  // on | off | auto (on when the table is given)
  bool compat_interrupts = false;
  // Where a value came from when a --registers file set it ("regs.json: \"haw\""), keyed by option name
  // ("haw", "cap-field"), so that errors blame the file and not a command-line option the user never gave.
  std::map<std::string, std::string> origin;
};

void add_system_options(boost::program_options::options_description& desc, system_options& o);

struct loaded_system {
  std::unique_ptr<vtd::core::physical_memory> memory;
  vtd::core::unit_config config;
  std::unique_ptr<vtd::core::remapping_unit> unit;
  std::shared_ptr<void> platform;  // the tables-side platform state when loaded from a platform file
  std::vector<std::pair<std::string, uint16_t>> device_names;  // name -> source-id, from a platform file
};

// Throws std::runtime_error with the input's position on bad input.
loaded_system load_system(const system_options& o);

// Fills the options the command line left unset from the register-values JSON file `o.registers_file`
// (docs/memory-image.md), remembering in `o.origin` which values came from it. with_register_json does the
// same from the file's bytes (fuzzing, tests). Throw std::runtime_error naming the file.
system_options with_register_file(system_options o);
system_options with_register_json(system_options o, std::string_view bytes);

// Streams a raw image file into memory at `addr`; throws naming the file when it does not fit.
void load_image(vtd::core::physical_memory& mem, const std::string& path, uint64_t addr);

}  // namespace vtdsim::app
