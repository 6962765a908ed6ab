// Parsing of the numbers, sizes and PCI addresses people write in platform files and on the command line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vtd::tables {

// "0x1f", "31", "4KiB", "2M", "1GiB" (binary units). Throws std::invalid_argument naming `what`.
uint64_t parse_number(std::string_view text, std::string_view what);
// The same, refusing values above `max` (a 32-bit field, say) instead of truncating them.
uint64_t parse_number(std::string_view text, std::string_view what, uint64_t max);
// "bb:dd.f" in hex; bus <= ff, device <= 1f, function <= 7. Throws with the range that was violated.
uint16_t parse_bdf(std::string_view text);
std::string format_bdf(uint16_t sid);
// "FILE@ADDR" -> {file, addr}
std::pair<std::string, uint64_t> parse_file_at(std::string_view text);

}  // namespace vtd::tables
