// Legacy-mode DMA remapping (VT-d spec 3.4-3.7, 3.15, 7.1.3 Table 30; digest 2, 4.1, 5.1, 8.1, 8.2): root and
// context lookup, second-level walk of 3/4/5 levels with 2 MiB / 1 GiB superpages, permission and
// interrupt-range checks, and fault reporting with FPD qualification. Scalable mode (TTM=01) is not modelled.
#pragma once
#include <cstdint>

#include "model/core/fault_recorder.hpp"
#include "model/core/register_file.hpp"
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/translation_hooks.hpp"
#include "model/core/unit_config.hpp"
#include "model/core/walk_record.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/sl_entry.hpp"

namespace vtd::core {

class dma_translator {
 public:
  dma_translator(const unit_config& cfg, const register_file& regs, const physical_memory& mem,
                 fault_recorder& faults);

  void set_hooks(translation_hooks* hooks) { m_hooks = hooks; }

  // One request, start to end. `rec` (may be null) gets one step per memory read, appended.
  translation_result translate(const dma_request& req, walk_record* rec);

  // --- Stages, public so that tools and cache models can reuse them -------------------------------------
  // Root entry (RTA + bus*16) and context entry (CTP + devfn*16) from memory, with every context-level check
  // (P, reserved, TT, AW). `fpd` is latched from the context entry even when P=0.
  struct context_lookup {
    spec::context_entry entry;
    bool fpd = false;
  };
  spec::fault_reason fetch_context(uint16_t sid, context_lookup& out, walk_record* rec) const;
  // Checks a context entry read from memory or a cache (LCT.2/3/4.1/4.2).
  spec::fault_reason check_context(const spec::context_entry& e) const;

  // Second-level walk from `table` at `level` down to a leaf or an R=W=0 entry (out.present=false).
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
                               uint16_t did, walk_result& out, walk_record* rec) const;

  const spec::sl_check_config& sl_config() const { return m_sl; }

 private:
  translation_result fail(const dma_request& req, spec::fault_reason r, bool fpd);
  translation_result translate_context(const dma_request& req, const spec::context_entry& ctx, bool fpd,
                                       walk_record* rec);
  spec::fault_reason check_access(const dma_request& req, bool r, bool w) const;

  const register_file& m_regs;
  const physical_memory& m_mem;
  fault_recorder& m_faults;
  translation_hooks* m_hooks = nullptr;
  spec::sl_check_config m_sl;
  unsigned m_haw;
  unsigned m_mgaw;
  unsigned m_sagaw;
  unsigned m_did_bits;
  bool m_zlr, m_dt, m_pt, m_adms;
};

}  // namespace vtd::core
