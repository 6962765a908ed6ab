// Device-TLB (see header).
#include "model/device/device_tlb.hpp"

namespace vtd::device {

device_tlb::device_tlb(const core::cache_config& config) : m_cache(config) {}

dtlb_entry* device_tlb::lookup(const dtlb_key& key, uint64_t address) {
  ++m_stats.lookups;
  for (unsigned s = 0; s < kSizes; ++s) {
    if (m_count[s] == 0) continue;
    if (dtlb_entry* e = m_cache.probe(tag{address >> shift(s), uint8_t(s), key}, true)) {
      ++m_stats.hits;
      return e;
    }
  }
  ++m_stats.misses;
  return nullptr;
}

const dtlb_entry* device_tlb::peek(const dtlb_key& key, uint64_t address) const {
  for (unsigned s = 0; s < kSizes; ++s) {
    if (m_count[s] == 0) continue;
    if (const dtlb_entry* e = m_cache.probe(tag{address >> shift(s), uint8_t(s), key}, false)) return e;
  }
  return nullptr;
}

bool device_tlb::fill(const dtlb_key& key, const dtlb_entry& entry) {
  unsigned s = 0;
  while (s < kSizes && entry.size != uint64_t{1} << shift(s)) ++s;
  if (s == kSizes) return false;
  dtlb_entry e = entry;
  e.untranslated &= ~(e.size - 1);
  e.translated &= ~(e.size - 1);
  const auto r = m_cache.fill(tag{e.untranslated >> shift(s), uint8_t(s), key}, e);
  ++m_stats.fills;
  if (r.evicted) {
    ++m_stats.evictions;
    --m_count[r.victim_tag.size_class];
  }
  if (!r.updated) ++m_count[s];
  return true;
}

uint64_t device_tlb::invalidate(const core::dev_tlb_invalidation& q) {
  ++m_stats.invalidation_requests;
  const uint64_t end = q.address + q.size;
  const uint64_t n = m_cache.invalidate_if([&](const tag& t, const dtlb_entry& e) {
    if (q.has_pasid) {
      if (!t.key.has_pasid || (!q.global && t.key.pasid != q.pasid)) return false;
    } else if (t.key.has_pasid) {
      return false;
    }
    if (q.all) return true;
    return e.untranslated < end && q.address < e.untranslated + e.size;
  });
  if (n) {
    // Recount per size (invalidation is rare next to lookups).
    m_count = {};
    m_cache.for_each([&](const tag& t, const dtlb_entry&) { ++m_count[t.size_class]; });
  }
  m_stats.entries_removed += n;
  return n;
}

}  // namespace vtd::device
