// Result rendering (see header). JSON fields are documented in docs/cli.md.
#include "apps/vtdsim/query_output.hpp"

#include <fmt/format.h>

#include "apps/explain/result_json.hpp"
#include "apps/vtdsim/parse.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/text.hpp"

namespace vtdsim::app {

using namespace vtd;

std::string page_size_name(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0)
    return fmt::format("{}GiB", bytes >> 30);
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0)
    return fmt::format("{}MiB", bytes >> 20);
  return fmt::format("{}KiB", bytes >> 10);
}

nlohmann::ordered_json to_json(const core::dma_request& q, const core::translation_result& r) {
  return explain::result_json(q, r);
}

nlohmann::ordered_json to_json(const core::interrupt_request& q, const core::interrupt_result& r) {
  return explain::result_json(q, r);
}

std::string to_text(const core::dma_request& q, const core::translation_result& r) {
  std::string head =
      fmt::format("{} {:<6} 0x{:016x}", format_bdf(q.source_id), core::to_string(q.access), q.address);
  // The PASID prefix in the query file's own words (query_file.hpp), so a line can be pasted back.
  if (q.has_pasid)
    head += fmt::format(" pasid=0x{:x}{}{}", q.pasid, q.privileged ? " priv" : "", q.execute ? " exec" : "");
  if (!r.ok()) {
    const auto& info = spec::info(r.fault);
    return fmt::format("{} -> FAULT {} {} ({}): {}{}", head, vtd::spec::format_fault_code(r.fault), info.name,
                       info.spec_code, info.description, r.fault_recorded ? "" : " [not recorded]");
  }
  std::string perms = fmt::format("{}{}", r.read ? "R" : "-", r.write ? "W" : "-");
  switch (r.status) {
    case core::dma_status::translated:
      return fmt::format("{} -> 0x{:016x}  {} page, {}, domain {}, {}-level", head, r.hpa,
                         page_size_name(r.page_size), perms, r.domain_id, r.levels);
    case core::dma_status::pass_through:
      return fmt::format("{} -> 0x{:016x}  pass-through", head, r.hpa);
    case core::dma_status::untranslated:
      return fmt::format("{} -> 0x{:016x}  remapping disabled (GSTS.TES=0)", head, r.hpa);
    case core::dma_status::interrupt:
      return fmt::format("{} -> interrupt request (DWORD write to 0xFEEx_xxxx)", head);
    case core::dma_status::fault:
      break;  // handled above
  }
  return head;
}

std::string to_text(const core::interrupt_request& q, const core::interrupt_result& r) {
  std::string head =
      fmt::format("{} msi addr 0x{:08x} data 0x{:08x}", format_bdf(q.source_id), q.address, q.data);
  if (!r.ok()) {
    const auto& info = spec::info(r.fault);
    return fmt::format("{} -> FAULT {} {}: {}{}", head, vtd::spec::format_fault_code(r.fault), info.name,
                       info.description, r.fault_recorded ? "" : " [not recorded]");
  }
  if (r.status == core::interrupt_status::posted)
    return fmt::format("{} -> posted via IRTE {} to descriptor 0x{:x}{}", head, r.interrupt_index,
                       r.pid_address,
                       r.notification_sent ? fmt::format(", notification vector {} to APIC {}",
                                                         r.notification_vector, r.notification_destination)
                                           : ", no notification");
  std::string where = r.status == core::interrupt_status::remapped
                          ? fmt::format("remapped via IRTE {}", r.interrupt_index)
                          : std::string("passed through (compatibility format)");
  return fmt::format("{} -> {}: vector {} to {} APIC {}{}, {}, {}", head, where, r.vector,
                     r.destination_logical ? "logical" : "physical", r.destination,
                     r.x2apic ? " (x2APIC)" : "", spec::delivery_mode_name(r.delivery_mode),
                     r.level_triggered ? "level" : "edge");
}

}  // namespace vtdsim::app
