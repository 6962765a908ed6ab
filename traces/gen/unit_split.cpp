// Splitting a generated platform into remapping units (see header).
#include "traces/gen/unit_split.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

namespace {

// The units whose devices an interrupt entry's source validation (the IRTE's SVT, SID and SQ fields) names:
// SVT=01 a requester id equal to SID under SQ's mask, SVT=10 a device on a bus in [start bus, end bus]
// (SID[15:8] and SID[7:0]); SVT=00 and the reserved SVT=11 name none.
std::set<unsigned> validated_units(const tables::irte_desc& e, const std::map<uint16_t, unsigned>& unit_of) {
  std::set<unsigned> units;
  switch (e.svt) {
    case spec::source_validation::none:
      break;
    case spec::source_validation::requester_id: {
      const uint16_t mask = spec::sq_mask(e.sq);
      for (const auto& [sid, unit] : unit_of)
        if ((sid & mask) == (e.sid & mask)) units.insert(unit);
      break;
    }
    case spec::source_validation::bus_range:
      for (const auto& [sid, unit] : unit_of)
        if ((sid >> 8) >= (e.sid >> 8) && (sid >> 8) <= (e.sid & 0xFF)) units.insert(unit);
      break;
    case spec::source_validation::reserved:
      break;
  }
  return units;
}

// The domain ids unit `unit`'s devices use: attached domains, PASID domains and, for nested domains, their
// second-stage parents (which may be nested no further, but the closure does not rely on it).
std::set<uint16_t> used_domains(const tables::platform_description& whole,
                                const std::vector<unsigned>& unit_of_device, unsigned unit) {
  std::vector<uint16_t> todo;
  for (size_t k = 0; k < whole.devices.size(); ++k) {
    if (unit_of_device[k] != unit) continue;
    const tables::device_desc& d = whole.devices[k];
    if (d.domain) todo.push_back(*d.domain);
    for (const tables::pasid_desc& p : d.pasids) todo.push_back(p.domain);
  }
  std::set<uint16_t> used;
  while (!todo.empty()) {
    const uint16_t id = todo.back();
    todo.pop_back();
    if (!used.insert(id).second) continue;
    for (const tables::domain_desc& d : whole.domains)
      if (d.id == id && d.parent) todo.push_back(*d.parent);
  }
  return used;
}

}  // namespace

tables::platform_units split_units(const tables::platform_description& whole,
                                   std::span<const uint16_t> interrupt_devices, unsigned units) {
  if (units == 0) throw trace_error("the platform needs one remapping unit at least");
  if (units > whole.devices.size())
    throw trace_error(fmt::format("{} remapping units for {} devices: every unit needs a device in its scope",
                                  units, whole.devices.size()));
  tables::platform_units out;
  if (units == 1) {
    // What parse_platform_units makes of a one-unit file: written back as that file.
    out.units.push_back({"dmar0", true, whole});
    return out;
  }
  out.several = true;
  std::vector<unsigned> unit_of_device(whole.devices.size());
  std::map<uint16_t, unsigned> unit_of;  // source-id -> unit
  for (size_t k = 0; k < whole.devices.size(); ++k) {
    unit_of_device[k] = static_cast<unsigned>(k % units);
    unit_of[whole.devices[k].sid] = unit_of_device[k];
  }
  // Domains no device uses (none in a generated platform today) stay reachable: every unit has them.
  std::set<uint16_t> used_anywhere;
  std::vector<std::set<uint16_t>> used(units);
  for (unsigned u = 0; u < units; ++u) {
    used[u] = used_domains(whole, unit_of_device, u);
    used_anywhere.insert(used[u].begin(), used[u].end());
  }
  // The units each interrupt entry goes to: its raising device's and those its source validation names.
  std::vector<std::set<unsigned>> entry_units(whole.interrupts.size());
  for (size_t i = 0; i < whole.interrupts.size(); ++i) {
    entry_units[i] = validated_units(whole.interrupts[i], unit_of);
    if (i < interrupt_devices.size())
      if (auto it = unit_of.find(interrupt_devices[i]); it != unit_of.end())
        entry_units[i].insert(it->second);
  }
  for (unsigned u = 0; u < units; ++u) {
    tables::unit_desc unit;
    unit.name = fmt::format("dmar{}", u);
    tables::platform_description& p = unit.platform;
    p = whole;
    p.domains.clear();
    p.devices.clear();
    p.interrupts.clear();
    // Where parse_platform_units puts a unit's tables when its file gives no table_region.
    p.table_base = tables::default_unit_table_base(u);
    p.table_size = tables::kUnitTableSize;
    for (const tables::domain_desc& d : whole.domains)
      if (used[u].count(d.id) || !used_anywhere.count(d.id)) p.domains.push_back(d);
    for (size_t k = 0; k < whole.devices.size(); ++k)
      if (unit_of_device[k] == u) p.devices.push_back(whole.devices[k]);
    for (size_t i = 0; i < whole.interrupts.size(); ++i)
      if (entry_units[i].empty() || entry_units[i].count(u)) p.interrupts.push_back(whole.interrupts[i]);
    out.units.push_back(std::move(unit));
  }
  return out;
}

nlohmann::ordered_json units_json(const tables::platform_units& p) {
  nlohmann::ordered_json j = tables::to_json(p);
  if (j.contains("units"))
    for (auto& unit : j["units"]) unit["iommu"].erase("table_region");
  return j;
}

}  // namespace vtd::traces::gen
