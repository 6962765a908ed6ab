// Legacy-mode DMA remapping (RTADDR_REG.TTM = 00b; VT-d spec chapter 3 "DMA Remapping", the legacy root and
// context entries of chapter 9 and the legacy fault conditions LRT / LCT / LSS / LGN of the fault-reason
// table): root and context lookup, second-stage walk of 3/4/5 levels with 2 MiB / 1 GiB superpages,
// permission and interrupt-range checks, faults qualified by the context entry's FPD.
#pragma once
#include <cstdint>

#include "model/core/translation_mode.hpp"
#include "model/spec/context_entry.hpp"

namespace vtd::core {

class legacy_mode final : public translation_mode {
 public:
  explicit legacy_mode(const translation_env& env) : m_env(env) {}

  spec::reg::ttm ttm() const override { return spec::reg::ttm::legacy; }
  translation_result translate(const dma_request& req, walk_record* rec) override;

  // --- Stages, public so that tools can reuse them ---------------------------------------------------------
  // Root entry (RTA + bus*16) and context entry (CTP + devfn*16) from memory, with every context-level check
  // (spec::check_root, spec::check_context). `fpd` is latched from the context entry even when P=0.
  struct context_lookup {
    spec::context_entry entry;
    bool fpd = false;
  };
  spec::fault_reason fetch_context(uint16_t sid, context_lookup& out, walk_record* rec) const;

  // Second-stage walk from `table` at `level` down to a leaf or an R=W=0 entry (out.present=false).
  // `read`/`write` carry the permissions accumulated above `level`; `top` says whether `level` is the
  // context's top level (read error 03h instead of 07h).
  struct walk_result {
    bool present = false;  // false: the walk ended on an entry with R=W=0
    uint64_t frame = 0;
    uint64_t page_size = 0;
    bool read = false;
    bool write = false;
  };
  spec::fault_reason walk_from(unsigned level, uint64_t table, uint64_t addr, bool read, bool write, bool top,
                               const cache_tag& tag, walk_result& out, walk_record* rec) const;

 private:
  // Everything after the context entry, written into `res` (a default result on entry). Inlined into its one
  // caller, translate(): one frame for the whole hit path.
  [[gnu::always_inline]] inline void translate_context(const dma_request& req, const cached_context& ctx,
                                                       walk_record* rec, translation_result& res);
  // The context-cache missed (or the hooks are not the unit's caches): the hooks, else root and context
  // entries from memory (then cached), into m_context. False when that faulted: `res` holds the fault.
  [[gnu::noinline]] bool context_miss(const dma_request& req, walk_record* rec, translation_result& res);
  // The IOTLB lookup (domain `did`) through hooks that are not the unit's caches: into m_translation, or
  // null.
  [[gnu::noinline]] const cached_translation* iotlb_from_hooks(const dma_request& req, uint16_t did,
                                                               walk_record* rec);
  // The IOTLB missed: the walk from the deepest paging-structure cache hit, and the IOTLB fill of a present
  // leaf. Returns the walk's fault; else `leaf` is the leaf's translation (m_translation), or null when the
  // walk ended on an R=W=0 entry.
  [[gnu::noinline]] spec::fault_reason walk_on_miss(const dma_request& req, const cached_context& ctx,
                                                    unsigned levels, walk_record* rec,
                                                    const cached_translation*& leaf);
  spec::fault_reason check_access(const dma_request& req, bool r, bool w) const;

  const translation_env& m_env;
  // Where a context or translation that is not a cache's own entry is kept while a request uses it (a
  // context from memory, a hook's copy, a walk's leaf): the hit path reads the cached entries in place.
  cached_context m_context;
  cached_translation m_translation;
};

}  // namespace vtd::core
