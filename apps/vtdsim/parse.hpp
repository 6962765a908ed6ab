// The CLI's number / size / BDF parsing: the same functions the platform loader uses (tables/text_parse.hpp).
#pragma once
#include "tables/text_parse.hpp"

namespace vtdsim::app {
using vtd::tables::format_bdf;
using vtd::tables::parse_bdf;
using vtd::tables::parse_file_at;
using vtd::tables::parse_number;
}  // namespace vtdsim::app
