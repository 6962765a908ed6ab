// GPU model (see header).
#include "traces/gen/gpu.hpp"

namespace vtd::traces::gen {

gpu_model::gpu_model(unsigned index, const gpu_params& p, uint64_t seed, platform_parts& platform)
    : device_model("gpu", index, kGpuPlacement, seed, p.stage, platform, p.ats), m_p(p) {
  if (p.stage == device_stage::nested)
    throw trace_error("gpu: stage nested is not modelled (a GPU's domain is first- or second-stage)");
  if (p.buffers == 0 || p.buffer_bytes < (2u << 20) || p.buffer_bytes % (2u << 20))
    throw trace_error("gpu: buffers must be non-zero and buffer_bytes a multiple of 2 MiB");
  if (p.request_bytes == 0 || p.gbytes_per_s <= 0)
    throw trace_error("gpu: request_bytes and bandwidth must be positive");
  std::vector<tables::mapping_desc> mappings;
  const uint64_t align =
      p.buffer_bytes % (uint64_t{1} << 30) == 0 ? (uint64_t{1} << 30) : (uint64_t{2} << 20);
  for (unsigned b = 0; b < p.buffers; ++b) {
    // 64-bit IOVAs above 4 GiB for the big buffers (the device's DMA mask allows them).
    const uint64_t iova =
        (uint64_t{0x100} << 32) + uint64_t(b) * ((p.buffer_bytes + align - 1) / align * align);
    const uint64_t hpa = (uint64_t{0x200} << 32) + (uint64_t(index) << 36) + uint64_t(b) * p.buffer_bytes;
    mappings.push_back({.iova = iova, .hpa = hpa, .size = p.buffer_bytes});
    m_buffers.push_back(iova);
  }
  add_to_platform(platform, std::move(mappings));
  m_interval =
      std::max<uint64_t>(1, static_cast<uint64_t>(double(p.request_bytes) * 1000.0 / p.gbytes_per_s));
  m_next_event = 3 * kUs;
}

void gpu_model::next_event() {
  const uint64_t t = m_next_event;
  const bool read = m_rng.below(100) < m_p.read_percent;
  emit(make_dma(t, m_sid, read ? dma_op::read : dma_op::write, m_buffers[m_buffer] + m_offset,
                m_p.request_bytes));
  m_offset += m_p.stride_bytes ? m_p.stride_bytes : m_p.request_bytes;
  if (m_offset + m_p.request_bytes > m_p.buffer_bytes) {
    // Strided: start the next column; streaming (or the last column done): the next buffer from its start.
    m_column += m_p.request_bytes;
    if (!m_p.stride_bytes || m_column + m_p.request_bytes > std::min(m_p.stride_bytes, m_p.buffer_bytes)) {
      m_column = 0;
      m_buffer = (m_buffer + 1) % m_p.buffers;
    }
    m_offset = m_column;
  }
  m_next_event = t + m_interval;
}

}  // namespace vtd::traces::gen
