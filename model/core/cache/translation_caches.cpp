// Aggregate of the translation caches and their named statistics (VT-d spec 6.2).
#include "model/core/cache/translation_caches.hpp"

#include <fmt/format.h>

namespace vtd::core {

translation_caches::translation_caches(const translation_caches_config& cfg)
    : m_cfg(cfg),
      m_context(cfg.context),
      m_iotlb(cfg.iotlb),
      m_paging(cfg.paging),
      m_interrupt(cfg.interrupt),
      m_pasid(cfg.pasid),
      m_fs_paging(cfg.fs_paging) {}

void translation_caches::invalidate_all() {
  invalidate_dma_remapping();
  m_interrupt.invalidate_global();
}

uint64_t translation_caches::invalidate_dma_remapping() {
  return m_context.invalidate_global() + m_pasid.invalidate_global() + m_iotlb.invalidate_global() +
         m_paging.invalidate_global() + m_fs_paging.invalidate_global();
}

translation_caches_stats translation_caches::stats() const {
  return {m_context.stats(),   m_iotlb.stats(), m_paging.stats(),
          m_interrupt.stats(), m_pasid.stats(), m_fs_paging.stats()};
}

void translation_caches::reset_stats() {
  m_context.array().reset_stats();
  m_iotlb.reset_stats();
  m_paging.reset_stats();
  m_interrupt.array().reset_stats();
  m_pasid.array().reset_stats();
  m_fs_paging.reset_stats();
}

namespace {
void add_all(std::vector<std::pair<std::string, uint64_t>>& out, const std::string& prefix,
             const cache_stats& s) {
  out.emplace_back(prefix + "_lookup", s.lookups);
  out.emplace_back(prefix + "_hit", s.hits);
  out.emplace_back(prefix + "_miss", s.misses);
  out.emplace_back(prefix + "_fill", s.fills);
  out.emplace_back(prefix + "_eviction", s.evictions);
  out.emplace_back(prefix + "_invalidation", s.invalidations);
}
}  // namespace

std::vector<std::pair<std::string, uint64_t>> translation_caches_stats::counters() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  add_all(out, "iotlb", iotlb.total);
  for (unsigned s = 0; s < kPageSizes; ++s) {
    std::string p = fmt::format("iotlb_{}", page_size_name(s));
    out.emplace_back(p + "_hit", iotlb.by_size[s].hits);
    out.emplace_back(p + "_fill", iotlb.by_size[s].fills);
    out.emplace_back(p + "_eviction", iotlb.by_size[s].evictions);
    out.emplace_back(p + "_invalidation", iotlb.by_size[s].invalidations);
  }
  add_all(out, "ctxt_cache", context);
  add_all(out, "ss_nonleaf", paging.total);
  for (unsigned i = 0; i < kPscLevels; ++i) {
    std::string p = fmt::format("ss_{}", psc_level_name(kPscLowest + i));
    out.emplace_back(p + "_lookup", paging.by_level[i].lookups);
    out.emplace_back(p + "_hit", paging.by_level[i].hits);
    out.emplace_back(p + "_fill", paging.by_level[i].fills);
    out.emplace_back(p + "_eviction", paging.by_level[i].evictions);
  }
  add_all(out, "int_cache", interrupt);
  add_all(out, "pasid_cache", pasid);           // perfmon pasid_cache_lookup / pasid_cache_hit
  add_all(out, "fs_nonleaf", fs_paging.total);  // perfmon fs_nonleaf_lookup / fs_nonleaf_hit
  for (unsigned i = 0; i < kPscLevels; ++i) {
    std::string p = fmt::format("fs_{}", psc_level_name(kPscLowest + i));
    out.emplace_back(p + "_lookup", fs_paging.by_level[i].lookups);
    out.emplace_back(p + "_hit", fs_paging.by_level[i].hits);
    out.emplace_back(p + "_fill", fs_paging.by_level[i].fills);
    out.emplace_back(p + "_eviction", fs_paging.by_level[i].evictions);
  }
  return out;
}

}  // namespace vtd::core
