// The generator tests' shadow map: walks a generated trace in order over the platform it came with, keeping
// per domain the 4 KiB pages mapped (with R/W, U/S, XD) and the pages unmapped but not yet invalidated, and
// per (source-id, PASID) the domain attached, and counts every DMA that does not hit a live mapping of the
// domain its requester is attached to with the rights it needs, every map over a live page or over a page
// whose unmap no invalidation has covered yet, and every nested mapping whose GPA the parent domain does not
// map.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "tables/platform_description.hpp"
#include "traces/binary_format.hpp"
#include "traces/gen/generator.hpp"

namespace vtd::traces::test {

struct gen_output {
  std::vector<record> records;
  tables::platform_description platform;
  nlohmann::ordered_json platform_json;
  gen::generation_summary summary;
};

inline gen_output run(const gen::workload& w) {
  gen_output o;
  o.summary = gen::generate(
      w, [&](const record& r) { o.records.push_back(r); }, o.platform);
  o.platform_json = tables::to_json(o.platform);
  return o;
}

struct shadow_result {
  uint64_t dma = 0, outside = 0, overlaps = 0, maps = 0, unmaps = 0;
  uint64_t iotlb_invals = 0, piotlb_invals = 0, pc_invals = 0, waits = 0;
  uint64_t unbound_dmas = 0;    // DMAs from a (source-id, PASID) attached to nothing
  uint64_t stale_reuse = 0;     // maps over a page unmapped with no invalidation since
  uint64_t nested_outside = 0;  // nested-domain pages whose GPA the parent does not map
  uint64_t attaches = 0, detaches = 0, bad_detaches = 0;
  uint64_t pasid_dmas = 0, supervisor_dmas = 0;
  std::set<uint32_t> pasids_used;
};

struct page {
  bool read, write, user, execute;
};

// A domain's live 4 KiB pages: the platform file's mappings as ranges (a GPU buffer or a guest's RAM is
// gigabytes), the trace's maps page by page.
class domain_pages {
 public:
  void add_range(const tables::mapping_desc& m) {
    m_ranges.push_back({m.iova, m.size, {m.read, m.write, m.user, m.execute}});
  }
  const page* find(uint64_t pg) const {
    if (auto it = m_pages.find(pg); it != m_pages.end()) return &it->second;
    if (m_removed.count(pg)) return nullptr;
    for (const auto& r : m_ranges)
      if (pg >= r.iova && pg - r.iova < r.size) return &r.rights;
    return nullptr;
  }
  // False when the page was live already.
  bool insert(uint64_t pg, page p) {
    if (find(pg)) return false;
    m_removed.erase(pg);
    m_pages.emplace(pg, p);
    return true;
  }
  void erase(uint64_t pg) {
    if (!m_pages.erase(pg)) m_removed.insert(pg);
  }

