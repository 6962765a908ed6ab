// The registers a driver programs to bring a remapping unit up, as one value: from a built platform (what
// vtdsim's platform loader programs) or from another unit (a twin over the same memory, as the replay's
// stale check uses), and written into a unit by one function, in the order the GCMD protocol wants.
#pragma once
#include <cstdint>
#include <optional>

#include "model/core/remapping_unit.hpp"

namespace vtd::core {

struct unit_setup {
  std::optional<uint64_t> rtaddr;    // RTADDR as written (RTA | TTM), latched by GCMD.SRTP
  bool translation = false;          // GCMD.TE
  std::optional<uint64_t> irta;      // IRTA as written (IRTA | EIME | S), latched by GCMD.SIRTP
  bool compat_interrupts = false;    // GCMD.CFI (set only together with an interrupt table)
  bool interrupt_remapping = false;  // GCMD.IRE (set only together with an interrupt table)
};

// What `unit` has latched (GSTS.RTPS/IRTPS and the level bits).
unit_setup setup_of(const remapping_unit& unit);
// Programs `unit` as a driver would: RTADDR then SRTP, TE, and with an interrupt table IRTA then SIRTP, CFI,
// IRE. Queued invalidation (IQA, QIE) is left to the owner of a complete core::iommu.
void program(remapping_unit& unit, const unit_setup& setup);

}  // namespace vtd::core
