// translation_hooks implementation over translation_caches (VT-d spec 6.2; walk-record steps per
// walk_record.hpp).
#include "model/core/cache/cache_hooks.hpp"

namespace vtd::core {

bool cache_hooks::lookup_context(const cache_tag& tag, cached_context& out, walk_record* rec) {
  const context_cache_entry* e = m_caches.context().lookup(tag.sid);
  if (e) out = *e;
  if (rec) {
    const spec::context_entry raw = e ? e->to_entry() : spec::context_entry{};
    rec->add(walk_step::lookup(cache_kind::context, structure_kind::context_entry, translation_stage::none, 0,
                               e != nullptr, tag.sid, {raw.lo, raw.hi}));
  }
  return e != nullptr;
}

void cache_hooks::fill_context(const cache_tag& tag, const cached_context& e) {
  m_caches.context().fill(tag.sid, e);
}

bool cache_hooks::lookup_iotlb(const cache_tag& tag, uint64_t addr, cached_translation& out,
                               walk_record* rec) {
  const iotlb_entry* e = m_caches.tlb().lookup(tag, addr);
  if (e) out = *e;
  if (rec)
    rec->add(walk_step::lookup(cache_kind::iotlb, structure_kind::none, tag.stage, 0, e != nullptr, tag.did,
                               {e ? e->frame : 0, e ? e->page_size() : 0}));
  return e != nullptr;
}

void cache_hooks::fill_iotlb(const cache_tag& tag, uint64_t addr, const cached_translation& t) {
  m_caches.tlb().fill(tag, addr, t);
}

bool cache_hooks::lookup_paging(const cache_tag& tag, uint64_t addr, unsigned top_level, cached_table& out,
                                walk_record* rec) {
  psc_hit h;
  bool hit = m_caches.paging().lookup(tag, addr, top_level, h);
  if (hit) out = cached_table{h.level, h.entry.next_table, h.entry.read, h.entry.write, tag.stage};
  // The step names the level that hit; a miss is recorded against the PDE cache (the deepest one probed).
  if (rec) {
    cache_kind kind = cache_kind::pde;
    if (hit) kind = static_cast<cache_kind>(unsigned(cache_kind::pde) + (h.level - kPscLowest));
    rec->add(walk_step::lookup(kind, structure_kind::paging_entry, tag.stage, hit ? h.level : kPscLowest, hit,
                               tag.did, {hit ? h.entry.next_table : 0}));
  }
  return hit;
}

void cache_hooks::fill_paging(const cache_tag& tag, uint64_t addr, const cached_table& t) {
  m_caches.paging().fill(tag, addr, t.level, psc_entry{t.next_table, t.read, t.write});
}

bool cache_hooks::lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) {
  const spec::irte* e = m_caches.interrupt().lookup(index);
  if (e) out = *e;
  if (rec)
    rec->add(walk_step::lookup(cache_kind::interrupt, structure_kind::irte, translation_stage::none, 0,
                               e != nullptr, index, {e ? e->lo : 0, e ? e->hi : 0}));
  return e != nullptr;
}

void cache_hooks::fill_irte(uint32_t index, const spec::irte& e) {
  m_caches.interrupt().fill(index, e);
}

}  // namespace vtd::core
