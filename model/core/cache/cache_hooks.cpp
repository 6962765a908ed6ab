// translation_hooks implementation over translation_caches (VT-d spec 6.2; walk-record steps per
// walk_record.hpp).
#include "model/core/cache/cache_hooks.hpp"

namespace vtd::core {

void cache_hooks::fill_context(const cache_tag& tag, const cached_context& e) {
  m_caches.context().fill(tag.sid, e);
}

void cache_hooks::fill_sm_context(uint16_t sid, const spec::sm_context_entry& e) {
  m_caches.context().fill(sid, e);
}

void cache_hooks::fill_pasid(uint16_t sid, uint32_t pasid, const cached_pasid_entry& e) {
  m_caches.pasid().fill(sid, pasid, e);
}

void cache_hooks::fill_iotlb(const cache_tag& tag, uint64_t addr, const cached_translation& t) {
  m_caches.tlb().fill(tag, addr, t);
}

namespace {
// First-stage tags (first, or the first stage of a nested walk) go to the fs_nonleaf caches.
bool first_stage_tag(const cache_tag& tag) {
  return tag.stage == translation_stage::first || tag.stage == translation_stage::nested;
}
}  // namespace

bool cache_hooks::lookup_paging(const cache_tag& tag, uint64_t addr, unsigned top_level, cached_table& out,
                                walk_record* rec) {
  psc_hit h;
  paging_structure_caches& psc = first_stage_tag(tag) ? m_caches.fs_paging() : m_caches.paging();
  bool hit = psc.lookup(tag, addr, top_level, h);
  if (hit)
    out = cached_table{h.level,      h.entry.next_table,      h.entry.read,         h.entry.write, tag.stage,
                       h.entry.user, h.entry.execute_disable, h.entry.next_writable};
  // The step names the level that hit; a miss is recorded against the PDE cache (the deepest one probed).
  if (rec) {
    cache_kind kind = cache_kind::pde;
    if (hit) kind = static_cast<cache_kind>(unsigned(cache_kind::pde) + (h.level - kPscLowest));
    rec->add_lookup(kind, structure_kind::paging_entry, tag.stage, hit ? h.level : kPscLowest, hit, tag.did,
                    {hit ? h.entry.next_table : 0});
  }
  return hit;
}

void cache_hooks::fill_paging(const cache_tag& tag, uint64_t addr, const cached_table& t) {
  paging_structure_caches& psc = first_stage_tag(tag) ? m_caches.fs_paging() : m_caches.paging();
  psc.fill(tag, addr, t.level,
           psc_entry{t.next_table, t.read, t.write, t.user, t.execute_disable, t.next_writable});
}

bool cache_hooks::lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) {
  const spec::irte* e = m_caches.interrupt().lookup(index);
  if (e) out = *e;
  if (rec)
    rec->add_lookup(cache_kind::interrupt, structure_kind::irte, translation_stage::none, 0, e != nullptr,
                    index, {e ? e->lo : 0, e ? e->hi : 0});
  return e != nullptr;
}

void cache_hooks::fill_irte(uint32_t index, const spec::irte& e) {
  m_caches.interrupt().fill(index, e);
}

}  // namespace vtd::core
