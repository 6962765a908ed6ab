// Cache and invalidation wiring of a complete remapping unit (see header).
#include "model/core/system/iommu.hpp"

namespace vtd::core {

namespace reg = spec::reg;

iommu::iommu(const unit_config& cfg, physical_memory& mem, const translation_caches_config& caches,
             bool caches_enabled)
    : m_mem(mem),
      m_unit(cfg, mem),
      m_caps(invalidation_caps::from(m_unit.caps())),
      m_caches_enabled(caches_enabled),
      m_caches(std::make_unique<translation_caches>(caches)),
      m_hooks(std::make_unique<cache_hooks>(*m_caches)),
      m_queue(std::make_unique<invalidation_queue>(*m_caches, mem, m_caps)) {
  if (m_caches_enabled) m_unit.set_hooks(m_hooks.get());
  m_unit.regs().add_listener(this);
}

iommu::~iommu() {
  m_unit.regs().remove_listener(this);
  m_unit.set_hooks(nullptr);
}

void iommu::on_command_write(uint32_t offset, uint64_t value) {
  auto& regs = m_unit.regs();
  register_inv_state state{regs.ttm(), regs.qi_enabled()};
  if (offset == reg::CCMD) {
    if (!(value >> 63)) return;  // ICC=0: nothing started
    auto r = execute_ccmd(*m_caches, m_caps, state, value);
    regs.hw_set(reg::CCMD, r.value);
    ++m_counters.register_cc;
    m_counters.entries_removed += r.outcome.removed;
    if (r.outcome.performed && r.outcome.removed == 0) ++m_counters.useless;
  } else if (offset == regs.iotlb_offset()) {
    if (!(value >> 63)) return;  // IVT=0
    auto r = execute_iotlb(*m_caches, m_caps, state, value, regs.read64(regs.iva_offset()));
    regs.hw_set(regs.iotlb_offset(), r.value);
    ++m_counters.register_iotlb;
    m_counters.entries_removed += r.outcome.removed;
    if (r.outcome.performed && r.outcome.removed == 0) ++m_counters.useless;
  } else if (offset == reg::IQT) {
    run_queue();
  } else if (offset == reg::FSTS) {
    // Clearing IQE or ITE lets the unit fetch again from IQH (spec 6.5.2.10): descriptors software queued
    // meanwhile run now, not only at the next IQT write.
    run_queue();
  }
}

void iommu::on_global_command(uint32_t acted) {
  const spec::caps& caps = m_unit.caps();
  // CAP.ESRTPS: SRTP globally invalidates all DMA-remapping caches; CAP.ESIRTPS: SIRTP (and IRE 1->0) the
  // IEC.
  if ((acted & reg::SRTP) && caps.esrtps) m_caches->invalidate_dma_remapping();
  if ((acted & reg::SIRTP) && caps.esirtps) m_caches->interrupt().invalidate_global();
  if (acted & reg::QIE) run_queue();
}

void iommu::run_queue() {
  auto& regs = m_unit.regs();
  if (!regs.qi_enabled()) return;
  if (m_unit.faults().fsts() & (reg::FSTS_IQE | reg::FSTS_ITE)) return;  // fetching stops until cleared
  iq_registers q{regs.read64(reg::IQA), regs.read64(reg::IQH), regs.read64(reg::IQT), regs.ttm()};
  if (q.iqh == q.iqt) return;
  m_queue->process(q, m_last_queue);
  const iq_result& r = m_last_queue;
  regs.hw_set(reg::IQH, r.iqh);
  m_counters.queued_cc += r.count(spec::inv_type::cc);
  m_counters.queued_iotlb += r.count(spec::inv_type::iotlb);
  m_counters.queued_dev_tlb += r.count(spec::inv_type::dev_tlb);
  m_counters.queued_iec += r.count(spec::inv_type::iec);
  m_counters.queued_wait += r.count(spec::inv_type::wait);
  m_counters.queued_pc += r.count(spec::inv_type::pc);
  m_counters.queued_piotlb += r.count(spec::inv_type::p_iotlb);
  m_counters.queued_p_dev_tlb += r.count(spec::inv_type::p_dev_tlb);
  m_counters.entries_removed += r.entries_removed;
  uint32_t invalidating = r.processed - r.count(spec::inv_type::wait);
  if (invalidating > 0 && r.entries_removed == 0) m_counters.useless += invalidating;
  for (uint32_t i = 0; i < r.completion_signals; ++i) regs.signal_wait_completion();
  m_counters.device_invalidations += r.device_invalidations.size();
  m_counters.waits_aborted += r.waits_aborted;
  if (r.timed_out) {
    // IQERCD.ITESID (47:32) names the endpoint; IQEI and ICESID keep their values.
    ++m_counters.device_timeouts;
    const uint64_t iqercd = regs.read64(reg::IQERCD) & ~spec::field_mask(47, 32);
    regs.hw_set(reg::IQERCD, iqercd | uint64_t(r.ite_sid) << 32);
    m_unit.faults().set_ite();
  }
  if (!r.ok()) {
    ++m_counters.queue_errors;
    const uint64_t iqercd = regs.read64(reg::IQERCD) & ~spec::field_mask(3, 0);
    regs.hw_set(reg::IQERCD, iqercd | uint64_t(r.error));
    m_unit.faults().set_iqe();
  }
}

void iommu::setup_queue(uint64_t base, unsigned qs, bool wide_descriptors) {
  auto& regs = m_unit.regs();
  regs.write64(reg::IQT, 0);
  regs.write64(reg::IQA, spec::make_iqa(base, wide_descriptors, qs));
  m_unit.enable_queued_invalidation(true);
}

bool iommu::submit(const spec::inv_descriptor& d) {
  auto& regs = m_unit.regs();
  if (!regs.qi_enabled()) return false;  // no queue: software cannot submit descriptors
  const uint64_t iqa = regs.read64(reg::IQA);
  const uint64_t base = spec::iqa_base(iqa);
  const unsigned size = spec::iq_descriptor_bytes(iqa);
  const uint64_t queue_bytes = uint64_t(spec::iq_entries(iqa)) * size;
  uint64_t tail = regs.read64(reg::IQT) & spec::kIqPointerMask;
  m_mem.write64(base + tail, d.qw[0]);
  m_mem.write64(base + tail + 8, d.qw[1]);
  if (size == 32) {
    m_mem.write64(base + tail + 16, d.qw[2]);
    m_mem.write64(base + tail + 24, d.qw[3]);
  }
  tail = (tail + size) % queue_bytes;
  const uint64_t errors_before = m_counters.queue_errors;
  regs.write64(reg::IQT, tail);  // the listener runs the queue
  return m_counters.queue_errors == errors_before;
}

}  // namespace vtd::core
