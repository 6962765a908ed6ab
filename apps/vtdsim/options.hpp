// Command-line parsing shared by every command: Boost.Program_options with a usage line and --help.
#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace vtdsim::app {

// Parses args[first..]. Returns false when --help was given (usage and options are printed); throws
// boost::program_options errors or usage_error on bad options (dispatch prints them and exits 2).
bool parse_options(const std::vector<std::string>& args, size_t first,
                   boost::program_options::options_description& desc, const std::string& usage,
                   const boost::program_options::positional_options_description* positional = nullptr);

}  // namespace vtdsim::app
