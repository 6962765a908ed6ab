// Where the translation caches plug into the functional core (VT-d spec 6.2 "Translation Caches"):
// context-cache (legacy and scalable-mode entries), PASID-cache, IOTLB, paging-structure caches (second and
// first stage) and the interrupt entry cache. The core works without any of them (hardware may evict
// anything at any time, so a cache-less unit is legal); an implementation overrides only what it models.
// IOTLB and paging-structure lookups and fills carry a cache_tag (source-id, PASID, domain, stage), so that
// scalable mode uses the same seam as legacy mode; the tag's stage picks the paging-structure cache (first
// or nested: first-stage caches; second: second-stage caches). Lookups append their own cache_lookup step to
// `rec` when it is non-null.
#pragma once
#include <cstdint>

#include "model/core/cache/cache_tag.hpp"
#include "model/core/cache/cached_entries.hpp"
#include "model/core/walk_record.hpp"
#include "model/spec/irte.hpp"

namespace vtd::core {

class translation_hooks {
 public:
  virtual ~translation_hooks() = default;

  // Context-cache (spec tag: source-id). Only present, fully validated entries are filled.
  virtual bool lookup_context(const cache_tag& tag, cached_context& out, walk_record* rec) {
    (void)tag, (void)out, (void)rec;
    return false;
  }
  virtual void fill_context(const cache_tag& tag, const cached_context& e) { (void)tag, (void)e; }

  // Scalable-mode context-cache (tag: source-id; the entry has no DID). Only present entries that passed
  // the SCT checks are filled; the request-type gates are applied on every request, hit or miss.
  virtual bool lookup_sm_context(uint16_t sid, spec::sm_context_entry& out, walk_record* rec) {
    (void)sid, (void)out, (void)rec;
    return false;
  }
  virtual void fill_sm_context(uint16_t sid, const spec::sm_context_entry& e) { (void)sid, (void)e; }

  // PASID-cache (lookup tags: source-id and PASID, RID_PASID for a request without PASID). Only present
  // PASID-table entries that passed the SPD/SPT checks are filled.
  virtual bool lookup_pasid(uint16_t sid, uint32_t pasid, cached_pasid_entry& out, walk_record* rec) {
    (void)sid, (void)pasid, (void)out, (void)rec;
    return false;
  }
  virtual void fill_pasid(uint16_t sid, uint32_t pasid, const cached_pasid_entry& e) {
    (void)sid, (void)pasid, (void)e;
  }

  // IOTLB (tag: domain, PASID, stage, page number). A hit still goes through the permission and
  // interrupt-range checks.
  virtual bool lookup_iotlb(const cache_tag& tag, uint64_t addr, cached_translation& out, walk_record* rec) {
    (void)tag, (void)addr, (void)out, (void)rec;
    return false;
  }
  virtual void fill_iotlb(const cache_tag& tag, uint64_t addr, const cached_translation& t) {
    (void)tag, (void)addr, (void)t;
  }

  // Paging-structure caches: the deepest cached non-leaf entry for (tag, addr) at or below `top_level`;
  // tag.stage first or nested asks the first-stage caches, second the second-stage ones.
  virtual bool lookup_paging(const cache_tag& tag, uint64_t addr, unsigned top_level, cached_table& out,
                             walk_record* rec) {
    (void)tag, (void)addr, (void)top_level, (void)out, (void)rec;
    return false;
  }
  // Called for every present, reserved-bit-free non-leaf entry the walker used (first stage: only once A,
  // and EA with EAFE, are set in it).
  virtual void fill_paging(const cache_tag& tag, uint64_t addr, const cached_table& t) {
    (void)tag, (void)addr, (void)t;
  }

  // Interrupt entry cache (tag: interrupt_index). Only present entries are filled.
  virtual bool lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) {
    (void)index, (void)out, (void)rec;
    return false;
  }
  virtual void fill_irte(uint32_t index, const spec::irte& e) { (void)index, (void)e; }

  // Legacy-mode shorthands (second stage, no PASID): tag = cache_tag::legacy(sid, did).
  bool lookup_iotlb(uint16_t sid, uint16_t did, uint64_t addr, cached_translation& out, walk_record* rec) {
    return lookup_iotlb(cache_tag::legacy(sid, did), addr, out, rec);
  }
  void fill_iotlb(uint16_t sid, uint16_t did, uint64_t addr, const cached_translation& t) {
    fill_iotlb(cache_tag::legacy(sid, did), addr, t);
  }
  bool lookup_paging(uint16_t did, uint64_t addr, unsigned top_level, cached_table& out, walk_record* rec) {
    return lookup_paging(cache_tag::legacy(0, did), addr, top_level, out, rec);
  }
  void fill_paging(uint16_t did, uint64_t addr, const cached_table& t) {
    fill_paging(cache_tag::legacy(0, did), addr, t);
  }
};

}  // namespace vtd::core
