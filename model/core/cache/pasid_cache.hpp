// PASID-cache (VT-d spec 6.2 "PASID-cache", scalable mode): PASID-table entries looked up by source-id and
// PASID (the request's PASID, or RID_PASID for a request without one), invalidated by the tags spec Table
// "Caches and their tags" names for it, DID and PASID: pc_inv_dsc global, domain-selective (every entry of a
// DID) and PASID-selective within a domain (DID and PASID). Perfmon events pasid_cache_lookup/hit.
#pragma once
#include <cstdint>

#include "model/core/cache/cached_entries.hpp"
#include "model/core/cache/set_assoc_cache.hpp"

namespace vtd::core {

struct pasid_cache_tag {
  uint16_t sid = 0;
  uint32_t pasid = 0;
  bool operator==(const pasid_cache_tag&) const = default;
};

// The PASID's low bits pick the set (the PASIDs of one device spread over sets); the source-id salts them so
// that devices using the same PASID (RID_PASID 0 is the common case) do not all meet in one set.
struct pasid_set_index {
  uint64_t operator()(const pasid_cache_tag& t) const {
    return uint64_t(t.pasid) ^ ((uint64_t(t.sid) * 0x9E3779B97F4A7C15ull) >> 48);
  }
};

class pasid_cache {
 public:
  using storage = set_assoc_cache<pasid_cache_tag, cached_pasid_entry, pasid_set_index>;

  explicit pasid_cache(const cache_config& cfg) : m_cache(cfg) {}

  const cached_pasid_entry* lookup(uint16_t sid, uint32_t pasid) { return m_cache.lookup({sid, pasid}); }
  // With CAP.CM=0 only present entries that passed every check are cached (spec 6.1 caching mode); a
  // non-present entry is refused (false).
  bool fill(uint16_t sid, uint32_t pasid, const cached_pasid_entry& e) {
    if (!e.entry.present()) return false;
    m_cache.fill({sid, pasid}, e);
    return true;
  }

  // pc_inv_dsc scopes; each returns the number of entries removed.
  uint64_t invalidate_global() { return m_cache.invalidate_all(); }
  uint64_t invalidate_domain(uint16_t did) {
    return m_cache.invalidate_if(
        [did](const pasid_cache_tag&, const cached_pasid_entry& e) { return e.did() == did; });
  }
  uint64_t invalidate_pasid(uint16_t did, uint32_t pasid) {
    return m_cache.invalidate_if([=](const pasid_cache_tag& t, const cached_pasid_entry& e) {
      return t.pasid == pasid && e.did() == did;
    });
  }

  storage& array() { return m_cache; }
  const storage& array() const { return m_cache; }
  const cache_stats& stats() const { return m_cache.stats(); }

 private:
  storage m_cache;
};

}  // namespace vtd::core
