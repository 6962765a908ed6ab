// The table checker's walk (see checker.hpp). Each rule names the spec field it enforces.
#include "tables/check/checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

// Findings are built with positional aggregate initialisers that leave trailing path fields at their
// defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vtd::tables {

const char* to_string(severity s) {
  switch (s) {
    case severity::error:
      return "error";
    case severity::warning:
      return "warning";
    default:
      return "info";
  }
}

size_t check_report::count(severity s) const {
  return size_t(
      std::count_if(findings.begin(), findings.end(), [s](const finding& f) { return f.level == s; }));
}

namespace {

std::string hex(uint64_t v) {
  return fmt::format("0x{:x}", v);
}

class walker {
 public:
  walker(const core::physical_memory& mem, const check_registers& regs, const check_limits& lim,
         check_report& out)
      : m_mem(mem), m_regs(regs), m_lim(lim), m_out(out), m_cap{regs.cap}, m_ecap{regs.ecap} {
    m_sl.haw = regs.haw;
    m_sl.super_2m = m_cap.super_2m();
    m_sl.super_1g = m_cap.super_1g();
    m_sl.snoop_control = m_ecap.sc();
    m_sl.device_tlb = m_ecap.dt();
  }

  void run() {
    if (m_regs.has_rtaddr) root_table();
    if (m_regs.irta) interrupt_table();
    domains();
  }

 private:
  bool budget() {
    if (++m_out.entries_examined <= m_lim.max_entries) return true;
    if (!m_out.truncated) {
      m_out.truncated = true;
      add({severity::error, "check.limit",
           fmt::format("stopped after examining {} entries (work limit)", m_lim.max_entries)});
    }
    return false;
  }
  void add(finding f) {
    if (m_out.findings.size() < m_lim.max_findings) m_out.findings.push_back(std::move(f));
  }
  std::optional<uint64_t> read(uint64_t addr) const { return m_mem.read64(addr); }
  bool in_memory(uint64_t addr, uint64_t len) const { return m_mem.contains(addr, len); }
  uint64_t above_haw(uint64_t addr) const { return m_regs.haw < 64 ? addr >> m_regs.haw : 0; }

  void root_table() {
    const uint64_t rta = spec::reg::rtaddr_rta(m_regs.rtaddr);
    if (spec::reg::rtaddr_ttm(m_regs.rtaddr) != spec::reg::ttm::legacy)
      add({severity::error, "rtaddr.ttm",
           fmt::format("RTADDR.TTM={}: only legacy mode (00b) is checked",
                       unsigned(spec::reg::rtaddr_ttm(m_regs.rtaddr))),
           "rtaddr"});
    if (above_haw(rta) || !in_memory(rta, 4096)) {
      add({severity::error, "rtaddr.beyond_memory",
           fmt::format("root table {} lies beyond memory or the host address width", hex(rta)), "rtaddr"});
      return;
    }
    for (unsigned bus = 0; bus < 256 && budget(); ++bus) {
      const uint64_t at = rta + bus * 16;
      spec::root_entry e{*read(at), *read(at + 8)};
      finding where{severity::error, "", "", "root", int(bus), -1, -1, 0, int(bus), at, e.lo, e.hi};
      if (!e.present()) {
        if (e.lo || e.hi) {
          where.level = severity::warning;
          where.code = "root.nonpresent_bits";
          where.message =
              "not-present root entry (P=0) has other bits set; hardware ignores them, but it looks like a "
              "half-written entry";
          add(where);
        }
        continue;
      }
      if (e.has_reserved(m_regs.haw)) {
        where.code = "root.reserved";
        where.message = fmt::format(
            "reserved bits set (11:1, 127:64, CTP above HAW): low 0x{:x}, high 0x{:x} -> fault 0Ah",
            e.reserved_lo(m_regs.haw), e.reserved_hi());
        add(where);
        continue;
      }
      if (!in_memory(e.ctp(), 4096)) {
        where.code = "root.ctp_beyond_memory";
        where.message = fmt::format("context-table pointer {} lies beyond memory -> fault 09h", hex(e.ctp()));
        add(where);
        continue;
      }
      context_table(bus, e.ctp());
    }
  }

