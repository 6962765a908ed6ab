// Shared virtual addressing: a DSA-like accelerator (one source-id) whose shared work queue takes work
// descriptors from several processes, each with its own PASID bound to a first-stage domain that stands for
// the process's address space (user pages, execute-disabled data, A/D left to the hardware). A descriptor is
// a memory move: the device reads the source, writes the destination and writes a 32-byte completion record,
// every request with the process's PASID. Processes may close and reopen the work queue, which unbinds and
// binds their PASID again (Linux's teardown: PASID-cache and PASID-based IOTLB invalidation, and the
// PASID's device-TLB entries for an ATS accelerator, each waited for). Page faults are out of scope:
// everything a process touches is mapped up front.
#pragma once
#include <vector>

#include "traces/gen/device_model.hpp"
#include "traces/gen/workload.hpp"

namespace vtd::traces::gen {

class sva_model final : public device_model {
 public:
  sva_model(unsigned index, const sva_params& p, uint64_t seed, platform_parts& platform);

 private:
  struct process {
    uint32_t pasid = 0;
    uint16_t domain = 0;
    uint64_t src = 0, dst = 0, completions = 0;  // user virtual addresses of its buffers
    unsigned next_completion = 0;
    bool bound = true;
    uint64_t unbind_at = UINT64_MAX, bind_at = 0;
    uint64_t last_dma = 0;  // the last request of its work so far (it unbinds after that)
  };

  void next_event() override;
  void change_bindings(uint64_t t);
  void move(uint64_t t, process& pr);
  // Requests for [addr, addr + bytes) split at 4 KiB boundaries (a PCIe request never crosses one), spread
  // over [t, t + span); returns the time of the last.
  uint64_t requests(uint64_t t, uint64_t span, const process& pr, dma_op op, uint64_t addr, uint64_t bytes);

  sva_params m_p;
  std::vector<process> m_processes;
  uint64_t m_interval = 0;  // picoseconds between descriptors (the transfer at the device's bandwidth)
  unsigned m_round_robin = 0;
};

}  // namespace vtd::traces::gen
