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

// A LENGTH is a number, and numbers start with a digit (decimal, 0x-hex, 4KiB); the keywords start with a
// letter. So the word after the access is a LENGTH exactly when it starts with a digit.
bool is_length_word(const word& w) {
  return !w.text.empty() && w.text[0] >= '0' && w.text[0] <= '9';
}

constexpr std::string_view kPasidKeyword = "pasid=";

// The keywords after LENGTH: [pasid=N] [priv] [exec], in any order, each at most once, held to
// check_pasid_prefix's rules. Errors point at the keyword at fault.
void parse_pasid_keywords(const std::vector<word>& w, size_t first, vtd::core::dma_request& req) {
  const word* pasid = nullptr;
  const word* priv = nullptr;
  const word* exec = nullptr;
  for (size_t i = first; i < w.size(); ++i) {
    const word& k = w[i];
    const word** slot = nullptr;
    std::string_view name;
    if (k.text.starts_with(kPasidKeyword)) {
      slot = &pasid;
      name = kPasidKeyword;
    } else if (k.text == "priv") {
      slot = &priv;
      name = k.text;
    } else if (k.text == "exec") {
      slot = &exec;
      name = k.text;
    } else if (k.text == "pasid") {
      throw query_syntax_error(k.column, "'pasid': expected pasid=N");
    } else if (is_length_word(k)) {
      throw query_syntax_error(k.column,
                               fmt::format("'{}': LENGTH comes before pasid=N, priv and exec", k.text));
    } else {
      throw query_syntax_error(k.column,
                               fmt::format("unknown keyword '{}' (expected pasid=N, priv or exec)", k.text));
    }
    if (*slot)
      throw query_syntax_error(k.column,
                               fmt::format("duplicate '{}' (first at column {})", name, (*slot)->column));
    *slot = &k;
  }
  if (pasid) {
    const word value{pasid->text.substr(kPasidKeyword.size()), pasid->column + kPasidKeyword.size()};
    req.has_pasid = true;
    req.pasid = static_cast<uint32_t>(
        at_word(value, [](std::string_view t) { return parse_number(t, "pasid", vtd::spec::kMaxPasid); }));
  }
  req.privileged = priv != nullptr;
  req.execute = exec != nullptr;
  switch (check_pasid_prefix(req)) {
    case pasid_prefix_problem::none:
      return;
    case pasid_prefix_problem::priv_without_pasid:
      throw query_syntax_error(priv->column,
                               "'priv' needs pasid=N (privilege is a field of the PASID prefix)");
    case pasid_prefix_problem::exec_without_pasid:
      throw query_syntax_error(exec->column, "'exec' needs pasid=N (execute is a field of the PASID prefix)");
    case pasid_prefix_problem::exec_without_read:
      throw query_syntax_error(
          exec->column, fmt::format("'exec' is for reads only, not {}", vtd::core::to_string(req.access)));
  }
}

}  // namespace

pasid_prefix_problem check_pasid_prefix(const vtd::core::dma_request& req) {
  if (req.privileged && !req.has_pasid) return pasid_prefix_problem::priv_without_pasid;
  if (req.execute && !req.has_pasid) return pasid_prefix_problem::exec_without_pasid;
  if (req.execute && req.access != vtd::core::access_kind::read)
    return pasid_prefix_problem::exec_without_read;
  return pasid_prefix_problem::none;
}

void command_line_pasid(vtd::core::dma_request& req, const std::string& pasid, bool priv, bool exec) {
  if (!pasid.empty()) {
    req.has_pasid = true;
    req.pasid = static_cast<uint32_t>(parse_number(pasid, "--pasid", vtd::spec::kMaxPasid));
  }
  req.privileged = priv;
  req.execute = exec;
  switch (check_pasid_prefix(req)) {
    case pasid_prefix_problem::none:
      return;
    case pasid_prefix_problem::priv_without_pasid:
      throw usage_error("--priv needs --pasid (privilege is a field of the PASID prefix)");
    case pasid_prefix_problem::exec_without_pasid:
      throw usage_error("--exec needs --pasid (execute is a field of the PASID prefix)");
    case pasid_prefix_problem::exec_without_read:
      throw usage_error(fmt::format("--exec is for reads only, not {}", vtd::core::to_string(req.access)));
  }
}

std::optional<query> parse_query_line(std::string_view line) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  const std::vector<word> w = split(line);
  if (w.empty()) return std::nullopt;
  const size_t past_end = w.back().column + w.back().text.size();
  query q;
  size_t used = 0;
  if (w[0].text == "dma") {
    if (w.size() < 4)
      throw query_syntax_error(past_end,
                               "expected: dma BDF IOVA read|write|atomic [LENGTH] [pasid=N] [priv] [exec]");
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
    if (w.size() > 4 && is_length_word(w[4])) {
      q.dma.length = static_cast<uint32_t>(
          at_word(w[4], [](std::string_view t) { return parse_number(t, "length", UINT32_MAX); }));
      if (vtd::core::crosses_4k_boundary(q.dma.address, q.dma.length))
        throw query_syntax_error(w[4].column, "the DMA crosses a 4 KiB boundary (a PCIe request never does)");
      used = 5;
    }
    parse_pasid_keywords(w, used, q.dma);
    used = w.size();
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
