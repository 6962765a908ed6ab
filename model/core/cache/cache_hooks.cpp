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

bool cache_hooks::lookup_sm_context(uint16_t sid, spec::sm_context_entry& out, walk_record* rec) {
  const context_cache_entry* e = m_caches.context().lookup_scalable(sid);
  if (e) out = e->sm;
  if (rec) {
    const spec::sm_context_entry raw = e ? e->sm : spec::sm_context_entry{};
    rec->add(walk_step::lookup(cache_kind::context, structure_kind::sm_context_entry, translation_stage::none,
                               0, e != nullptr, sid, {raw.qw[0], raw.qw[1], raw.qw[2], raw.qw[3]}));
  }
  return e != nullptr;
}

void cache_hooks::fill_sm_context(uint16_t sid, const spec::sm_context_entry& e) {
  m_caches.context().fill(sid, e);
}

bool cache_hooks::lookup_pasid(uint16_t sid, uint32_t pasid, cached_pasid_entry& out, walk_record* rec) {
  const cached_pasid_entry* e = m_caches.pasid().lookup(sid, pasid);
  if (e) out = *e;
  if (rec) {
    // The step's index is the PASID (the source-id is the request's); raw is the cached 512-bit entry.
    const spec::pasid_entry raw = e ? e->entry : spec::pasid_entry{};
    rec->add(walk_step::lookup(
        cache_kind::pasid, structure_kind::pasid_entry, translation_stage::none, 0, e != nullptr, pasid,
        {raw.qw[0], raw.qw[1], raw.qw[2], raw.qw[3], raw.qw[4], raw.qw[5], raw.qw[6], raw.qw[7]}));
  }
  return e != nullptr;
}

void cache_hooks::fill_pasid(uint16_t sid, uint32_t pasid, const cached_pasid_entry& e) {
  m_caches.pasid().fill(sid, pasid, e);
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
    rec->add(walk_step::lookup(kind, structure_kind::paging_entry, tag.stage, hit ? h.level : kPscLowest, hit,
                               tag.did, {hit ? h.entry.next_table : 0}));
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
    rec->add(walk_step::lookup(cache_kind::interrupt, structure_kind::irte, translation_stage::none, 0,
                               e != nullptr, index, {e ? e->lo : 0, e ? e->hi : 0}));
  return e != nullptr;
}

void cache_hooks::fill_irte(uint32_t index, const spec::irte& e) {
  m_caches.interrupt().fill(index, e);
}

}  // namespace vtd::core
