// Building a platform's tables (see header).
#include "tables/platform_state.hpp"

#include <fmt/format.h>

#include "model/spec/inv_descriptor.hpp"
#include "model/spec/presets.hpp"
#include "tables/table_error.hpp"
#include "tables/text_parse.hpp"

namespace vtd::tables {

resolved_caps resolve_caps(const platform_description& p, const std::string& filename) {
  auto preset = spec::find_capability_preset(p.preset);
  if (!preset)
    throw table_error(
        fmt::format("{}: iommu.preset: \"{}\": unknown (known: server, qemu)", filename, p.preset));
  resolved_caps c{preset->ver, preset->cap, preset->ecap, preset->haw};
  if (p.cap) c.cap = *p.cap;
  if (p.ecap) c.ecap = *p.ecap;
  for (const auto& [k, v] : p.cap_fields)
    if (!spec::set_cap_field(c.cap, k, v))
      throw table_error(
          fmt::format("{}: iommu.cap_fields.{}: unknown field or value {} out of range", filename, k, v));
  for (const auto& [k, v] : p.ecap_fields)
    if (!spec::set_ecap_field(c.ecap, k, v))
      throw table_error(
          fmt::format("{}: iommu.ecap_fields.{}: unknown field or value {} out of range", filename, k, v));
  if (p.haw) c.haw = *p.haw;
  return c;
}

platform_state::platform_state(const platform_description& desc, const std::string& filename)
    : m_desc(desc), m_caps(resolve_caps(desc, filename)) {
  m_table_caps = table_caps::from(spec::caps::decode(m_caps.ver, m_caps.cap, m_caps.ecap, m_caps.haw));
  if (!desc.memory_size_given && m_caps.haw < 64 && m_desc.memory_size > (uint64_t{1} << m_caps.haw))
    m_desc.memory_size = uint64_t{1} << m_caps.haw;
  if (m_desc.memory_size == 0 || m_desc.memory_size % 4096)
    throw table_error(fmt::format("{}: iommu.memory_size: must be a non-zero multiple of 4 KiB", filename));
  if (m_caps.haw < 64 && m_desc.memory_size > (uint64_t{1} << m_caps.haw))
    throw table_error(
        fmt::format("{}: iommu.memory_size 0x{:x} is larger than the host address width ({} bits)", filename,
                    m_desc.memory_size, m_caps.haw));
  m_mem = std::make_unique<core::physical_memory>(m_desc.memory_size);
  try {
    m_pages = std::make_unique<page_allocator>(*m_mem, desc.table_base, desc.table_size);
  } catch (const table_error& e) {
    throw table_error(fmt::format("{}: iommu.table_region: {}", filename, e.what()));
  }
  m_contexts = std::make_unique<context_builder>(*m_mem, *m_pages, m_table_caps);
  for (size_t i = 0; i < desc.domains.size(); ++i) {
    const auto& d = desc.domains[i];
    sl_options o;
    o.levels = spec::aw_to_levels(spec::agaw_to_aw(d.address_width));
    o.superpages = d.superpages;
    o.super_2m = m_table_caps.super_2m;
    o.super_1g = m_table_caps.super_1g;
    auto table = std::make_unique<sl_page_table>(*m_mem, *m_pages, o);
    for (size_t k = 0; k < d.mappings.size(); ++k) {
      const auto& m = d.mappings[k];
      try {
        table->map(m.iova, m.hpa, m.size, m.read, m.write);
      } catch (const table_error& e) {
        throw table_error(fmt::format("{}: domains[{}].mappings[{}]: {}", filename, i, k, e.what()));
      }
    }
    m_domain_width[d.id] = d.address_width;
    m_domains[d.id] = std::move(table);
  }
  for (size_t i = 0; i < desc.devices.size(); ++i) {
    const auto& dev = desc.devices[i];
    try {
      if (dev.tt == spec::translation_type::pass_through && !dev.domain) {
        context_params p;
        p.tt = dev.tt;
        p.fpd = dev.fpd;
        // A DID is still required in the context entry; 0 is fine unless CAP.CM reserves it (spec 6.1).
        p.did = m_table_caps.caching_mode ? 1 : 0;
        m_contexts->attach(dev.sid, p);
        m_attached[dev.sid] = -1;
      } else {
        context_params p;
        p.tt = dev.tt;
        p.fpd = dev.fpd;
        p.did = *dev.domain;
        p.address_width = m_domain_width[*dev.domain];
        p.slptptr = m_domains[*dev.domain]->root();
        m_contexts->attach(dev.sid, p);
        m_attached[dev.sid] = *dev.domain;
      }
    } catch (const table_error& e) {
      throw table_error(fmt::format("{}: devices[{}]: {}", filename, i, e.what()));
    }
  }
  if (desc.has_interrupts) {
    try {
      m_irt = std::make_unique<ir_table_builder>(*m_mem, *m_pages, desc.ir_entries_log2, desc.x2apic,
                                                 m_table_caps.posted, m_caps.haw);
    } catch (const table_error& e) {
      throw table_error(fmt::format("{}: interrupts: {}", filename, e.what()));
    }
    if (desc.x2apic && !m_table_caps.x2apic)
      throw table_error(fmt::format("{}: interrupts.x2apic: needs ECAP.EIM", filename));
    for (size_t i = 0; i < desc.interrupts.size(); ++i) {
      const auto& e = desc.interrupts[i];
      try {
        m_irt->reserve(e.index);
        if (e.posted) {
          m_irt->set_posted(e.index, e.vector, e.descriptor, e.urgent, e.sid, e.sq, e.svt);
        } else {
          spec::irte::remapped_fields f;
          f.vector = e.vector;
          f.destination = e.destination;
          f.dlm = e.delivery_mode;
          f.tm = e.level;
          f.dm = e.logical;
          f.rh = e.redirection_hint;
          f.fpd = e.fpd;
          f.sid = e.sid;
          f.sq = e.sq;
          f.svt = e.svt;
          m_irt->set_remapped(e.index, f);
        }
      } catch (const table_error& ex) {
        throw table_error(fmt::format("{}: interrupts.entries[{}]: {}", filename, i, ex.what()));
      }
    }
  }
  if (desc.enable_qi) {
    // One 4 KiB page: 256 descriptors of 128 bits (IQA.QS = 0).
    m_iq_base = m_pages->alloc_contiguous(1);
    m_iqa = spec::make_iqa(m_iq_base, false, 0);
  }
}

std::optional<uint64_t> platform_state::irta() const {
  if (!m_irt) return std::nullopt;
  return m_irt->irta();
}

sl_page_table* platform_state::domain(uint16_t id) {
  auto it = m_domains.find(id);
  return it == m_domains.end() ? nullptr : it->second.get();
}

sl_page_table& platform_state::domain_or_throw(uint16_t id) {
  if (auto* d = domain(id)) return *d;
  throw table_error(fmt::format("domain {} is not defined in the platform", id));
}

void platform_state::map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write) {
  domain_or_throw(domain).map(iova, hpa, size, read, write);
}

uint64_t platform_state::unmap(uint16_t domain, uint64_t iova, uint64_t size) {
  return domain_or_throw(domain).unmap(iova, size);
}

void platform_state::attach(uint16_t sid, uint16_t domain) {
  auto& table = domain_or_throw(domain);
  context_params p;
  p.did = domain;
  p.address_width = m_domain_width[domain];
  p.slptptr = table.root();
  for (const auto& dev : m_desc.devices)
    if (dev.sid == sid) {
      p.tt =
          dev.tt == spec::translation_type::pass_through ? spec::translation_type::untranslated_only : dev.tt;
      p.fpd = dev.fpd;
    }
  m_contexts->attach(sid, p);
  m_attached[sid] = domain;
}

void platform_state::detach(uint16_t sid) {
  m_contexts->detach(sid);
  m_attached.erase(sid);
}

int platform_state::domain_of(uint16_t sid) const {
  auto it = m_attached.find(sid);
  return it == m_attached.end() ? -1 : it->second;
}

std::string platform_state::device_name(uint16_t sid) const {
  for (const auto& d : m_desc.devices)
    if (d.sid == sid && !d.name.empty()) return d.name;
  return format_bdf(sid);
}

}  // namespace vtd::tables
