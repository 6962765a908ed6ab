// DMA request dispatch (VT-d spec chapter 3 "DMA Remapping"): the interrupt-address-range rule, GSTS.TES,
// then RTADDR_REG.TTM picks the translation mode that walks the request: legacy mode (00b) and scalable mode
// (01b, with ECAP.SMTS) are registered through set_mode; neither knows the other. A TTM with no mode behind
// it faults as the spec's root-table-address conditions say (RTA.1.x 30h; abort-DMA mode 11b with ECAP.ADMS:
// RTA.4 33h).
#pragma once
#include <array>
#include <cstdint>

#include "model/core/fault_recorder.hpp"
#include "model/core/legacy_mode.hpp"
#include "model/core/register_file.hpp"
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/scalable_mode.hpp"
#include "model/core/translation_env.hpp"
#include "model/core/translation_hooks.hpp"
#include "model/core/translation_mode.hpp"
#include "model/core/walk_record.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"

namespace vtd::core {

class dma_translator {
 public:
  dma_translator(const spec::caps& caps, const register_file& regs, physical_memory& mem,
                 fault_recorder& faults);
  dma_translator(const dma_translator&) = delete;
  dma_translator& operator=(const dma_translator&) = delete;

  void set_hooks(translation_hooks* hooks) { m_env.set_hooks(hooks); }

  // One request, start to end. `rec` (may be null) gets one step per memory read and cache lookup, appended.
  translation_result translate(const dma_request& req, walk_record* rec);

  // The mode that serves RTADDR.TTM = `ttm` (null: none). Legacy and scalable mode are registered at
  // construction; a mode registered for TTM=01 is used only when ECAP.SMTS is set. The mode must outlive the
  // translator.
  void set_mode(spec::reg::ttm ttm, translation_mode* mode) { m_modes[unsigned(ttm)] = mode; }
  translation_mode* mode(spec::reg::ttm ttm) const;

  legacy_mode& legacy() { return m_legacy; }
  scalable_mode& scalable() { return m_scalable; }
  const translation_env& env() const { return m_env; }

 private:
  translation_env m_env;
  legacy_mode m_legacy;
  scalable_mode m_scalable;
  std::array<translation_mode*, 4> m_modes{};  // indexed by TTM
};

}  // namespace vtd::core
