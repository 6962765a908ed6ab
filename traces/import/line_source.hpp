// Feeds the lines of a log, from a file (the bounded line reader of model/io, so that a binary file or an
// endless pipe fails clearly) or from text in memory, to an importer, with 1-based line numbers.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace vtd::traces::import {

using line_sink = std::function<void(std::string_view line, uint64_t number)>;

// Lines may be up to 64 KiB (a QEMU line is a few hundred bytes; longer is not a log line).
void for_each_file_line(const std::string& path, std::string_view what, const line_sink& sink);
void for_each_text_line(std::string_view text, const line_sink& sink);

}  // namespace vtd::traces::import
