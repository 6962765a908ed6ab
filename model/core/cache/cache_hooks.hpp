// Plugs translation_caches into the functional core through the translation_hooks interface (VT-d spec 6.2):
// every lookup appends a cache_lookup step to the walk record; fills follow the CM=0 caching rules (only
// present, validated entries, which the walker guarantees).
#pragma once
#include <cstdint>

#include "model/core/cache/translation_caches.hpp"
#include "model/core/translation_hooks.hpp"

namespace vtd::core {

class cache_hooks final : public translation_hooks {
 public:
  explicit cache_hooks(translation_caches& caches) : m_caches(caches) {}

  bool lookup_context(uint16_t sid, spec::context_entry& out, walk_record* rec) override;
  void fill_context(uint16_t sid, const spec::context_entry& e) override;
  bool lookup_iotlb(uint16_t sid, uint16_t did, uint64_t addr, cached_translation& out,
                    walk_record* rec) override;
  void fill_iotlb(uint16_t sid, uint16_t did, uint64_t addr, const cached_translation& t) override;
  bool lookup_paging(uint16_t did, uint64_t addr, unsigned top_level, cached_table& out,
                     walk_record* rec) override;
  void fill_paging(uint16_t did, uint64_t addr, const cached_table& t) override;
  bool lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) override;
  void fill_irte(uint32_t index, const spec::irte& e) override;

  translation_caches& caches() { return m_caches; }

 private:
  translation_caches& m_caches;
};

}  // namespace vtd::core
