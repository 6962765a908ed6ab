// Results as JSON (see header; fields documented in docs/cli.md, "translate and interrupt").
#include "apps/explain/result_json.hpp"

#include <fmt/format.h>

#include "model/spec/irte.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain {

namespace {
void add_fault(nlohmann::ordered_json& j, spec::fault_reason r, bool recorded) {
  const auto& info = spec::info(r);
  j["fault_reason"] = spec::format_fault_code(r);
  j["fault_name"] = info.name;
  j["fault_condition"] = info.spec_code;
  j["fault_recorded"] = recorded;
}
}  // namespace

nlohmann::ordered_json result_json(const core::dma_request& q, const core::translation_result& r) {
  nlohmann::ordered_json j;
  j["kind"] = "dma";
  j["sid"] = spec::format_bdf(q.source_id);
  j["iova"] = spec::hex(q.address);
  j["access"] = core::to_string(q.access);
  if (q.has_pasid) {  // the PASID TLP prefix is part of the request; absent without one (docs/cli.md)
    j["pasid"] = q.pasid;
    j["privileged"] = q.privileged;
    j["execute"] = q.execute;
  }
  j["status"] = r.ok() ? "ok" : "fault";
  j["result"] = core::to_string(r.status);
  if (r.ok()) {
    j["hpa"] = spec::hex(r.hpa);
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

nlohmann::ordered_json result_json(const core::interrupt_request& q, const core::interrupt_result& r) {
  nlohmann::ordered_json j;
  j["kind"] = "interrupt";
  j["sid"] = spec::format_bdf(q.source_id);
  j["address"] = spec::hex(q.address);
  j["data"] = spec::hex(q.data);
  j["status"] = r.ok() ? "ok" : "fault";
  j["result"] = core::to_string(r.status);
  if (r.ok()) {
    if (r.status != core::interrupt_status::passthrough) j["interrupt_index"] = r.interrupt_index;
    if (r.status == core::interrupt_status::posted) {
      j["posted_descriptor"] = spec::hex(r.pid_address);
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

}  // namespace vtd::explain
