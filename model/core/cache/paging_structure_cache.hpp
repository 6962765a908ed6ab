// Paging-structure caches (VT-d spec 6.2 "Paging-Structure Caches"): one cache per non-leaf level, PDE
// (level 2), PDPE (3), PML4E (4), PML5E (5), tagged by domain, PASID and stage (cache_tag) + the address bits
// above that level (addr >> level_shift(level)). A lookup returns the lowest-level hit so a walk can resume
// below it. A unit has two sets of them: second-stage (perfmon ss_nonleaf; tagged by DID alone, no PASID)
// and first-stage (fs_nonleaf; DID and PASID, stage first, or nested for the first stage of a nested walk).
#pragma once
#include <array>
#include <cstdint>
#include <memory>

#include "model/core/cache/cache_tag.hpp"
#include "model/core/cache/set_assoc_cache.hpp"

namespace vtd::core {

constexpr unsigned kPscLevels = 4;  // levels 2..5
constexpr unsigned kPscLowest = 2;
const char* psc_level_name(unsigned level);  // "pde", "pdpe", "pml4e", "pml5e"

struct psc_tag {
  uint64_t region = 0;  // addr >> level_shift(level): the region one entry of this level maps
  uint16_t did = 0;
  translation_stage stage = translation_stage::second;
  uint32_t pasid = kNoPasid;
  bool operator==(const psc_tag&) const = default;
};

struct psc_entry {
  uint64_t next_table = 0;  // the table this non-leaf entry points at (host address, also when nested)
  bool read = false;        // R / W accumulated from the top level down to and including this entry
  bool write = false;
  bool user = true;              // first stage: U/S ANDed down to this entry
  bool execute_disable = false;  // first stage: XD ORed down to this entry
  bool next_writable = true;     // nested first stage: the second stage lets the unit write the next table
};

struct psc_set_index {
  uint64_t operator()(const psc_tag& t) const {
    return t.region ^ ((uint64_t(t.did) * 0x9E3779B97F4A7C15ull) >> 40) ^ tag_salt(t.pasid, t.stage);
  }
};

struct psc_hit {
  unsigned level = 0;  // level of the cached entry; the walk resumes at level - 1
  psc_entry entry;
};

struct psc_stats {
  cache_stats total;                             // one lookup per walk, hit if any level hit
  std::array<cache_stats, kPscLevels> by_level;  // per-level arrays (lookups counted where probed)
};

class paging_structure_caches {
 public:
  using storage = set_assoc_cache<psc_tag, psc_entry, psc_set_index>;

  // cfg[0] is the PDE cache, cfg[3] the PML5E cache. An entry count of 0 disables that level.
  explicit paging_structure_caches(const std::array<cache_config, kPscLevels>& cfg);

  // The lowest cached non-leaf entry for (tag, addr) at a level in [2, top_level]; top_level is the
  // paging-level count of the table (3, 4 or 5), so a PML5E is never used for a 4-level table. False on a
  // miss.
  bool lookup(const cache_tag& tag, uint64_t addr, unsigned top_level, psc_hit& out) {
    ++m_stats.total.lookups;
    unsigned top = top_level > kPscLowest + kPscLevels - 1 ? kPscLowest + kPscLevels - 1 : top_level;
    for (unsigned level = kPscLowest; level <= top; ++level) {
      storage* a = m_arrays[level - kPscLowest].get();
      if (!a || a->valid_entries() == 0) continue;
      const psc_entry* e = a->lookup(psc_tag{addr >> shift(level), tag.did, tag.stage, tag.pasid});
      if (e) {
        ++m_stats.total.hits;
        out.level = level;
        out.entry = *e;
        return true;
      }
    }
    ++m_stats.total.misses;
    return false;
  }
  // Caches the non-leaf entry at `level` (2..5) used to translate `addr`.
  bool fill(const cache_tag& tag, uint64_t addr, unsigned level, const psc_entry& e);

  // Legacy-mode shorthands: second stage, no PASID.
  bool lookup(uint16_t did, uint64_t addr, unsigned top_level, psc_hit& out) {
    return lookup(cache_tag::legacy(0, did), addr, top_level, out);
  }
  bool fill(uint16_t did, uint64_t addr, unsigned level, const psc_entry& e) {
    return fill(cache_tag::legacy(0, did), addr, level, e);
  }

  uint64_t invalidate_global();
  uint64_t invalidate_domain(uint16_t did);
  // Entries of `did` whose region overlaps [base, base + length) (IOTLB page-selective with IH=0).
  uint64_t invalidate_range(uint16_t did, uint64_t base, uint64_t length);
  // First-stage scopes of p_iotlb_inv_dsc: every entry of `did` and `pasid`, or those whose region overlaps
  // [base, base + length).
  uint64_t invalidate_pasid(uint16_t did, uint32_t pasid);
  uint64_t invalidate_pasid_range(uint16_t did, uint32_t pasid, uint64_t base, uint64_t length);

  psc_stats stats() const;
  void reset_stats();
  const storage* level_array(unsigned level) const { return m_arrays[level - kPscLowest].get(); }
  uint32_t valid_entries() const;

  static constexpr unsigned shift(unsigned level) { return 12 + 9 * (level - 1); }

 private:
  template <class Pred>
  uint64_t remove_if(Pred pred);

  std::array<std::unique_ptr<storage>, kPscLevels> m_arrays;
  bool m_only_legacy_tags = true;  // every fill so far had no PASID and the second stage
  unsigned m_stages = 0;           // a bit (1 << stage) for every stage some fill had
  psc_stats m_stats;
};

}  // namespace vtd::core
