// Root and context tables (legacy mode, VT-d spec 9.1 / 9.3): attach a device (source-id) to a domain by
// writing its context entry, creating the root table on first use and each bus's context table on demand.
#pragma once
#include <cstdint>
#include <optional>

#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/context_entry.hpp"
#include "tables/page_allocator.hpp"

namespace vtd::tables {

// What the builders need to know about the hardware: a projection of the decoded capabilities (spec::caps).
struct table_caps {
  unsigned haw = 46;
  unsigned sagaw = 0b00110;               // CAP.SAGAW
  unsigned did_bits = 16;                 // 4 + 2 * CAP.ND
  bool caching_mode = false;              // CAP.CM: DID 0 reserved
  bool super_2m = true, super_1g = true;  // CAP.SLLPS
  bool device_tlb = false;                // ECAP.DT
  bool pass_through = false;              // ECAP.PT
  bool posted = false;                    // CAP.PI
  bool x2apic = false;                    // ECAP.EIM

  static table_caps from(const spec::caps& c);
  static table_caps from_registers(uint64_t cap, uint64_t ecap, unsigned haw);  // decodes through spec::caps
};

struct context_params {
  spec::translation_type tt = spec::translation_type::untranslated_only;
  uint16_t did = 0;
  unsigned address_width = 48;  // 39 / 48 / 57
  uint64_t slptptr = 0;         // ignored for pass-through
  bool fpd = false;
};

class context_builder {
 public:
  context_builder(core::physical_memory& mem, page_allocator& pages, const table_caps& caps);

  uint64_t root_table() const { return m_root; }
  // Throws table_error when the capabilities do not allow the request.
  void attach(uint16_t sid, const context_params& p);
  void detach(uint16_t sid);
  std::optional<spec::context_entry> context_of(uint16_t sid) const;

 private:
  core::physical_memory& m_mem;
  page_allocator& m_pages;
  table_caps m_caps;
  uint64_t m_root;
};

}  // namespace vtd::tables
