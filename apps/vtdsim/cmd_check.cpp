// `vtdsim check` and `vtdsim dump`: validate the tables a builder wrote (any memory image, or a platform
// file) and print what they map. check exits 0 when clean, 2 when errors were found, 3 with --strict when
// only warnings were found, 1 for bad input (docs/check.md).
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "apps/vtdsim/atomic_file.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/platform_setup.hpp"
#include "apps/vtdsim/replay_run.hpp"
#include "apps/vtdsim/system_setup.hpp"
#include "tables/check/checker.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

vtd::tables::check_registers registers_of(const loaded_system& sys) {
  const auto& regs = sys.unit->regs();
  vtd::tables::check_registers r;
  r.cap = sys.config.cap;
  r.ecap = sys.config.ecap;
  r.haw = sys.config.haw;
  if (regs.root_table_set()) {
    r.has_rtaddr = true;
    r.rtaddr = regs.root_table() | (uint64_t(regs.ttm()) << 10);
  }
  if (regs.irta_set()) r.irta = regs.irta_base() | (regs.eime() ? (1u << 11) : 0u) | regs.irta_size_field();
  return r;
}

// Missing-invalidation mode: a functional replay whose statistics say which DMAs were served from cached
// translations the tables no longer back, and how many invalidations found nothing to remove.
int check_trace(const system_options& sys_opts, const std::string& trace, bool json, bool strict) {
  if (sys_opts.platform.empty())
    throw std::invalid_argument("--trace needs --platform (the tables the trace starts from)");
  replay_request rq;
  rq.platform = sys_opts.platform;
  rq.trace = trace;
  rq.functional = true;
  rq.quiet = true;
  auto r = run_replay_request(rq);
  const auto& st = r.stats["stats"];
  const uint64_t stale = st["stale.translations_served"].get<uint64_t>();
  const uint64_t useless = st["inval.useless"].get<uint64_t>();
  const uint64_t refused = st["inval.refused"].get<uint64_t>();
  if (json) {
    nlohmann::ordered_json j{{"schema_version", 1},
                             {"stale_translations_served", stale},
                             {"useless_invalidations", useless},
                             {"refused_invalidations", refused},
                             {"stale_examples", r.stats["stale_examples"]}};
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print(
        "vtdsim check --trace: {} DMAs served from stale cached translations, {} invalidations found nothing "
        "cached, {} refused by the hardware\n",
        stale, useless, refused);
    for (const auto& e : r.stats["stale_examples"])
      fmt::print("  record {} {} {}: served {}, memory says {}\n    changed by {}\n    fix: {}\n",
                 e["record"].get<uint64_t>(), e["sid"].get<std::string>(), e["address"].get<std::string>(),
                 e["served"].get<std::string>(), e["memory"].get<std::string>(),
                 e["changed"].get<std::string>(), e["fix"].get<std::string>());
  }
  if (stale) return 2;
  if (strict && (useless || refused)) return 3;
  return 0;
}

int run_check(const std::vector<std::string>& args) {
  system_options sys_opts;
  bool json = false, strict = false, mappings = false;
  std::string trace;
  po::options_description desc("vtdsim check");
  desc.add_options()("help,h", "show this help")(
      "json", po::bool_switch(&json), "JSON report (docs/check.md)")("strict", po::bool_switch(&strict),
                                                                     "exit non-zero on warnings too")(
      "mappings", po::bool_switch(&mappings), "list every domain's mapped ranges")(
      "trace", po::value(&trace),
      "also replay this trace of map/unmap/invalidate and DMA records on the platform "
      "and report every DMA served from a stale cached translation (missing invalidation)");
  add_system_options(desc, sys_opts);
  if (!parse_options(
          args, 1, desc,
          "vtdsim check (--platform FILE | --mem FILE@ADDR ... | --pages FILE) [--rtaddr A] [--irta A]"))
    return 0;
  if (!trace.empty()) return check_trace(sys_opts, trace, json, strict);
  loaded_system sys = load_system(sys_opts);
  auto report = vtd::tables::check_tables(sys.unit->memory(), registers_of(sys));
  fmt::print("{}", json ? vtd::tables::format_check_json(report) + "\n"
                        : vtd::tables::format_check_text(report, mappings));
  if (report.count(vtd::tables::severity::error)) return 2;
  if (strict && report.count(vtd::tables::severity::warning)) return 3;
  return 0;
}

int run_dump(const std::vector<std::string>& args) {
  system_options sys_opts;
  bool json = false;
  std::string save_pages;
  po::options_description desc("vtdsim dump");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "JSON instead of text")(
      "save-pages", po::value(&save_pages),
      "write all of memory as a sparse page file (docs/memory-image.md)");
  add_system_options(desc, sys_opts);
  if (!parse_options(
          args, 1, desc,
          "vtdsim dump (--platform FILE | --mem FILE@ADDR ... | --pages FILE) [--rtaddr A] [--irta A]"))
    return 0;
  loaded_system sys = load_system(sys_opts);
  auto report = vtd::tables::check_tables(sys.unit->memory(), registers_of(sys));
  if (!save_pages.empty()) save_page_file(sys.unit->memory(), save_pages);
  fmt::print("{}",
             json ? vtd::tables::format_dump_json(report) + "\n" : vtd::tables::format_dump_text(report));
  return 0;
}

const command_registrar check_registrar{
    {"check", "validate VT-d tables in a memory image: every violation with its path and severity",
     run_check}};
const command_registrar dump_registrar{
    {"dump", "print every device's context, every domain's mappings and the interrupt table", run_dump}};

}  // namespace
}  // namespace vtdsim::app