  void context_table(unsigned bus, uint64_t table) {
    for (unsigned devfn = 0; devfn < 256 && budget(); ++devfn) {
      const uint64_t at = table + devfn * 16;
      spec::context_entry e{*read(at), *read(at + 8)};
      finding where{severity::error, "", "",   "context", int(bus), int(devfn), -1, 0,
                    int(devfn),      at, e.lo, e.hi};
      if (!e.present()) {
        if ((e.lo & ~uint64_t{2}) || e.hi) {  // FPD (bit 1) is meaningful even when P=0
          where.level = severity::warning;
          where.code = "context.nonpresent_bits";
          where.message = "not-present context entry (P=0) has bits other than FPD set";
          add(where);
        }
        continue;
      }
      const unsigned did_bits = m_cap.domain_id_bits();
      if (e.has_reserved(m_regs.haw, did_bits)) {
        where.code = "context.reserved";
        where.message = fmt::format(
            "reserved bits set (11:4, 71, 127:88, DID above {} bits, SLPTPTR above HAW): low 0x{:x}, "
            "high 0x{:x} -> fault 0Bh",
            did_bits, e.reserved_lo(m_regs.haw), e.reserved_hi(did_bits));
        add(where);
        continue;
      }
      const auto tt = e.tt();
      if (tt == spec::translation_type::reserved ||
          (tt == spec::translation_type::device_tlb && !m_ecap.dt()) ||
          (tt == spec::translation_type::pass_through && !m_ecap.pt())) {
        where.code = "context.tt_unsupported";
        where.message = fmt::format("TT={:02b}b ({}) is not supported by ECAP (DT={}, PT={}) -> fault 03h",
                                    unsigned(tt), spec::to_string(tt), int(m_ecap.dt()), int(m_ecap.pt()));
        add(where);
        continue;
      }
      device_info dev{uint16_t(bus << 8 | devfn), e.fpd(), unsigned(tt), e.aw(), e.did(), e.slptptr()};
      m_out.devices.push_back(dev);
      if (tt == spec::translation_type::pass_through) continue;
      if (!m_cap.supports_aw(e.aw())) {
        where.code = "context.aw_unsupported";
        where.message =
            fmt::format("AW={:03b}b is not in CAP.SAGAW 0b{:05b} -> fault 03h", e.aw(), m_cap.sagaw());
        add(where);
        continue;
      }
      if (!in_memory(e.slptptr(), 4096)) {
        where.code = "context.slptptr_beyond_memory";
        where.message = fmt::format("SLPTPTR {} lies beyond memory -> fault 03h", hex(e.slptptr()));
        add(where);
        continue;
      }
      auto [it, fresh] = m_dids.try_emplace(e.did(), std::make_pair(e.slptptr(), e.aw()));
      if (!fresh && (it->second.first != e.slptptr() || it->second.second != e.aw())) {
        where.level = severity::warning;
        where.code = "context.did_reused";
        where.message = fmt::format(
            "DID {} is used with another page table ({} AW {} vs {} AW {}): caches are DID-tagged, "
            "so the two devices may see each other's translations",
            e.did(), hex(e.slptptr()), e.aw(), hex(it->second.first), it->second.second);
        add(where);
      }
      m_domain_devices[{e.slptptr(), spec::aw_to_levels(e.aw())}].push_back(dev);
    }
  }

