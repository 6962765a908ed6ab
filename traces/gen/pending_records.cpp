// A device's pending records (see header).
#include "traces/gen/pending_records.hpp"

#include <algorithm>

#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

namespace {
struct later {
  template <class K>
  bool operator()(const K& a, const K& b) const {
    return a.time != b.time ? a.time > b.time : a.order > b.order;
  }
};
}  // namespace

void pending_records::grow_run() {
  std::vector<record> bigger(std::max<size_t>(64, m_run.size() * 2));
  for (size_t i = 0; i < m_run_size; ++i) bigger[i] = m_run[(m_run_head + i) & m_run_mask];
  m_run = std::move(bigger);
  m_run_head = 0;
  m_run_mask = m_run.size() - 1;
}

void pending_records::push_heap(const record& r, uint64_t seq) {
  // Far beyond any workload the limits allow (an NVMe controller at queue depth 4096 with 128 KiB I/Os holds
  // some 300 000 records; 10^9 DMAs are some 10^10 records).
  if (seq >> (64 - kSlotBits) || (m_free.empty() && m_slots.size() >= (size_t{1} << kSlotBits)))
    throw trace_error("generator: a device holds more than 2^24 pending records or queued 2^40");
  uint32_t slot;
  if (!m_free.empty()) {
    slot = m_free.back();
    m_free.pop_back();
    m_slots[slot] = r;
  } else {
    slot = uint32_t(m_slots.size());
    m_slots.push_back(r);
  }
  m_heap.push_back({r.time_ps, (seq << kSlotBits) | slot});
  std::push_heap(m_heap.begin(), m_heap.end(), later{});
}

record pending_records::pop_heap() {
  std::pop_heap(m_heap.begin(), m_heap.end(), later{});
  const uint32_t slot = uint32_t(m_heap.back().order & ((uint64_t{1} << kSlotBits) - 1));
  m_heap.pop_back();
  m_free.push_back(slot);
  return m_slots[slot];
}

}  // namespace vtd::traces::gen
