// NVMe model (see header). The I/O rate is fixed by --nvme-iops; when queue_depth I/Os are outstanding the
// next submission waits for the oldest completion (closed loop), as an fio job with that iodepth would.
#include "traces/gen/nvme.hpp"

namespace vtd::traces::gen {

namespace {
constexpr unsigned kPrpPages = 64;
}  // namespace

nvme_model::nvme_model(unsigned index, const nvme_params& p, uint64_t seed, platform_parts& platform)
    : device_model("nvme", index, kNvmePlacement, seed, p.stage, platform, p.ats), m_p(p) {
  if (p.io_bytes < 4096 || p.io_bytes > 128 * 1024 || p.io_bytes % 4096)
    throw trace_error("nvme: io_bytes must be a multiple of 4 KiB between 4 KiB and 128 KiB");
  if (p.iops == 0 || p.queues == 0 || p.queue_depth == 0)
    throw trace_error("nvme: iops, queues and queue_depth must be non-zero");
  std::vector<tables::mapping_desc> mappings;
  auto long_lived = [&](uint64_t bytes) {
    bytes = (bytes + 4095) & ~uint64_t{4095};
    uint64_t iova = m_iova.alloc(bytes, 0);
    const uint64_t host =
        (uint64_t{0x90} << 32) + (uint64_t(index) << 32) + (uint64_t(mappings.size()) << 24);
    mappings.push_back({.iova = iova, .hpa = long_lived_output(bytes, host), .size = bytes});
    return iova;
  };
  m_queues.resize(p.queues);
  for (unsigned q = 0; q < p.queues; ++q) {
    m_queues[q].sq = long_lived(uint64_t(p.queue_depth) * 64);  // 64-byte submission entries
    m_queues[q].cq = long_lived(uint64_t(p.queue_depth) * 16);  // 16-byte completion entries
    m_queues[q].msi_address = add_vector(platform, uint8_t(0x60 + q), q);
  }
  m_prp_pool = long_lived(kPrpPages * 4096);  // Linux nvme: PRP lists come from a dma_pool (mapped once)
  add_to_platform(platform, std::move(mappings));
  m_interval = std::max<uint64_t>(1, 1000000 * kUs / p.iops);
  m_next_event = 2 * kUs;
}

void nvme_model::next_event() {
  uint64_t t = m_next_event;
  while (m_outstanding.size() >= m_p.queue_depth) {  // closed loop: wait for a completion
    t = std::max(t, m_outstanding.top());
    m_outstanding.pop();
  }
  while (!m_outstanding.empty() && m_outstanding.top() <= t) m_outstanding.pop();
  auto& Q = m_queues[m_rr++ % m_p.queues];
  const bool read_io = m_rng.below(100) < m_p.read_percent;
  const unsigned pages = m_p.io_bytes / 4096;

  // Driver: map the data buffer (page-cache pages: scattered, or contiguous for sequential readahead).
  const uint64_t iova = m_iova.alloc(m_p.io_bytes, t);
  for (unsigned i = 0; i < pages; ++i) {
    uint64_t hpa = m_p.sequential ? next_sequential_page() : random_hpa_page();
    // DMA_FROM_DEVICE (read I/O) needs write permission for the device, DMA_TO_DEVICE only read.
    emit(make_map(t, m_domain, iova + i * 4096ull, hpa, 4096, true, read_io));
  }
  // Device: fetch the submission entry, the PRP list when the I/O spans more than two pages, then the data.
  const unsigned slot = Q.sq_tail++ % m_p.queue_depth;
  emit(make_dma(t + 500 * kNs, m_sid, dma_op::read, Q.sq + slot * 64, 64));
  if (pages > 2) {
    const uint64_t prp = m_prp_pool + uint64_t(m_prp_next++ % kPrpPages) * 4096;
    emit(make_dma(t + 800 * kNs, m_sid, dma_op::read, prp, (pages - 1) * 8));
  }
  const uint64_t data = t + (read_io ? m_p.device_latency_us * kUs - 5 * kUs : 2 * kUs);
  for (unsigned i = 0; i < pages; ++i)
    emit(make_dma(data + i * 200 * kNs, m_sid, read_io ? dma_op::write : dma_op::read, iova + i * 4096ull,
                  4096));
  // Completion entry, MSI-X, then the driver unmaps.
  const uint64_t done = t + m_p.device_latency_us * kUs;
  const unsigned cslot = Q.cq_head++ % m_p.queue_depth;
  emit(make_dma(done, m_sid, dma_op::write, Q.cq + cslot * 16, 16));
  emit(make_msi(done + 100 * kNs, m_sid, Q.msi_address, 0));
  unmap(done + 2 * kUs, iova, m_p.io_bytes, m_p.strict, m_p.flush_batch, m_p.flush_timeout_us * kUs);
  m_outstanding.push(done);
  m_next_event = t + m_interval;
}

}  // namespace vtd::traces::gen
