// A complete remapping unit: the functional core (registers, walker, fault recording, interrupt remapping)
// with the translation caches plugged in and invalidation wired to the registers, as software sees it:
// writing CCMD / IVA+IOTLB_REG performs register-based invalidation, writing IQT makes the unit fetch and run
// descriptors from the invalidation queue in memory, SRTP/SIRTP drop caches when CAP.ESRTPS/ESIRTPS say so.
// Register-based invalidation is refused (CAIG/IAIG = 00) while the root table is in scalable mode; there
// the queue (256-bit descriptors) is the only interface.
#pragma once
#include <cstdint>
#include <memory>

#include "model/core/cache/cache_hooks.hpp"
#include "model/core/cache/translation_caches.hpp"
#include "model/core/invalidation/invalidation_queue.hpp"
#include "model/core/invalidation/register_invalidation.hpp"
#include "model/core/remapping_unit.hpp"

namespace vtd::core {

struct invalidation_counters {
  uint64_t register_cc = 0, register_iotlb = 0;
  uint64_t queued_cc = 0, queued_iotlb = 0, queued_dev_tlb = 0, queued_iec = 0, queued_wait = 0;
  uint64_t queued_pc = 0, queued_piotlb = 0, queued_p_dev_tlb = 0;  // scalable mode (256-bit descriptors)
  uint64_t queue_errors = 0;
  uint64_t device_invalidations = 0;  // ATS Invalidate Requests sent to endpoints
  uint64_t device_timeouts = 0;       // ... that no endpoint answered (each raised FSTS.ITE)
  uint64_t waits_aborted = 0;         // inv_wait_dsc aborted by an Invalidation Time-out Error
  uint64_t useless = 0;               // invalidations that removed nothing (over-invalidation costs time)
  uint64_t entries_removed = 0;
};

class iommu final : private register_listener {
 public:
  // `caches_enabled` false: no caches at all (every request walks memory).
  iommu(const unit_config& cfg, physical_memory& mem, const translation_caches_config& caches,
        bool caches_enabled = true);
  ~iommu() override;
  iommu(const iommu&) = delete;
  iommu& operator=(const iommu&) = delete;

  translation_result translate(const dma_request& req, walk_record* rec = nullptr) {
    return m_unit.translate(req, rec);
  }
  interrupt_result remap_interrupt(const interrupt_request& req, walk_record* rec = nullptr) {
    return m_unit.remap_interrupt(req, rec);
  }

  remapping_unit& unit() { return m_unit; }
  translation_caches* caches() { return m_caches_enabled ? m_caches.get() : nullptr; }
  const invalidation_counters& invalidations() const { return m_counters; }
  void reset_invalidation_counters() { m_counters = {}; }
  const iq_result& last_queue_result() const { return m_last_queue; }

  // Driver-side helpers for the invalidation queue: allocate it (IQA, with DW=1 for 256-bit descriptors:
  // scalable mode needs them, and they need ECAP.SMTS or ADMS), enable QI, and submit descriptors (write
  // them at IQT, 16 or 32 bytes per IQA.DW, and advance IQT: the unit processes them at once).
  void setup_queue(uint64_t base, unsigned qs, bool wide_descriptors = false);
  // The endpoints' device-TLBs, which dev_tlb_inv_dsc and p_dev_tlb_inv_dsc reach (null: none modelled, every
  // request answered at once). The port must outlive its use.
  void set_device_tlb_port(device_tlb_port* port) { m_queue->set_device_tlb_port(port); }
  bool submit(const spec::inv_descriptor& d);  // false when the queue reported an error

 private:
  void on_command_write(uint32_t offset, uint64_t value) override;
  void on_global_command(uint32_t acted) override;
  void run_queue();

  physical_memory& m_mem;
  remapping_unit m_unit;
  invalidation_caps m_caps;
  bool m_caches_enabled;
  std::unique_ptr<translation_caches> m_caches;
  std::unique_ptr<cache_hooks> m_hooks;
  std::unique_ptr<invalidation_queue> m_queue;
  invalidation_counters m_counters;
  iq_result m_last_queue;
};

}  // namespace vtd::core
