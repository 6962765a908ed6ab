// Result rendering (see header). JSON fields are documented in docs/cli.md.
#include "apps/vtdsim/query_output.hpp"

#include <fmt/format.h>

#include "apps/vtdsim/parse.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/irte.hpp"

namespace vtdsim::app {

using namespace vtd;

std::string page_size_name(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0)
    return fmt::format("{}GiB", bytes >> 30);
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0)
    return fmt::format("{}MiB", bytes >> 20);
  return fmt::format("{}KiB", bytes >> 10);
}

namespace {
std::string hex(uint64_t v) {
  return fmt::format("0x{:x}", v);
}
std::string fault_code(spec::fault_reason r) {
  return fmt::format("0x{:x}", unsigned(r));
}
void add_fault(nlohmann::ordered_json& j, spec::fault_reason r, bool recorded) {
  const auto& info = spec::info(r);
  j["fault_reason"] = fault_code(r);
  j["fault_name"] = info.name;
  j["fault_condition"] = info.spec_code;
  j["fault_recorded"] = recorded;
}
}  // namespace

nlohmann::ordered_json to_json(const core::dma_request& q, const core::translation_result& r) {
  nlohmann::ordered_json j;
  j["kind"] = "dma";
  j["sid"] = format_bdf(q.source_id);
  j["iova"] = hex(q.address);
  j["access"] = core::to_string(q.access);
  j["status"] = r.ok() ? "ok" : "fault";
  j["result"] = core::to_string(r.status);
  if (r.ok()) {
    j["hpa"] = hex(r.hpa);
    if (r.page_size) j["page_size"] = r.page_size;
    j["read"] = r.read;
    j["write"] = r.write;
    if (r.status == core::dma_status::translated) {
      j["domain_id"] = r.domain_id;
      j["levels"] = r.levels;
    }
  } else {
    add_fault(j, r.fault, r.fault_recorded);
  }
  return j;
}

nlohmann::ordered_json to_json(const core::interrupt_request& q, const core::interrupt_result& r) {
  nlohmann::ordered_json j;
  j["kind"] = "interrupt";
  j["sid"] = format_bdf(q.source_id);
  j["address"] = hex(q.address);
  j["data"] = hex(q.data);
  j["status"] = r.ok() ? "ok" : "fault";
  j["result"] = core::to_string(r.status);
  if (r.ok()) {
    if (r.status != core::interrupt_status::passthrough) j["interrupt_index"] = r.interrupt_index;
    if (r.status == core::interrupt_status::posted) {
      j["posted_descriptor"] = hex(r.pid_address);
      j["notification_sent"] = r.notification_sent;
      if (r.notification_sent) {
        j["notification_vector"] = r.notification_vector;
        j["notification_destination"] = r.notification_destination;
      }
    } else {
      j["vector"] = r.vector;
      j["destination"] = r.destination;
      j["x2apic"] = r.x2apic;
      j["delivery_mode"] = spec::delivery_mode_name(r.delivery_mode);
      j["dest_mode"] = r.destination_logical ? "logical" : "physical";
      j["trigger"] = r.level_triggered ? "level" : "edge";
      j["redirection_hint"] = r.redirection_hint;
    }
  } else {
    add_fault(j, r.fault, r.fault_recorded);
  }
  return j;
}

std::string to_text(const core::dma_request& q, const core::translation_result& r) {
  std::string head =
      fmt::format("{} {:<6} 0x{:016x}", format_bdf(q.source_id), core::to_string(q.access), q.address);
  if (!r.ok()) {
    const auto& info = spec::info(r.fault);
    return fmt::format("{} -> FAULT {} {} ({}): {}{}", head, fault_code(r.fault), info.name, info.spec_code,
                       info.description, r.fault_recorded ? "" : " [not recorded]");
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
    default:
      return fmt::format("{} -> interrupt request (DWORD write to 0xFEEx_xxxx)", head);
  }
}

std::string to_text(const core::interrupt_request& q, const core::interrupt_result& r) {
  std::string head =
      fmt::format("{} msi addr 0x{:08x} data 0x{:08x}", format_bdf(q.source_id), q.address, q.data);
  if (!r.ok()) {
    const auto& info = spec::info(r.fault);
    return fmt::format("{} -> FAULT {} {}: {}{}", head, fault_code(r.fault), info.name, info.description,
                       r.fault_recorded ? "" : " [not recorded]");
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
