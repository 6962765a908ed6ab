// DMA request dispatch (see dma_translator.hpp): what precedes the root table in every mode, then the mode.
#include "model/core/dma_translator.hpp"

#include "model/spec/msi.hpp"

namespace vtd::core {

using spec::fault_reason;

dma_translator::dma_translator(const spec::caps& caps, const register_file& regs, physical_memory& mem,
                               fault_recorder& faults)
    : m_env{caps, regs, mem, faults, nullptr}, m_legacy(m_env), m_scalable(m_env) {
  set_mode(spec::reg::ttm::legacy, &m_legacy);
  set_mode(spec::reg::ttm::scalable, &m_scalable);
}

translation_mode* dma_translator::mode(spec::reg::ttm ttm) const {
  switch (ttm) {
    case spec::reg::ttm::legacy:
      return m_modes[unsigned(ttm)];
    case spec::reg::ttm::scalable:  // TTM=01 needs ECAP.SMTS (RTA.1.x otherwise)
      return m_env.caps.smts ? m_modes[unsigned(ttm)] : nullptr;
    case spec::reg::ttm::reserved:
    case spec::reg::ttm::abort_dma:
      return nullptr;
  }
  return nullptr;
}

translation_result dma_translator::translate(const dma_request& req, walk_record* rec) {
  // Interrupt-address-range rule: untranslated requests without PASID to 0xFEEx_xxxx are never DMA-remapped.
  // A DWORD write is an interrupt request; a zero-length read completes; anything else is blocked (29h).
  if (req.at == address_type::untranslated && !req.has_pasid && spec::in_interrupt_range(req.address)) {
    translation_result res;
    if (req.access == access_kind::write && req.length == 4) {
      res.status = dma_status::interrupt;
      return res;
    }
    if (req.access == access_kind::read && req.length == 0) {
      res.status = dma_status::untranslated;  // completes with obfuscated data, no memory access
      res.hpa = req.address;
      return res;
    }
    return m_env.fail(req, fault_reason::ir_not_an_interrupt, false);
  }

  if (!m_env.regs.translation_enabled()) {  // GSTS.TES=0: no remapping
    translation_result res;
    res.status = dma_status::untranslated;
    res.hpa = req.address;
    res.read = res.write = true;
    return res;
  }

  // RTADDR_REG.TTM picks the mode. Abort-DMA mode (11b, ECAP.ADMS) blocks everything (RTA.4); a TTM that is
  // reserved or unsupported (TTM=01b without ECAP.SMTS) is an invalid root-table address (RTA.1.x).
  const spec::reg::ttm ttm = m_env.regs.ttm();
  // The built-in legacy mode is called directly (a final class: no virtual call on every request).
  if (ttm == spec::reg::ttm::legacy && m_modes[unsigned(ttm)] == &m_legacy) [[likely]]
    return m_legacy.translate(req, rec);
  if (translation_mode* m = mode(ttm)) return m->translate(req, rec);
  const bool abort = ttm == spec::reg::ttm::abort_dma && m_env.caps.adms;
  return m_env.fail(req, abort ? fault_reason::abort_dma_mode : fault_reason::rtaddr_invalid, false);
}

}  // namespace vtd::core
