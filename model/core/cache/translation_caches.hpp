// All translation caches of one remapping unit (VT-d spec 6.2 "Translation Caches"): context-cache (legacy
// and scalable-mode entries), PASID-cache, IOTLB, second- and first-stage paging-structure caches and the
// interrupt entry cache, with their configuration and a named statistics snapshot.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/core/cache/context_cache.hpp"
#include "model/core/cache/interrupt_entry_cache.hpp"
#include "model/core/cache/iotlb.hpp"
#include "model/core/cache/paging_structure_cache.hpp"
#include "model/core/cache/pasid_cache.hpp"

namespace vtd::core {

// Defaults are plausible for a current server unit; the spec fixes none of them.
struct translation_caches_config {
  // 64 context entries, 4-way: a handful of devices per unit.
  cache_config context{64, 4, replacement_policy::lru, 1, false};
  // 1024 IOTLB entries, 8-way, one array shared by all page sizes.
  cache_config iotlb{1024, 8, replacement_policy::lru, 2, false};
  // Paging-structure caches: PDE 64 x 4-way, PDPE 32 x 4-way, PML4E 16 x 4-way, PML5E 8 fully associative.
  std::array<cache_config, kPscLevels> paging{cache_config{64, 4, replacement_policy::lru, 3, false},
                                              cache_config{32, 4, replacement_policy::lru, 4, false},
                                              cache_config{16, 4, replacement_policy::lru, 5, false},
                                              cache_config{8, 8, replacement_policy::lru, 6, false}};
  // 256 interrupt entries, 4-way.
  cache_config interrupt{256, 4, replacement_policy::lru, 7, false};
  // Scalable mode. PASID-cache: 64 PASID-table entries, 4-way (a few PASIDs per device).
  cache_config pasid{64, 4, replacement_policy::lru, 8, false};
  // First-stage paging-structure caches, the same shape as the second-stage ones.
  std::array<cache_config, kPscLevels> fs_paging{cache_config{64, 4, replacement_policy::lru, 9, false},
                                                 cache_config{32, 4, replacement_policy::lru, 10, false},
                                                 cache_config{16, 4, replacement_policy::lru, 11, false},
                                                 cache_config{8, 8, replacement_policy::lru, 12, false}};
};

struct translation_caches_stats {
  cache_stats context;
  iotlb_stats iotlb;
  psc_stats paging;  // second stage
  cache_stats interrupt;
  cache_stats pasid;
  psc_stats fs_paging;

  // Flat (name, value) list named after the VT-d perfmon events where one exists: iotlb_lookup, iotlb_hit,
  // ..., iotlb_4k_hit, ..., ctxt_cache_lookup, ss_nonleaf_lookup, ss_pde_hit, ..., int_cache_lookup, ...,
  // then the scalable-mode caches pasid_cache_lookup, ..., fs_nonleaf_lookup, fs_pde_hit, ... (after the
  // legacy names, so that a legacy report keeps its order). Not for the hot path.
  std::vector<std::pair<std::string, uint64_t>> counters() const;
};

class translation_caches {
 public:
  explicit translation_caches(const translation_caches_config& cfg = {});

  context_cache& context() { return m_context; }
  iotlb& tlb() { return m_iotlb; }
  paging_structure_caches& paging() { return m_paging; }  // second stage (ss_nonleaf)
  interrupt_entry_cache& interrupt() { return m_interrupt; }
  pasid_cache& pasid() { return m_pasid; }
  paging_structure_caches& fs_paging() { return m_fs_paging; }  // first stage (fs_nonleaf)
  const translation_caches_config& config() const { return m_cfg; }

  // Drops every entry of every cache (reset).
  void invalidate_all();
  // Drops every DMA-remapping cache: context, PASID, IOTLB and both paging-structure caches, not the
  // interrupt entry cache (SRTP with CAP.ESRTPS=1).
  uint64_t invalidate_dma_remapping();
  translation_caches_stats stats() const;
  void reset_stats();

 private:
  translation_caches_config m_cfg;
  context_cache m_context;
  iotlb m_iotlb;
  paging_structure_caches m_paging;
  interrupt_entry_cache m_interrupt;
  pasid_cache m_pasid;
  paging_structure_caches m_fs_paging;
};

}  // namespace vtd::core
