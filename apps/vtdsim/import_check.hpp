// `vtdsim trace import --check`: replays an imported trace functionally on its platform and compares every
// translation the source logged (QEMU) with vtdsim's own result: the same HPA, or the same fault reason.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "traces/import/import_result.hpp"

namespace vtdsim::app {

struct import_check_result {
  uint64_t compared = 0, agreed = 0, translations_agreed = 0, faults_agreed = 0;
  std::vector<std::string> disagreements;  // the first ones, in full
  uint64_t disagreed() const { return compared - agreed; }
};

// Throws std::runtime_error when the platform cannot be built or the replay refuses a record.
import_check_result check_import(const std::string& platform_path,
                                 const vtd::traces::import::import_result& r, unsigned examples = 10);

}  // namespace vtdsim::app
