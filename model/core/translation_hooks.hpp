// Where the translation caches plug into the functional core (VT-d spec 6.2, digest 6.2): context-cache,
// IOTLB, second-level paging-structure caches and the interrupt entry cache. The core works without any of
// them (hardware may evict anything at any time, so a cache-less unit is legal); an implementation overrides
// only what it models. Lookups append their own cache_lookup step to `rec` when it is non-null.
#pragma once
#include <cstdint>

#include "model/core/walk_record.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"

namespace vtd::core {

// A final translation as the IOTLB holds it (tags: source-id, DID, page number).
struct cached_translation {
  uint64_t frame = 0;      // page frame (aligned to page_size)
  uint64_t page_size = 0;  // 4 KiB, 2 MiB or 1 GiB
  bool read = false;       // R and W ANDed over every level
  bool write = false;
};

// A non-leaf paging entry as a paging-structure cache holds it: the table it points at and the permissions
// accumulated from the top level down to and including it.
struct cached_table {
  unsigned level = 0;  // level of the cached entry (2..5); the walk resumes at level - 1
  uint64_t next_table = 0;
  bool read = false;
  bool write = false;
};

class translation_hooks {
 public:
  virtual ~translation_hooks() = default;

  // Context-cache (tag: source-id). Only present, fully validated entries are filled.
  virtual bool lookup_context(uint16_t sid, spec::context_entry& out, walk_record* rec) {
    (void)sid, (void)out, (void)rec;
    return false;
  }
  virtual void fill_context(uint16_t sid, const spec::context_entry& e) { (void)sid, (void)e; }

  // IOTLB. A hit still goes through the permission and interrupt-range checks.
  virtual bool lookup_iotlb(uint16_t sid, uint16_t did, uint64_t addr, cached_translation& out,
                            walk_record* rec) {
    (void)sid, (void)did, (void)addr, (void)out, (void)rec;
    return false;
  }
  virtual void fill_iotlb(uint16_t sid, uint16_t did, uint64_t addr, const cached_translation& t) {
    (void)sid, (void)did, (void)addr, (void)t;
  }

  // Paging-structure caches: the deepest cached non-leaf entry for (DID, addr) below `top_level`.
  virtual bool lookup_paging(uint16_t did, uint64_t addr, unsigned top_level, cached_table& out,
                             walk_record* rec) {
    (void)did, (void)addr, (void)top_level, (void)out, (void)rec;
    return false;
  }
  // Called for every present, reserved-bit-free non-leaf entry the walker used.
  virtual void fill_paging(uint16_t did, uint64_t addr, const cached_table& t) {
    (void)did, (void)addr, (void)t;
  }

  // Interrupt entry cache (tag: interrupt_index). Only present entries are filled.
  virtual bool lookup_irte(uint32_t index, spec::irte& out, walk_record* rec) {
    (void)index, (void)out, (void)rec;
    return false;
  }
  virtual void fill_irte(uint32_t index, const spec::irte& e) { (void)index, (void)e; }
};

}  // namespace vtd::core
