// Plugs translation_caches into the functional core through the translation_hooks interface (VT-d spec 6.2
// "Translation Caches"): every lookup appends a cache_lookup step to the walk record; fills follow the CM=0
// caching rules (only present, validated entries, which the walker guarantees).
#pragma once
#include <cstdint>

#include "model/core/cache/translation_caches.hpp"
#include "model/core/translation_hooks.hpp"

namespace vtd::core {

class cache_hooks final : public translation_hooks {
 public:
  explicit cache_hooks(translation_caches& caches) : m_caches(caches) {}

  bool lookup_context(const cache_tag& tag, cached_context& out, walk_record* rec) override;
  void fill_context(const cache_tag& tag, const cached_context& e) override;
  bool lookup_sm_context(uint16_t sid, spec::sm_context_entry& out, walk_record* rec) override;
  void fill_sm_context(uint16_t sid, const spec::sm_context_entry& e) override;
  bool lookup_pasid(uint16_t sid, uint32_t pasid, cached_pasid_entry& out, walk_record* rec) override;
  void fill_pasid(uint16_t sid, uint32_t pasid, const cached_pasid_entry& e) override;
  bool lookup_iotlb(const cache_tag& tag, uint64_t addr, cached_translation& out, walk_record* rec) override;
  void fill_iotlb(const cache_tag& tag, uint64_t addr, const cached_translation& t) override;
  bool lookup_paging(const cache_tag& tag, uint64_t addr, unsigned top_level, cached_table& out,
                     walk_record* rec) override;
  void fill_paging(const cache_tag& tag, uint64_t addr, const cached_table& t) override;
  bool lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) override;
  void fill_irte(uint32_t index, const spec::irte& e) override;
  using translation_hooks::fill_iotlb;  // the legacy-mode shorthands
  using translation_hooks::fill_paging;
  using translation_hooks::lookup_iotlb;
  using translation_hooks::lookup_paging;

  translation_caches& caches() { return m_caches; }

 private:
  translation_caches& m_caches;
};

}  // namespace vtd::core
