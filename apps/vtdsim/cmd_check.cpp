// `vtdsim check` and `vtdsim dump`: validate the tables a builder wrote (any memory image, or a platform
// file) and print what they map. check exits 0 when clean, 2 when errors were found or when there was nothing
// to check (usage error), 3 with --strict when only warnings were found, 1 for bad input (docs/check.md).
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <optional>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/platform_setup.hpp"
#include "apps/vtdsim/replay_run.hpp"
#include "apps/vtdsim/system_setup.hpp"
#include "model/spec/registers.hpp"
#include "tables/check/checker.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

// The register values as the driver programmed them (reserved and unimplemented bits included, so that the
// checker can report them), not as the register file kept them.
vtd::tables::check_registers registers_of(const loaded_system& sys) {
  const auto& regs = sys.unit->regs();
  vtd::tables::check_registers r;
  r.cap = sys.config.cap;
  r.ecap = sys.config.ecap;
  r.haw = sys.config.haw;
  if (regs.root_table_set()) {
    r.has_rtaddr = true;
    r.rtaddr = regs.rtaddr_as_written();
  }
  if (regs.irta_set()) r.irta = regs.irta_as_written();
  return r;
}

// A validator never says "clean" when it did not look: no memory at all, or no table the registers point to,
// is a usage error (usage_error: exit 2) naming what to give.
void require_input(const system_options& o, const char* command) {
  if (o.platform.empty() && o.mem_images.empty() && o.pages_file.empty())
    throw usage_error(
        fmt::format("nothing to {}: give --platform FILE, or a memory image (--mem FILE@ADDR, "
                    "repeatable, or --pages FILE) with --rtaddr ADDR (root table) and/or --irta "
                    "VALUE (interrupt remapping table)",
                    command));
}

void require_tables(const system_options& o, const loaded_system& sys, const char* command) {
  const auto& regs = sys.unit->regs();
  if (regs.root_table_set() || regs.irta_set()) return;
  std::string inputs;
  for (const auto& m : o.mem_images) inputs += (inputs.empty() ? "" : ", ") + m;
  if (!o.pages_file.empty()) inputs += (inputs.empty() ? "" : ", ") + o.pages_file;
  const bool ir = vtd::spec::reg::ecap_reg{sys.config.ecap}.ir();
  throw usage_error(fmt::format(
      "nothing to {} in {}: no root table and no interrupt remapping table is programmed; give --rtaddr ADDR "
      "(where the root table is in that memory){}",
      command, inputs,
      ir ? " and/or --irta VALUE (the interrupt remapping table)"
         : " (--irta is ignored: this unit has no interrupt remapping, ECAP.IR=0)"));
}

struct trace_check {
  uint64_t stale = 0, useless = 0, refused = 0;
  nlohmann::json examples;
};

// Missing-invalidation mode: a functional replay whose statistics say which DMAs were served from cached
// translations the tables no longer back, and how many invalidations found nothing to remove.
trace_check check_trace(const system_options& sys_opts, const std::string& trace) {
  replay_request rq;
  rq.platform = sys_opts.platform;
  rq.trace = trace;
  rq.functional = true;
  rq.quiet = true;
  auto r = run_replay_request(rq);
  const auto& st = r.stats["stats"];
  return {st["stale.translations_served"].get<uint64_t>(), st["inval.useless"].get<uint64_t>(),
          st["inval.refused"].get<uint64_t>(), r.stats["stale_examples"]};
}

std::string trace_text(const trace_check& t) {
  std::string o = fmt::format(
      "vtdsim check --trace: {} DMAs served from stale cached translations, {} invalidations found nothing "
      "cached, {} refused by the hardware\n",
      t.stale, t.useless, t.refused);
  for (const auto& e : t.examples)
    o +=
        fmt::format("  record {} {} {}: served {}, memory says {}\n    changed by {}\n    fix: {}\n",
                    e["record"].get<uint64_t>(), e["sid"].get<std::string>(), e["address"].get<std::string>(),
                    e["served"].get<std::string>(), e["memory"].get<std::string>(),
                    e["changed"].get<std::string>(), e["fix"].get<std::string>());
  return o;
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
      "after checking the platform's tables, also replay this trace of map/unmap/invalidate and DMA records "
      "on it and report every DMA served from a stale cached translation (missing invalidation)");
  add_system_options(desc, sys_opts);
  if (!parse_options(
          args, 1, desc,
          "vtdsim check (--platform FILE | --mem FILE@ADDR ... | --pages FILE) [--rtaddr A] [--irta A] "
          "[--trace FILE]"))
    return 0;
  require_input(sys_opts, "check");
  if (!trace.empty() && sys_opts.platform.empty())
    throw usage_error("--trace needs --platform (the tables the trace starts from)");
  // A platform with several remapping units and no --unit: every unit's tables, a report each.
  std::vector<std::string> units{sys_opts.unit};
  if (!sys_opts.platform.empty() && sys_opts.unit.empty()) units = platform_unit_names(sys_opts.platform);
  const bool several = units.size() > 1;
  std::vector<vtd::tables::check_report> reports;
  size_t errors = 0, warnings = 0;
  for (const std::string& unit : units) {
    system_options o = sys_opts;
    if (several) o.unit = unit;
    loaded_system sys = load_system(o);
    require_tables(o, sys, "check");
    reports.push_back(vtd::tables::check_tables(sys.unit->memory(), registers_of(sys)));
    errors += reports.back().count(vtd::tables::severity::error);
    warnings += reports.back().count(vtd::tables::severity::warning);
  }
  // --trace adds the missing-invalidation check to the table check; it never replaces it.
  std::optional<trace_check> t;
  if (!trace.empty()) t = check_trace(sys_opts, trace);
  if (json) {
    nlohmann::ordered_json j;
    if (several) {
      j["units"] = nlohmann::ordered_json::object();
      for (size_t i = 0; i < units.size(); ++i)
        j["units"][units[i]] = nlohmann::ordered_json::parse(vtd::tables::format_check_json(reports[i]));
    } else {
      j = nlohmann::ordered_json::parse(vtd::tables::format_check_json(reports.front()));
    }
    if (t) {
      j["stale_translations_served"] = t->stale;
      j["useless_invalidations"] = t->useless;
      j["refused_invalidations"] = t->refused;
      j["stale_examples"] = t->examples;
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    for (size_t i = 0; i < units.size(); ++i) {
      if (several) fmt::print("{}unit {}:\n", i ? "\n" : "", units[i]);
      fmt::print("{}", vtd::tables::format_check_text(reports[i], mappings));
    }
    if (t) fmt::print("\n{}", trace_text(*t));
  }
  if (errors || (t && t->stale)) return 2;
  if (strict && (warnings || (t && (t->useless || t->refused)))) return 3;
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
  require_input(sys_opts, "dump");
  loaded_system sys = load_system(sys_opts);
  require_tables(sys_opts, sys, "dump");
  auto report = vtd::tables::check_tables(sys.unit->memory(), registers_of(sys));
  if (!save_pages.empty()) {
    save_page_file(sys.unit->memory(), save_pages);
    if (save_pages != "-") fmt::print(stderr, "wrote {}\n", save_pages);  // stdout carries the dump
  }
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
