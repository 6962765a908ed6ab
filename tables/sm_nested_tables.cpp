// Nested domains' first-stage table pages mapped into the parent's second stage (see header).
#include "tables/sm_nested_tables.hpp"

#include <fmt/format.h>

#include "tables/table_error.hpp"

namespace vtd::tables {

table_page_hooks guest_table_hooks(sl_page_table& parent, uint16_t nested_id, uint16_t parent_id) {
  constexpr uint64_t kPage = 4096;
  table_page_hooks h;
  h.added = [&parent, nested_id, parent_id](uint64_t page) {
    try {
      parent.map(page, page, kPage, true, true);
    } catch (const table_error& e) {
      throw table_error(fmt::format(
          "first-stage table page 0x{:x} of nested domain {} cannot be mapped (GPA = HPA) into parent domain "
          "{}: {}",
          page, nested_id, parent_id, e.what()));
    }
  };
  h.removed = [&parent](uint64_t page) { parent.unmap(page, kPage); };
  return h;
}

}  // namespace vtd::tables
