// `vtdsim trace import --from qemu|linux IN -o TRACE [--platform-out FILE] [--check]` (docs/trace-import.md):
// turns a QEMU VT-d trace log or Linux IOMMU trace events into a vtdsim trace and platform, reports what it
// could not recover, and with --check replays the result and compares it with the translations QEMU logged.
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "apps/vtdsim/import_check.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/parse.hpp"
#include "traces/import/linux_import.hpp"
#include "traces/import/qemu_import.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace po = boost::program_options;
using namespace vtd::traces;

namespace vtdsim::app {

namespace {

// The exit status of a --check that found a translation vtdsim does not reproduce.
constexpr int kCheckDisagreed = 3;

import::dma_pattern parse_pattern(const std::string& s){if (s == "none") return import::dma_pattern::none;
if (s == "touch") return import::dma_pattern::touch;
if (s == "stream") return import::dma_pattern::stream;
throw std::invalid_argument(fmt::format("--dma-pattern '{}': expected none, touch or stream", s));
}  // namespace

void write_platform(const import::import_result& r, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", path));
  out << vtd::tables::to_json(*r.platform).dump(2) << "\n";
  if (!out.flush()) throw std::runtime_error(fmt::format("{}: write failed", path));
}

void print_counts(const char* title, const std::map<std::string, uint64_t>& m) {
  if (m.empty()) return;
  fmt::print("{}:\n", title);
  for (const auto& [k, v] : m) fmt::print("  {:>10}  {}\n", v, k);
}

}  // namespace vtdsim::app

int trace_import(const std::vector<std::string>& args) {
  std::string from, in, out, platform_out, format = "binary", comp = "zstd", pattern = "touch", sid, domain;
  bool check = false, dma_write = false, quiet = false;
  unsigned dma_count = 16, dma_bytes = 64;
  po::options_description desc("vtdsim trace import --from qemu|linux IN -o TRACE");
  desc.add_options()("help,h", "show this help")("from", po::value(&from)->required(), "qemu | linux")(
      "in", po::value(&in)->required(), "the log")("out,o", po::value(&out)->required(),
                                                   "the trace to write")(
      "platform-out", po::value(&platform_out), "write the platform file the trace replays on")(
      "check", po::bool_switch(&check), "replay and compare with the translations QEMU logged")(
      "format", po::value(&format)->default_value("binary"), "binary | text")(
      "compression", po::value(&comp)->default_value("zstd"), "zstd | xz | gzip | none")(
      "dma-pattern", po::value(&pattern)->default_value("touch"), "linux: none | touch | stream")(
      "dma-count", po::value(&dma_count)->default_value(16), "linux, stream: requests per mapping")(
      "dma-bytes", po::value(&dma_bytes)->default_value(64), "linux: bytes per request (1..4096)")(
      "dma-write", po::bool_switch(&dma_write), "linux: generated requests write (default: read)")(
      "dma-sid", po::value(&sid), "linux: the device (bb:dd.f) the DMAs come from")(
      "domain", po::value(&domain), "linux: the DID the mappings go into")("quiet,q", po::bool_switch(&quiet),
                                                                           "print only the --check result");
  po::positional_options_description pos;
  pos.add("in", 1);
  if (!parse_options(args, 2, desc,
                     "vtdsim trace import --from qemu|linux IN -o TRACE [--platform-out FILE] [--check]",
                     &pos))
    return 0;
  if (from != "qemu" && from != "linux")
    throw std::invalid_argument(fmt::format("--from '{}': expected qemu or linux", from));
  if (format != "binary" && format != "text")
    throw std::invalid_argument(fmt::format("--format '{}': expected binary or text", format));
  if (check && from != "qemu")
    throw std::invalid_argument("--check needs --from qemu (a Linux trace logs no translations to compare)");
  if (dma_bytes == 0 || dma_bytes > 4096)
    throw std::invalid_argument(fmt::format("--dma-bytes {}: expected 1..4096", dma_bytes));
  import::linux_import_options lo;
  lo.pattern = parse_pattern(pattern);
  lo.count = dma_count;
  lo.bytes = dma_bytes;
  lo.write = dma_write;
  if (!sid.empty()) lo.sid = parse_bdf(sid);
  if (!domain.empty()) lo.domain = static_cast<uint16_t>(parse_number(domain, "--domain", 0xffff));
  const auto compression = parse_compression(comp);

  import::import_result r;
  try {
    r = from == "qemu" ? import::import_qemu_log(in) : import::import_linux_log(in, lo);
  } catch (const import::import_error& e) {
    throw std::runtime_error(e.what());
  }
  try {
    trace_writer writer(out, format == "binary" ? trace_format::binary : trace_format::text, compression,
                        binary_header{.generator = "vtdsim-import " + from});
    for (const auto& rec : r.records) writer.write(rec);
    writer.close();
  } catch (const trace_error& e) {
    throw std::runtime_error(e.what());
  }
  std::string platform_path = platform_out;
  std::string temp;
  if (r.platform && (check || !platform_out.empty())) {
    if (platform_path.empty()) {
      temp =
          (std::filesystem::temp_directory_path() / fmt::format("vtdsim-import-{}.json", getpid())).string();
      platform_path = temp;
    }
    write_platform(r, platform_path);
  }
  if (!quiet) {
    uint64_t unknown = 0, known = 0;
    for (const auto& [k, v] : r.unknown_events) unknown += v;
    for (const auto& [k, v] : r.events) known += v;
    fmt::print("{}: {} lines, {} events imported, {} unknown -> {} ({} records){}\n", in, r.lines, known,
               unknown, out, r.records.size(),
               platform_out.empty() ? "" : fmt::format(", platform {}", platform_out));
    if (!r.platform && !platform_out.empty())
      fmt::print("no platform written: the log never set the root table pointer (vtd_reg_dmar_root)\n");
    print_counts("events", r.events);
    print_counts("unknown events (not imported)", r.unknown_events);
    print_counts("not recovered", r.not_recovered);
    print_counts("synthesized records", r.synthesized);
  }
  if (!check) return 0;
  if (!r.platform)
    throw std::runtime_error(fmt::format("{}: --check: the log never set the root table pointer", in));
  import_check_result c;
  try {
    c = check_import(platform_path, r);
  } catch (...) {
    if (!temp.empty()) std::remove(temp.c_str());
    throw;
  }
  if (!temp.empty()) std::remove(temp.c_str());
  fmt::print("check: {} logged translations compared, {} agree ({} translations, {} faults), {} disagree\n",
             c.compared, c.agreed, c.translations_agreed, c.faults_agreed, c.disagreed());
  for (const auto& d : c.disagreements) fmt::print("  {}\n", d);
  return c.disagreed() ? kCheckDisagreed : 0;
}

}  // namespace vtdsim::app
