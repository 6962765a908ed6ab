// What an importer (`vtdsim trace import`, docs/trace-import.md) produces from a foreign log: the vtdsim
// trace, optionally a platform, what it could not recover (per reason), the events it did not know, and for a
// QEMU log the translations QEMU itself logged, which `--check` compares with a replay.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tables/platform_description.hpp"
#include "traces/record.hpp"

namespace vtd::traces::import {

// A malformed line; what() is "FILE:LINE: message".
class import_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One translation as QEMU logged it, tied to the DMA record the importer wrote for it.
struct logged_translation {
  std::size_t record_index = 0;  // into import_result::records
  uint64_t line = 0;             // of the log
  bool ok = true;                // translated (hpa valid) or faulted (fault valid)
  uint64_t hpa = 0;
  uint8_t fault = 0;  // QEMU's fault reason: the spec's code (VTDFaultReason keeps the spec's numbering)
};

struct import_result {
  std::vector<record> records;
  std::optional<tables::platform_description> platform;
  std::map<std::string, uint64_t> events;          // recognised events, by name
  std::map<std::string, uint64_t> unknown_events;  // lines whose event the importer does not know
  std::map<std::string, uint64_t> not_recovered;   // reason -> how many events it cost
  std::map<std::string, uint64_t> synthesized;     // records the importer added, by reason
  std::vector<logged_translation> translations;    // QEMU only
  uint64_t lines = 0;
};

}  // namespace vtd::traces::import