  // One page-table page: `path` holds the tables above it (cycle detection), `seen` every table of this
  // domain.
  void sl_table(uint64_t table, unsigned level, uint64_t base, domain_info& d, std::vector<uint64_t>& path,
                std::set<uint64_t>& seen, int bus, int devfn) {
    if (std::find(path.begin(), path.end(), table) != path.end()) {
      add({severity::error, "sl.cycle",
           fmt::format("page-table page {} is reachable twice on one path (a cycle): a walk would loop",
                       hex(table)),
           "sl", bus, devfn, d.did, level, -1, table});
      return;
    }
    if (!seen.insert(table).second) {
      add({severity::warning, "sl.table_reused",
           fmt::format(
               "page-table page {} is reachable from several entries of domain {} (legal, but changing it "
               "changes every IOVA range that reaches it)",
               hex(table), d.did),
           "sl", bus, devfn, d.did, level, -1, table});
      return;
    }
    if (auto [it, fresh] = m_table_owner.try_emplace(table, d.did); !fresh && it->second != d.did)
      add({severity::warning, "sl.shared_between_domains",
           fmt::format(
               "page-table page {} is used by domains {} and {} (legal; invalidations must cover both DIDs)",
               hex(table), it->second, d.did),
           "sl", bus, devfn, d.did, level, -1, table});
    ++d.table_pages;
    path.push_back(table);
    for (unsigned i = 0; i < 512; ++i) {
      if (!budget()) break;
      const uint64_t at = table + i * 8;
      const spec::sl_entry e{*read(at)};
      const uint64_t iova = base + (uint64_t(i) << spec::level_shift(level));
      finding where{severity::error, "", "", "sl", bus, devfn, int(d.did), level, int(i), at, e.raw, 0};
      if (!e.present()) {
        if (e.raw) {
          where.level = severity::warning;
          where.code = "sl.nonpresent_bits";
          where.message = fmt::format("not-present entry (R=W=0) for IOVA {} has other bits set", hex(iova));
          add(where);
        }
        continue;
      }
      if (const uint64_t rsv = e.reserved_bits(level, m_sl)) {
        const bool ps_only = rsv == (uint64_t{1} << 7) && (level == 2 || level == 3);
        where.code = ps_only ? "sl.superpage_not_supported" : "sl.reserved";
        where.message =
            ps_only ? fmt::format("PS=1 at level {} but CAP.SLLPS does not allow {} pages -> fault 0Ch",
                                  level, level == 2 ? "2 MiB" : "1 GiB")
                    : fmt::format("reserved bits 0x{:x} set (IOVA {}) -> fault 0Ch", rsv, hex(iova));
        add(where);
        continue;
      }
      if (e.w() && !e.r()) {
        where.level = severity::warning;
        where.code = "sl.write_only";
        where.message = fmt::format(
            "W=1 without R at IOVA {}: legal, but devices rarely write what they may not read", hex(iova));
        add(where);
      }
      if (e.is_leaf(level)) {
        const uint64_t size = spec::level_page_size(level);
        const uint64_t hpa = e.address(level);
        if (hpa <= spec::kInterruptRangeLast && hpa + size > spec::kInterruptRangeBase) {
          where.level = severity::warning;
          where.code = "sl.maps_interrupt_range";
          where.message = fmt::format(
              "IOVA {} maps onto the interrupt address range 0xFEE00000-0xFEEFFFFF: DMA there "
              "faults (0Eh)",
              hex(iova));
          add(where);
        }
        if (iova <= spec::kInterruptRangeLast && iova + size > spec::kInterruptRangeBase) {
          where.level = severity::warning;
          where.code = "sl.iova_in_interrupt_range";
          where.message =
              "a mapping covers IOVAs 0xFEE00000-0xFEEFFFFF: DMA writes there are interrupt requests, never "
              "translated";
          add(where);
        }
        add_range(d, mapped_range{iova, hpa, size, size, e.r(), e.w()});
        continue;
      }
      const uint64_t next = e.address(level);
      if (!in_memory(next, 4096)) {
        where.code = "sl.table_beyond_memory";
        where.message = fmt::format("next-table address {} lies beyond memory -> fault 07h", hex(next));
        add(where);
        continue;
      }
      sl_table(next, level - 1, iova, d, path, seen, bus, devfn);
    }
    path.pop_back();
  }

  static void add_range(domain_info& d, const mapped_range& r) {
    d.mapped_bytes += r.size;
    if (!d.ranges.empty()) {
      auto& last = d.ranges.back();
      if (last.iova + last.size == r.iova && last.hpa + last.size == r.hpa && last.read == r.read &&
          last.write == r.write && last.page_size == r.page_size) {
        last.size += r.size;
        return;
      }
    }
    d.ranges.push_back(r);
  }

  void domains() {
    for (auto& [key, devs] : m_domain_devices) {
      domain_info d;
      d.did = devs.front().did;
      d.root = key.first;
      d.levels = key.second;
      for (const auto& dev : devs) d.devices.push_back(dev.sid);
      std::vector<uint64_t> path;
      std::set<uint64_t> seen;
      sl_table(d.root, d.levels, 0, d, path, seen, devs.front().sid >> 8, devs.front().sid & 0xFF);
      m_out.domains.push_back(std::move(d));
    }
  }

