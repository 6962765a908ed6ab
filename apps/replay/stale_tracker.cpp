// Missing-invalidation bookkeeping (see header).
#include "apps/replay/stale_tracker.hpp"

#include <algorithm>

#include "model/spec/source_id.hpp"

namespace vtd::replay {

void stale_tracker::put(range_map& m, uint64_t start, const table_change& c) {
  ++m_pending_ranges;
  if (!m_spare) {
    m.emplace(start, c);
    return;
  }
  m_spare.key() = start;
  m_spare.mapped() = c;
  m.insert(std::move(m_spare));  // the ranges do not overlap, so `start` is not a key yet
}

stale_tracker::range_map::iterator stale_tracker::erase(range_map& m, range_map::iterator it) {
  --m_pending_ranges;
  auto next = std::next(it);
  auto node = m.extract(it);
  if (!m_spare) m_spare = std::move(node);
  return next;
}

void stale_tracker::erase_range(range_map& m, uint64_t base, uint64_t end) {
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
        put(m, end, tail);
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
      erase(m, it);
      put(m, end, tail);
      break;
    }
    it = erase(m, it);
  }
}

std::optional<table_change> stale_tracker::find(const range_map& m, uint64_t addr) {
  auto r = m.upper_bound(addr);
  if (r == m.begin()) return std::nullopt;
  --r;
  if (addr - r->second.iova < r->second.bytes) return r->second;
  return std::nullopt;
}

void stale_tracker::changed_range(uint16_t domain, uint32_t pasid, const table_change& c) {
  ++m_domain_generation[domain];
  m_last_range_change[domain] = c;
  auto& m = m_ranges[{domain, pasid}];
  erase_range(m, c.iova, c.iova + c.bytes);
  table_change keyed = c;
  keyed.pasid = pasid;
  put(m, c.iova, keyed);
}

void stale_tracker::changed_device(uint16_t sid, int old_domain, uint64_t record_index, uint64_t time_ps) {
  ++m_sid_generation[sid];
  if (m_devices.count(sid)) return;  // keep the first change: the cached entry predates it
  table_change c;
  c.domain = old_domain;
  c.record_index = record_index;
  c.time_ps = time_ps;
  m_devices[sid] = c;
}

void stale_tracker::changed_pasid(uint16_t sid, uint32_t pasid, uint16_t old_domain, uint64_t record_index,
                                  uint64_t time_ps) {
  ++m_sid_generation[sid];
  table_change c;
  c.domain = old_domain;
  c.pasid = pasid;
  c.record_index = record_index;
  c.time_ps = time_ps;
  m_pasids.emplace(std::make_pair(sid, pasid), c);  // keeps the first change: the cached entry predates it
}

void stale_tracker::remember_attachment(uint16_t domain, uint32_t pasid) {
  auto& v = m_attached[domain];
  auto it = std::lower_bound(v.begin(), v.end(), pasid);
  if (it == v.end() || *it != pasid) v.insert(it, pasid);
}

const std::vector<uint32_t>& stale_tracker::attached_pasids(uint16_t domain) const {
  static const std::vector<uint32_t> none;
  auto it = m_attached.find(domain);
  return it == m_attached.end() ? none : it->second;
}

void stale_tracker::invalidated_all() {
  m_ranges.clear();
  m_pending_ranges = 0;
}

void stale_tracker::invalidated_domain(uint16_t domain) {
  const auto first = m_ranges.lower_bound({domain, 0}), last = m_ranges.upper_bound({domain, kUntagged});
  for (auto it = first; it != last; ++it) m_pending_ranges -= it->second.size();
  m_ranges.erase(first, last);
}

void stale_tracker::invalidated_range(uint16_t domain, uint64_t base, uint64_t length) {
  if (length == 0) return invalidated_domain(domain);
  for (auto it = m_ranges.lower_bound({domain, 0}); it != m_ranges.end() && it->first.first == domain; ++it)
    if (!it->second.empty()) erase_range(it->second, base, base + length);
}

void stale_tracker::invalidated_pasid_range(uint16_t domain, uint32_t pasid, uint64_t base, uint64_t length) {
  auto it = m_ranges.find({domain, pasid});
  if (it == m_ranges.end()) return;
  if (length == 0) {
    m_pending_ranges -= it->second.size();
    m_ranges.erase(it);
    return;
  }
  erase_range(it->second, base, base + length);
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

void stale_tracker::invalidated_pasid_cache_all() {
  m_pasids.clear();
}

// pc_inv_dsc selects cached PASID-table entries by the DID they hold (the domain before the change), never by
// the domain the entry names now.
void stale_tracker::invalidated_pasid_cache_domain(uint16_t domain) {
  std::erase_if(m_pasids, [domain](const auto& p) { return p.second.domain == int(domain); });
}

void stale_tracker::invalidated_pasid_cache(uint16_t domain, uint32_t pasid) {
  std::erase_if(m_pasids, [domain, pasid](const auto& p) {
    return p.first.second == pasid && p.second.domain == int(domain);
  });
}

std::optional<table_change> stale_tracker::pending_range(uint16_t domain, uint32_t pasid,
                                                         uint64_t addr) const {
  if (m_pending_ranges == 0) return std::nullopt;
  if (pasid != kUntagged) {
    auto it = m_ranges.find({domain, pasid});
    if (it != m_ranges.end())
      if (auto c = find(it->second, addr)) return c;
  }
  auto it = m_ranges.find({domain, kUntagged});
  if (it == m_ranges.end()) return std::nullopt;
  return find(it->second, addr);
}

std::optional<table_change> stale_tracker::pending_device(uint16_t sid) const {
  auto it = m_devices.find(sid);
  if (it == m_devices.end()) return std::nullopt;
  return it->second;
}

std::optional<table_change> stale_tracker::pending_pasid(uint16_t sid, uint32_t pasid) const {
  auto it = m_pasids.find({sid, pasid});
  if (it == m_pasids.end()) return std::nullopt;
  return it->second;
}

}  // namespace vtd::replay

namespace vtd::replay {

uint64_t stale_tracker::generation(uint16_t domain, uint16_t sid) const {
  // Both counters only grow, so their sum changes whenever either does.
  const auto d = m_domain_generation.find(domain);
  const auto s = m_sid_generation.find(sid);
  return (d == m_domain_generation.end() ? 0 : d->second) + (s == m_sid_generation.end() ? 0 : s->second);
}

std::optional<table_change> stale_tracker::last_range_change(uint16_t domain) const {
  const auto it = m_last_range_change.find(domain);
  if (it == m_last_range_change.end()) return std::nullopt;
  return it->second;
}

}  // namespace vtd::replay
