// Rendering of translation and interrupt results for people (one aligned line) and programs (one JSON
// object: apps/explain/result_json.hpp, the same object `walk --json` gives as its "result"; a DMA with a
// PASID adds its prefix fields "pasid", "privileged" and "execute" after "access").
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "model/core/request.hpp"
#include "model/core/result.hpp"

namespace vtdsim::app {

nlohmann::ordered_json to_json(const vtd::core::dma_request& q, const vtd::core::translation_result& r);
nlohmann::ordered_json to_json(const vtd::core::interrupt_request& q, const vtd::core::interrupt_result& r);
std::string to_text(const vtd::core::dma_request& q, const vtd::core::translation_result& r);
std::string to_text(const vtd::core::interrupt_request& q, const vtd::core::interrupt_result& r);
std::string page_size_name(uint64_t bytes);

}  // namespace vtdsim::app
