// Shared command-line parsing (see header).
#include "apps/vtdsim/options.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <iostream>

#include "apps/vtdsim/commands.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {

namespace {

// Boost converts "-1" to an unsigned option by wrapping it (to 2^64-1, say): refuse a sign on every
// unsigned option before the conversion can happen.
bool is_unsigned_option(const po::option_description& d) {
  const auto* s = d.semantic().get();
  return dynamic_cast<const po::typed_value<uint8_t>*>(s) ||
         dynamic_cast<const po::typed_value<uint16_t>*>(s) ||
         dynamic_cast<const po::typed_value<uint32_t>*>(s) ||
         dynamic_cast<const po::typed_value<uint64_t>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned long long>*>(s);
}

void refuse_signed_unsigned(const po::parsed_options& parsed, const po::options_description& desc) {
  for (const auto& o : parsed.options) {
    if (o.unregistered || o.string_key.empty()) continue;
    const po::option_description* d = desc.find_nothrow(o.string_key, false);
    if (!d) continue;
    // An empty value (--stats-json "") would silently mean "not given": refuse it.
    for (const auto& v : o.value)
      if (v.empty()) throw usage_error(fmt::format("--{}: empty value", o.string_key));
    if (!is_unsigned_option(*d)) continue;
    for (const auto& v : o.value) {
      const auto first = v.find_first_not_of(" \t");
      if (first != std::string::npos && (v[first] == '-' || v[first] == '+'))
        throw usage_error(fmt::format("--{} '{}': expected a non-negative integer", o.string_key, v));
    }
  }
}

}  // namespace

bool parse_options(const std::vector<std::string>& args, size_t first, po::options_description& desc,
                   const std::string& usage, const po::positional_options_description* positional) {
  po::command_line_parser parser(std::vector<std::string>(args.begin() + std::ptrdiff_t(first), args.end()));
  parser.options(desc);
  // Without a positional description every positional token is refused ("too many positional options").
  po::positional_options_description none;
  parser.positional(positional ? *positional : none);
  po::variables_map vm;
  const po::parsed_options parsed = parser.run();
  refuse_signed_unsigned(parsed, desc);
  po::store(parsed, vm);
  if (vm.count("help")) {
    fmt::print("usage: {}\n\n", usage);
    std::cout << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace vtdsim::app
