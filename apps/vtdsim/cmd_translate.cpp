// `vtdsim translate` and `vtdsim interrupt`: one query from the command line, or many from a query file (one
// JSON result per line). Exit 0 for a completed query whether it translated or faulted; 1 for bad input.
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/options.hpp"
#include "apps/vtdsim/parse.hpp"
#include "apps/vtdsim/query_file.hpp"
#include "apps/vtdsim/query_output.hpp"
#include "apps/vtdsim/system_setup.hpp"

namespace po = boost::program_options;
using namespace vtd;

namespace vtdsim::app {
namespace {

struct query_options {
  std::string sid, iova, length, at = "untranslated", addr, data = "0", queries, pasid;
  bool write = false, read = false, atomic = false, json = false, priv = false, exec = false;
};

core::address_type parse_at(const std::string& s) {
  if (s == "untranslated") return core::address_type::untranslated;
  if (s == "translation_request" || s == "translation-request")
    return core::address_type::translation_request;
  if (s == "translated") return core::address_type::translated;
  throw usage_error(fmt::format("--at '{}': expected untranslated, translation_request or translated", s));
}

// Query file (apps/vtdsim/query_file.hpp): one JSON result per line.
int run_query_file(loaded_system& sys, const std::string& path) {
  std::string out;
  for_each_query(path, [&](const query& q, uint64_t) {
    switch (q.type) {
      case query::kind::dma:
        out += to_json(q.dma, sys.unit->translate(q.dma)).dump() + "\n";
        break;
      case query::kind::msi:
        out += to_json(q.msi, sys.unit->remap_interrupt(q.msi)).dump() + "\n";
        break;
    }
    if (out.size() > (1u << 16)) {
      fmt::print("{}", out);
      out.clear();
    }
  });
  fmt::print("{}", out);
  return 0;
}

int run_translate(const std::vector<std::string>& args) {
  system_options sys_opts;
  query_options q;
  po::options_description desc("vtdsim translate");
  desc.add_options()("help,h", "show this help")("sid", po::value(&q.sid), "requester id bb:dd.f")(
      "iova", po::value(&q.iova), "input address of the DMA")("write", po::bool_switch(&q.write),
                                                              "a write request")(
      "read", po::bool_switch(&q.read), "a read request (default)")("atomic", po::bool_switch(&q.atomic),
                                                                    "an AtomicOp (needs R and W)")(
      "length", po::value(&q.length), "bytes (0 = zero-length read; default 4, less at a page's end)")(
      "at", po::value(&q.at)->default_value("untranslated"),
      "address type: untranslated | translation_request | translated")(
      "pasid", po::value(&q.pasid), "PASID of the request (0..0xfffff): a PASID TLP prefix")(
      "priv", po::bool_switch(&q.priv), "privileged (supervisor) request; needs --pasid")(
      "exec", po::bool_switch(&q.exec), "execute requested; needs --pasid and a read")(
      "queries", po::value(&q.queries), "file of queries, one per line; prints one JSON result per line")(
      "json", po::bool_switch(&q.json), "print JSON instead of text");
  add_system_options(desc, sys_opts);
  if (!parse_options(args, 1, desc,
                     "vtdsim translate (--platform FILE | --mem FILE@ADDR ... --rtaddr A) --sid BDF --iova A "
                     "[--write] [--pasid N [--priv] [--exec]]"))
    return 0;
  if (!q.queries.empty()) {
    // The file's lines carry their own PASID keywords (pasid=N, priv, exec).
    if (!q.pasid.empty() || q.priv || q.exec)
      throw usage_error("--queries takes every request from its file: not with --pasid, --priv or --exec");
    loaded_system sys = load_system(sys_opts);
    return run_query_file(sys, q.queries);
  }
  if (q.sid.empty() || q.iova.empty()) throw usage_error("--sid and --iova are required (or --queries FILE)");
  if (int(q.write) + int(q.read) + int(q.atomic) > 1)
    throw usage_error("choose one of --read, --write, --atomic");
  core::dma_request req;
  req.source_id = parse_bdf(q.sid);
  req.address = parse_number(q.iova, "--iova");
  req.access = q.write    ? core::access_kind::write
               : q.atomic ? core::access_kind::atomic
                          : core::access_kind::read;
  req.length = command_line_dma_length(q.length, req.address);
  req.at = parse_at(q.at);
  command_line_pasid(req, q.pasid, q.priv, q.exec);
  // Every option is checked before the system loads, so that a usage error is one whatever the platform.
  loaded_system sys = load_system(sys_opts);
  auto r = sys.unit->translate(req);
  if (q.json)
    fmt::print("{}\n", to_json(req, r).dump(2));
  else
    fmt::print("{}\n", to_text(req, r));
  return 0;
}

int run_interrupt(const std::vector<std::string>& args) {
  system_options sys_opts;
  query_options q;
  po::options_description desc("vtdsim interrupt");
  desc.add_options()("help,h", "show this help")("sid", po::value(&q.sid), "requester id bb:dd.f")(
      "addr", po::value(&q.addr), "MSI address (0xFEEx_xxxx)")("data", po::value(&q.data)->default_value("0"),
                                                               "MSI data")("json", po::bool_switch(&q.json),
                                                                           "print JSON instead of text");
  add_system_options(desc, sys_opts);
  if (!parse_options(
          args, 1, desc,
          "vtdsim interrupt (--platform FILE | --mem FILE@ADDR ... --irta A) --sid BDF --addr A --data D"))
    return 0;
  if (q.sid.empty() || q.addr.empty()) throw usage_error("--sid and --addr are required");
  loaded_system sys = load_system(sys_opts);
  core::interrupt_request req;
  req.source_id = parse_bdf(q.sid);
  req.address = parse_number(q.addr, "--addr");
  req.data = static_cast<uint32_t>(parse_number(q.data, "--data", UINT32_MAX));
  auto r = sys.unit->remap_interrupt(req);
  if (q.json)
    fmt::print("{}\n", to_json(req, r).dump(2));
  else
    fmt::print("{}\n", to_text(req, r));
  return 0;
}

const command_registrar translate_registrar{
    {"translate", "translate a DMA (or a file of queries) to a host physical address or a fault",
     run_translate}};
const command_registrar interrupt_registrar{
    {"interrupt", "remap an MSI through the interrupt remapping table", run_interrupt}};

}  // namespace
}  // namespace vtdsim::app
