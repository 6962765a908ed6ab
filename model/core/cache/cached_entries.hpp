// What the translation caches hold, in the shapes the walker consumes (VT-d spec 6.2 "Translation Caches"):
// a final translation (IOTLB), a non-leaf paging entry (paging-structure caches, first or second stage), a
// context (context-cache, legacy or scalable) and a PASID-table entry (PASID-cache). The walker, the hooks
// and the caches pass these same types; nothing converts between a hook shape and a storage shape.
#pragma once
#include <cstdint>

#include "model/core/walk_record.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sm_context_entry.hpp"

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
// permissions accumulated from the top level down to and including it. First-stage entries (spec 9.7) add
// U/S (ANDed) and XD (ORed); a nested walk's first-stage entry holds the host address of the next table (the
// second stage already applied) and whether the second stage lets the unit write that table (A/D updates).
struct cached_table {
  unsigned level = 0;  // level of the cached entry (2..5); the walk resumes at level - 1
  uint64_t next_table = 0;
  bool read = false;
  bool write = false;
  translation_stage stage = translation_stage::second;
  bool user = true;              // first stage: U/S ANDed down to this entry
  bool execute_disable = false;  // first stage: XD ORed down to this entry
  bool next_writable = true;     // nested: second-stage W of the next table's page
};

// What a walk needs from a context entry: legacy (spec 9.3) P, FPD, TT, SLPTPTR, AW, DID; scalable mode
// (spec 9.4) the whole 256-bit entry, which carries no DID (the scalable-mode context-cache is tagged by
// source-id alone, so a domain-selective invalidation cannot select its entries).
struct cached_context {
  bool present = false;
  bool fpd = false;
  spec::translation_type tt = spec::translation_type::untranslated_only;
  uint8_t aw = 0;
  uint16_t did = 0;
  uint64_t slptptr = 0;
  bool scalable = false;        // a scalable-mode context entry: `sm` holds it, the legacy fields are unused
  spec::sm_context_entry sm{};  // scalable only

  static cached_context from(const spec::context_entry& e) {
    return {e.present(), e.fpd(), e.tt(), uint8_t(e.aw()), e.did(), e.slptptr()};
  }
  static cached_context from(const spec::sm_context_entry& e) {
    cached_context c;
    c.present = e.present();
    c.fpd = e.fpd();
    c.scalable = true;
    c.sm = e;
    return c;
  }
  spec::context_entry to_entry() const {
    return spec::context_entry::make(slptptr, aw, did, tt, fpd, present);
  }
};

// A PASID-cache entry (spec 6.2 "PASID-cache"): the PASID-table entry (P=1, no reserved bit, supported PGTT:
// only entries that passed every check are cached with CAP.CM=0) with its DID, which the invalidation tags
// name, and the FPD of the PASID directory entry that led to it (ORed into the request's FPD on a hit).
struct cached_pasid_entry {
  spec::pasid_entry entry{};
  bool dir_fpd = false;
  uint16_t did() const { return entry.did(); }
};

}  // namespace vtd::core
