#include "traces/import/line_source.hpp"

#include "model/io/input_file.hpp"

namespace vtd::traces::import {

void for_each_file_line(const std::string& path, std::string_view what, const line_sink& sink) {
  // Logs of long runs are large: bounded at 16 GiB rather than the query files' 64 MiB.
  io::line_reader reader(path, what, 64 * 1024, uint64_t{16} << 30);
  std::string line;
  while (reader.next(line)) sink(line, reader.line_number());
}

void for_each_text_line(std::string_view text, const line_sink& sink) {
  uint64_t number = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    sink(line, ++number);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace vtd::traces::import
