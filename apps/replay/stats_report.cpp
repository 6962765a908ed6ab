// Statistics registry and its two printers (see header).
#include "apps/replay/stats_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vtd::replay {

void stats_report::add(std::string name, double value, std::string unit, std::string description,
                       bool integer) {
  m_entries.push_back(stat_entry{std::move(name), std::move(description), std::move(unit), value, integer});
}

void stats_report::add_ratio(std::string name, double num, double den, std::string description) {
  add(std::move(name), den > 0 ? num / den : 0.0, "ratio", std::move(description), false);
}

void stats_report::add_latency(const std::string& prefix, const histogram& h, const std::string& what) {
  auto ns = [](double ps) { return ps / 1000.0; };
  add(prefix + ".count", static_cast<double>(h.count()), "count", what + ": requests measured");
  add(prefix + ".mean", ns(h.mean()), "ns", what + ": mean", false);
  add(prefix + ".p50", ns(static_cast<double>(h.quantile(0.50))), "ns", what + ": median", false);
  add(prefix + ".p90", ns(static_cast<double>(h.quantile(0.90))), "ns", what + ": 90th percentile", false);
  add(prefix + ".p99", ns(static_cast<double>(h.quantile(0.99))), "ns", what + ": 99th percentile", false);
  add(prefix + ".max", ns(static_cast<double>(h.max())), "ns", what + ": maximum", false);
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
