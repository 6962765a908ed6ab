// What every translation mode works with: the unit's decoded capabilities, its latched registers, memory, the
// fault recording registers and the cache hooks (null: no caches), plus DMA fault reporting with FPD
// qualification (VT-d spec, fault reporting: a qualified fault is not recorded when the FPD field is set).
#pragma once
#include "model/core/cache/cache_hooks.hpp"
#include "model/core/fault_recorder.hpp"
#include "model/core/register_file.hpp"
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/translation_hooks.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"

namespace vtd::core {

struct translation_env {
  const spec::caps& caps;
  const register_file& regs;
  physical_memory& mem;  // read by walks; written only for accessed/dirty updates (first stage, SLADE)
  fault_recorder& faults;
  translation_hooks* hooks = nullptr;
  // `hooks` again when it is the model's own cache_hooks (null otherwise): the lookups every request makes
  // (context, PASID, IOTLB) go through this pointer of a final type, which the compiler calls directly and
  // inlines, instead of through the vtable. Same object, same behaviour; set with set_hooks.
  cache_hooks* caches = nullptr;

  void set_hooks(translation_hooks* h) {
    hooks = h;
    caches = dynamic_cast<cache_hooks*>(h);
  }

  // The hit-path lookups: false without hooks (a cache-less unit walks memory every time).
  bool lookup_context(const cache_tag& tag, cached_context& out, walk_record* rec) const {
    if (caches) return caches->lookup_context(tag, out, rec);
    return hooks && hooks->lookup_context(tag, out, rec);
  }
  bool lookup_sm_context(uint16_t sid, spec::sm_context_entry& out, walk_record* rec) const {
    if (caches) return caches->lookup_sm_context(sid, out, rec);
    return hooks && hooks->lookup_sm_context(sid, out, rec);
  }
  bool lookup_pasid(uint16_t sid, uint32_t pasid, cached_pasid_entry& out, walk_record* rec) const {
    if (caches) return caches->lookup_pasid(sid, pasid, out, rec);
    return hooks && hooks->lookup_pasid(sid, pasid, out, rec);
  }
  bool lookup_iotlb(const cache_tag& tag, uint64_t addr, cached_translation& out, walk_record* rec) const {
    if (caches) return caches->lookup_iotlb(tag, addr, out, rec);
    return hooks && hooks->lookup_iotlb(tag, addr, out, rec);
  }

  // Blocks the request with fault `r`, and records it unless it is qualified and `fpd` is set.
  translation_result fail(const dma_request& req, spec::fault_reason r, bool fpd) const;
};

}  // namespace vtd::core
