// Terminal rendering of an explanation: numbered steps, aligned field tables, optional ANSI colour.
#include <fmt/format.h>

#include <algorithm>

#include "apps/explain/explanation.hpp"

namespace vtd::explain {

namespace {
struct palette {
  const char *bold, *dim, *red, *green, *cyan, *reset;
};
constexpr const char* kLevelColours[] = {"\033[37m", "\033[36m", "\033[32m",
                                         "\033[33m", "\033[35m", "\033[34m"};
}  // namespace

std::string render_text(const explanation& x, bool color) {
  const palette p = color ? palette{"\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[36m", "\033[0m"}
                          : palette{"", "", "", "", "", ""};
  std::string o = fmt::format("{}{}{}\n", p.bold, x.request, p.reset);
  if (!x.slices.empty()) {
    // Each slice and its label in one column, so the label sits under its bits.
    o += fmt::format("\n  IOVA 0x{:x} cut into its index slices:\n   ", x.input);
    std::string labels = "   ";
    for (const auto& s : x.slices) {
      const std::string cell = fmt::format("[{}:{}]={:#x}", s.hi, s.lo, s.value);
      const size_t w = std::max(cell.size(), s.label.size()) + 2;
      o += fmt::format(" {}{:<{}}{}", color ? kLevelColours[s.level % 6] : "", cell, w, p.reset);
      labels += fmt::format(" {:<{}}", s.label, w);
    }
    while (!o.empty() && o.back() == ' ') o.pop_back();
    while (!labels.empty() && labels.back() == ' ') labels.pop_back();
    o += "\n" + labels + "\n";
  }
  unsigned n = 0;
  for (const auto& s : x.steps) {
    o += fmt::format("\n{}{:2}. {}{}\n", s.fault ? p.red : p.bold, ++n, s.title, p.reset);
    if (!s.address_calc.empty()) o += fmt::format("    address: {}\n", s.address_calc);
    if (s.kind != "register" && s.kind != "msi" && s.kind != "check") {
      if (!s.read_ok)
        o += fmt::format("    {}read FAILED: the address is outside simulated memory{}\n", p.red, p.reset);
      else if (s.wide)
        o += fmt::format("    raw:     0x{:016x}_{:016x} (high, low)\n", s.raw_hi, s.raw_lo);
      else
        o += fmt::format("    raw:     0x{:016x}\n", s.raw_lo);
    }
    size_t name_w = 4, bits_w = 4, value_w = 5;
    for (const auto& f : s.fields) {
      name_w = std::max(name_w, f.name.size());
      bits_w = std::max(bits_w, f.bits.size());
      value_w = std::max(value_w, f.value.size());
    }
    for (const auto& f : s.fields)
      o += fmt::format("    {}{:<{}}  {:<{}}  {:<{}}  {}{}{}\n", f.culprit ? p.red : "", f.name, name_w,
                       f.bits, bits_w, f.value, value_w, f.meaning, f.culprit ? "   <-- cause" : "",
                       f.culprit ? p.reset : "");
    if (!s.verdict.empty()) o += fmt::format("    {}=> {}{}\n", s.fault ? p.red : p.cyan, s.verdict, p.reset);
  }
  o += fmt::format("\n{}Result:{} {}{}{}\n", p.bold, p.reset, x.ok ? p.green : p.red, x.result, p.reset);
  if (!x.ok) {
    o += fmt::format("  spec condition {}: {}\n", x.fault_condition, x.fault_description);
    o += fmt::format("  {}\n", x.fault_recorded
                                   ? "recorded in a fault recording register (FRCD)"
                                   : "not recorded (FPD set, or the recording registers are full)");
    o += fmt::format("  to fix: {}\n", x.fault_fix);
  }
  if (!x.second_access.empty()) {
    o += "\nA second identical request (with the default caches):\n";
    for (const auto& s : x.second_access) o += fmt::format("  - {}\n", s);
  }
  return o;
}

}  // namespace vtd::explain
