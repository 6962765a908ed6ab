// translation_hooks implementation over translation_caches (VT-d spec 6.2; walk-record steps per
// walk_record.hpp).
#include "model/core/cache/cache_hooks.hpp"

namespace vtd::core {
namespace {
void record(walk_record* rec, cache_kind kind, unsigned level, bool hit, uint16_t index, uint64_t lo,
            uint64_t hi) {
  if (!rec) return;
  walk_step s;
  s.kind = step_kind::cache_lookup;
  s.cache = kind;
  s.level = uint8_t(level);
  s.ok = hit;
  s.index = index;
  s.raw_lo = lo;
  s.raw_hi = hi;
  rec->add(s);
}
}  // namespace

bool cache_hooks::lookup_context(uint16_t sid, spec::context_entry& out, walk_record* rec) {
  const context_cache_entry* e = m_caches.context().lookup(sid);
  if (e) out = e->to_entry();
  record(rec, cache_kind::context, 0, e != nullptr, sid, e ? out.lo : 0, e ? out.hi : 0);
  return e != nullptr;
}

void cache_hooks::fill_context(uint16_t sid, const spec::context_entry& e) {
  m_caches.context().fill(sid, e);
}

bool cache_hooks::lookup_iotlb(uint16_t, uint16_t did, uint64_t addr, cached_translation& out,
                               walk_record* rec) {
  const iotlb_entry* e = m_caches.tlb().lookup(did, addr);
  if (e) out = cached_translation{e->frame, e->page_size(), e->read, e->write};
  record(rec, cache_kind::iotlb, 0, e != nullptr, did, e ? e->frame : 0, e ? e->page_size() : 0);
  return e != nullptr;
}

void cache_hooks::fill_iotlb(uint16_t, uint16_t did, uint64_t addr, const cached_translation& t) {
  m_caches.tlb().fill(did, addr, t.frame, t.page_size, t.read, t.write);
}

bool cache_hooks::lookup_paging(uint16_t did, uint64_t addr, unsigned top_level, cached_table& out,
                                walk_record* rec) {
  psc_hit h;
  bool hit = m_caches.paging().lookup(did, addr, top_level, h);
  if (hit) out = cached_table{h.level, h.entry.next_table, h.entry.read, h.entry.write};
  // The step names the level that hit; a miss is recorded against the PDE cache (the deepest one probed).
  cache_kind kind = cache_kind::pde;
  if (hit) kind = static_cast<cache_kind>(unsigned(cache_kind::pde) + (h.level - kPscLowest));
  record(rec, kind, hit ? h.level : kPscLowest, hit, did, hit ? h.entry.next_table : 0, 0);
  return hit;
}

void cache_hooks::fill_paging(uint16_t did, uint64_t addr, const cached_table& t) {
  m_caches.paging().fill(did, addr, t.level, psc_entry{t.next_table, t.read, t.write});
}

bool cache_hooks::lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) {
  const spec::irte* e = m_caches.interrupt().lookup(index);
  if (e) out = *e;
  record(rec, cache_kind::interrupt, 0, e != nullptr, uint16_t(index), e ? e->lo : 0, e ? e->hi : 0);
  return e != nullptr;
}

void cache_hooks::fill_irte(uint32_t index, const spec::irte& e) {
  m_caches.interrupt().fill(index, e);
}

}  // namespace vtd::core
