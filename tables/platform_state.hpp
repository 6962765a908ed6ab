// A platform built from its description: simulated memory holding real VT-d tables (legacy mode: root,
// context and second-level page tables; scalable mode: scalable root and context tables, PASID directories
// and tables, first-/second-stage page tables; both: interrupt remapping table, invalidation queue), the
// register values a driver would program, and the builders themselves, still usable so that a trace replayer
// can map/unmap/attach/detach at run time.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/memory/physical_memory.hpp"
#include "tables/context_builder.hpp"
#include "tables/fs_page_table.hpp"
#include "tables/ir_table_builder.hpp"
#include "tables/page_allocator.hpp"
#include "tables/platform_description.hpp"
#include "tables/sl_page_table.hpp"
#include "tables/sm_context_builder.hpp"

namespace vtd::tables {

struct resolved_caps {
  uint32_t ver = 0x10;
  uint64_t cap = 0, ecap = 0;
  unsigned haw = 46;
};

// Resolves the preset, full values and field overrides of a description. Throws table_error.
resolved_caps resolve_caps(const platform_description& p, const std::string& filename);

// Options of one PASID attachment (scalable mode): the PASID-table entry's SRE and WPE (spec 9.6).
struct pasid_attach_options {
  bool supervisor = false;     // SRE: supervisor requests allowed (needs ECAP.SRS)
  bool write_protect = false;  // WPE: supervisor writes honour R/W
};

class platform_state {
 public:
  platform_state(const platform_description& desc, const std::string& filename);

  const platform_description& description() const { return m_desc; }
  const resolved_caps& caps() const { return m_caps; }
  core::physical_memory& memory() { return *m_mem; }
  const core::physical_memory& memory() const { return *m_mem; }

  platform_mode mode() const { return m_desc.mode; }

  // What a driver programs (register values).
  uint64_t rtaddr() const;  // RTA with TTM: 00b (legacy) or 01b (scalable)
  std::optional<uint64_t> irta() const;
  std::optional<uint64_t> iqa() const { return m_iqa; }
  uint64_t iq_base() const { return m_iq_base; }

  // Run-time driver operations (the same builders that built the initial tables). Throw table_error.
  // map/unmap work on second-stage, first-stage and nested domains (a nested domain maps IOVA -> GPA); the
  // first form gives first-stage mappings U/S=1 and execute allowed, the second sets them (a second-stage
  // domain refuses user=false or execute=false: it has no such rights).
  void map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write);
  void map(uint16_t domain, uint64_t iova, uint64_t out, uint64_t size, const fs_perm& perm);
  uint64_t unmap(uint16_t domain, uint64_t iova, uint64_t size);
  // Legacy mode: the device's context entry. Scalable mode: the device's RID_PASID (with the options the
  // platform file gave it), the device set up with defaults if the file did not list it.
  void attach(uint16_t sid, uint16_t domain);
  void detach(uint16_t sid);
  int domain_of(uint16_t sid) const;  // -1: none (legacy: or pass-through without a domain)
  // Scalable mode only: attach any PASID of a device to a domain of any stage (replacing what it had).
  void attach_pasid(uint16_t sid, uint32_t pasid, uint16_t domain, const pasid_attach_options& o = {});
  void detach_pasid(uint16_t sid, uint32_t pasid);
  int domain_of_pasid(uint16_t sid, uint32_t pasid) const;  // -1 when not attached
  // Scalable mode: every (source-id, PASID) attached to `domain` now, ascending (empty in legacy mode). The
  // reference stays valid until the next attach or detach.
  const std::vector<std::pair<uint16_t, uint32_t>>& attachments_of(uint16_t domain) const;

  sl_page_table* domain(uint16_t id);  // second-stage tables (legacy domains, scalable "second"); else null
  fs_page_table* fs_domain(uint16_t id);  // first-stage tables (scalable "first" and "nested"); else null
  std::optional<domain_stage> stage_of(uint16_t id) const;      // legacy domains are second-stage
  std::optional<uint16_t> parent_of(uint16_t id) const;         // a nested domain's second-stage parent
  sm_context_builder* scalable_tables() { return m_sm.get(); }  // null in legacy mode
  ir_table_builder* interrupt_table() { return m_irt.get(); }
  page_allocator& pages() { return *m_pages; }
  std::string device_name(uint16_t sid) const;

 private:
  // What map and unmap need of a domain, found with one search (the maps below are searched once each):
  // kept equal to them by build_domain, the only place that changes them.
  struct domain_ref {
    uint16_t id = 0;
    domain_stage stage = domain_stage::second;
    sl_page_table* sl = nullptr;
    fs_page_table* fs = nullptr;
  };
  const domain_ref* find_domain(uint16_t id) const;
  void refresh_ref(uint16_t id);

  sl_page_table& domain_or_throw(uint16_t id);
  void build_domain(const domain_desc& d, domain_stage stage);
  void build_domain_tables(const domain_desc& d, domain_stage stage);
  void map_description(const domain_desc& d, const mapping_desc& m);
  void build_scalable_device(const device_desc& dev, size_t index, const std::string& filename);
  pasid_params pasid_params_for(uint16_t domain, const pasid_attach_options& o) const;
  uint32_t rid_pasid_of(uint16_t sid) const;
  void forget_attachment(uint16_t sid, uint32_t pasid);  // drops (sid, pasid) from both maps, if there
  pasid_attach_options rid_options_of(uint16_t sid) const;

  platform_description m_desc;
  resolved_caps m_caps;
  table_caps m_table_caps;
  spec::caps m_decoded;
  std::unique_ptr<core::physical_memory> m_mem;
  std::unique_ptr<page_allocator> m_pages;
  std::unique_ptr<context_builder> m_contexts;  // legacy mode
  std::unique_ptr<sm_context_builder> m_sm;     // scalable mode
  std::map<uint16_t, std::unique_ptr<sl_page_table>> m_domains;
  std::map<uint16_t, std::unique_ptr<fs_page_table>> m_fs_domains;
  std::map<uint16_t, domain_stage> m_stage;
  std::map<uint16_t, uint16_t> m_parent;
  std::vector<domain_ref> m_domain_refs;  // by ascending id
  std::map<uint16_t, unsigned> m_domain_width;
  std::map<uint16_t, int> m_attached;                          // legacy: sid -> domain (-1 pass-through)
  std::map<std::pair<uint16_t, uint32_t>, uint16_t> m_pasids;  // scalable: (sid, PASID) -> domain
  // The same attachments by domain (kept with m_pasids, in attach_pasid and detach_pasid): domain ->
  // (sid, PASID), ascending.
  std::map<uint16_t, std::vector<std::pair<uint16_t, uint32_t>>> m_domain_attachments;
  std::unique_ptr<ir_table_builder> m_irt;
  std::optional<uint64_t> m_iqa;
  uint64_t m_iq_base = 0;
};

}  // namespace vtd::tables
