// The result of a translation or an interrupt as programs read it: the one object that `vtdsim translate
// --json` and `vtdsim interrupt --json` print and that `vtdsim walk --json` gives as its "result"
// (docs/cli.md). One function per kind of request, so the commands cannot drift apart.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/spec/fault_reason.hpp"

namespace vtd::explain {

// kind, sid, iova, access, (pasid, privileged, execute with a PASID), status, result, then
// hpa/page_size/read/write (+ domain_id, levels when walked) or
// fault_reason/fault_name/fault_condition/fault_recorded.
nlohmann::ordered_json result_json(const core::dma_request& q, const core::translation_result& r);
// kind, sid, address, data, status, result, interrupt_index, then the delivered interrupt, the posting, or
// the fault_* fields.
nlohmann::ordered_json result_json(const core::interrupt_request& q, const core::interrupt_result& r);

}  // namespace vtd::explain
