// Markdown for the list of record kinds in docs/trace-format.md (see record_kinds_doc.hpp).
#include "traces/record_kinds_doc.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <iterator>
#include <vector>

#include "traces/record_kinds.hpp"

namespace vtd::traces {

namespace {

// What the kind keeps in a slot: the meaning of its first item there, or 0.
std::string_view meaning(const kind_info& k, slot s) {
  for (const auto& item : k.text)
    if (item.where == s && !item.meaning.empty()) return item.meaning;
  return "0";
}

// "bit 4", "bits 1:0"; ", version 2" for a field a version-1 binary file cannot hold.
std::string bits(const flag_field& f) {
  const int lo = std::countr_zero(f.mask), hi = 7 - std::countl_zero(f.mask);
  const std::string where = lo == hi ? fmt::format("bit {}", lo) : fmt::format("bits {}:{}", hi, lo);
  return f.since > 1 ? fmt::format("{}, version {}", where, f.since) : where;
}

// "op (bits 1:0): read, write, atomic; has-PASID (bit 4)"
std::string flags_text(const kind_info& k) {
  std::vector<std::string> fields;
  for (const auto& f : k.flags) {
    std::vector<std::string_view> words;
    for (unsigned v = 0; v < f.words.size(); ++v)
      if (!f.words[v].empty() && (f.legal >> v & 1)) words.push_back(f.words[v]);
    const bool named_values = !f.words[0].empty() || !std::has_single_bit(f.mask);
    fields.push_back(named_values ? fmt::format("{} ({}): {}", f.name, bits(f), fmt::join(words, ", "))
                                  : fmt::format("{} ({})", f.name, bits(f)));
  }
  return fields.empty() ? "none" : fmt::format("{}", fmt::join(fields, "; "));
}

}  // namespace

std::string kinds_markdown_table() {
  std::string out =
      "| Kind | Code | Since | Class | `id` | `addr` | `value` | `length` | Flags |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const kind_info* k : all_kinds())
    fmt::format_to(std::back_inserter(out), "| `{}` | {} | v{} | {} | {} | {} | {} | {} | {} |\n", k->name,
                   static_cast<unsigned>(k->kind), k->since, to_string(k->cls), meaning(*k, slot::id),
                   meaning(*k, slot::addr), meaning(*k, slot::value), meaning(*k, slot::length),
                   flags_text(*k));
  return out;
}

std::string kind_codes_text() {
  std::vector<std::string> codes;
  for (const kind_info* k : all_kinds())
    codes.push_back(fmt::format("{} {}", static_cast<unsigned>(k->kind), k->name));
  return fmt::format("{}", fmt::join(codes, ", "));
}

}  // namespace vtd::traces
