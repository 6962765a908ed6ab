// `vtdsim walk`: explain one DMA translation or one interrupt step by step (terminal text with optional
// colour, --json, or --html FILE for a self-contained page).
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "apps/explain/explanation.hpp"
#include "apps/vtdsim/atomic_file.hpp"
#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/system_setup.hpp"

namespace po = boost::program_options;

namespace vtdsim::app {
namespace {

int run_walk(const std::vector<std::string>& args) {
  system_options sys_opts;
  std::string sid, iova, length = "4", addr, data = "0", html, color = "auto";
  bool write = false, atomic = false, msi = false, json = false;
  po::options_description desc("vtdsim walk");
  desc.add_options()("help,h", "show this help")("sid", po::value(&sid), "requester id bb:dd.f")(
      "iova", po::value(&iova), "DMA input address")("write", po::bool_switch(&write),
                                                     "a write (default: read)")(
      "atomic", po::bool_switch(&atomic), "an AtomicOp")("length", po::value(&length)->default_value("4"),
                                                         "bytes")(
      "msi", po::bool_switch(&msi), "explain an interrupt: --addr and --data are the MSI")(
      "addr", po::value(&addr), "MSI address")("data", po::value(&data)->default_value("0"), "MSI data")(
      "json", po::bool_switch(&json), "print the explanation as JSON")(
      "html", po::value(&html), "write a self-contained HTML page of the walk to FILE")(
      "color", po::value(&color)->default_value("auto"), "auto | always | never");
  add_system_options(desc, sys_opts);
  if (!parse_options(
          args, 1, desc,
          "vtdsim walk (--platform FILE | --mem FILE@ADDR ... --rtaddr A) --sid BDF --iova A [--write]\n"
          "       vtdsim walk ... --msi --sid BDF --addr A --data D"))
    return 0;
  if (color != "auto" && color != "always" && color != "never")
    throw std::invalid_argument(fmt::format("--color '{}': expected auto, always or never", color));
  if (sid.empty()) throw std::invalid_argument("--sid is required");
  if (msi ? addr.empty() : iova.empty())
    throw std::invalid_argument(msi ? "--addr is required with --msi" : "--iova is required");
  loaded_system sys = load_system(sys_opts);
  vtd::explain::explanation x;
  if (msi) {
    vtd::core::interrupt_request q;
    q.source_id = parse_bdf(sid);
    q.address = parse_number(addr, "--addr");
    q.data = static_cast<uint32_t>(parse_number(data, "--data"));
    x = vtd::explain::explain_interrupt(*sys.unit, q);
  } else {
    vtd::core::dma_request q;
    q.source_id = parse_bdf(sid);
    q.address = parse_number(iova, "--iova");
    q.length = static_cast<uint32_t>(parse_number(length, "--length"));
    q.access = write    ? vtd::core::access_kind::write
               : atomic ? vtd::core::access_kind::atomic
                        : vtd::core::access_kind::read;
    x = vtd::explain::explain_dma(*sys.unit, q);
  }
  if (!html.empty()) {
    atomic_file f(html);
    f.write(vtd::explain::render_html(x));
    f.commit();
  }
  if (json)
    fmt::print("{}\n", vtd::explain::render_json(x));
  else if (html.empty() || isatty(STDOUT_FILENO))
    fmt::print("{}",
               vtd::explain::render_text(x, color == "always" || (color == "auto" && isatty(STDOUT_FILENO))));
  return 0;
}

const command_registrar walk_registrar{
    {"walk", "explain one translation or interrupt step by step (text, --json, --html)", run_walk}};

}  // namespace
}  // namespace vtdsim::app
