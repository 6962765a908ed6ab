// A minimal second-level table writer for replay tests: one domain, 4 levels, 4 KiB leaves, tables allocated
// from `tables` upwards and never freed; context entries of bus 0 at `context_table` + devfn·16, with TT=01
// (device-TLB) for the devices in `device_tlb` and TT=00 for the others.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "apps/replay/table_driver.hpp"
#include "model/memory/physical_memory.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/sl_entry.hpp"

namespace vtd::test {

class tiny_driver final : public replay::table_driver {
  // Declared before pml4, whose initialiser uses them.
  uint64_t m_tables;
  unsigned m_next = 0;

 public:
  tiny_driver(core::physical_memory& mem, uint64_t context_table, uint64_t tables,
              std::set<uint16_t> device_tlb = {})
      : m_tables(tables), m_mem(mem), m_context_table(context_table), m_device_tlb(std::move(device_tlb)) {}
  uint64_t pml4 = alloc();

  void map(uint16_t, uint64_t iova, uint64_t hpa, uint64_t bytes, const replay::map_rights& rights) override {
    for (uint64_t off = 0; off < bytes; off += 4096)
      m_mem.write64(pte_address(iova + off),
                    spec::sl_entry::make_leaf(1, hpa + off, rights.read, rights.write).raw);
  }
  uint64_t unmap(uint16_t, uint64_t iova, uint64_t bytes) override {
    uint64_t was_mapped = 0;
    for (uint64_t off = 0; off < bytes; off += 4096) {
      if (m_mem.read64(pte_address(iova + off)).value_or(0) & 3) was_mapped += 4096;
      m_mem.write64(pte_address(iova + off), 0);
    }
    return was_mapped;
  }
  void attach(uint16_t sid, uint16_t did) override {
    const auto tt = m_device_tlb.count(sid) ? spec::translation_type::device_tlb
                                            : spec::translation_type::untranslated_only;
    auto ctx = spec::context_entry::make(pml4, 2, did, tt);
    m_mem.write64(m_context_table + (sid & 0xFF) * 16, ctx.lo);
    m_mem.write64(m_context_table + (sid & 0xFF) * 16 + 8, ctx.hi);
    m_domains[sid] = did;
  }
  void detach(uint16_t sid) override {
    m_mem.write64(m_context_table + (sid & 0xFF) * 16, 0);
    m_mem.write64(m_context_table + (sid & 0xFF) * 16 + 8, 0);
    m_domains.erase(sid);
  }
  int domain_of(uint16_t sid) const override {
    auto it = m_domains.find(sid);
    return it == m_domains.end() ? -1 : it->second;
  }

 private:
  uint64_t alloc() { return m_tables + 0x1000 * m_next++; }
  uint64_t pte_address(uint64_t iova) {
    uint64_t table = pml4;
    for (unsigned level = 4; level > 1; --level) {
      uint64_t entry = table + spec::level_index(iova, level) * 8;
      uint64_t raw = *m_mem.read64(entry);
      if (!(raw & 3)) {
        raw = spec::sl_entry::make_table(alloc()).raw;
        m_mem.write64(entry, raw);
      }
      table = raw & spec::field_mask(51, 12);
    }
    return table + spec::level_index(iova, 1) * 8;
  }

  core::physical_memory& m_mem;
  uint64_t m_context_table;
  std::set<uint16_t> m_device_tlb;
  std::map<uint16_t, uint16_t> m_domains;
};

}  // namespace vtd::test
