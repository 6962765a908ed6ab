// The list of record kinds in docs/trace-format.md, made from the table of kinds (record_kinds.hpp); a test
// checks that the document holds exactly this text, so the two cannot drift apart.
#pragma once

#include <string>

namespace vtd::traces {

// The "Records" table: one row per kind with its code, the binary format version it appeared in, class, the
// meaning of each generic field and its flags.
std::string kinds_markdown_table();
// The binary record's kind byte: "1 dma, 2 msi, ...".
std::string kind_codes_text();

}  // namespace vtd::traces
