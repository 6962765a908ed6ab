// A platform with one or several DMA-remapping hardware units (DRHDs, each with its device scope, as the ACPI
// DMAR table lists them): docs/platform-format.md, "Several remapping units". Each unit has the whole
// description of a one-unit platform (capabilities, domains, devices, interrupt entries) and its own tables,
// caches and invalidation queue; units share nothing but memory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tables/platform_description.hpp"

namespace vtd::tables {

struct unit_desc {
  std::string name;  // "dmar0", "dmar1", ... unless the file names it
  // The DMAR table's INCLUDE_PCI_ALL flag: the unit also remaps every device no other unit's scope lists.
  bool include_all = false;
  platform_description platform;
};

struct platform_units {
  std::vector<unit_desc> units;  // at least one
  bool several = false;          // the file had "units" (one-unit files are written back without it)
};

// Where unit `i`'s tables go when its file gives no iommu.table_region: 256 MiB regions one after another
// from 0x10000000 (the one-unit default), so that the units' tables never share a page.
inline constexpr uint64_t kUnitTableSize = uint64_t{256} << 20;
constexpr uint64_t default_unit_table_base(size_t i) {
  return 0x10000000 + i * kUnitTableSize;
}

// A one-unit file gives one unit, "dmar0", with include_all. With "units": each unit's table region, unless
// given, follows the previous default one (256 MiB from 0x10000000, then 0x20000000, ...); regions must not
// overlap, a device (source-id) is in one unit's scope only, at most one unit has include_all; a domain id
// may appear in several units (a domain attached to devices under several units: each unit has its own
// copy of its tables). Throws table_error "FILE: PATH: message".
platform_units parse_platform_units(const std::string& text, const std::string& filename);
platform_units load_platform_units(const std::string& path);
nlohmann::ordered_json to_json(const platform_units& p);

}  // namespace vtd::tables
