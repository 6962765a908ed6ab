// Query-file parsing (see header).
#include "apps/vtdsim/query_file.hpp"

#include <fmt/format.h>

#include <vector>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/parse.hpp"
#include "model/io/input_file.hpp"

namespace vtdsim::app {

namespace {

struct word {
  std::string_view text;
  size_t column;  // 1-based
};

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<word> split(std::string_view line) {
  std::vector<word> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !blank(line[i])) ++i;
    if (i > start) words.push_back({line.substr(start, i - start), start + 1});
  }
  return words;
}

// Runs a parse of one word, turning its std::invalid_argument into a syntax error at the word.
template <class F>
auto at_word(const word& w, F&& parse) {
  try {
    return parse(w.text);
  } catch (const std::invalid_argument& e) {
    throw query_syntax_error(w.column, e.what());
  }
}

}  // namespace

std::optional<query> parse_query_line(std::string_view line) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  const std::vector<word> w = split(line);
  if (w.empty()) return std::nullopt;
  const size_t past_end = w.back().column + w.back().text.size();
  query q;
  size_t used = 0;
  if (w[0].text == "dma") {
    if (w.size() < 4) throw query_syntax_error(past_end, "expected: dma BDF IOVA read|write|atomic [LENGTH]");
    q.type = query::kind::dma;
    q.dma.source_id = at_word(w[1], [](std::string_view t) { return parse_bdf(t); });
    q.dma.address = at_word(w[2], [](std::string_view t) { return parse_number(t, "IOVA"); });
    if (w[3].text == "read")
      q.dma.access = vtd::core::access_kind::read;
    else if (w[3].text == "write")
      q.dma.access = vtd::core::access_kind::write;
    else if (w[3].text == "atomic")
      q.dma.access = vtd::core::access_kind::atomic;
    else
      throw query_syntax_error(w[3].column, fmt::format("'{}': expected read, write or atomic", w[3].text));
    used = 4;
    q.dma.length = vtd::core::default_query_length(q.dma.address);
    if (w.size() > 4) {
      q.dma.length = static_cast<uint32_t>(
          at_word(w[4], [](std::string_view t) { return parse_number(t, "length", UINT32_MAX); }));
      if (vtd::core::crosses_4k_boundary(q.dma.address, q.dma.length))
        throw query_syntax_error(w[4].column, "the DMA crosses a 4 KiB boundary (a PCIe request never does)");
      used = 5;
    }
  } else if (w[0].text == "msi") {
    if (w.size() < 4) throw query_syntax_error(past_end, "expected: msi BDF ADDRESS DATA");
    q.type = query::kind::msi;
    q.msi.source_id = at_word(w[1], [](std::string_view t) { return parse_bdf(t); });
    q.msi.address = at_word(w[2], [](std::string_view t) { return parse_number(t, "address"); });
    q.msi.data = static_cast<uint32_t>(
        at_word(w[3], [](std::string_view t) { return parse_number(t, "data", UINT32_MAX); }));
    used = 4;
  } else {
    throw query_syntax_error(w[0].column,
                             fmt::format("unknown query kind '{}' (expected dma or msi)", w[0].text));
  }
  if (w.size() > used)
    throw query_syntax_error(w[used].column, fmt::format("unexpected '{}' after the query", w[used].text));
  return q;
}

void for_each_query(const std::string& path, const std::function<void(const query& q, uint64_t line)>& fn) {
  vtd::io::line_reader in(path, "query");
  std::string line;
  while (in.next(line)) {
    std::optional<query> q;
    try {
      q = parse_query_line(line);
    } catch (const query_syntax_error& e) {
      throw vtd::io::input_error(fmt::format("{}:{}:{}: {}", path == "-" ? "<stdin>" : path, in.line_number(),
                                             e.column(), e.what()));
    }
    if (q) fn(*q, in.line_number());
  }
}

uint32_t command_line_dma_length(const std::string& text, uint64_t address) {
  const uint32_t length = text.empty() ? vtd::core::default_query_length(address)
                                       : static_cast<uint32_t>(parse_number(text, "--length", UINT32_MAX));
  if (vtd::core::crosses_4k_boundary(address, length))
    throw usage_error("--iova and --length: the DMA crosses a 4 KiB boundary (a PCIe request never does)");
  return length;
}

}  // namespace vtdsim::app
