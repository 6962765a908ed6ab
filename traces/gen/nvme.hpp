// NVMe model: submission and completion queues in long-lived mappings, a pre-mapped PRP-list pool, per-I/O
// data buffer map / DMA (one request per 4 KiB page) / unmap, I/O sizes 4 KiB..128 KiB, queue depth, MSI-X
// completions.
#pragma once
#include <queue>

#include "traces/gen/device_model.hpp"
#include "traces/gen/workload.hpp"

namespace vtd::traces::gen {

class nvme_model final : public device_model {
 public:
  nvme_model(unsigned index, const nvme_params& p, uint64_t seed, platform_parts& platform);

 private:
  void next_event() override;

  struct queue {
    uint64_t sq = 0, cq = 0, msi_address = 0;
    unsigned sq_tail = 0, cq_head = 0;
  };
  nvme_params m_p;
  std::vector<queue> m_queues;
  uint64_t m_prp_pool = 0;
  unsigned m_prp_next = 0;
  uint64_t m_interval = 0;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>>
      m_outstanding;  // completion times
  unsigned m_rr = 0;
};

}  // namespace vtd::traces::gen
