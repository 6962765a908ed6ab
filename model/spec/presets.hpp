// Capability presets: CAP/ECAP values of named hardware, selectable by name and overridable field by field.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/spec/registers.hpp"

namespace vtd::spec {

struct capability_preset {
  const char* name;
  const char* description;
  uint32_t ver;
  uint64_t cap;
  uint64_t ecap;
  unsigned haw;  // host address width (ACPI DMAR "Host Address Width" + 1)
};

std::span<const capability_preset> capability_presets();
std::optional<capability_preset> find_capability_preset(std::string_view name);
// The preset names, comma-separated, for messages about an unknown one.
std::string capability_preset_names();

// Field-by-field overrides by the spec's field name (lower case): CAP fields nd, rwbf, plmr, phmr, cm, sagaw,
// mgaw (the width in bits, stored as width-1), zlr, fro, sllps, psi, nfr (the count, stored as count-1),
// mamv, dwd, drd, fs1gp, pi, fs5lp, esirtps, esrtps; ECAP fields c, qi, dt, ir, eim, pt, sc, iro, mhmv, mts,
// nest, prs, ers, srs, nwfs, eafs, pss, pasid, dit, pds, smts, slads, slts, flts, smpwcs, rps, adms, rprivs.
// Returns false (and leaves the value alone) for an unknown field or a value that does not fit.
bool set_cap_field(uint64_t& cap, std::string_view field, uint64_t value);
bool set_ecap_field(uint64_t& ecap, std::string_view field, uint64_t value);

}  // namespace vtd::spec
