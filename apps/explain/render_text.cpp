// Terminal rendering of an explanation: numbered steps, aligned field tables, optional ANSI colour.
#include <fmt/format.h>

#include <algorithm>

#include "apps/explain/explanation.hpp"

namespace vtd::explain {

namespace {
struct palette {
  const char *bold, *dim, *red, *green, *cyan, *reset;
};
constexpr size_t kMaxBitsColumn = 24;
constexpr const char* kLevelColours[] = {"\033[37m", "\033[36m", "\033[32m",
                                         "\033[33m", "\033[35m", "\033[34m"};

// A 256- or 512-bit entry, QW0 (the lowest address) first, two quadwords a line; trailing all-zero
// quadwords are summed up in one line.
std::string wide_raw(const step& s) {
  unsigned used = s.qwords();
  while (used > 2 && s.qw(used - 1) == 0) --used;
  std::string o;
  for (unsigned i = 0; i < used; i += 2) {
    o += fmt::format("    {}QW{} 0x{:016x}", i == 0 ? "raw:     " : "         ", i, s.qw(i));
    if (i + 1 < used) o += fmt::format("  QW{} 0x{:016x}", i + 1, s.qw(i + 1));
    o += "\n";
  }
  if (used < s.qwords())
    o += fmt::format("             QW{}-QW{} all zero ({}-bit entry)\n", used, s.qwords() - 1,
                     64 * s.qwords());
  return o;
}

// Steps of a group (the second-stage reads of one guest-physical address in a nested walk) are drawn inside a
// bracket under the group's label.
std::string bracketed(const std::string& block) {
  std::string o;
  size_t start = 0;
  while (start < block.size()) {
    const size_t end = block.find('\n', start);
    const std::string line = block.substr(start, end == std::string::npos ? std::string::npos : end - start);
    o += (line.empty() ? " |" : " | ") + line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return o;
}
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
  const std::string* group = nullptr;
  for (const auto& s : x.steps) {
    std::string b = fmt::format("\n{}{:2}. {}{}\n", s.fault ? p.red : p.bold, ++n, s.title, p.reset);
    if (!s.address_calc.empty()) b += fmt::format("    address: {}\n", s.address_calc);
    if (s.kind != "register" && s.kind != "msi" && s.kind != "check") {
      if (!s.read_ok)
        b += fmt::format("    {}{} FAILED: the address is outside simulated memory{}\n", p.red,
                         s.kind == "status_write" ? "write" : "read", p.reset);
      else if (s.qwords() > 2)
        b += wide_raw(s);
      else if (s.wide)
        b += fmt::format("    raw:     0x{:016x}_{:016x} (high, low)\n", s.raw_hi, s.raw_lo);
      else
        b += fmt::format("    raw:     0x{:016x}\n", s.raw_lo);
    }
    // A long list of bit ranges (the reserved bits of a scalable-mode entry) would widen the bits column of
    // every row: it goes after the meaning instead.
    auto in_column = [](const field& f) { return f.bits.size() <= kMaxBitsColumn; };
    size_t name_w = 4, bits_w = 4, value_w = 5;
    for (const auto& f : s.fields) {
      name_w = std::max(name_w, f.name.size());
      if (in_column(f)) bits_w = std::max(bits_w, f.bits.size());
      value_w = std::max(value_w, f.value.size());
    }
    for (const auto& f : s.fields)
      b += fmt::format("    {}{:<{}}  {:<{}}  {:<{}}  {}{}{}{}\n", f.culprit ? p.red : "", f.name, name_w,
                       in_column(f) ? f.bits : "", bits_w, f.value, value_w, f.meaning,
                       in_column(f) ? "" : " (bits " + f.bits + ")", f.culprit ? "   <-- cause" : "",
                       f.culprit ? p.reset : "");
    if (!s.verdict.empty()) b += fmt::format("    {}=> {}{}\n", s.fault ? p.red : p.cyan, s.verdict, p.reset);
    if (s.group.empty()) {
      group = nullptr;
      o += b;
      continue;
    }
    if (!group || *group != s.group) o += fmt::format("\n +- {}{}{}\n", p.dim, s.group, p.reset);
    group = &s.group;
    o += bracketed(b);
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
