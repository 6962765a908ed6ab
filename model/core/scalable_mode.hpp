// Scalable-mode DMA remapping (RTADDR_REG.TTM = 01b with ECAP.SMTS; VT-d spec chapter 3 and the
// scalable-mode structures of chapter 9): scalable-mode root entry (by bus, then the lower or upper half by
// devfn), scalable-mode context entry, PASID directory, PASID-table entry, then the translation its PGTT
// selects: first-stage (IA-32e paging), second-stage, nested (every first-stage table pointer and the
// first-stage output translated by the second stage) or pass-through. Faults are the scalable-mode conditions
// (SRT, SCT, SPD, SPT, SFS, SSS, SGN), qualified by FPD ORed over the context, PASID directory and
// PASID-table entries. Requests without PASID use the context entry's RID_PASID and RID_PRIV.
//
// Caches (spec 6.2, through translation_hooks; without hooks every request walks memory, which is legal):
// the scalable-mode context-cache (by source-id) stands for the root and context entries, the PASID-cache
// (by source-id and PASID) for the directory and PASID-table entries, the IOTLB (by DID, PASID and stage:
// a nested entry combines both stages) for the walk; first-stage walks resume from the first-stage
// paging-structure caches (DID, PASID, stage first or nested; filled only once A/EA are set, spec 6.2), and
// second-stage walks, nested sub-walks included, from the second-stage ones (DID alone: the spec tags them
// with no PASID).
#pragma once
#include <cstdint>

#include "model/core/cache/cached_entries.hpp"
#include "model/core/translation_mode.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sm_context_entry.hpp"

namespace vtd::core {

class scalable_mode final : public translation_mode {
 public:
  explicit scalable_mode(const translation_env& env) : m_env(env) {}

  spec::reg::ttm ttm() const override { return spec::reg::ttm::scalable; }
  translation_result translate(const dma_request& req, walk_record* rec) override;

  // What a request resolves to before its translation: the entries read on the way and the request's
  // effective PASID, privilege and execute flag (RID_PASID / RID_PRIV for requests without PASID).
  struct pasid_context {
    spec::sm_context_entry context;
    spec::pasid_entry entry;
    uint32_t pasid = 0;
    bool privileged = false;
    bool execute = false;
    bool fpd = false;  // FPD of the context, directory and PASID-table entries read so far, ORed
  };
  // Root entry to PASID-table entry with every check of those structures and of the request type (digest
  // steps 1-5 of the scalable-mode flow). `stop_after_context` ends after the context-entry checks
  // (translated requests need nothing further).
  spec::fault_reason fetch_pasid_entry(const dma_request& req, pasid_context& out, walk_record* rec,
                                       bool stop_after_context = false) const;

  // The paging-structure cache tags of a request's walks: second stage by DID alone (no PASID tag, so the
  // PASIDs of one domain share it, as the same DID has the same SSPTPTR), first stage by DID, PASID and the
  // PGTT's stage (first, or nested: its entries hold host addresses the second stage produced).
  static cache_tag ss_paging_tag(uint16_t sid, const spec::pasid_entry& pe);
  static cache_tag fs_paging_tag(uint16_t sid, const spec::pasid_entry& pe, uint32_t pasid);

  // Outcome of a second-stage walk, mapped to a fault reason by the caller (the same failure means different
  // reasons for a request's own address and for a nested first-stage table address).
  enum class ss_end : uint8_t { leaf, not_present, top_read_error, read_error, reserved, ad_not_snooped };
  struct ss_walk_result {
    ss_end end = ss_end::not_present;
    uint64_t frame = 0;
    uint64_t page_size = 0;
    bool read = false;
    bool write = false;
    bool dirty = true;  // the leaf's D is set, or SLADE=0 (no dirty tracking)
    uint64_t output(uint64_t addr) const { return frame | (addr & (page_size - 1)); }
  };
  // Second-stage walk of `addr` through the PASID-table entry's SLPTPTR/AW (spec 9.8 entries): R=W=0 at any
  // level or cumulatively ends with not_present; with SLADE, A is set in every entry used and D in the leaf
  // when `write` is permitted (SSS.5 when the walk is not snooped, PWSNP=0). It resumes from the
  // second-stage paging-structure caches (`tag`, see ss_paging_tag) and fills them.
  ss_walk_result ss_walk(const spec::pasid_entry& pe, uint64_t addr, bool write, const cache_tag& tag,
                         walk_record* rec) const;

 private:
  translation_result translate_pasid(const dma_request& req, const pasid_context& pc, walk_record* rec);
  translation_result fault(const dma_request& req, spec::fault_reason r, const pasid_context& pc) const;
  translation_result output_is_input(const dma_request& req, const pasid_context& pc, translation_stage stage,
                                     uint16_t did);
  // Root and context entries from memory (SRT / SCT checks); the PASID directory and PASID-table entries of
  // pc.pasid from memory (SPD / SPT checks).
  spec::fault_reason read_context(const dma_request& req, pasid_context& out, walk_record* rec) const;
  spec::fault_reason read_pasid_entry(const pasid_context& pc, cached_pasid_entry& out,
                                      walk_record* rec) const;

  // The result of the stage walks before the access check: the output, its page, and the rights.
  struct walk_out {
    uint64_t hpa = 0;
    uint64_t page_size = 0;
    bool read = false, write = false;  // write: R/W and W ANDed over both stages
    bool user = true;                  // first stage: U/S ANDed over every level
    bool execute_disable = false;      // first stage: XD ORed over every level
    bool dirty = true;                 // leaf D set (or no A/D tracking)
    bool ss_write = true;              // second-stage W alone (true without a second stage)
  };
  static bool write_allowed(const pasid_context& pc, const walk_out& w);
  spec::fault_reason second_stage(const dma_request& req, const pasid_context& pc, walk_out& out,
                                  walk_record* rec) const;
  spec::fault_reason first_stage(const dma_request& req, const pasid_context& pc, walk_out& out,
                                 walk_record* rec) const;
  spec::fault_reason check_access(const dma_request& req, const pasid_context& pc, const walk_out& w) const;

  const translation_env& m_env;
};

}  // namespace vtd::core
