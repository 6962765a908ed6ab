// Statistics registry and its two printers (see header).
#include "apps/replay/stats_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vtd::replay {

void stats_report::add(std::string name, double value, std::string unit, std::string description,
                       bool integer, stat_merge merge) {
  stat_entry e;
  e.name = std::move(name);
  e.description = std::move(description);
  e.unit = std::move(unit);
  e.value = value;
  e.integer = integer;
  e.merge = merge;
  m_entries.push_back(std::move(e));
}

namespace {
double ratio_of(double num, double den) {
  return den > 0 ? num / den : 0.0;
}
constexpr double kCount = -1, kMean = -2, kMax = -3;
// A latency figure in ns from a histogram kept in ps.
double latency_figure(const histogram& h, double quantile) {
  if (quantile == kCount) return static_cast<double>(h.count());
  if (quantile == kMean) return h.mean() / 1000.0;
  if (quantile == kMax) return static_cast<double>(h.max()) / 1000.0;
  return static_cast<double>(h.quantile(quantile)) / 1000.0;
}
}  // namespace

void stats_report::add_ratio(std::string name, double num, double den, std::string description) {
  add(std::move(name), ratio_of(num, den), "ratio", std::move(description), false, stat_merge::ratio);
  m_entries.back().num = num;
  m_entries.back().den = den;
}

void stats_report::add_latency(const std::string& prefix, const histogram& h, const std::string& what) {
  const auto shared = std::make_shared<const histogram>(h);
  auto figure = [&](const char* suffix, double quantile, const std::string& text) {
    const bool count = quantile == kCount;
    add(prefix + suffix, latency_figure(h, quantile), count ? "count" : "ns", text, count,
        stat_merge::latency);
    m_entries.back().hist = shared;
    m_entries.back().quantile = quantile;
  };
  figure(".count", kCount, what + ": requests measured");
  figure(".mean", kMean, what + ": mean");
  figure(".p50", 0.50, what + ": median");
  figure(".p90", 0.90, what + ": 90th percentile");
  figure(".p99", 0.99, what + ": 99th percentile");
  figure(".max", kMax, what + ": maximum");
}

bool stats_report::set(const std::string& name, double value) {
  for (auto& e : m_entries)
    if (e.name == name) {
      e.value = value;
      return true;
    }
  return false;
}

nlohmann::json stats_report::save() const {
  nlohmann::json out = nlohmann::json::array();
  for (const stat_entry& e : m_entries) {
    nlohmann::json j{
        {"name", e.name},        {"description", e.description}, {"unit", e.unit}, {"value", e.value},
        {"integer", e.integer},  {"merge", int(e.merge)},        {"num", e.num},   {"den", e.den},
        {"quantile", e.quantile}};
    if (e.hist) {
      const histogram::saved h = e.hist->save();
      j["hist"] = {
          {"buckets", h.buckets}, {"count", h.count}, {"sum", h.sum}, {"min", h.min}, {"max", h.max}};
    }
    out.push_back(std::move(j));
  }
  return out;
}

stats_report stats_report::restore(const nlohmann::json& j) {
  stats_report r;
  try {
    for (const auto& x : j) {
      stat_entry e;
      e.name = x.at("name").get<std::string>();
      e.description = x.at("description").get<std::string>();
      e.unit = x.at("unit").get<std::string>();
      e.value = x.at("value").get<double>();
      e.integer = x.at("integer").get<bool>();
      const int merge = x.at("merge").get<int>();
      if (merge < 0 || merge > int(stat_merge::latency)) throw std::runtime_error("bad merge rule");
      e.merge = static_cast<stat_merge>(merge);
      e.num = x.at("num").get<double>();
      e.den = x.at("den").get<double>();
      e.quantile = x.at("quantile").get<double>();
      if (x.contains("hist")) {
        const auto& h = x["hist"];
        histogram::saved s;
        s.buckets = h.at("buckets").get<std::vector<std::pair<unsigned, uint64_t>>>();
        s.count = h.at("count").get<uint64_t>();
        s.sum = h.at("sum").get<uint64_t>();
        s.min = h.at("min").get<uint64_t>();
        s.max = h.at("max").get<uint64_t>();
        e.hist = std::make_shared<const histogram>(histogram::restore(s));
      }
      r.m_entries.push_back(std::move(e));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("statistics of a unit's replay process: {}", e.what()));
  }
  return r;
}

stats_report merge_reports(const std::vector<const stats_report*>& parts) {
  stats_report out;
  if (parts.empty()) return out;
  std::vector<stat_entry> merged = parts.front()->entries();
  for (size_t k = 1; k < parts.size(); ++k) {
    size_t after = 0;  // where a name new to `merged` goes: after the last entry matched or inserted
    for (const stat_entry& e : parts[k]->entries()) {
      auto it =
          std::find_if(merged.begin(), merged.end(), [&](const stat_entry& m) { return m.name == e.name; });
      if (it == merged.end()) {
        // After the last entry of its group (the name's first component: "device", "faults", ...), so that
        // the units' devices stay together; a new group goes after the entry that precedes it in its part.
        const std::string group = e.name.substr(0, e.name.find('.'));
        size_t at = std::min(after, merged.size());
        for (size_t i = merged.size(); i-- > 0;)
          if (merged[i].name.compare(0, merged[i].name.find('.'), group) == 0) {
            at = i + 1;
            break;
          }
        it = merged.insert(merged.begin() + static_cast<std::ptrdiff_t>(at), e);
        after = static_cast<size_t>(it - merged.begin()) + 1;
        continue;
      }
      after = static_cast<size_t>(it - merged.begin()) + 1;
      stat_entry& m = *it;
      switch (m.merge) {
        case stat_merge::sum:
          m.value += e.value;
          break;
        case stat_merge::max:
          m.value = std::max(m.value, e.value);
          break;
        case stat_merge::ratio:
          m.num += e.num;
          m.den += e.den;
          m.value = ratio_of(m.num, m.den);
          break;
        case stat_merge::latency: {
          auto h = std::make_shared<histogram>(*m.hist);
          h->merge(*e.hist);
          m.value = latency_figure(*h, m.quantile);
          m.hist = std::move(h);
          break;
        }
      }
    }
  }
  for (stat_entry& e : merged) out.add_entry(std::move(e));
  return out;
}

const stat_entry* stats_report::find(const std::string& name) const {
  for (const auto& e : m_entries)
    if (e.name == name) return &e;
  return nullptr;
}

namespace {
std::string format_value(const stat_entry& e) {
  if (e.integer) return fmt::format("{}", static_cast<long long>(e.value));
  return fmt::format("{:.4f}", e.value);
}
}  // namespace

std::string stats_report::to_text() const {
  size_t name_width = 0, value_width = 0;
  for (const auto& e : m_entries) {
    name_width = std::max(name_width, e.name.size());
    value_width = std::max(value_width, format_value(e).size());
  }
  std::string out = "---------- Begin Simulation Statistics ----------\n";
  for (const auto& e : m_entries)
    out += fmt::format("{:<{}}  {:>{}}  # {} ({})\n", e.name, name_width, format_value(e), value_width,
                       e.description, e.unit);
  out += "---------- End Simulation Statistics   ----------\n";
  return out;
}

nlohmann::ordered_json stats_report::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& e : m_entries) {
    if (e.integer)
      j[e.name] = static_cast<long long>(e.value);
    else
      j[e.name] = e.value;
  }
  return j;
}

nlohmann::ordered_json stats_report::describe_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& e : m_entries) j[e.name] = {{"unit", e.unit}, {"description", e.description}};
  return j;
}

}  // namespace vtd::replay
