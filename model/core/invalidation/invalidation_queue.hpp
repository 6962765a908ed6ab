// Queued invalidation processor (VT-d spec 6.5.2): fetches descriptors from IQH up to
// IQT out of simulated memory, checks them, performs them on the translation caches, writes inv_wait status
// data and reports IWC requests, and stops with IQE / IQEI on the first bad descriptor with IQH left on it.
// The register file owner applies the result (IQH, FSTS.IQE, IQERCD.IQEI, ICS.IWC). Descriptors are 128-bit
// (IQA.DW=0, legacy mode) or 256-bit (DW=1, needs ECAP.SMTS or ADMS; required in scalable mode, where the
// PASID-based types pc_inv_dsc, p_iotlb_inv_dsc and p_dev_tlb_inv_dsc are valid too).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "model/core/invalidation/device_tlb_port.hpp"
#include "model/core/invalidation/invalidation_ops.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/inv_descriptor.hpp"

namespace vtd::core {

struct iq_registers {
  uint64_t iqa = 0;  // IQA: base, DW, QS
  uint64_t iqh = 0;  // IQH: 18:4
  uint64_t iqt = 0;  // IQT: 18:4
  spec::reg::ttm ttm = spec::reg::ttm::legacy;
};

struct iq_status_write {
  uint64_t address = 0;
  uint32_t data = 0;
  bool ok = false;  // false: the address is outside memory (no error is architecturally reported)
};

// One device-TLB invalidation the unit sent while processing the queue, and whether its endpoint answered.
struct dev_tlb_outcome {
  dev_tlb_invalidation request;
  bool answered = true;
};

struct iq_result {
  uint64_t iqh = 0;                     // new IQH (on an error: the offending descriptor)
  spec::iqei error = spec::iqei::none;  // != none: set FSTS.IQE and IQERCD.IQEI
  uint64_t error_descriptor_address = 0;
  uint32_t processed = 0;              // descriptors performed
  std::array<uint32_t, 11> by_type{};  // index = descriptor type 1..0xA (cc, iotlb, ..., p_iotlb, pc, ...)
  uint32_t waits_completed = 0;
  uint32_t completion_signals = 0;  // inv_wait with IF=1: call register_file::signal_wait_completion()
  uint64_t entries_removed = 0;     // over every cache
  uint32_t drains = 0;              // iotlb_inv_dsc with DR or DW (completed at once in this model)
  std::vector<iq_status_write> status_writes;
  // Device-TLB invalidations sent to endpoints (dev_tlb_inv_dsc, p_dev_tlb_inv_dsc), in queue order.
  std::vector<dev_tlb_outcome> device_invalidations;
  // An endpoint did not answer (spec 6.5.2.10, Invalidation Time-out Error): the owner sets FSTS.ITE and
  // IQERCD.ITESID = ite_sid. The queue kept fetching up to the next inv_wait_dsc, which is aborted (no status
  // write, no IWC: waits_aborted), and stopped there with IQH past it.
  bool timed_out = false;
  uint16_t ite_sid = 0;
  uint32_t waits_aborted = 0;

  bool ok() const { return error == spec::iqei::none; }
  uint32_t count(spec::inv_type t) const { return unsigned(t) < by_type.size() ? by_type[unsigned(t)] : 0; }
};

class invalidation_queue {
 public:
  invalidation_queue(translation_caches& caches, physical_memory& mem, const invalidation_caps& caps)
      : m_caches(caches), m_mem(mem), m_caps(caps) {}

  // Where device-TLB invalidation requests go (null: every request is answered at once).
  void set_device_tlb_port(device_tlb_port* port) { m_devices = port; }

  // Processes from regs.iqh to regs.iqt (wrapping at the queue end). Call when QIES=1 and IQE/ITE are clear.
  iq_result process(const iq_registers& regs);
  // The same into `out` (reset first), reusing its lists' storage across runs.
  void process(const iq_registers& regs, iq_result& out);

  // Checks one descriptor without performing it (iqei::none when valid). `wide`: fetched from a DW=1 queue;
  // `ttm`: the latched RTADDR.TTM (the PASID-based types are invalid in legacy mode).
  spec::iqei check(const spec::inv_descriptor& d, bool wide, spec::reg::ttm ttm) const;

 private:
  void perform(const spec::inv_descriptor& d, spec::reg::ttm ttm, iq_result& r);
  void send_to_device(const dev_tlb_invalidation& request, iq_result& r);

  translation_caches& m_caches;
  physical_memory& m_mem;
  invalidation_caps m_caps;
  device_tlb_port* m_devices = nullptr;
};

}  // namespace vtd::core
