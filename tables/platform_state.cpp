// Building a platform's tables (see header).
#include "tables/platform_state.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/spec/inv_descriptor.hpp"
#include "model/spec/presets.hpp"
#include "tables/sm_nested_tables.hpp"
#include "tables/table_error.hpp"
#include "tables/text_parse.hpp"

namespace vtd::tables {

resolved_caps resolve_caps(const platform_description& p, const std::string& filename) {
  auto preset = spec::find_capability_preset(p.preset);
  if (!preset)
    throw table_error(fmt::format("{}: iommu.preset: \"{}\": unknown (known: {})", filename, p.preset,
                                  spec::capability_preset_names()));
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
  m_decoded = spec::caps::decode(m_caps.ver, m_caps.cap, m_caps.ecap, m_caps.haw);
  m_table_caps = table_caps::from(m_decoded);
  const bool scalable = desc.mode == platform_mode::scalable;
  if (scalable && !m_decoded.smts)
    throw table_error(fmt::format(
        "{}: mode: \"scalable\" needs ECAP.SMTS (preset \"{}\" does not report it: use \"server-sm\" or "
        "\"qemu-sm\", or set iommu.ecap_fields.smts)",
        filename, desc.preset));
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
  if (scalable)
    m_sm = std::make_unique<sm_context_builder>(*m_mem, *m_pages, m_decoded);
  else
    m_contexts = std::make_unique<context_builder>(*m_mem, *m_pages, m_table_caps);
  // Second-stage domains first: a nested domain's first-stage table pages are mapped into its parent.
  for (const bool second_pass : {false, true}) {
    for (size_t i = 0; i < desc.domains.size(); ++i) {
      const auto& d = desc.domains[i];
      // Legacy mode knows only second-level tables, whatever a description made in code says.
      const domain_stage stage = scalable ? d.stage : domain_stage::second;
      if ((stage != domain_stage::second) != second_pass) continue;
      try {
        build_domain(d, stage);
      } catch (const table_error& e) {
        throw table_error(fmt::format("{}: domains[{}]: {}", filename, i, e.what()));
      }
      for (size_t k = 0; k < d.mappings.size(); ++k) {
        try {
          map_description(d, d.mappings[k]);
        } catch (const table_error& e) {
          throw table_error(fmt::format("{}: domains[{}].mappings[{}]: {}", filename, i, k, e.what()));
        }
      }
    }
  }
  for (size_t i = 0; i < desc.devices.size(); ++i) {
    const auto& dev = desc.devices[i];
    if (scalable) {
      build_scalable_device(dev, i, filename);
      continue;
    }
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

void platform_state::build_domain(const domain_desc& d, domain_stage stage) {
  build_domain_tables(d, stage);
  refresh_ref(d.id);
}

void platform_state::refresh_ref(uint16_t id) {
  auto it = std::lower_bound(m_domain_refs.begin(), m_domain_refs.end(), id,
                             [](const domain_ref& r, uint16_t key) { return r.id < key; });
  if (it == m_domain_refs.end() || it->id != id) it = m_domain_refs.insert(it, domain_ref{id, {}, {}, {}});
  it->stage = m_stage.at(id);
  it->sl = domain(id);
  it->fs = fs_domain(id);
}

const platform_state::domain_ref* platform_state::find_domain(uint16_t id) const {
  auto it = std::lower_bound(m_domain_refs.begin(), m_domain_refs.end(), id,
                             [](const domain_ref& r, uint16_t key) { return r.id < key; });
  return it == m_domain_refs.end() || it->id != id ? nullptr : &*it;
}

void platform_state::build_domain_tables(const domain_desc& d, domain_stage stage) {
  m_stage[d.id] = stage;
  m_domain_width[d.id] = d.address_width;
  switch (stage) {
    case domain_stage::second: {
      sl_options o;
      o.levels = spec::aw_to_levels(spec::agaw_to_aw(d.address_width));
      o.superpages = d.superpages;
      o.super_2m = m_table_caps.super_2m;
      o.super_1g = m_table_caps.super_1g;
      m_domains[d.id] = std::make_unique<sl_page_table>(*m_mem, *m_pages, o);
      return;
    }
    case domain_stage::first:
    case domain_stage::nested: {
      fs_options o;
      o.levels = d.address_width == 57 ? 5 : 4;
      o.superpages = d.superpages;
      o.super_1g = m_decoded.fs1gp;
      o.five_level = m_decoded.fs5lp;
      o.preset_ad = d.preset_ad;
      if (stage == domain_stage::nested) {
        // Second-stage domains were built in the first pass (the parser checks this too; a description made
        // in code may not have been parsed).
        auto* parent = d.parent ? domain(*d.parent) : nullptr;
        if (!parent)
          throw table_error("a nested domain's parent must be a second-stage domain of the platform");
        m_parent[d.id] = *d.parent;
        o.out_name = "gpa";
        o.hooks = guest_table_hooks(*parent, d.id, *d.parent);
      }
      m_fs_domains[d.id] = std::make_unique<fs_page_table>(*m_mem, *m_pages, o);
      return;
    }
    case domain_stage::pass_through:
      return;  // no tables: the PASID-table entry says PGTT=100b
  }
}

void platform_state::map_description(const domain_desc& d, const mapping_desc& m) {
  if (auto* fs = fs_domain(d.id))
    fs->map(m.iova, m.hpa, m.size, fs_perm{m.read, m.write, m.user, m.execute});
  else if (auto* sl = domain(d.id))
    sl->map(m.iova, m.hpa, m.size, m.read, m.write);
  else
    throw table_error("a pass-through domain has no page tables");
}

void platform_state::build_scalable_device(const device_desc& dev, size_t index,
                                           const std::string& filename) {
  try {
    sm_device_params p;
    p.fpd = dev.fpd;
    p.device_tlb = dev.device_tlb;
    p.pasid_enable = dev.pasid_enabled();
    p.rid_pasid = dev.rid_pasid;
    p.rid_priv = dev.rid_priv;
    p.max_pasids = dev.max_pasids;
    m_sm->set_device(dev.sid, p);
    if (dev.domain) attach_pasid(dev.sid, dev.rid_pasid, *dev.domain);
  } catch (const table_error& e) {
    throw table_error(fmt::format("{}: devices[{}]: {}", filename, index, e.what()));
  }
  for (size_t k = 0; k < dev.pasids.size(); ++k) {
    const auto& pd = dev.pasids[k];
    try {
      attach_pasid(dev.sid, pd.pasid, pd.domain, {pd.supervisor, pd.write_protect});
    } catch (const table_error& e) {
      throw table_error(fmt::format("{}: devices[{}].pasids[{}]: {}", filename, index, k, e.what()));
    }
  }
}

uint64_t platform_state::rtaddr() const {
  return m_sm ? m_sm->rtaddr() : m_contexts->root_table();
}

std::optional<uint64_t> platform_state::irta() const {
  if (!m_irt) return std::nullopt;
  return m_irt->irta();
}

sl_page_table* platform_state::domain(uint16_t id) {
  auto it = m_domains.find(id);
  return it == m_domains.end() ? nullptr : it->second.get();
}

fs_page_table* platform_state::fs_domain(uint16_t id) {
  auto it = m_fs_domains.find(id);
  return it == m_fs_domains.end() ? nullptr : it->second.get();
}

std::optional<domain_stage> platform_state::stage_of(uint16_t id) const {
  if (const domain_ref* r = find_domain(id)) return r->stage;
  return std::nullopt;
}

std::optional<uint16_t> platform_state::parent_of(uint16_t id) const {
  auto it = m_parent.find(id);
  if (it == m_parent.end()) return std::nullopt;
  return it->second;
}

sl_page_table& platform_state::domain_or_throw(uint16_t id) {
  if (auto* d = domain(id)) return *d;
  throw table_error(fmt::format("domain {} is not defined in the platform", id));
}

void platform_state::map(uint16_t domain, uint64_t iova, uint64_t hpa, uint64_t size, bool read, bool write) {
  fs_perm perm;
  perm.read = read;
  perm.write = write;
  map(domain, iova, hpa, size, perm);
}

void platform_state::map(uint16_t domain, uint64_t iova, uint64_t out, uint64_t size, const fs_perm& perm) {
  const domain_ref* r = find_domain(domain);
  if (r && r->fs) return r->fs->map(iova, out, size, perm);
  if (r && r->stage == domain_stage::pass_through)
    throw table_error(fmt::format("domain {} is a pass-through domain: it has no page tables", domain));
  auto& table = r && r->sl ? *r->sl : domain_or_throw(domain);
  if (!perm.user || !perm.execute)
    throw table_error(fmt::format(
        "domain {} is a second-stage domain: U/S and execute-disable are first-stage rights", domain));
  table.map(iova, out, size, perm.read, perm.write);
}

uint64_t platform_state::unmap(uint16_t domain, uint64_t iova, uint64_t size) {
  const domain_ref* r = find_domain(domain);
  if (r && r->fs) return r->fs->unmap(iova, size);
  if (r && r->stage == domain_stage::pass_through)
    throw table_error(fmt::format("domain {} is a pass-through domain: it has no page tables", domain));
  return (r && r->sl ? *r->sl : domain_or_throw(domain)).unmap(iova, size);
}

uint32_t platform_state::rid_pasid_of(uint16_t sid) const {
  const auto* dev = m_sm ? m_sm->device(sid) : nullptr;
  return dev ? dev->rid_pasid : 0;
}

pasid_attach_options platform_state::rid_options_of(uint16_t sid) const {
  // The platform file may attach the RID_PASID in its long form (a "pasids" entry) with SRE/WPE.
  for (const auto& dev : m_desc.devices)
    if (dev.sid == sid)
      for (const auto& pd : dev.pasids)
        if (pd.pasid == dev.rid_pasid) return {pd.supervisor, pd.write_protect};
  return {};
}

pasid_params platform_state::pasid_params_for(uint16_t domain, const pasid_attach_options& o) const {
  auto stage = stage_of(domain);
  if (!stage) throw table_error(fmt::format("domain {} is not defined in the platform", domain));
  pasid_params p;
  p.did = domain;
  p.supervisor = o.supervisor;
  p.write_protect = o.write_protect;
  auto second_stage = [&](uint16_t id) {
    p.slptptr = m_domains.at(id)->root();
    p.ss_address_width = m_domain_width.at(id);
  };
  auto first_stage = [&](uint16_t id) {
    // Nested: the root's GPA equals its HPA (its pages are mapped identity into the parent).
    p.flptptr = m_fs_domains.at(id)->root();
    p.fs_levels = m_fs_domains.at(id)->levels();
  };
  switch (*stage) {
    case domain_stage::first:
      p.type = spec::pgtt::first_stage;
      first_stage(domain);
      break;
    case domain_stage::second:
      p.type = spec::pgtt::second_stage;
      second_stage(domain);
      break;
    case domain_stage::nested:
      p.type = spec::pgtt::nested;
      first_stage(domain);
      second_stage(m_parent.at(domain));
      break;
    case domain_stage::pass_through:
      p.type = spec::pgtt::pass_through;
      break;
  }
  return p;
}

void platform_state::attach_pasid(uint16_t sid, uint32_t pasid, uint16_t domain,
                                  const pasid_attach_options& o) {
  if (!m_sm)
    throw table_error(fmt::format("{}: PASID {}: PASIDs need scalable mode (\"mode\": \"scalable\")",
                                  format_bdf(sid), pasid));
  const pasid_params p = pasid_params_for(domain, o);
  if (!m_sm->device(sid)) {
    // A device the platform file did not list: set up as Linux would, PASIDs enabled where the unit has them.
    sm_device_params d;
    d.pasid_enable = m_decoded.pasid;
    m_sm->set_device(sid, d);
  }
  m_sm->attach_pasid(sid, pasid, p);
  forget_attachment(sid, pasid);
  m_pasids[{sid, pasid}] = domain;
  auto& list = m_domain_attachments[domain];
  list.insert(std::lower_bound(list.begin(), list.end(), std::make_pair(sid, pasid)), {sid, pasid});
}

void platform_state::forget_attachment(uint16_t sid, uint32_t pasid) {
  auto it = m_pasids.find({sid, pasid});
  if (it == m_pasids.end()) return;
  auto by_domain = m_domain_attachments.find(it->second);
  auto& list = by_domain->second;
  list.erase(std::lower_bound(list.begin(), list.end(), std::make_pair(sid, pasid)));
  if (list.empty()) m_domain_attachments.erase(by_domain);
  m_pasids.erase(it);
}

void platform_state::detach_pasid(uint16_t sid, uint32_t pasid) {
  if (!m_sm)
    throw table_error(fmt::format("{}: PASID {}: PASIDs need scalable mode (\"mode\": \"scalable\")",
                                  format_bdf(sid), pasid));
  m_sm->detach_pasid(sid, pasid);
  forget_attachment(sid, pasid);
}

int platform_state::domain_of_pasid(uint16_t sid, uint32_t pasid) const {
  auto it = m_pasids.find({sid, pasid});
  return it == m_pasids.end() ? -1 : it->second;
}

const std::vector<std::pair<uint16_t, uint32_t>>& platform_state::attachments_of(uint16_t domain) const {
  static const std::vector<std::pair<uint16_t, uint32_t>> none;
  auto it = m_domain_attachments.find(domain);
  return it == m_domain_attachments.end() ? none : it->second;
}

void platform_state::attach(uint16_t sid, uint16_t domain) {
  if (m_sm) return attach_pasid(sid, rid_pasid_of(sid), domain, rid_options_of(sid));
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
  if (m_sm) return detach_pasid(sid, rid_pasid_of(sid));
  m_contexts->detach(sid);
  m_attached.erase(sid);
}

int platform_state::domain_of(uint16_t sid) const {
  if (m_sm) return domain_of_pasid(sid, rid_pasid_of(sid));
  auto it = m_attached.find(sid);
  return it == m_attached.end() ? -1 : it->second;
}

std::string platform_state::device_name(uint16_t sid) const {
  for (const auto& d : m_desc.devices)
    if (d.sid == sid && !d.name.empty()) return d.name;
  return format_bdf(sid);
}

}  // namespace vtd::tables
