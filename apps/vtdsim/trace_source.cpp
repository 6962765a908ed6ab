// Trace opening for replay (see header).
#include "apps/vtdsim/trace_source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"

namespace vtdsim::app {

namespace {
struct text_state {
  std::ifstream in;
  std::string line;
  uint64_t lineno = 0;
  std::string path;
};
}  // namespace

trace_source open_trace(const std::string& path) {
  auto st = std::make_shared<text_state>();
  st->in.open(path);
  st->path = path;
  if (!st->in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  trace_source src;
  src.description = "text";
  src.state = st;
  src.next = [st](vtd::traces::record& r) {
    while (std::getline(st->in, st->line)) {
      ++st->lineno;
      try {
        if (vtd::traces::parse_record_line(st->line, r)) return true;
      } catch (const vtd::traces::text_parse_error& e) {
        throw std::runtime_error(fmt::format("{}:{}:{}: {}", st->path, st->lineno, e.column(), e.what()));
      }
    }
    return false;
  };
  return src;
}

std::string trace_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t h = 0xcbf29ce484222325ull;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 0x100000001b3ull;
    }
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

}  // namespace vtdsim::app
