// Trace opening for replay (see header).
#include "apps/vtdsim/trace_source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

namespace vtdsim::app {

trace_source open_trace(const std::string& path) {
  std::shared_ptr<vtd::traces::trace_reader> reader;
  try {
    reader = std::make_shared<vtd::traces::trace_reader>(path);
  } catch (const vtd::traces::trace_error& e) {
    throw std::runtime_error(e.what());
  }
  trace_source src;
  src.description = reader->description();
  src.record_count = reader->header().record_count;
  src.seed = reader->header().seed;
  src.state = reader;
  src.next = [r = reader.get()](vtd::traces::record& rec) {
    try {
      return r->next(rec);
    } catch (const vtd::traces::trace_error& e) {
      throw std::runtime_error(e.what());
    }
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
