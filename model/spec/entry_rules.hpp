// The validity rules of each translation structure, written once and shared by the hardware walker
// (model/core) and the table checker (tables/check): root entry (spec 9.1), context entry (9.3), second-stage
// paging entry (9.8) and interrupt remapping table entry (9.10 / 9.11). Each function returns the first rule
// a present entry breaks, in the order the hardware applies them; the walker maps it to a fault reason, the
// checker to a finding.
#pragma once
#include <cstdint>

#include "model/spec/caps.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

namespace vtd::spec {

// Root entry: P, then the RsvdZ bits (LRT.2 01h, LRT.3 0Ah).
enum class root_rule : uint8_t { ok, not_present, reserved };
root_rule check_root(const root_entry& e, const caps& c);
fault_reason fault_for(root_rule r);

// Context entry: P, RsvdZ bits, TT supported by ECAP (DT, PT), then AW in CAP.SAGAW (skipped for TT=10b,
// where AW is not used). LCT.2 02h, LCT.3 0Bh, LCT.4.2 / LCT.4.1 03h.
enum class context_rule : uint8_t { ok, not_present, reserved, tt_unsupported, aw_unsupported };
context_rule check_context(const context_entry& e, const caps& c);
fault_reason fault_for(context_rule r);

// Second-stage paging entry at `level`: R=W=0 is not present (the walk stops: a permission fault, LGN.2 /
// LGN.3), then the RsvdZ bits (LSS.2 0Ch); an entry with reserved bits is never used, so this comes before
// any permission check.
enum class sl_rule : uint8_t { ok, not_present, reserved };
sl_rule check_sl(const sl_entry& e, unsigned level, const sl_check_config& c);

// Interrupt remapping table entry format rules for a present entry (all fault 24h), as a set: the checker
// reports each, the remapper stops on any. SVT=11b is checked before source-id validation (26h), the others
// after it (spec 5.1.4 processing order).
enum irte_violation : unsigned {
  irte_svt_reserved = 1u << 0,        // SVT (83:82) = 11b
  irte_posted_unsupported = 1u << 1,  // IM=1 without CAP.PI
  irte_posted_reserved = 1u << 2,     // RsvdZ bits of the posted format (spec 9.11)
  irte_destination = 1u << 3,         // DST bits that are reserved in xAPIC mode (EIME=0) only
  irte_reserved = 1u << 4,            // other RsvdZ bits of the remapped format (spec 9.10)
  irte_delivery_mode = 1u << 5,       // DLM (7:5) a reserved encoding
};
unsigned check_irte(const irte& e, const caps& c, bool eime);

}  // namespace vtd::spec
