// Shared command-line parsing (see header).
#include "apps/vtdsim/options.hpp"

#include <fmt/core.h>

#include <iostream>

namespace po = boost::program_options;

namespace vtdsim::app {

bool parse_options(const std::vector<std::string>& args, size_t first, po::options_description& desc,
                   const std::string& usage, const po::positional_options_description* positional) {
  po::command_line_parser parser(std::vector<std::string>(args.begin() + std::ptrdiff_t(first), args.end()));
  parser.options(desc);
  if (positional) parser.positional(*positional);
  po::variables_map vm;
  po::store(parser.run(), vm);
  if (vm.count("help")) {
    fmt::print("usage: {}\n\n", usage);
    std::cout << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace vtdsim::app
