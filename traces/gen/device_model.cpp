// Device-model machinery (see header).
#include "traces/gen/device_model.hpp"
#include "model/spec/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vtd::traces::gen {

namespace {
unsigned checked_index(const std::string& kind, unsigned index) {
  if (index >= limits::max_devices_per_kind)
    throw trace_error(fmt::format("{}{}: at most {} {} devices (each has a bus and a domain id of its own)",
                                  kind, index, limits::max_devices_per_kind, kind));
  return index;
}
}  // namespace

device_model::device_model(std::string kind, unsigned index, placement where, uint64_t seed)
    : m_name(fmt::format("{}{}", kind, checked_index(kind, index))),
      m_sid(uint16_t((where.bus + index) << 8)),
      m_domain(uint16_t(where.domain + index)),
      m_rng(seed),
      // Linux tries a 32-bit IOVA first for PCI devices: top-down from 4 GiB.
      m_iova(0x100000, uint64_t{1} << 32) {}

uint64_t device_model::head_time() {
  while (m_queue.empty() || m_queue.top().time > m_next_event) next_event();
  return m_queue.top().time;
}

record device_model::pop() {
  head_time();
  record r = m_queue.top().r;
  m_queue.pop();
  return r;
}

void device_model::emit(const record& r) {
  m_queue.push(pending{r.time_ps, m_seq++, r});
}

void device_model::unmap(uint64_t t, uint64_t iova, uint64_t bytes, bool strict, unsigned flush_batch,
                         uint64_t flush_timeout) {
  emit(make_unmap(t, m_domain, iova, bytes));
  if (strict) {
    unsigned am = 0;
    while ((uint64_t{1} << am) * 4096 < bytes) ++am;
    emit(make_iotlb_inval(t, granularity::page, m_domain, iova, uint8_t(am), false, true));
    emit(make_inv_wait(t, kStatusAddress, 1, false, true, false, true));
    m_iova.free(iova, bytes, t);
    return;
  }
  if (m_deferred.empty()) m_deferred_since = t;
  m_deferred.emplace_back(iova, bytes);
  m_deferred_latest = std::max(m_deferred_latest, t);
  if (m_deferred.size() >= flush_batch || t - m_deferred_since >= flush_timeout) flush_deferred(t);
}

void device_model::flush_deferred(uint64_t t) {
  if (m_deferred.empty()) return;
  // Events are generated out of time order: the flush must come after the latest unmap it covers, or an IOVA
  // could be handed out again before its own unmap record.
  t = std::max(t, m_deferred_latest);
  emit(make_iotlb_inval(t, granularity::domain, m_domain, 0, 0, false, true));
  emit(make_inv_wait(t, kStatusAddress, 1, false, true, false, true));
  for (auto [iova, bytes] : m_deferred) m_iova.free(iova, bytes, t);
  m_deferred.clear();
}

uint64_t device_model::random_hpa_page() {
  // Buffers anywhere in [4 GiB, 64 GiB): page-cache and skb pages are scattered in real systems.
  return (uint64_t{1} << 32) + (m_rng.below(uint64_t{15} << 18) << 12);
}

uint64_t device_model::add_vector(platform_parts& p, uint8_t vector, uint32_t destination) {
  const uint32_t index = p.next_irte++;
  p.interrupts.push_back(
      {{"index", index},
       {"vector", vector},
       {"destination", destination},
       {"source_validation", {{"type", "requester_id"}, {"sid", spec::format_bdf(m_sid)}, {"sq", 0}}}});
  // Remappable-format MSI address: 0xFEE, handle[14:0] in 19:5, bit 4 = 1, SHV = 0, handle[15] in bit 2.
  return 0xFEE00000ull | (uint64_t(index & 0x7FFF) << 5) | 0x10 | (uint64_t(index >> 15) << 2);
}

}  // namespace vtd::traces::gen
