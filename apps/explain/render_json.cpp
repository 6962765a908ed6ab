// JSON rendering of an explanation (fields documented in docs/cli.md, "walk", and for scalable mode in
// docs/walk-json.md).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "apps/explain/explanation.hpp"
#include "apps/explain/result_json.hpp"

namespace vtd::explain {

std::string render_json(const explanation& x, int indent) {
  using oj = nlohmann::ordered_json;
  auto hex = [](uint64_t v) { return fmt::format("0x{:x}", v); };
  oj j;
  j["kind"] = x.kind;
  j["request"] = x.request;
  j["input"] = hex(x.input);
  if (x.kind == "dma") j["mode"] = x.mode;
  if (x.has_pasid_context) {
    j["pasid"] = x.pasid;
    j["pasid_source"] = x.pasid_source;
    j["privileged"] = x.privileged;
  }
  if (!x.translation.empty()) j["translation"] = x.translation;
  oj slices = oj::array();
  for (const auto& s : x.slices)
    slices.push_back({{"bits", fmt::format("{}:{}", s.hi, s.lo)},
                      {"value", hex(s.value)},
                      {"label", s.label},
                      {"level", s.level}});
  j["slices"] = slices;
  oj steps = oj::array();
  for (const auto& s : x.steps) {
    oj o;
    o["title"] = s.title;
    o["kind"] = s.kind;
    if (!s.stage.empty()) o["stage"] = s.stage;
    if (!s.group.empty()) o["group"] = s.group;
    if (s.level) o["level"] = s.level;
    if (!s.address_calc.empty()) {
      o["table"] = hex(s.table_base);
      o["index"] = s.index;
      o["entry_address"] = hex(s.entry_address);
      o["address_calc"] = s.address_calc;
      o["read_ok"] = s.read_ok;
      // One string for a 64-bit entry; QW0 first for wider ones (128, 256 or 512 bits).
      oj raw = oj::array();
      for (unsigned i = 0; i < s.qwords(); ++i) raw.push_back(hex(s.qw(i)));
      o["raw"] = s.wide ? raw : oj(hex(s.raw_lo));
    }
    oj fields = oj::array();
    for (const auto& f : s.fields) {
      oj fo{{"name", f.name}, {"bits", f.bits}, {"value", f.value}, {"meaning", f.meaning}};
      if (f.culprit) fo["culprit"] = true;
      fields.push_back(fo);
    }
    o["fields"] = fields;
    o["verdict"] = s.verdict;
    o["fault"] = s.fault;
    steps.push_back(o);
  }
  j["steps"] = steps;
  j["status"] = x.ok ? "ok" : "fault";
  j["summary"] = x.result;
  j["result"] = x.kind == "dma" ? result_json(x.dma_query, x.dma_outcome)
                                : result_json(x.interrupt_query, x.interrupt_outcome);
  if (!x.ok)
    j["fault"] = {{"reason", x.fault_code},
                  {"name", x.fault_name},
                  {"condition", x.fault_condition},
                  {"description", x.fault_description},
                  {"fix", x.fault_fix},
                  {"recorded", x.fault_recorded}};
  j["second_access"] = x.second_access;
  return j.dump(indent);
}

}  // namespace vtd::explain
