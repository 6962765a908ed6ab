// Internal to tables/check: rendering the scalable-mode parts of check and dump reports (devices with their
// PASID entries, first-stage / second-stage / nested domains) for check_format.cpp, which keeps the legacy
// output as it was.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "tables/check/checker.hpp"

namespace vtd::tables::detail {

// "4KiB", "2MiB", "1GiB".
std::string size_text(uint64_t bytes);
// "first-stage", "second-stage", "nested", "pass-through".
const char* stage_text(translation_stage s);

// The dump's lines for one scalable-mode device: the context entry, then one line per present PASID entry.
std::string sm_device_text(const device_info& d);
// "domain 5 (second-stage, 4-level table at 0x107000, users 01:00.0 PASID 0)": the heading of its findings.
std::string sm_domain_heading(const domain_info& d);
// A scalable-mode domain and its merged ranges (IOVA -> HPA; nested: IOVA -> GPA -> HPA).
void sm_mappings_text(std::string& o, const domain_info& d);

nlohmann::ordered_json sm_device_json(const device_info& d);
nlohmann::ordered_json sm_domain_json(const domain_info& d);

}  // namespace vtd::tables::detail
