// Twins of a unit for explaining: same configuration, memory and latched registers, so that an explanation
// never changes the unit it explains (its fault records, its caches).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "model/core/remapping_unit.hpp"

namespace vtd::explain {

std::unique_ptr<core::remapping_unit> make_uncached_twin(core::remapping_unit& unit);
// The cache lookups a second, identical request makes on a unit with the default caches (after a first one).
std::vector<std::string> second_access_dma(core::remapping_unit& unit, const core::dma_request& req);
std::vector<std::string> second_access_interrupt(core::remapping_unit& unit,
                                                 const core::interrupt_request& req);

}  // namespace vtd::explain
