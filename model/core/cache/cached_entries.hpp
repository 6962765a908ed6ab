// What the translation caches hold, in the shapes the walker consumes (VT-d spec 6.2.1-6.2.3): a final
// translation (IOTLB), a non-leaf paging entry (paging-structure caches) and a context (context-cache). The
// walker, the hooks and the caches pass these same types; nothing converts between a hook shape and a
// storage shape.
#pragma once
#include <cstdint>

#include "model/core/walk_record.hpp"
#include "model/spec/context_entry.hpp"

namespace vtd::core {

// A final translation as the IOTLB holds it (its tag: cache_tag + page number + page size).
struct cached_translation {
  uint64_t frame = 0;       // page frame (aligned to the page size)
  uint64_t size_bytes = 0;  // 4 KiB, 2 MiB or 1 GiB
  bool read = false;        // R and W ANDed over every level
  bool write = false;
  translation_stage stage = translation_stage::second;  // how it was translated (PGTT in scalable mode)
  // First stage (spec 9.7): U/S ANDed over every level and XD ORed, checked again on every hit against the
  // request's privilege; `dirty` says the leaf's D bit is set (or no A/D tracking applies), so that a write
  // that hits an entry filled by a read walks again to set D.
  bool user = true;
  bool execute_disable = false;
  bool dirty = true;
  bool ss_write = true;  // second-stage W alone: a supervisor write with WPE=0 ignores first-stage R/W only

  uint64_t page_size() const { return size_bytes; }
};

// A non-leaf paging entry as a paging-structure cache hands it to the walker: the table it points at and the
// permissions accumulated from the top level down to and including it.
struct cached_table {
  unsigned level = 0;  // level of the cached entry (2..5); the walk resumes at level - 1
  uint64_t next_table = 0;
  bool read = false;
  bool write = false;
  translation_stage stage = translation_stage::second;
};

// What a walk needs from a legacy context entry (spec 9.3): P, FPD, TT, SLPTPTR, AW, DID. Scalable mode adds
// its own fields (PASID directory, RID_PASID, ...) when it lands.
struct cached_context {
  bool present = false;
  bool fpd = false;
  spec::translation_type tt = spec::translation_type::untranslated_only;
  uint8_t aw = 0;
  uint16_t did = 0;
  uint64_t slptptr = 0;

  static cached_context from(const spec::context_entry& e) {
    return {e.present(), e.fpd(), e.tt(), uint8_t(e.aw()), e.did(), e.slptptr()};
  }
  spec::context_entry to_entry() const {
    return spec::context_entry::make(slptptr, aw, did, tt, fpd, present);
  }
};

}  // namespace vtd::core
