// Missing-invalidation bookkeeping (see header).
#include "apps/replay/stale_tracker.hpp"

#include "model/spec/source_id.hpp"

namespace vtd::replay {

void stale_tracker::erase_range(std::map<uint64_t, table_change>& m, uint64_t base, uint64_t end) {
  // Trim or split entries overlapping [base, end).
  auto it = m.lower_bound(base);
  if (it != m.begin()) {
    auto prev = std::prev(it);
    uint64_t prev_end = prev->second.iova + prev->second.bytes;
    if (prev_end > base) {
      table_change tail = prev->second;
      prev->second.bytes = base - prev->second.iova;
      if (prev_end > end) {
        tail.iova = end;
        tail.bytes = prev_end - end;
        m.emplace(end, tail);
      }
    }
  }
  it = m.lower_bound(base);
  while (it != m.end() && it->first < end) {
    uint64_t e = it->second.iova + it->second.bytes;
    if (e > end) {
      table_change tail = it->second;
      tail.iova = end;
      tail.bytes = e - end;
      it = m.erase(it);
      m.emplace(end, tail);
      break;
    }
    it = m.erase(it);
  }
}

void stale_tracker::changed_range(uint16_t domain, const table_change& c) {
  auto& m = m_ranges[domain];
  erase_range(m, c.iova, c.iova + c.bytes);
  m.emplace(c.iova, c);
}

void stale_tracker::changed_device(uint16_t sid, int old_domain, uint64_t record_index, uint64_t time_ps) {
  if (m_devices.count(sid)) return;  // keep the first change: the cached entry predates it
  table_change c;
  c.domain = old_domain;
  c.record_index = record_index;
  c.time_ps = time_ps;
  m_devices[sid] = c;
}

void stale_tracker::invalidated_all() {
  m_ranges.clear();
}
void stale_tracker::invalidated_domain(uint16_t domain) {
  m_ranges.erase(domain);
}

void stale_tracker::invalidated_range(uint16_t domain, uint64_t base, uint64_t length) {
  auto it = m_ranges.find(domain);
  if (it == m_ranges.end()) return;
  if (length == 0) {
    m_ranges.erase(it);
    return;
  }
  erase_range(it->second, base, base + length);
  if (it->second.empty()) m_ranges.erase(it);
}

void stale_tracker::invalidated_devices_all() {
  m_devices.clear();
}

void stale_tracker::invalidated_device(uint16_t sid, unsigned function_mask) {
  // FM: 0 none, 1 ignore SID[2], 2 ignore SID[2:1], 3 ignore SID[2:0] (CCMD_REG.FM, cc_inv_dsc FM).
  const uint16_t mask = spec::sid_function_mask(function_mask);
  for (auto it = m_devices.begin(); it != m_devices.end();) {
    if ((it->first & mask) == (sid & mask))
      it = m_devices.erase(it);
    else
      ++it;
  }
}

void stale_tracker::invalidated_devices_of_domain(uint16_t domain) {
  for (auto it = m_devices.begin(); it != m_devices.end();) {
    if (it->second.domain == int(domain))
      it = m_devices.erase(it);
    else
      ++it;
  }
}

std::optional<table_change> stale_tracker::pending_range(uint16_t domain, uint64_t addr) const {
  auto it = m_ranges.find(domain);
  if (it == m_ranges.end()) return std::nullopt;
  auto r = it->second.upper_bound(addr);
  if (r == it->second.begin()) return std::nullopt;
  --r;
  if (addr < r->second.iova + r->second.bytes) return r->second;
  return std::nullopt;
}

std::optional<table_change> stale_tracker::pending_device(uint16_t sid) const {
  auto it = m_devices.find(sid);
  if (it == m_devices.end()) return std::nullopt;
  return it->second;
}

}  // namespace vtd::replay
