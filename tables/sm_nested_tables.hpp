// A nested domain's first-stage tables live in the guest's memory: FLPTPTR and every first-stage table
// pointer are GPAs that the hardware translates through the parent's second stage before it reads them
// (spec 9.6 FLPTPTR, "GPA when nested"; a table the second stage does not map faults, SFS 74h-77h). The
// builder allocates those pages in host memory and makes them guest memory by mapping each one identity (GPA
// = HPA), read/write (the hardware sets A/D in them), into the parent's second-stage tables when it is
// allocated, and unmapping it when it is freed.
#pragma once
#include <cstdint>

#include "tables/paging_tree.hpp"
#include "tables/sl_page_table.hpp"

namespace vtd::tables {

// Hooks for the nested domain's fs_page_table. A page that cannot be mapped (the parent already maps that GPA
// elsewhere, or its address width is too small) is a table_error naming both domains.
table_page_hooks guest_table_hooks(sl_page_table& parent, uint16_t nested_id, uint16_t parent_id);

}  // namespace vtd::tables