  void interrupt_table() {
    const uint64_t v = *m_regs.irta;
    const uint64_t base = spec::reg::irta_base(v);
    const bool eime = spec::reg::irta_eime(v);
    m_out.irta_eime = eime;
    const uint32_t entries = spec::reg::irta_entries(v);
    if (v & spec::field_mask(10, 4))
      add({severity::error, "irta.reserved",
           fmt::format("IRTA reserved bits 10:4 set: 0x{:x}", v & spec::field_mask(10, 4)), "irta"});
    if (eime && !m_ecap.eim())
      add({severity::error, "irta.eime_unsupported", "IRTA.EIME=1 (x2APIC) but ECAP.EIM=0", "irta"});
    if (!in_memory(base, uint64_t(entries) * 16) || above_haw(base)) {
      add({severity::error, "irta.beyond_memory",
           fmt::format("interrupt remapping table {} ({} entries) lies beyond memory -> fault 23h", hex(base),
                       entries),
           "irta"});
      return;
    }
    for (uint32_t i = 0; i < entries && budget(); ++i) {
      const uint64_t at = base + uint64_t(i) * 16;
      const spec::irte e{*read(at), *read(at + 8)};
      finding where{severity::error, "", "", "irte", -1, -1, -1, 0, int(i), at, e.lo, e.hi};
      if (!e.present()) {
        if ((e.lo & ~uint64_t{2}) || e.hi) {
          where.level = severity::warning;
          where.code = "irte.nonpresent_bits";
          where.message = "not-present IRTE (P=0) has bits other than FPD set";
          add(where);
        }
        continue;
      }
      m_out.interrupts.push_back({i, e.lo, e.hi});
      if (e.svt() == spec::source_validation::reserved) {
        where.code = "irte.svt_reserved";
        where.message = "SVT=11b is reserved -> fault 24h";
        add(where);
      }
      if (e.posted()) {
        if (!m_cap.pi()) {
          where.code = "irte.posted_unsupported";
          where.message = "IM=1 (posted format) but CAP.PI=0 -> fault 24h";
          add(where);
        } else if (e.reserved_lo_posted() || e.reserved_hi_posted(m_regs.haw)) {
          where.code = "irte.reserved";
          where.message = "reserved bits set in a posted-format IRTE -> fault 24h";
          add(where);
        }
        continue;
      }
      if (e.reserved_lo_remapped(eime) || e.reserved_hi()) {
        // Separate the destination rule (EIME-dependent) from plain reserved bits.
        const bool dst_only = !e.reserved_lo_remapped(true) && !e.reserved_hi();
        where.code = dst_only ? "irte.destination" : "irte.reserved";
        where.message =
            dst_only
                ? fmt::format(
                      "destination 0x{:x} is not valid in xAPIC mode (EIME=0: only DST[15:8]) -> fault 24h",
                      e.dst_raw())
                : fmt::format("reserved bits set: low 0x{:x}, high 0x{:x} -> fault 24h",
                              e.reserved_lo_remapped(eime), e.reserved_hi());
        add(where);
      }
      if (!spec::is_valid_delivery_mode(e.dlm())) {
        where.code = "irte.delivery_mode";
        where.message = fmt::format("delivery mode {:03b}b is reserved -> fault 24h", e.dlm());
        add(where);
      }
    }
  }

  const core::physical_memory& m_mem;
  const check_registers& m_regs;
  const check_limits& m_lim;
  check_report& m_out;
  spec::reg::cap_reg m_cap;
  spec::reg::ecap_reg m_ecap;
  spec::sl_check_config m_sl;
  std::map<uint16_t, std::pair<uint64_t, unsigned>> m_dids;
  std::map<std::pair<uint64_t, unsigned>, std::vector<device_info>> m_domain_devices;
  std::map<uint64_t, uint16_t> m_table_owner;
};

}  // namespace

check_report check_tables(const core::physical_memory& mem, const check_registers& regs,
                          const check_limits& lim) {
  check_report r;
  walker(mem, regs, lim, r).run();
  return r;
}

}  // namespace vtd::tables
