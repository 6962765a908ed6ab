// The platform of a generated workload under several DMA-remapping hardware units (docs/generator.md,
// "Several remapping units"; docs/platform-format.md for the file's "units" form). Each unit is a copy of the
// one-unit platform (capabilities, enables, interrupt table size) with only its share of the devices, the
// domains they use and their interrupt entries, as a DMAR table's device scopes split a server's devices.
#pragma once
#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

#include "tables/platform_units.hpp"

namespace vtd::traces::gen {

// Splits `whole` into `units` units named "dmar0", "dmar1", ...: device k of whole.devices goes under unit
// k mod `units`; each unit gets every domain its devices use (the attached domain, each PASID's domain, and
// the parent of a nested one, recursively) in whole.domains' order, and the interrupt entries tied to its
// devices: those whose source validation names one of them (SVT=01 its requester id, SVT=10 a bus range
// holding one) or whose raising device (`interrupt_devices[i]` for entry i, when given) is one of them. An
// entry or domain tied to no device goes to every unit. Each unit's table region is the one the platform
// file's parser places it at when the file gives none (the one-unit region, then the next 256 MiB, ...).
// With one unit the result is `whole` as the parser reads a one-unit file ("dmar0", include_all, not
// `several`), which tables::to_json writes exactly as the one-unit file. Throws trace_error when `units` is 0
// or a unit would have no device.
tables::platform_units split_units(const tables::platform_description& whole,
                                   std::span<const uint16_t> interrupt_devices, unsigned units);

// The platform file of `p`: tables::to_json, with each unit's iommu.table_region left out when there are
// several (the parser places them, so the file says nothing it need not).
nlohmann::ordered_json units_json(const tables::platform_units& p);

}  // namespace vtd::traces::gen
