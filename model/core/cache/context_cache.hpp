// Context-cache (VT-d spec 6.2 "Context-Cache"): decoded context entries tagged by source-id, invalidated
// by SID (+FM function mask) and DID, or globally (CCMD_REG, cc_inv_dsc). Legacy and scalable-mode entries
// share the array (one perfmon ctxt_cache); the stored tag carries which kind an entry is (bit 16), so a
// lookup of one mode never returns the other's entry. Scalable-mode entries carry no DID: spec Table "Caches
// and their tags" names only the source-id, so their invalidations select by SID+FM or are global.
#pragma once
#include <cstdint>

#include "model/core/cache/cached_entries.hpp"
#include "model/core/cache/set_assoc_cache.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/source_id.hpp"

namespace vtd::core {

// A context-cache entry is the decoded context the walker consumes.
using context_cache_entry = cached_context;

// Stored tag: source-id in 15:0, 1 in bit 16 for a scalable-mode entry.
using context_cache_tag = uint32_t;
constexpr context_cache_tag kScalableContextTag = context_cache_tag{1} << 16;

// The set is chosen by devfn folded with the bus, so the functions of one device spread over sets (the mode
// bit does not move an entry: legacy entries sit where they always did).
struct sid_set_index {
  uint64_t operator()(context_cache_tag tag) const {
    const uint64_t sid = tag & 0xFFFF;
    return sid ^ (sid >> 8);
  }
};

class context_cache {
 public:
  using storage = set_assoc_cache<context_cache_tag, context_cache_entry, sid_set_index>;

  explicit context_cache(const cache_config& cfg) : m_cache(cfg) {}

  const context_cache_entry* lookup(uint16_t sid) { return m_cache.lookup(sid); }
  const context_cache_entry* lookup_scalable(uint16_t sid) {
    return m_cache.lookup(sid | kScalableContextTag);
  }
  // With CAP.CM=0 only present entries that passed every check may be cached (spec 6.2.1, caching mode);
  // a non-present entry is refused here (returns false) so that a caller cannot break that rule by accident.
  bool fill(uint16_t sid, const cached_context& e) {
    if (!e.present) return false;
    m_cache.fill(e.scalable ? sid | kScalableContextTag : sid, e);
    return true;
  }
  bool fill(uint16_t sid, const spec::context_entry& e) { return fill(sid, cached_context::from(e)); }
  bool fill(uint16_t sid, const spec::sm_context_entry& e) { return fill(sid, cached_context::from(e)); }

  // Invalidations (CCMD_REG, cc_inv_dsc). Each returns the number of entries removed.
  uint64_t invalidate_global() { return m_cache.invalidate_all(); }
  // Domain-selective: the legacy entries whose DID is `did` (scalable-mode entries have no DID).
  uint64_t invalidate_domain(uint16_t did) {
    return m_cache.invalidate_if(
        [did](context_cache_tag, const context_cache_entry& e) { return !e.scalable && e.did == did; });
  }
  // Device-selective: SID with the low FM bits of the function number ignored (FM 01: SID[2], 10: SID[2:1],
  // 11: SID[2:0]), and a legacy entry's DID must equal the DID given (a scalable-mode entry has none).
  uint64_t invalidate_device(uint16_t sid, unsigned fm, uint16_t did) {
    uint16_t mask = function_mask(fm);
    return m_cache.invalidate_if([=](context_cache_tag tag, const context_cache_entry& e) {
      return (tag & mask) == (sid & mask) && (e.scalable || e.did == did);
    });
  }
  static uint16_t function_mask(unsigned fm) { return spec::sid_function_mask(fm); }

  storage& array() { return m_cache; }
  const storage& array() const { return m_cache; }
  const cache_stats& stats() const { return m_cache.stats(); }

 private:
  storage m_cache;
};

}  // namespace vtd::core
