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
  // Requests differ in time, address and direction only: built once per direction, by make_dma.
  m_request[0] = make_dma(0, m_sid, dma_op::read, 0, p.request_bytes);
  m_request[1] = make_dma(0, m_sid, dma_op::write, 0, p.request_bytes);
}

void gpu_model::next_event() {
  stream st = load();
  emit(next_request(st));
  store(st);
}

size_t gpu_model::release(record* out, size_t room, uint64_t& dma_budget, uint64_t until,
                          bool until_inclusive) {
  size_t n = 0;
  while (has_pending() && n < room) {
    const size_t k = device_model::release(out + n, 1, dma_budget, until, until_inclusive);
    if (k == 0) return n;
    n += k;
  }
  // The same bound as device_model::release, on the time the next request will have.
  if (!until_inclusive && until == 0) return n;
  const uint64_t end = until_inclusive ? until : until - 1;
  // The stream's state in locals: stores through `out` cannot alias them, so they stay in registers.
  stream st = load();
  uint64_t budget = dma_budget;
  while (n < room && budget && st.next <= end) {
    out[n++] = next_request(st);
    --budget;
  }
  dma_budget = budget;
  store(st);
  return n;
}

gpu_model::stream gpu_model::load() const {
  return {m_rng, m_next_event, m_offset, m_column, m_buffer};
}

void gpu_model::store(const stream& st) {
  m_rng = st.random;
  m_next_event = st.next;
  m_offset = st.offset;
  m_column = st.column;
  m_buffer = st.buffer;
}

record gpu_model::next_request(stream& st) const {
  const uint64_t t = st.next;
  const bool read = st.random.below(100) < m_p.read_percent;
  record r = m_request[read ? 0 : 1];
  r.time_ps = t;
  r.addr = m_buffers[st.buffer] + st.offset;
  st.offset += m_p.stride_bytes ? m_p.stride_bytes : m_p.request_bytes;
  if (st.offset + m_p.request_bytes > m_p.buffer_bytes) {
    // Strided: start the next column; streaming (or the last column done): the next buffer from its start.
    st.column += m_p.request_bytes;
    if (!m_p.stride_bytes || st.column + m_p.request_bytes > std::min(m_p.stride_bytes, m_p.buffer_bytes)) {
      st.column = 0;
      st.buffer = (st.buffer + 1) % m_p.buffers;
    }
    st.offset = st.column;
  }
  st.next = t + m_interval;
  return r;
}

}  // namespace vtd::traces::gen
