// Legacy-mode context-cache (VT-d spec 6.2.1, digest 6.2): decoded context entries tagged by source-id,
// invalidated by SID (+FM function mask) and DID, or globally (digest 1.7).
#pragma once
#include <cstdint>

#include "model/core/cache/set_assoc_cache.hpp"
#include "model/spec/context_entry.hpp"

namespace vtd::core {

// What a walk needs from a context entry (digest 2): P, FPD, TT, SLPTPTR, AW, DID.
struct context_cache_entry {
  bool present = false;
  bool fpd = false;
  spec::translation_type tt = spec::translation_type::untranslated_only;
  uint8_t aw = 0;
  uint16_t did = 0;
  uint64_t slptptr = 0;

  static context_cache_entry from(const spec::context_entry& e) {
    return {e.present(), e.fpd(), e.tt(), uint8_t(e.aw()), e.did(), e.slptptr()};
  }
  spec::context_entry to_entry() const {
    return spec::context_entry::make(slptptr, aw, did, tt, fpd, present);
  }
};

// The set is chosen by devfn folded with the bus, so the functions of one device spread over sets.
struct sid_set_index {
  uint64_t operator()(uint16_t sid) const { return uint64_t(sid) ^ (uint64_t(sid) >> 8); }
};

class context_cache {
 public:
  using storage = set_assoc_cache<uint16_t, context_cache_entry, sid_set_index>;

  explicit context_cache(const cache_config& cfg) : m_cache(cfg) {}

  const context_cache_entry* lookup(uint16_t sid) { return m_cache.lookup(sid); }
  // With CAP.CM=0 only present entries that passed every check may be cached (digest 6.1); a non-present
  // entry is refused here (returns false) so that a caller cannot break that rule by accident.
  bool fill(uint16_t sid, const spec::context_entry& e) {
    if (!e.present()) return false;
    m_cache.fill(sid, context_cache_entry::from(e));
    return true;
  }

  // Invalidations (digest 1.7 / 6.4 cc_inv_dsc). Each returns the number of entries removed.
  uint64_t invalidate_global() { return m_cache.invalidate_all(); }
  uint64_t invalidate_domain(uint16_t did) {
    return m_cache.invalidate_if([did](uint16_t, const context_cache_entry& e) { return e.did == did; });
  }
  // Device-selective: SID with the low FM bits of the function number ignored (FM 01: SID[2], 10: SID[2:1],
  // 11: SID[2:0]), and the entry's DID must equal the DID given.
  uint64_t invalidate_device(uint16_t sid, unsigned fm, uint16_t did) {
    uint16_t mask = function_mask(fm);
    return m_cache.invalidate_if([=](uint16_t tag, const context_cache_entry& e) {
      return (tag & mask) == (sid & mask) && e.did == did;
    });
  }
  static uint16_t function_mask(unsigned fm) {
    constexpr uint16_t masks[4] = {0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8};
    return masks[fm & 3];
  }

  storage& array() { return m_cache; }
  const storage& array() const { return m_cache; }
  const cache_stats& stats() const { return m_cache.stats(); }

 private:
  storage m_cache;
};

}  // namespace vtd::core