 private:
  struct range {
    uint64_t iova, size;
    page rights;
  };
  std::vector<range> m_ranges;
  std::map<uint64_t, page> m_pages;
  std::set<uint64_t> m_removed;  // pages of the ranges unmapped since
};

inline shadow_result shadow_replay(const gen_output& g) {
  constexpr uint64_t kPage = 4096;
  std::map<uint16_t, domain_pages> pages;
  std::map<uint16_t, std::set<uint64_t>> stale;
  std::map<uint16_t, uint16_t> parent;
  std::map<std::pair<uint16_t, uint32_t>, uint16_t> attached;
  std::map<uint16_t, uint32_t> rid_pasid;
  std::map<uint16_t, bool> rid_priv;
  for (const auto& d : g.platform.domains) {
    if (d.parent) parent[d.id] = *d.parent;
    for (const auto& m : d.mappings) pages[d.id].add_range(m);
  }
  for (const auto& dev : g.platform.devices) {
    rid_pasid[dev.sid] = dev.rid_pasid;
    rid_priv[dev.sid] = dev.rid_priv;
    if (dev.domain) attached[{dev.sid, dev.rid_pasid}] = *dev.domain;
    for (const auto& p : dev.pasids) attached[{dev.sid, p.pasid}] = p.domain;
  }
  // A nested domain's output is a GPA: the parent's second stage must map it.
  auto check_parent = [&](uint16_t domain, uint64_t gpa, uint64_t bytes, shadow_result& c) {
    auto it = parent.find(domain);
    if (it == parent.end()) return;
    for (uint64_t off = 0; off < bytes; off += kPage)
      if (!pages[it->second].find((gpa + off) & ~(kPage - 1))) ++c.nested_outside;
  };
  shadow_result c;
  for (const auto& d : g.platform.domains)
    for (const auto& m : d.mappings) check_parent(d.id, m.hpa, m.size, c);
  uint64_t last_time = 0;
  for (const auto& r : g.records) {
    EXPECT_GE(r.time_ps, last_time) << "records are in time order";
    last_time = r.time_ps;
    EXPECT_STREQ(record_problem(r), "") << "every record is valid";
    switch (r.kind) {
      case record_kind::map: {
        ++c.maps;
        auto& p = pages[r.id];
        for (uint64_t off = 0; off < r.map_bytes(); off += kPage) {
          c.stale_reuse += stale[r.id].count(r.addr + off);
          if (!p.insert(r.addr + off,
                        page{r.readable(), r.writable(), !r.supervisor_only(), !r.no_execute()}))
            ++c.overlaps;
        }
        check_parent(r.id, r.value, r.map_bytes(), c);
        break;
      }
      case record_kind::unmap:
        ++c.unmaps;
        for (uint64_t off = 0; off < r.map_bytes(); off += kPage) {
          pages[r.id].erase(r.addr + off);
          stale[r.id].insert(r.addr + off);
        }
        break;
      case record_kind::iotlb_inval:
      case record_kind::piotlb_inval: {
        ++(r.kind == record_kind::iotlb_inval ? c.iotlb_invals : c.piotlb_invals);
        const uint16_t domain = r.kind == record_kind::iotlb_inval ? uint16_t(r.value) : r.id;
        const bool page_selective = r.kind == record_kind::iotlb_inval
                                        ? r.gran() == granularity::page
                                        : r.gran() == granularity::page_in_pasid;
        if (r.kind == record_kind::iotlb_inval && r.gran() == granularity::global) {
          stale.clear();
        } else if (!page_selective) {
          // Domain- or PASID-selective: every generated domain is used through one PASID at a time.
          stale[domain].clear();
        } else {
          const uint64_t block = kPage << r.length;
          const uint64_t base = r.addr & ~(block - 1);
          for (uint64_t off = 0; off < block; off += kPage) stale[domain].erase(base + off);
        }
        break;
      }
      case record_kind::pc_inval:
        ++c.pc_invals;
        break;
      case record_kind::inv_wait:
        ++c.waits;
        break;
      case record_kind::pasid_attach:
        ++c.attaches;
        attached[{r.id, r.pasid()}] = uint16_t(r.length);
        break;
      case record_kind::pasid_detach:
        ++c.detaches;
        c.bad_detaches += attached.erase({r.id, r.pasid()}) == 0;
        break;
      case record_kind::dma: {
        ++c.dma;
        const uint32_t pasid = r.has_pasid() ? r.pasid() : rid_pasid[r.id];
        if (r.has_pasid()) {
          ++c.pasid_dmas;
          c.pasids_used.insert(pasid);
        }
        c.supervisor_dmas += r.privileged();
        auto a = attached.find({r.id, pasid});
        if (a == attached.end()) {
          ++c.unbound_dmas;
          ++c.outside;
          break;
        }
        const auto& p = pages[a->second];
        bool ok = true;
        const uint64_t last = r.addr + (r.length ? r.length - 1 : 0);
        const bool need_write = r.op() != dma_op::read, need_read = r.op() != dma_op::write;
        // A user request (PMR=0; without PASID: RID_PRIV=0) needs U/S=1 in a first-stage mapping (a
        // second-stage mapping has no U/S: the description says user for it).
        const bool need_user = r.has_pasid() ? !r.privileged() : !rid_priv[r.id];
        for (uint64_t pg = r.addr & ~(kPage - 1); pg <= last; pg += kPage) {
          const page* it = p.find(pg);
          if (!it || (need_write && !it->write) || (need_read && !it->read) || (need_user && !it->user) ||
              (r.execute() && !it->execute))
            ok = false;
        }
        c.outside += !ok;
        break;
      }
      case record_kind::msi:
      case record_kind::attach:
      case record_kind::detach:
      case record_kind::cc_inval:
      case record_kind::iec_inval:
      case record_kind::devtlb_inval:
      case record_kind::pdevtlb_inval:
        break;
    }
  }
  return c;
}

}  // namespace vtd::traces::test
