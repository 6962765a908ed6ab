// What every translation mode works with: the unit's decoded capabilities, its latched registers, memory, the
// fault recording registers and the cache hooks (null: no caches), plus DMA fault reporting with FPD
// qualification (VT-d spec, fault reporting: a qualified fault is not recorded when the FPD field is set).
#pragma once
#include "model/core/fault_recorder.hpp"
#include "model/core/register_file.hpp"
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/translation_hooks.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"

namespace vtd::core {

struct translation_env {
  const spec::caps& caps;
  const register_file& regs;
  physical_memory& mem;  // read by walks; written only for accessed/dirty updates (first stage, SLADE)
  fault_recorder& faults;
  translation_hooks* hooks = nullptr;

  // Blocks the request with fault `r`, and records it unless it is qualified and `fpd` is set.
  translation_result fail(const dma_request& req, spec::fault_reason r, bool fpd) const;
};

}  // namespace vtd::core
