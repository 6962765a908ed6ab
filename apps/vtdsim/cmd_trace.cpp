// `vtdsim trace convert IN OUT` (text/binary, compressed either way, streamed; the header's issue flag kept)
// and `vtdsim trace stat IN` (open or closed issue, counts per kind and per device, address ranges, time
// span, bytes moved; kinds from the table in traces/record_kinds.hpp).
#include <fmt/core.h>

#include <array>
#include <boost/program_options.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/progress.hpp"
#include "traces/record_kinds.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace po = boost::program_options;
using namespace vtd::traces;

namespace vtdsim::app {

int trace_import(const std::vector<std::string>& args);  // cmd_trace_import.cpp

namespace {

int convert(const std::vector<std::string>& args) {
  std::string in, out, format = "binary", comp = "zstd";
  po::options_description desc("vtdsim trace convert IN OUT");
  desc.add_options()("help,h", "show this help")(
      "in", po::value(&in)->required(), "input trace (any format)")("out", po::value(&out)->required(),
                                                                    "output trace")(
      "format", po::value(&format)->default_value("binary"), "binary | text")(
      "compression", po::value(&comp)->default_value("zstd"), "zstd | xz | gzip | none");
  po::positional_options_description pos;
  pos.add("in", 1).add("out", 1);
  if (!parse_options(args, 2, desc,
                     "vtdsim trace convert IN OUT [--format text|binary] [--compression zstd|xz|gzip|none]",
                     &pos))
    return 0;
  if (format != "binary" && format != "text")
    throw std::invalid_argument(fmt::format("--format '{}': expected binary or text", format));
  try {
    trace_reader reader(in);
    trace_writer writer(out, format == "binary" ? trace_format::binary : trace_format::text,
                        parse_compression(comp), reader.header());
    progress_line progress("convert");
    record r;
    uint64_t n = 0;
    while (reader.next(r)) {
      writer.write(r);
      if ((++n & 0xFFFFF) == 0) progress.update(n, reader.header().record_count);
    }
    writer.close();
    progress.finish();
    // Where the trace went; on stderr when the trace itself is on stdout.
    fmt::print(out == "-" ? stderr : stdout, "{}: {} records ({}) -> {} ({}, {})\n", in, n,
               reader.description(), out, format, comp);
  } catch (const trace_error& e) {
    throw std::runtime_error(e.what());
  }
  return 0;
}

// Per device (source-id): its device requests. Those that access memory (the table's data_access: DMA) count
// bytes, addresses and pages; the others (MSI writes) are only counted.
struct device_range {
  uint64_t dma = 0, msi = 0, bytes = 0, min_addr = ~uint64_t{0}, max_addr = 0;
  std::set<uint64_t> pages;  // distinct 4 KiB pages touched, capped
  bool pages_capped = false;
};
constexpr size_t kPageCap = 1 << 20;

void note_device_request(device_range& d, const kind_info& kind, const record& r) {
  if (!kind.data_access) {
    ++d.msi;
    return;
  }
  ++d.dma;
  d.bytes += r.length;
  d.min_addr = std::min(d.min_addr, r.addr);
  d.max_addr = std::max(d.max_addr, r.addr + (r.length ? r.length - 1 : 0));
  if (d.pages.size() < kPageCap)
    d.pages.insert(r.addr >> 12);
  else
    d.pages_capped = true;
}

int stat(const std::vector<std::string>& args) {
  std::string in;
  bool json = false;
  po::options_description desc("vtdsim trace stat IN");
  desc.add_options()("help,h", "show this help")("in", po::value(&in)->required(), "trace")(
      "json", po::bool_switch(&json), "JSON (fields as in the text)");
  po::positional_options_description pos;
  pos.add("in", 1);
  if (!parse_options(args, 2, desc, "vtdsim trace stat IN [--json]", &pos)) return 0;
  std::array<uint64_t, 256> per_code{};  // records per kind code
  std::map<uint16_t, device_range> devices;
  uint64_t n = 0, first = 0, last = 0;
  std::string description;
  issue_mode issue = issue_mode::open;
  try {
    trace_reader reader(in);
    description = reader.description();
    issue = issue_of(reader.header());
    record r;
    while (reader.next(r)) {
      if (n++ == 0) first = r.time_ps;
      last = r.time_ps;
      ++per_code[static_cast<uint8_t>(r.kind)];
      const kind_info& kind = kind_of(r.kind);
      switch (kind.cls) {
        case kind_class::device_request:
          note_device_request(devices[r.id], kind, r);
          break;
        case kind_class::driver_table_change:
        case kind_class::invalidation:
        case kind_class::other:
          break;
      }
    }
  } catch (const trace_error& e) {
    throw std::runtime_error(e.what());
  }
  std::map<std::string, uint64_t> kinds;  // by name, the kinds present
  for (const kind_info* k : all_kinds())
    if (auto c = per_code[static_cast<uint8_t>(k->kind)]) kinds[std::string(k->name)] = c;
  if (json) {
    nlohmann::ordered_json j{{"trace", in},   {"format", description},  {"issue", to_string(issue)},
                             {"records", n},  {"first_time_ps", first}, {"last_time_ps", last},
                             {"kinds", kinds}};
    auto devs = nlohmann::ordered_json::array();
    for (const auto& [sid, d] : devices)
      devs.push_back({{"sid", format_bdf(sid)},
                      {"dma", d.dma},
                      {"msi", d.msi},
                      {"bytes", d.bytes},
                      {"min_address", d.dma ? fmt::format("0x{:x}", d.min_addr) : ""},
                      {"max_address", d.dma ? fmt::format("0x{:x}", d.max_addr) : ""},
                      {"distinct_pages", d.pages.size()},
                      {"distinct_pages_capped", d.pages_capped}});
    j["devices"] = devs;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{}: {} records ({}), {:.3f} us from {:.3f} us to {:.3f} us\n", in, n, description,
             double(last - first) / 1e6, double(first) / 1e6, double(last) / 1e6);
  // The header's issue flag: what the record times mean (docs/trace-format.md, "Open and closed loop").
  fmt::print("issue: {} ({})\n\n", to_string(issue),
             issue == issue_mode::closed ? "times are the earliest each device may issue its request"
                                         : "times are when requests are issued");
  for (const auto& [k, c] : kinds) fmt::print("  {:<14} {:>12}\n", k, c);
  fmt::print("\n  {:<9} {:>10} {:>8} {:>14} {:>18} {:>18} {:>12}\n", "device", "DMA", "MSI", "bytes",
             "lowest address", "highest address", "4K pages");
  for (const auto& [sid, d] : devices)
    fmt::print("  {:<9} {:>10} {:>8} {:>14} {:>18} {:>18} {:>11}{}\n", format_bdf(sid), d.dma, d.msi, d.bytes,
               d.dma ? fmt::format("0x{:x}", d.min_addr) : "-",
               d.dma ? fmt::format("0x{:x}", d.max_addr) : "-", d.pages.size(), d.pages_capped ? "+" : " ");
  return 0;
}

int run_trace(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
    fmt::print(
        "usage: vtdsim trace convert IN OUT [--format text|binary] [--compression zstd|xz|gzip|none]\n"
        "       vtdsim trace stat IN [--json]\n"
        "       vtdsim trace import --from qemu|linux IN -o TRACE [--platform-out FILE] [--check]\n");
    return args.size() < 2 ? 2 : 0;
  }
  if (args[1] == "convert") return convert(args);
  if (args[1] == "stat") return stat(args);
  if (args[1] == "import") return trace_import(args);
  throw std::invalid_argument(
      fmt::format("unknown trace subcommand '{}' (expected convert, stat or import)", args[1]));
}

const command_registrar trace_registrar{
    {"trace", "convert traces between formats, summarise one, or import QEMU/Linux logs", run_trace}};

}  // namespace
}  // namespace vtdsim::app
