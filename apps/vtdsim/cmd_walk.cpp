// `vtdsim walk`: explain one DMA translation or one interrupt step by step (terminal text with optional
// colour, --json, or --html FILE for a self-contained page), or every query of a file (--queries).
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "apps/explain/explanation.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/query_file.hpp"
#include "apps/vtdsim/system_setup.hpp"
#include "model/io/output_file.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

// Explains one query (a walk never changes the unit: explain.hpp).
vtd::explain::explanation explain_query(loaded_system& sys, const query& q) {
  switch (q.type) {
    case query::kind::dma:
      return vtd::explain::explain_dma(*sys.unit, q.dma);
    case query::kind::msi:
      return vtd::explain::explain_interrupt(*sys.unit, q.msi);
  }
  throw std::logic_error("unknown query kind");
}

// --queries FILE: every query is read and checked before the first walk is printed, so a malformed line
// leaves no partial output. JSON: one walk per line; text: walks separated by a blank line.
int walk_query_file(loaded_system& sys, const std::string& path, bool json, bool colour) {
  std::vector<std::pair<query, uint64_t>> queries;
  for_each_query(path, [&](const query& q, uint64_t line) { queries.emplace_back(q, line); });
  std::string out;
  bool first = true;
  for (const auto& [q, line] : queries) {
    vtd::explain::explanation x;
    try {
      x = explain_query(sys, q);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("{}:{}: {}", path, line, e.what()));
    }
    if (json) {
      out += vtd::explain::render_json(x, -1);
      out += '\n';
    } else {
      if (!first) out += '\n';
      out += vtd::explain::render_text(x, colour);
    }
    first = false;
    if (out.size() > (1u << 16)) {
      fmt::print("{}", out);
      out.clear();
    }
  }
  fmt::print("{}", out);
  return 0;
}

int run_walk(const std::vector<std::string>& args) {
  system_options sys_opts;
  std::string sid, iova, length, addr, data, html, color = "auto", queries, pasid;
  bool write = false, atomic = false, msi = false, json = false, priv = false, exec = false;
  po::options_description desc("vtdsim walk");
  desc.add_options()("help,h", "show this help")("sid", po::value(&sid), "requester id bb:dd.f")(
      "iova", po::value(&iova), "DMA input address")("write", po::bool_switch(&write),
                                                     "a write (default: read)")(
      "atomic", po::bool_switch(&atomic), "an AtomicOp")("length", po::value(&length), "bytes (default 4)")(
      "pasid", po::value(&pasid), "PASID of the DMA (0..0xfffff): a PASID TLP prefix")(
      "priv", po::bool_switch(&priv), "privileged (supervisor) DMA; needs --pasid")(
      "exec", po::bool_switch(&exec), "execute requested; needs --pasid and a read")(
      "msi", po::bool_switch(&msi), "explain an interrupt: --addr and --data are the MSI")(
      "addr", po::value(&addr), "MSI address")("data", po::value(&data), "MSI data (default 0)")(
      "queries", po::value(&queries),
      "walk every query of FILE (translate --queries syntax); with --json one walk per line")(
      "json", po::bool_switch(&json), "print the explanation as JSON")(
      "html", po::value(&html), "write a self-contained HTML page of the walk to FILE")(
      "color", po::value(&color)->default_value("auto"), "auto | always | never");
  add_system_options(desc, sys_opts);
  if (!parse_options(
          args, 1, desc,
          "vtdsim walk (--platform FILE | --mem FILE@ADDR ... --rtaddr A) --sid BDF --iova A [--write]\n"
          "       [--pasid N [--priv] [--exec]]\n"
          "       vtdsim walk ... --msi --sid BDF --addr A --data D\n"
          "       vtdsim walk ... --queries FILE [--json]"))
    return 0;
  if (color != "auto" && color != "always" && color != "never")
    throw usage_error(fmt::format("--color '{}': expected auto, always or never", color));
  const bool colour = color == "always" || (color == "auto" && isatty(STDOUT_FILENO));
  if (!queries.empty()) {
    if (!sid.empty() || !iova.empty() || !addr.empty() || !data.empty() || !length.empty() || msi || write ||
        atomic || !pasid.empty() || priv || exec)
      throw usage_error(
          "--queries takes every request from its file: not with --sid, --iova, --msi, --addr, --data, "
          "--length, --write, --atomic, --pasid, --priv or --exec");
    if (!html.empty()) throw usage_error("--html draws one walk: not with --queries");
    loaded_system sys = load_system(sys_opts);
    return walk_query_file(sys, queries, json, colour);
  }
  if (sid.empty()) throw usage_error("--sid is required (or --queries FILE)");
  if (msi) {
    if (addr.empty()) throw usage_error("--addr is required with --msi");
    if (!iova.empty() || !length.empty() || write || atomic || !pasid.empty() || priv || exec)
      throw usage_error(
          "--msi explains an interrupt: --iova, --length, --write, --atomic, "
          "--pasid, --priv and --exec are for DMAs");
  } else {
    if (iova.empty()) throw usage_error("--iova is required (or --msi with --addr)");
    if (!addr.empty() || !data.empty()) throw usage_error("--addr and --data describe an MSI: add --msi");
    if (write && atomic) throw usage_error("choose one of --write, --atomic");
  }
  query q;
  if (msi) {
    q.type = query::kind::msi;
    q.msi.source_id = parse_bdf(sid);
    q.msi.address = parse_number(addr, "--addr");
    q.msi.data = static_cast<uint32_t>(parse_number(data.empty() ? "0" : data, "--data", UINT32_MAX));
  } else {
    q.type = query::kind::dma;
    q.dma.source_id = parse_bdf(sid);
    q.dma.address = parse_number(iova, "--iova");
    q.dma.length = command_line_dma_length(length, q.dma.address);
    q.dma.access = write    ? vtd::core::access_kind::write
                   : atomic ? vtd::core::access_kind::atomic
                            : vtd::core::access_kind::read;
    command_line_pasid(q.dma, pasid, priv, exec);
  }
  loaded_system sys = load_system(sys_opts);
  const vtd::explain::explanation x = explain_query(sys, q);
  if (!html.empty()) {
    vtd::io::output_file f(html);
    f.write(vtd::explain::render_html(x));
    f.commit();
    if (html != "-") fmt::print(json ? stderr : stdout, "wrote {}\n", html);
  }
  if (json)
    fmt::print("{}\n", vtd::explain::render_json(x));
  else if (html.empty() || isatty(STDOUT_FILENO))
    fmt::print("{}", vtd::explain::render_text(x, colour));
  return 0;
}

const command_registrar walk_registrar{
    {"walk", "explain one translation or interrupt step by step (text, --json, --html)", run_walk}};

}  // namespace
}  // namespace vtdsim::app
