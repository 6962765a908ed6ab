// The seam between the DMA dispatcher and a translation mode (VT-d spec, Root Table Address Register:
// RTADDR_REG.TTM selects legacy mode 00b or scalable mode 01b). The dispatcher (dma_translator) applies what
// every mode shares, the interrupt-address-range rule and GSTS.TES, then hands the request to the mode the
// latched TTM names. A mode owns everything from the root table on: its structures, its walk, its cache tags.
//
// Adding a mode: implement translation_mode (see legacy_mode for the shape), construct it over the unit's
// translation_env, and register it with dma_translator::set_mode(ttm, mode). Nothing in another mode changes.
#pragma once
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/translation_env.hpp"
#include "model/core/walk_record.hpp"
#include "model/spec/registers.hpp"

namespace vtd::core {

class translation_mode {
 public:
  virtual ~translation_mode() = default;
  // The RTADDR.TTM value this mode implements.
  virtual spec::reg::ttm ttm() const = 0;
  // One request with remapping enabled, outside the interrupt-address range rule: from the root table to the
  // result. Appends one step per memory read and cache lookup to `rec` (may be null).
  virtual translation_result translate(const dma_request& req, walk_record* rec) = 0;
};

}  // namespace vtd::core
