// NIC model (see header). Timings inside a packet (descriptor fetch, data, write-back, driver clean-up) are
// stated assumptions of a few hundred nanoseconds to a few microseconds, typical of a PCIe Gen4 NIC and NAPI.
#include "traces/gen/nic.hpp"

namespace vtd::traces::gen {

namespace {
constexpr unsigned kRxBufferBytes = 2048;  // one 2 KiB RX buffer per slot (Linux half-page buffers)
}  // namespace

nic_model::nic_model(unsigned index, const nic_params& p, uint64_t seed, platform_parts& platform)
    : device_model("nic", index, kNicPlacement, seed, p.stage, platform, p.ats), m_p(p) {
  if (p.queues == 0 || p.ring_size == 0) throw trace_error("nic: queues and ring_size must be non-zero");
  std::vector<tables::mapping_desc> mappings;
  auto long_lived = [&](uint64_t bytes) {
    bytes = (bytes + 4095) & ~uint64_t{4095};
    uint64_t iova = m_iova.alloc(bytes, 0);
    const uint64_t host =
        (uint64_t{0x80} << 32) + (uint64_t(index) << 32) + (uint64_t(mappings.size()) << 24);
    mappings.push_back({.iova = iova, .hpa = long_lived_output(bytes, host), .size = bytes});
    return iova;
  };
  m_queues.resize(p.queues);
  for (unsigned q = 0; q < p.queues; ++q) {
    auto& Q = m_queues[q];
    Q.rx_ring = long_lived(uint64_t(p.ring_size) * 16);
    Q.tx_ring = long_lived(uint64_t(p.ring_size) * 16);
    Q.msi_address = add_vector(platform, uint8_t(0x40 + q), q);
    Q.rx_buffer.resize(p.ring_size);
    if (p.page_pool) {
      uint64_t pool = long_lived(uint64_t(p.ring_size) * kRxBufferBytes * 2);
      for (unsigned i = 0; i < p.ring_size * 2; ++i) Q.pool.push_back(pool + uint64_t(i) * kRxBufferBytes);
      for (unsigned i = 0; i < p.ring_size; ++i) Q.rx_buffer[i] = Q.pool[i];
    } else {
      // The driver posts a mapped buffer in every RX slot before traffic starts.
      for (unsigned i = 0; i < p.ring_size; ++i) {
        uint64_t iova = m_iova.alloc(4096, 0);
        emit(make_map(0, m_domain, iova, random_hpa_page(), 4096, true, true));
        Q.rx_buffer[i] = iova;
      }
    }
  }
  add_to_platform(platform, std::move(mappings));
  m_next_rx = p.rx_gbps > 0 ? 1 * kUs : UINT64_MAX;
  m_next_tx = p.tx_gbps > 0 ? 1 * kUs + 500 * kNs : UINT64_MAX;
  m_next_event = std::min(m_next_rx, m_next_tx);
}

unsigned nic_model::packet_size() {
  // Simple IMIX (7:4:1 of 64, 594 and 1518 bytes).
  uint64_t r = m_rng.below(12);
  return r < 7 ? 64 : r < 11 ? 594 : 1518;
}

void nic_model::next_event() {
  const bool rx = m_next_rx <= m_next_tx;
  const uint64_t t = rx ? m_next_rx : m_next_tx;
  const unsigned bytes = packet_size();
  const unsigned q = m_rss++ % m_p.queues;
  // Packet spacing at the line rate: bytes*8 / Gbit/s nanoseconds (+20 bytes of preamble and gap).
  const double gbps = rx ? m_p.rx_gbps : m_p.tx_gbps;
  const uint64_t gap = static_cast<uint64_t>(double(bytes + 20) * 8.0 * 1000.0 / gbps);
  if (rx) {
    rx_packet(t, q, bytes);
    m_next_rx = t + gap;
  } else {
    tx_packet(t, q, bytes);
    m_next_tx = t + gap;
  }
  m_next_event = std::min(m_next_rx, m_next_tx);
}

void nic_model::rx_packet(uint64_t t, unsigned q, unsigned bytes) {
  auto& Q = m_queues[q];
  const unsigned slot = Q.rx_index++ % m_p.ring_size;
  // Descriptors are fetched 8 at a time (128 bytes).
  if (slot % 8 == 0) emit(make_dma(t, m_sid, dma_op::read, Q.rx_ring + slot * 16, 128));
  emit(make_dma(t + 200 * kNs, m_sid, dma_op::write, Q.rx_buffer[slot], bytes));
  emit(make_dma(t + 300 * kNs, m_sid, dma_op::write, Q.rx_ring + slot * 16, 16));  // write-back
  maybe_interrupt(t + 350 * kNs, q);
  // NAPI: the driver hands the buffer to the stack and posts a fresh one in the slot.
  const uint64_t clean = t + 3 * kUs;
  if (m_p.page_pool) {
    std::swap(Q.rx_buffer[slot], Q.pool[m_p.ring_size + (slot % m_p.ring_size)]);  // recycle
  } else {
    unmap(clean, Q.rx_buffer[slot], 4096, m_p.strict, m_p.flush_batch, m_p.flush_timeout_us * kUs);
    const uint64_t iova = m_iova.alloc(4096, clean + 100 * kNs);
    emit(make_map(clean + 100 * kNs, m_domain, iova, random_hpa_page(), 4096, true, true));
    Q.rx_buffer[slot] = iova;
  }
}

void nic_model::tx_packet(uint64_t t, unsigned q, unsigned bytes) {
  auto& Q = m_queues[q];
  const unsigned slot = Q.tx_index++ % m_p.ring_size;
  const uint64_t hpa = random_hpa_page() + (m_rng.below(8) * 256);  // skb data somewhere in a page
  const uint64_t page_off = hpa & 0xFFF;
  const uint64_t span = ((page_off + bytes + 4095) & ~uint64_t{4095});
  const uint64_t iova = m_iova.alloc(span, t);
  emit(make_map(t, m_domain, iova, hpa & ~uint64_t{0xFFF}, span, true, false));  // DMA_TO_DEVICE: read-only
  emit(make_dma(t + 100 * kNs, m_sid, dma_op::read, Q.tx_ring + slot * 16, 16));
  emit(make_dma(t + 200 * kNs, m_sid, dma_op::read, iova + page_off, bytes));
  emit(make_dma(t + 300 * kNs, m_sid, dma_op::write, Q.tx_ring + slot * 16, 16));  // completion write-back
  maybe_interrupt(t + 350 * kNs, q);
  unmap(t + 4 * kUs, iova, span, m_p.strict, m_p.flush_batch, m_p.flush_timeout_us * kUs);
}

void nic_model::maybe_interrupt(uint64_t t, unsigned q) {
  auto& Q = m_queues[q];
  if (++Q.pending_irq >= m_p.coalesce_packets || t - Q.last_irq >= uint64_t(m_p.coalesce_us) * kUs) {
    emit(make_msi(t, m_sid, Q.msi_address, 0));
    Q.pending_irq = 0;
    Q.last_irq = t;
  }
}

}  // namespace vtd::traces::gen
