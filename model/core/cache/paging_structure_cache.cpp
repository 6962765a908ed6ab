// Paging-structure cache fills and invalidations (VT-d spec 6.2.3; iotlb_inv_dsc).
#include "model/core/cache/paging_structure_cache.hpp"

#include <bit>

namespace vtd::core {

const char* psc_level_name(unsigned level) {
  constexpr const char* names[kPscLevels] = {"pde", "pdpe", "pml4e", "pml5e"};
  return level >= kPscLowest && level < kPscLowest + kPscLevels ? names[level - kPscLowest] : "?";
}

paging_structure_caches::paging_structure_caches(const std::array<cache_config, kPscLevels>& cfg) {
  for (unsigned i = 0; i < kPscLevels; ++i)
    if (cfg[i].entries != 0) m_arrays[i] = std::make_unique<storage>(cfg[i]);
}

bool paging_structure_caches::fill(const cache_tag& tag, uint64_t addr, unsigned level, const psc_entry& e) {
  if (level < kPscLowest || level >= kPscLowest + kPscLevels) return false;
  storage* a = m_arrays[level - kPscLowest].get();
  if (!a) return false;
  if (tag.pasid != kNoPasid || tag.stage != translation_stage::second) m_only_legacy_tags = false;
  m_stages |= 1u << unsigned(tag.stage);
  a->fill(psc_tag{addr >> shift(level), tag.did, tag.stage, tag.pasid}, e);
  return true;
}

template <class Pred>
uint64_t paging_structure_caches::remove_if(Pred pred) {
  uint64_t n = 0;
  for (unsigned i = 0; i < kPscLevels; ++i)
    if (m_arrays[i] && m_arrays[i]->valid_entries() != 0) {
      unsigned level = kPscLowest + i;
      n += m_arrays[i]->invalidate_if([&](const psc_tag& t, const psc_entry&) { return pred(level, t); });
    }
  m_stats.total.invalidations += n;
  return n;
}

uint64_t paging_structure_caches::invalidate_global() {
  return remove_if([](unsigned, const psc_tag&) { return true; });
}

uint64_t paging_structure_caches::invalidate_domain(uint16_t did) {
  return remove_if([did](unsigned, const psc_tag& t) { return t.did == did; });
}

uint64_t paging_structure_caches::invalidate_range(uint16_t did, uint64_t base, uint64_t length) {
  uint64_t last = length == 0 ? base : base + (length - 1);
  if (last < base) last = ~uint64_t{0};
  // Small ranges: probe the few tags that can overlap (same result as the scan, without visiting every
  // entry), while only legacy tags exist: the probes name no-PASID, second-stage tags.
  if (last != ~uint64_t{0} && (last >> shift(kPscLowest)) - (base >> shift(kPscLowest)) < 16 &&
      m_only_legacy_tags) {
    uint64_t n = 0;
    for (unsigned i = 0; i < kPscLevels; ++i) {
      if (!m_arrays[i] || m_arrays[i]->valid_entries() == 0) continue;  // nothing there to remove
      const unsigned level = kPscLowest + i;
      for (uint64_t region = base >> shift(level); region <= last >> shift(level); ++region)
        n += m_arrays[i]->invalidate(psc_tag{region, did, translation_stage::second, kNoPasid});
    }
    m_stats.total.invalidations += n;
    return n;
  }
  return remove_if([=](unsigned level, const psc_tag& t) {
    return t.did == did && t.region >= (base >> shift(level)) && t.region <= (last >> shift(level));
  });
}

namespace {
// The last byte of [base, base + length) (length 0: the byte at base), saturating at the top of the space.
uint64_t range_last(uint64_t base, uint64_t length) {
  uint64_t last = length == 0 ? base : base + (length - 1);
  return last < base ? ~uint64_t{0} : last;
}
}  // namespace

uint64_t paging_structure_caches::invalidate_pasid(uint16_t did, uint32_t pasid) {
  return remove_if([=](unsigned, const psc_tag& t) { return t.did == did && t.pasid == pasid; });
}

uint64_t paging_structure_caches::invalidate_pasid_range(uint16_t did, uint32_t pasid, uint64_t base,
                                                         uint64_t length) {
  const uint64_t last = range_last(base, length);
  // Small ranges: probe the exact tags that can overlap (DID, PASID, every stage some fill had, each region
  // of each level), the same entries the scan below removes (a fill of a present tag updates it in place,
  // so tags are unique).
  constexpr uint64_t kProbeLimit = 64;
  if (last != ~uint64_t{0}) {
    const uint64_t stage_count = unsigned(std::popcount(m_stages));
    uint64_t probes = 0;
    for (unsigned i = 0; i < kPscLevels; ++i)
      if (m_arrays[i] && m_arrays[i]->valid_entries() != 0) {
        const unsigned level = kPscLowest + i;
        probes += ((last >> shift(level)) - (base >> shift(level)) + 1) * stage_count;
      }
    if (probes <= kProbeLimit) {
      uint64_t n = 0;
      for (unsigned i = 0; i < kPscLevels; ++i) {
        if (!m_arrays[i] || m_arrays[i]->valid_entries() == 0) continue;
        const unsigned level = kPscLowest + i;
        for (unsigned rest = m_stages; rest != 0; rest &= rest - 1) {
          const auto stage = translation_stage(std::countr_zero(rest));
          for (uint64_t region = base >> shift(level); region <= last >> shift(level); ++region)
            n += m_arrays[i]->invalidate(psc_tag{region, did, stage, pasid});
        }
      }
      m_stats.total.invalidations += n;
      return n;
    }
  }
  return remove_if([=](unsigned level, const psc_tag& t) {
    return t.did == did && t.pasid == pasid && t.region >= (base >> shift(level)) &&
           t.region <= (last >> shift(level));
  });
}

psc_stats paging_structure_caches::stats() const {
  psc_stats s = m_stats;
  for (unsigned i = 0; i < kPscLevels; ++i)
    if (m_arrays[i]) {
      s.by_level[i] = m_arrays[i]->stats();
      s.total.fills += s.by_level[i].fills;
      s.total.evictions += s.by_level[i].evictions;
    }
  return s;
}

void paging_structure_caches::reset_stats() {
  m_stats = {};
  for (auto& a : m_arrays)
    if (a) a->reset_stats();
}

uint32_t paging_structure_caches::valid_entries() const {
  uint32_t n = 0;
  for (auto& a : m_arrays)
    if (a) n += a->valid_entries();
  return n;
}

}  // namespace vtd::core
