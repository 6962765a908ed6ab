// NIC model: RX and TX descriptor rings in long-lived mappings, descriptor fetches and write-backs,
// per-packet buffer map / DMA / unmap as the Linux DMA API does it (strict or deferred invalidation), IMIX
// packet sizes, several queues with RSS, and MSI-X per queue with interrupt moderation.
#pragma once
#include "traces/gen/device_model.hpp"
#include "traces/gen/workload.hpp"

namespace vtd::traces::gen {

class nic_model final : public device_model {
 public:
  nic_model(unsigned index, const nic_params& p, uint64_t seed, platform_parts& platform);

 private:
  void next_event() override;
  void rx_packet(uint64_t t, unsigned q, unsigned bytes);
  void tx_packet(uint64_t t, unsigned q, unsigned bytes);
  void maybe_interrupt(uint64_t t, unsigned q);
  unsigned packet_size();

  struct queue {
    uint64_t rx_ring = 0, tx_ring = 0, msi_address = 0;
    unsigned rx_index = 0, tx_index = 0, pending_irq = 0;
    uint64_t last_irq = 0;
    std::vector<uint64_t> rx_buffer;  // IOVA of the buffer posted in each RX slot
    std::vector<uint64_t> pool;       // page_pool mode: pre-mapped buffers
  };
  nic_params m_p;
  std::vector<queue> m_queues;
  uint64_t m_next_rx = 0, m_next_tx = 0;
  unsigned m_rss = 0;
};

}  // namespace vtd::traces::gen
