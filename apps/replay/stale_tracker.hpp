// Missing-invalidation detection. Every map/unmap marks its (domain, IOVA range) "changed since the last
// invalidation that covers it", every attach/detach marks its source-id (legacy mode: the context-cache) or
// its source-id and PASID (scalable mode: the PASID-cache); invalidations clear what they cover. Only a
// request that touches a changed range is re-walked without caches and compared with what the caches served,
// so the check costs nothing for well-behaved traffic.
//
// Scalable mode tags the IOTLB and the first-stage paging-structure caches with DID and PASID, and the
// PASID-cache with DID and PASID for invalidation (spec 6.2, "Caches and their tags"): a change is pending
// per (domain, PASID), and a PASID-based invalidation clears only its PASID, exactly as the hardware's caches
// do (a first-stage domain attached to two PASIDs and invalidated for one stays stale for the other).
// Structures that carry no PASID tag (legacy mode, and the second-stage paging-structure caches a
// second-stage or nested walk uses) are pending under kUntagged, which only the DID-based IOTLB invalidations
// clear.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/core/cache/cache_tag.hpp"

namespace vtd::replay {

// The PASID key of changes in structures no PASID-based invalidation reaches.
constexpr uint32_t kUntagged = core::kNoPasid;

struct table_change {
  uint64_t record_index = 0;
  uint64_t time_ps = 0;
  uint64_t iova = 0;  // range start (page aligned)
  uint64_t bytes = 0;
  bool unmap = false;
  int domain = -1;  // device and PASID changes: the domain the entry named before the change
  // Range changes: the PASID whose cached entries it made stale (kUntagged: entries without a PASID tag),
  // and, for a nested domain, the parent domain whose second-stage tables changed (-1: the domain's own
  // tables).
  uint32_t pasid = kUntagged;
  int parent = -1;
};

class stale_tracker {
 public:
  // A range of `domain`'s tables changed; cached entries of `pasid` (kUntagged: untagged ones) may be stale.
  void changed_range(uint16_t domain, uint32_t pasid, const table_change& c);
  void changed_device(uint16_t sid, int old_domain, uint64_t record_index, uint64_t time_ps);
  // Scalable mode: the PASID-table entry of (sid, pasid) changed; the PASID-cache may hold it with DID
  // `old_domain`.
  void changed_pasid(uint16_t sid, uint32_t pasid, uint16_t old_domain, uint64_t record_index,
                     uint64_t time_ps);

  // PASIDs that were attached to `domain` at some time: the IOTLB may hold entries tagged with them, so a
  // change of the domain's tables is pending for each (a detached PASID's entries stay until invalidated).
  void remember_attachment(uint16_t domain, uint32_t pasid);
  const std::vector<uint32_t>& attached_pasids(uint16_t domain) const;

  // Invalidation scopes (what the hardware dropped). DID-based IOTLB scopes drop every PASID of the domain.
  void invalidated_all();
  void invalidated_domain(uint16_t domain);
  void invalidated_range(uint16_t domain, uint64_t base, uint64_t length);  // length 0: everything
  // PASID-based IOTLB scopes (p_iotlb_inv_dsc): only the PASID's entries (length 0: its whole space).
  void invalidated_pasid_range(uint16_t domain, uint32_t pasid, uint64_t base, uint64_t length);
  // Context-cache scopes (legacy mode).
  void invalidated_devices_all();
  void invalidated_device(uint16_t sid, unsigned function_mask);
  void invalidated_devices_of_domain(uint16_t domain);
  // PASID-cache scopes (pc_inv_dsc): global, every entry of a DID, one PASID within a DID.
  void invalidated_pasid_cache_all();
  void invalidated_pasid_cache_domain(uint16_t domain);
  void invalidated_pasid_cache(uint16_t domain, uint32_t pasid);

  bool any() const { return m_pending_ranges != 0 || !m_devices.empty() || !m_pasids.empty(); }
  // The change covering `addr` still pending an invalidation for requests of `pasid` in `domain` (its own
  // PASID's entries first, then the untagged ones); legacy mode asks with kUntagged.
  std::optional<table_change> pending_range(uint16_t domain, uint32_t pasid, uint64_t addr) const;
  std::optional<table_change> pending_device(uint16_t sid) const;
  std::optional<table_change> pending_pasid(uint16_t sid, uint32_t pasid) const;

  // Device-TLBs (issue 13) live in the endpoints, where no IOTLB invalidation reaches: a generation per
  // domain (raised by every range change) and per source-id (raised by every device or PASID change). An
  // entry a device-TLB filled at generation(domain, sid) == g can be stale only once it differs, so a hit
  // costs one comparison while nothing changed. Never lowered by invalidations: after a change every hit of
  // the domain's older entries is checked against memory (the entries are re-stamped when they match).
  uint64_t generation(uint16_t domain, uint16_t sid) const;
  // The latest range change of `domain` (for the stale event's text).
  std::optional<table_change> last_range_change(uint16_t domain) const;

 private:
  using range_map = std::map<uint64_t, table_change>;  // page-aligned start -> change, non-overlapping
  using range_key = std::pair<uint16_t, uint32_t>;     // (domain, PASID or kUntagged)
  void erase_range(range_map& m, uint64_t base, uint64_t end);
  void put(range_map& m, uint64_t start, const table_change& c);
  range_map::iterator erase(range_map& m, range_map::iterator it);
  static std::optional<table_change> find(const range_map& m, uint64_t addr);

  // A newer change replaces older overlapping ones of the same key. A key stays once it had a change (an
  // unmap and its invalidation come in pairs, so it is soon used again); m_pending_ranges counts the
  // entries over every key.
  std::map<range_key, range_map> m_ranges;
  uint64_t m_pending_ranges = 0;
  // One node of an erased range kept for the next insertion: every unmap adds a range and its invalidation
  // removes it, and reusing the node saves an allocation and a free per pair.
  range_map::node_type m_spare;
  std::unordered_map<uint16_t, table_change> m_devices;
  std::map<std::pair<uint16_t, uint32_t>, table_change> m_pasids;  // (sid, PASID) -> change
  std::unordered_map<uint16_t, std::vector<uint32_t>> m_attached;  // domain -> PASIDs, ascending
  std::unordered_map<uint16_t, uint64_t> m_domain_generation, m_sid_generation;
  std::unordered_map<uint16_t, table_change> m_last_range_change;
};

}  // namespace vtd::replay
