// Sweep points (see header).
#include "apps/vtdsim/sweep_grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include "apps/vtdsim/commands.hpp"
#include "apps/vtdsim/parse.hpp"
#include "model/io/input_file.hpp"

namespace vtdsim::app {

std::vector<std::string> split_values(const std::string& list, size_t limit) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto dots = item.find("..");
    if (dots != std::string::npos) {
      const std::string first = item.substr(0, dots), last = item.substr(dots + 2);
      if (first.empty() || last.empty())
        throw usage_error(fmt::format("--values '{}': a range needs both ends, e.g. 16..4096", item));
      uint64_t a = 0, b = 0;
      try {
        a = parse_number(first, "--values");
        b = parse_number(last, "--values");
      } catch (const std::invalid_argument& e) {
        throw usage_error(fmt::format("--values '{}': {}", item, e.what()));
      }
      if (a == 0 || a > b) throw usage_error(fmt::format("--values '{}': need 0 < first <= last", item));
      for (uint64_t v = a;; v *= 2) {
        out.push_back(std::to_string(v));
        if (v > b / 2) break;  // the next doubling would pass the end (or overflow)
      }
    } else if (!item.empty()) {
      out.push_back(item);
    } else {
      throw usage_error(fmt::format("--values '{}': an empty value", list));
    }
    if (out.size() > limit) throw usage_error(fmt::format("--values: more than {} points", limit));
  }
  if (out.empty()) throw usage_error("--values: no values");
  return out;
}

std::vector<sweep_point> cross_product(const std::vector<std::string>& keys,
                                       const std::vector<std::vector<std::string>>& values,
                                       const std::vector<std::string>& traces, size_t limit) {
  size_t total = traces.size();
  for (const auto& v : values) {
    if (v.empty() || total > limit / v.size())
      throw usage_error(fmt::format("the grid has more than {} points", limit));
    total *= v.size();
  }
  std::vector<sweep_point> out;
  out.reserve(total);
  std::vector<size_t> at(keys.size(), 0);
  for (const auto& trace : traces) {
    std::fill(at.begin(), at.end(), 0);
    for (;;) {
      sweep_point p;
      p.trace = trace;
      for (size_t k = 0; k < keys.size(); ++k) p.params.emplace_back(keys[k], values[k][at[k]]);
      out.push_back(std::move(p));
      // Odometer: the last key turns fastest.
      size_t k = keys.size();
      while (k > 0 && ++at[k - 1] == values[k - 1].size()) at[--k] = 0;
      if (k == 0) break;
    }
  }
  return out;
}

std::vector<sweep_point> read_points_file(const std::string& path, const std::vector<std::string>& traces,
                                          size_t limit) {
  std::istringstream in(vtd::io::read_input_file(path, vtd::io::max_query_file_bytes, "points"));
  std::vector<sweep_point> out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    sweep_point p;
    std::set<std::string> seen;
    for (std::string w; words >> w;) {
      const auto eq = w.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == w.size())
        throw std::runtime_error(fmt::format("{}:{}: '{}' is not KEY=VALUE", path, n, w));
      const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
      if (!seen.insert(key).second)
        throw std::runtime_error(fmt::format("{}:{}: {} is given twice", path, n, key));
      if (key == "trace")
        p.trace = value;
      else
        p.params.emplace_back(key, value);
    }
    if (seen.empty()) continue;
    const std::vector<std::string> on = p.trace.empty() ? traces : std::vector<std::string>{p.trace};
    if (on.empty())
      throw std::runtime_error(fmt::format("{}:{}: no trace= on the line and no --trace given", path, n));
    for (const auto& t : on) {
      out.push_back(p);
      out.back().trace = t;
    }
    if (out.size() > limit) throw usage_error(fmt::format("--points {}: more than {} points", path, limit));
  }
  if (out.empty()) throw std::runtime_error(fmt::format("{}: no points", path));
  return out;
}

std::vector<std::string> read_traces_file(const std::string& path) {
  std::istringstream in(vtd::io::read_input_file(path, vtd::io::max_query_file_bytes, "traces"));
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    std::filesystem::path p = line.substr(b, e - b + 1);
    out.push_back(p.is_absolute() || base.empty() ? p.string() : (base / p).string());
  }
  if (out.empty()) throw std::runtime_error(fmt::format("{}: no traces", path));
  return out;
}

std::vector<std::string> point_keys(const std::vector<sweep_point>& points) {
  std::vector<std::string> keys;
  for (const auto& p : points)
    for (const auto& [k, v] : p.params)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}

std::string point_value(const sweep_point& p, const std::string& key) {
  if (key == "trace") return p.trace;
  for (const auto& [k, v] : p.params)
    if (k == key) return v;
  return {};
}

void assign_ids(std::vector<sweep_point>& points, const std::string& context) {
  std::set<std::string> ids;
  for (auto& p : points) {
    // FNV-1a (64 bits): the fields are separated by bytes that cannot occur in them.
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](const std::string& s) {
      for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
      h = (h ^ 0x1f) * 0x100000001b3ull;
    };
    mix(context);
    mix(p.trace);
    for (const auto& [k, v] : p.params) mix(k + "=" + v);
    p.id = fmt::format("{:016x}", h);
    if (!ids.insert(p.id).second)
      throw std::runtime_error(
          fmt::format("the point on {} with {} is listed twice", p.trace,
                      p.params.empty() ? std::string("no parameters")
                                       : p.params.front().first + "=" + p.params.front().second + "..."));
  }
}

}  // namespace vtdsim::app
