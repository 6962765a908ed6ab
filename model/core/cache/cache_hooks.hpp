// Plugs translation_caches into the functional core through the translation_hooks interface (VT-d spec 6.2
// "Translation Caches"): every lookup appends a cache_lookup step to the walk record; fills follow the CM=0
// caching rules (only present, validated entries, which the walker guarantees).
#pragma once
#include <cstdint>

#include "model/core/cache/translation_caches.hpp"
#include "model/core/translation_hooks.hpp"

namespace vtd::core {

// The lookups a request makes on every IOTLB hit (context, PASID, IOTLB) are defined inline below: the
// translation modes call them through translation_env::caches, a pointer of this (final) type, so that they
// compile into the walker instead of four virtual calls per request.
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
  // lookup_context and lookup_iotlb without the copy: the cached entry itself (null on a miss), with the
  // same statistics, replacement update and walk-record step. The entry stays valid until the next fill or
  // invalidation of its cache (the walker reads it before it fills anything).
  const cached_context* find_context(uint16_t sid, walk_record* rec);  // legacy-mode entry of `sid`
  const cached_translation* find_iotlb(const cache_tag& tag, uint64_t addr, walk_record* rec);

  using translation_hooks::fill_iotlb;  // the legacy-mode shorthands
  using translation_hooks::fill_paging;
  using translation_hooks::lookup_iotlb;
  using translation_hooks::lookup_paging;

  translation_caches& caches() { return m_caches; }

 private:
  translation_caches& m_caches;
};

inline const cached_context* cache_hooks::find_context(uint16_t sid, walk_record* rec) {
  const context_cache_entry* e = m_caches.context().lookup(sid);
  if (rec) {
    // The cached entry re-encoded (only when the step is kept: a facts-only record needs just the hit).
    const spec::context_entry raw = e && rec->keeps_steps() ? e->to_entry() : spec::context_entry{};
    rec->add_lookup(cache_kind::context, structure_kind::context_entry, translation_stage::none, 0,
                    e != nullptr, sid, {raw.lo, raw.hi});
  }
  return e;
}

inline bool cache_hooks::lookup_context(const cache_tag& tag, cached_context& out, walk_record* rec) {
  const cached_context* e = find_context(tag.sid, rec);
  if (e) out = *e;
  return e != nullptr;
}

inline bool cache_hooks::lookup_sm_context(uint16_t sid, spec::sm_context_entry& out, walk_record* rec) {
  const context_cache_entry* e = m_caches.context().lookup_scalable(sid);
  if (e) out = e->sm;
  if (rec) {
    const spec::sm_context_entry raw = e ? e->sm : spec::sm_context_entry{};
    rec->add_lookup(cache_kind::context, structure_kind::sm_context_entry, translation_stage::none, 0,
                    e != nullptr, sid, {raw.qw[0], raw.qw[1], raw.qw[2], raw.qw[3]});
  }
  return e != nullptr;
}

inline bool cache_hooks::lookup_pasid(uint16_t sid, uint32_t pasid, cached_pasid_entry& out,
                                      walk_record* rec) {
  const cached_pasid_entry* e = m_caches.pasid().lookup(sid, pasid);
  if (e) out = *e;
  if (rec) {
    // The step's index is the PASID (the source-id is the request's); raw is the cached 512-bit entry.
    const spec::pasid_entry raw = e ? e->entry : spec::pasid_entry{};
    rec->add_lookup(cache_kind::pasid, structure_kind::pasid_entry, translation_stage::none, 0, e != nullptr,
                    pasid,
                    {raw.qw[0], raw.qw[1], raw.qw[2], raw.qw[3], raw.qw[4], raw.qw[5], raw.qw[6], raw.qw[7]});
  }
  return e != nullptr;
}

[[gnu::always_inline]] inline const cached_translation* cache_hooks::find_iotlb(const cache_tag& tag,
                                                                                uint64_t addr,
                                                                                walk_record* rec) {
  const iotlb_entry* e = m_caches.tlb().lookup(tag, addr);
  if (rec)
    rec->add_lookup(cache_kind::iotlb, structure_kind::none, tag.stage, 0, e != nullptr, tag.did,
                    {e ? e->frame : 0, e ? e->page_size() : 0});
  return e;
}

// Always inline, as find_iotlb: the scalable-mode walker calls it on every request.
[[gnu::always_inline]] inline bool cache_hooks::lookup_iotlb(const cache_tag& tag, uint64_t addr,
                                                             cached_translation& out, walk_record* rec) {
  const cached_translation* e = find_iotlb(tag, addr, rec);
  if (e) out = *e;
  return e != nullptr;
}

}  // namespace vtd::core
