// Scalable-mode root, context, PASID-directory and PASID tables (VT-d spec 9.2, 9.4, 9.5, 9.6), written into
// simulated memory the way Linux's intel-iommu sets them up: a root table whose entries point to a lower
// (devfn 0-127) and an upper (devfn 128-255) context table, each allocated when its first device is set up;
// per device a 256-bit context entry and a PASID directory sized from the device's PASID count; PASID tables
// (64 entries of 512 bits) allocated when the first PASID of their directory slot is attached and freed when
// the last one is detached. Every request the capabilities do not allow is a table_error naming the
// capability; nothing the capabilities leave reserved is ever written.
#pragma once
#include <cstdint>
#include <map>
#include <optional>

#include "model/memory/physical_memory.hpp"
#include "model/spec/caps.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "tables/page_allocator.hpp"

namespace vtd::tables {

// What the context entry of one device says (spec 9.4).
struct sm_device_params {
  bool fpd = false;                // FPD
  bool device_tlb = false;         // DTE: needs ECAP.DT
  bool pasid_enable = false;       // PASIDE: requests-with-PASID allowed; needs ECAP.PASID
  uint32_t rid_pasid = 0;          // RID_PASID: the PASID of requests-without-PASID; nonzero needs ECAP.RPS
  bool rid_priv = false;           // RID_PRIV: requests-without-PASID are supervisor; needs ECAP.RPRIVS
  uint32_t max_pasids = 1u << 20;  // the device's PASID count: a power of two, 64..2^20; picks PDTS
};

// One PASID-table entry (spec 9.6): what the PASID translates with.
struct pasid_params {
  spec::pgtt type = spec::pgtt::second_stage;
  uint16_t did = 0;
  unsigned ss_address_width = 48;  // second-stage AGAW (39/48/57): AW, for second-stage and nested
  uint64_t slptptr = 0;            // second-stage root, for second-stage and nested
  unsigned fs_levels = 4;          // first-stage paging levels (4 or 5): FLPM, for first-stage and nested
  uint64_t flptptr = 0;            // first-stage root (a GPA when nested), for first-stage and nested
  bool supervisor = false;         // SRE: supervisor requests allowed; needs ECAP.SRS
  bool write_protect = false;      // WPE: supervisor writes honour R/W
};

class sm_context_builder {
 public:
  sm_context_builder(core::physical_memory& mem, page_allocator& pages, const spec::caps& caps);

  uint64_t root_table() const { return m_root; }
  // The RTADDR value a driver programs for these tables: RTA with TTM=01b (scalable mode).
  uint64_t rtaddr() const;

  // Writes the device's context entry and allocates its PASID directory (zeroed: no PASID attached yet).
  // Setting up a device again rewrites the entry; its attached PASIDs stay unless the directory size
  // changes, which is refused while any is attached. Throws table_error.
  void set_device(uint16_t sid, const sm_device_params& p);
  const sm_device_params* device(uint16_t sid) const;

  // Writes the PASID-table entry of `pasid` (replacing one already there), allocating the PASID table of its
  // directory slot on first use. Throws table_error for a device not set up, a PASID beyond the device's
  // max_pasids or ECAP.PSS, or anything the capabilities do not allow.
  void attach_pasid(uint16_t sid, uint32_t pasid, const pasid_params& p);
  // Clears the entry (P first); frees the PASID table when no entry in it is left. No-op when not attached.
  void detach_pasid(uint16_t sid, uint32_t pasid);

  // Read back from memory (nullopt when not present).
  std::optional<spec::sm_context_entry> context_of(uint16_t sid) const;
  std::optional<spec::pasid_entry> pasid_entry_of(uint16_t sid, uint32_t pasid) const;
  // Where the hardware finds them (0 when a table on the way is absent).
  uint64_t context_entry_address(uint16_t sid) const;
  uint64_t pasid_directory(uint16_t sid) const;
  uint64_t pasid_entry_address(uint16_t sid, uint32_t pasid) const;
  uint64_t pasid_tables() const { return m_table_use.size(); }  // PASID tables in use

  // PDTS for a device with `max_pasids` PASIDs, as Linux sizes the directory: max_pasids / 64 entries of 8
  // bytes, at least one 4 KiB page (so PDTS is at least 2), 2^(PDTS+7) entries.
  static unsigned pdts_for(uint32_t max_pasids);

 private:
  struct device_state {
    sm_device_params params;
    unsigned pdts = 0;
    uint64_t directory = 0;
    unsigned attached = 0;
  };
  void check_device(uint16_t sid, const sm_device_params& p) const;
  spec::pasid_entry make_entry(uint16_t sid, uint32_t pasid, const pasid_params& p) const;
  uint64_t context_table(uint16_t sid) const;  // 0 when the root entry's half is not present
  uint64_t make_context_table(uint16_t sid);

  core::physical_memory& m_mem;
  page_allocator& m_pages;
  spec::caps m_caps;
  uint64_t m_root;
  std::map<uint16_t, device_state> m_devices;
  std::map<uint64_t, unsigned> m_table_use;  // PASID table page -> present entries
};

}  // namespace vtd::tables
