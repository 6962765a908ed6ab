// A platform built from its description: simulated memory holding real VT-d tables (root, context,
// second-level page tables, interrupt remapping table, invalidation queue), the register values a driver
// would program, and the builders themselves, still usable so that a trace replayer can
// map/unmap/attach/detach at run time.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "model/memory/physical_memory.hpp"
#include "tables/context_builder.hpp"
#include "tables/ir_table_builder.hpp"
#include "tables/page_allocator.hpp"
#include "tables/platform_description.hpp"
#include "tables/sl_page_table.hpp"

namespace vtd::tables {

struct resolved_caps {
  uint32_t ver = 0x10;
  uint64_t cap = 0, ecap = 0;
  unsigned haw = 46;
};

// Resolves the preset, full values and field overrides of a description. Throws table_error.
resolved_caps resolve_caps(const platform_description& p, const std::string& filename);

class platform_state {
 public:
  platform_state(const platform_description& desc, const std::string& filename);

  const platform_description& description() const { return m_desc; }
  const resolved_caps& caps() const { return m_caps; }
  core::physical_memory& memory() { return *m_mem; }
  const core::physical_memory& memory() const { return *m_mem; }

  // What a driver programs (register values).
  uint64_t rtaddr() const { return m_contexts->root_table(); }  // TTM = 00 (legacy)
  std::optional<uint64_t> irta() const;
  std::optional<uint64_t> iqa() const { return m_iqa; }
  uint64_t iq_base() const { return m_iq_base; }

  // Run-time driver operations (the same builders that built the initial tables). Throw table_error.
  void map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write);
  uint64_t unmap(uint16_t domain, uint64_t iova, uint64_t size);
  void attach(uint16_t sid, uint16_t domain);
  void detach(uint16_t sid);
  int domain_of(uint16_t sid) const;

  sl_page_table* domain(uint16_t id);
  ir_table_builder* interrupt_table() { return m_irt.get(); }
  page_allocator& pages() { return *m_pages; }
  std::string device_name(uint16_t sid) const;

 private:
  sl_page_table& domain_or_throw(uint16_t id);

  platform_description m_desc;
  resolved_caps m_caps;
  table_caps m_table_caps;
  std::unique_ptr<core::physical_memory> m_mem;
  std::unique_ptr<page_allocator> m_pages;
  std::unique_ptr<context_builder> m_contexts;
  std::map<uint16_t, std::unique_ptr<sl_page_table>> m_domains;
  std::map<uint16_t, unsigned> m_domain_width;
  std::map<uint16_t, int> m_attached;  // sid -> domain (-1 pass-through)
  std::unique_ptr<ir_table_builder> m_irt;
  std::optional<uint64_t> m_iqa;
  uint64_t m_iq_base = 0;
};

}  // namespace vtd::tables
