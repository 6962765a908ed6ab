// Importing a QEMU `-trace 'vtd_*'` log (the "log" trace backend: `[PID@SECONDS.USEC:]event args`; events and
// formats of hw/i386/trace-events, QEMU 7.2 and the additions of later versions; docs/trace-import.md).
#pragma once
#include <string>
#include <string_view>

#include "traces/import/import_result.hpp"

namespace vtd::traces::import {

// Reads the log at `path` (bounded line reader). Throws import_error "PATH:LINE: ..." on a malformed line,
// vtd::io::input_error when the file cannot be read.
import_result import_qemu_log(const std::string& path);

// The same from text in memory (tests, fuzzing); `name` stands for the path in messages.
import_result import_qemu_text(std::string_view text, const std::string& name);

}  // namespace vtd::traces::import
