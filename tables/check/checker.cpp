// The table checker's walk (see checker.hpp). Each rule names the spec field it enforces.
#include "tables/check/checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "model/spec/caps.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/entry_rules.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/text.hpp"

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
    case severity::info:
      return "info";
  }
  return "info";
}

size_t check_report::count(severity s) const {
  return size_t(
      std::count_if(findings.begin(), findings.end(), [s](const finding& f) { return f.level == s; }));
}

namespace {

class walker {
 public:
  walker(const core::physical_memory& mem, const check_registers& regs, const check_limits& lim,
         check_report& out)
      : m_mem(mem),
        m_regs(regs),
        m_lim(lim),
        m_out(out),
        m_caps(spec::caps::decode(0x10, regs.cap, regs.ecap, regs.haw)),
        m_sl(m_caps.sl_check()) {}

  void run() {
    if (m_regs.has_rtaddr) root_table();
    if (m_regs.irta) interrupt_table();
    domains();
    writable_tables();
  }

 private:
  bool budget() {
    if (++m_out.entries_examined <= m_lim.max_entries) return true;
    if (!m_out.truncated) {
      m_out.truncated = true;
      add({severity::error, "check.limit",
           fmt::format("stopped after examining {} entries (work limit)", m_lim.max_entries), "check"});
    }
    return false;
  }
  void add(finding f) {
    if (m_out.findings.size() < m_lim.max_findings) m_out.findings.push_back(std::move(f));
  }
  std::optional<uint64_t> read_entry(uint64_t addr) const { return m_mem.read64(addr); }
  bool in_memory(uint64_t addr, uint64_t len) const { return m_mem.contains(addr, len); }
  uint64_t above_haw(uint64_t addr) const { return m_regs.haw < 64 ? addr >> m_regs.haw : 0; }

  // RTADDR_REG (RTA, TTM): reserved bits are reported; the table is then checked where the hardware reads it,
  // through the register's implemented bits (spec::reg::rtaddr_implemented, shared with the register file).
  void root_table() {
    const uint64_t v = m_regs.rtaddr;
    const uint64_t used = v & spec::reg::rtaddr_implemented(m_regs.haw);
    const uint64_t rta = spec::reg::rtaddr_rta(used);
    if (const uint64_t rsv = spec::reg::rtaddr_reserved(v, m_regs.haw)) {
      const uint64_t low = rsv & spec::field_mask(9, 0), high = rsv & ~spec::field_mask(9, 0);
      std::string which;
      if (low) which = fmt::format("RsvdZ bits 9:0 = 0x{:x}", low);
      if (high)
        which += fmt::format("{}RTA bits 63:{} (above the host address width) = 0x{:x}", low ? ", " : "",
                             m_regs.haw, high);
      add({severity::error, "rtaddr.reserved",
           fmt::format("RTADDR {} has reserved bits set ({}); the hardware ignores them{}", spec::hex(v),
                       which,
                       high ? fmt::format(", so the root table is read at {} (checked there)", spec::hex(rta))
                            : std::string()),
           "rtaddr"});
    }
    if (spec::reg::rtaddr_ttm(used) != spec::reg::ttm::legacy)
      add({severity::error, "rtaddr.ttm",
           fmt::format("RTADDR.TTM={}: only legacy mode (00b) is checked",
                       unsigned(spec::reg::rtaddr_ttm(used))),
           "rtaddr"});
    if (!in_memory(rta, 4096)) {
      add({severity::error, "rtaddr.beyond_memory",
           fmt::format("root table {} lies beyond memory (size {}) -> fault 08h", spec::hex(rta),
                       spec::hex(m_mem.size())),
           "rtaddr"});
      return;
    }
    m_table_pages.try_emplace(rta, "the root table");
    for (unsigned bus = 0; bus < 256 && budget(); ++bus) {
      const uint64_t at = rta + bus * 16;
      spec::root_entry e{*read_entry(at), *read_entry(at + 8)};
      finding where{severity::error, "", "", "root", int(bus), -1, -1, 0, int(bus), at, e.lo, e.hi};
      const spec::root_rule rule = spec::check_root(e, m_caps);
      if (rule == spec::root_rule::not_present) {
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
      if (rule == spec::root_rule::reserved) {
        where.code = "root.reserved";
        where.message = fmt::format(
            "reserved bits set (11:1, 127:64, CTP above HAW): low 0x{:x}, high 0x{:x} -> fault 0Ah",
            e.reserved_lo(m_regs.haw), e.reserved_hi());
        add(where);
        continue;
      }
      if (!in_memory(e.ctp(), 4096)) {
        where.code = "root.ctp_beyond_memory";
        where.message =
            fmt::format("context-table pointer {} lies beyond memory -> fault 09h", spec::hex(e.ctp()));
        add(where);
        continue;
      }
      m_table_pages.try_emplace(e.ctp(), fmt::format("the context table of bus 0x{:02x}", bus));
      context_table(bus, e.ctp());
    }
  }

  void context_table(unsigned bus, uint64_t table) {
    for (unsigned devfn = 0; devfn < 256 && budget(); ++devfn) {
      const uint64_t at = table + devfn * 16;
      spec::context_entry e{*read_entry(at), *read_entry(at + 8)};
      finding where{severity::error, "", "",   "context", int(bus), int(devfn), -1, 0,
                    int(devfn),      at, e.lo, e.hi};
      const spec::context_rule rule = spec::check_context(e, m_caps);
      if (rule == spec::context_rule::not_present) {
        if ((e.lo & ~uint64_t{2}) || e.hi) {  // FPD (bit 1) is meaningful even when P=0
          where.level = severity::warning;
          where.code = "context.nonpresent_bits";
          where.message = "not-present context entry (P=0) has bits other than FPD set";
          add(where);
        }
        continue;
      }
      const unsigned did_bits = m_caps.did_bits;
      if (rule == spec::context_rule::reserved) {
        where.code = "context.reserved";
        where.message = fmt::format(
            "reserved bits set (11:4, 71, 127:88, DID above {} bits, SLPTPTR above HAW): low 0x{:x}, "
            "high 0x{:x} -> fault 0Bh",
            did_bits, e.reserved_lo(m_regs.haw), e.reserved_hi(did_bits));
        add(where);
        continue;
      }
      const auto tt = e.tt();
      if (rule == spec::context_rule::tt_unsupported) {
        where.code = "context.tt_unsupported";
        where.message = fmt::format("TT={:02b}b ({}) is not supported by ECAP (DT={}, PT={}) -> fault 03h",
                                    unsigned(tt), spec::to_string(tt), int(m_caps.dt), int(m_caps.pt));
        add(where);
        continue;
      }
      device_info dev{uint16_t(bus << 8 | devfn), e.fpd(), unsigned(tt), e.aw(), e.did(), e.slptptr()};
      m_out.devices.push_back(dev);
      if (tt == spec::translation_type::pass_through) continue;
      if (rule == spec::context_rule::aw_unsupported) {
        where.code = "context.aw_unsupported";
        where.message =
            fmt::format("AW={:03b}b is not in CAP.SAGAW 0b{:05b} -> fault 03h", e.aw(), m_caps.sagaw);
        add(where);
        continue;
      }
      if (!in_memory(e.slptptr(), 4096)) {
        where.code = "context.slptptr_beyond_memory";
        where.message = fmt::format("SLPTPTR {} lies beyond memory -> fault 03h", spec::hex(e.slptptr()));
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
            e.did(), spec::hex(e.slptptr()), e.aw(), spec::hex(it->second.first), it->second.second);
        add(where);
      }
      m_domain_devices[{e.slptptr(), spec::aw_to_levels(e.aw())}].push_back(dev);
    }
  }

  // One page-table page at `level`: `path` holds the tables above it (cycle detection), `seen` every table of
  // this domain; `read`/`write` are the permissions accumulated above it (ANDed per level as the walker does,
  // spec "Second-Stage Paging Entries").
  void sl_table(uint64_t table, unsigned level, uint64_t base, domain_info& d, std::vector<uint64_t>& path,
                std::set<uint64_t>& seen, int bus, int devfn, bool read, bool write) {
    seen.insert(table);
    if (auto [it, fresh] = m_table_owner.try_emplace(table, d.did); !fresh && it->second != d.did) {
      finding f{
          severity::warning,
          "sl.shared_between_domains",
          fmt::format(
              "page-table page {} is used by domains {} and {} (legal; invalidations must cover both DIDs)",
              spec::hex(table), it->second, d.did),
          "sl",
          bus,
          devfn,
          d.did,
          level};
      f.page = table;
      add(std::move(f));
    }
    m_table_pages.try_emplace(table, fmt::format("a level-{} page-table page of domain {}", level, d.did));
    ++d.table_pages;
    path.push_back(table);
    for (unsigned i = 0; i < 512; ++i) {
      if (!budget()) break;
      const uint64_t at = table + i * 8;
      const spec::sl_entry e{*read_entry(at)};
      const uint64_t iova = base + (uint64_t(i) << spec::level_shift(level));
      finding where{severity::error, "", "", "sl", bus, devfn, int(d.did), level, int(i), at, e.raw, 0};
      const spec::sl_rule rule = spec::check_sl(e, level, m_sl);
      if (rule == spec::sl_rule::not_present) {
        if (e.raw) {
          where.level = severity::warning;
          where.code = "sl.nonpresent_bits";
          where.message =
              fmt::format("not-present entry (R=W=0) for IOVA {} has other bits set", spec::hex(iova));
          add(where);
        }
        continue;
      }
      if (rule == spec::sl_rule::reserved) {
        const uint64_t rsv = e.reserved_bits(level, m_sl);
        const bool ps_only = rsv == (uint64_t{1} << 7) && (level == 2 || level == 3);
        where.code = ps_only ? "sl.superpage_not_supported" : "sl.reserved";
        where.message =
            ps_only ? fmt::format("PS=1 at level {} but CAP.SLLPS does not allow {} pages -> fault 0Ch",
                                  level, level == 2 ? "2 MiB" : "1 GiB")
                    : fmt::format("reserved bits 0x{:x} set (IOVA {}) -> fault 0Ch", rsv, spec::hex(iova));
        add(where);
        continue;
      }
      if (e.w() && !e.r()) {
        where.level = severity::warning;
        where.code = "sl.write_only";
        where.message =
            fmt::format("W=1 without R at IOVA {}: legal, but devices rarely write what they may not read",
                        spec::hex(iova));
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
              spec::hex(iova));
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
        add_range(d, mapped_range{iova, hpa, size, size, read && e.r(), write && e.w()});
        continue;
      }
      const uint64_t next = e.address(level);
      if (!in_memory(next, 4096)) {
        where.code = "sl.table_beyond_memory";
        where.message = fmt::format("next-table address {} lies beyond memory -> fault 07h", spec::hex(next));
        add(where);
        continue;
      }
      // The entry that closes a loop is what must change: name it, not the page it points back to.
      if (auto on_path = std::find(path.begin(), path.end(), next); on_path != path.end()) {
        where.code = "sl.cycle";
        where.page = next;
        where.message = fmt::format(
            "entry for IOVA {} points back to page-table page {}, which this walk already uses at level {}: "
            "a cycle (the page would be read as two levels)",
            spec::hex(iova), spec::hex(next), d.levels - unsigned(on_path - path.begin()));
        add(where);
        continue;
      }
      if (seen.count(next)) {
        where.level = severity::warning;
        where.code = "sl.table_reused";
        where.page = next;
        where.message = fmt::format(
            "entry for IOVA {} points to page-table page {}, which another entry of domain {} reaches too "
            "(legal, but changing it changes every IOVA range that reaches it)",
            spec::hex(iova), spec::hex(next), d.did);
        add(where);
        continue;
      }
      sl_table(next, level - 1, iova, d, path, seen, bus, devfn, read && e.r(), write && e.w());
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
      sl_table(d.root, d.levels, 0, d, path, seen, devs.front().sid >> 8, devs.front().sid & 0xFF, true,
               true);
      m_out.domains.push_back(std::move(d));
    }
  }

  // IRTA_REG (IRTA, EIME, S): reserved bits, EIME without ECAP.EIM and base bits above HAW are reported; the
  // table is then checked the way the hardware uses the register (spec::reg::irta_implemented, shared with
  // the register file).
  void interrupt_table() {
    const uint64_t v = *m_regs.irta;
    const uint64_t used = v & spec::reg::irta_implemented(m_regs.haw, m_caps.eim);
    const uint64_t base = spec::reg::irta_base(used);
    const bool eime = spec::reg::irta_eime(used);
    m_out.irta_eime = eime;
    const uint32_t entries = spec::reg::irta_entries(used);
    if (const uint64_t rsv = spec::reg::irta_reserved(v))
      add({severity::error, "irta.reserved",
           fmt::format("IRTA {} has reserved bits 10:4 set: 0x{:x} (the hardware ignores them)", spec::hex(v),
                       rsv),
           "irta"});
    if (const uint64_t high = spec::reg::irta_above_haw(v, m_regs.haw))
      add({severity::error, "irta.reserved",
           fmt::format(
               "IRTA {} has base bits above the host address width ({} bits) set: 0x{:x}; the hardware "
               "ignores them, so the table is read at {} (checked there)",
               spec::hex(v), m_regs.haw, high, spec::hex(base)),
           "irta"});
    if (spec::reg::irta_eime(v) && !m_caps.eim)
      add({severity::error, "irta.eime_unsupported",
           fmt::format(
               "IRTA {}: EIME=1 (x2APIC mode) but ECAP.EIM=0; the hardware ignores EIME and reads the "
               "entries in xAPIC mode",
               spec::hex(v)),
           "irta"});
    const uint64_t bytes = uint64_t(entries) * 16;
    if (above_haw(base + bytes - 1)) {
      add({severity::error, "irta.beyond_memory",
           fmt::format(
               "interrupt remapping table {} ({} entries) reaches above the host address width ({} bits) "
               "-> fault 21h for the entries there",
               spec::hex(base), entries, m_regs.haw),
           "irta"});
      return;
    }
    if (!in_memory(base, bytes)) {
      add({severity::error, "irta.beyond_memory",
           fmt::format("interrupt remapping table {} ({} entries) lies beyond memory -> fault 23h",
                       spec::hex(base), entries),
           "irta"});
      return;
    }
    for (uint64_t page = base; page < base + bytes; page += 4096)
      m_table_pages.try_emplace(page,
                                fmt::format("the interrupt remapping table (IRTEs {}-{})", (page - base) / 16,
                                            std::min<uint64_t>(entries, (page - base) / 16 + 256) - 1));
    for (uint32_t i = 0; i < entries && budget(); ++i) {
      const uint64_t at = base + uint64_t(i) * 16;
      const spec::irte e{*read_entry(at), *read_entry(at + 8)};
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
      // The format rules the remapper applies (spec::check_irte), each reported.
      const unsigned v = spec::check_irte(e, m_caps, eime);
      if (v & spec::irte_svt_reserved) {
        where.code = "irte.svt_reserved";
        where.message = "SVT=11b is reserved -> fault 24h";
        add(where);
      }
      if (v & spec::irte_posted_unsupported) {
        where.code = "irte.posted_unsupported";
        where.message = "IM=1 (posted format) but CAP.PI=0 -> fault 24h";
        add(where);
      }
      if (v & spec::irte_posted_reserved) {
        where.code = "irte.reserved";
        where.message = "reserved bits set in a posted-format IRTE -> fault 24h";
        add(where);
      }
      if (v & spec::irte_destination) {
        where.code = "irte.destination";
        where.message =
            fmt::format("destination 0x{:x} is not valid in xAPIC mode (EIME=0: only DST[15:8]) -> fault 24h",
                        e.dst_raw());
        add(where);
      }
      if (v & spec::irte_reserved) {
        where.code = "irte.reserved";
        where.message = fmt::format("reserved bits set: low 0x{:x}, high 0x{:x} -> fault 24h",
                                    e.reserved_lo_remapped(eime), e.reserved_hi());
        add(where);
      }
      if (v & spec::irte_delivery_mode) {
        where.code = "irte.delivery_mode";
        where.message = fmt::format("delivery mode {:03b}b is reserved -> fault 24h", e.dlm());
        add(where);
      }
    }
  }

  // The leaf entry that maps `iova` in domain `d` (the walk already succeeded for it).
  struct leaf_ref {
    uint64_t at = 0, raw = 0;
    unsigned level = 1, index = 0;
  };
  leaf_ref leaf_of(const domain_info& d, uint64_t iova) const {
    uint64_t table = d.root;
    for (unsigned level = d.levels; level > 1; --level) {
      const uint64_t at = table + spec::level_index(iova, level) * 8;
      const spec::sl_entry e{read_entry(at).value_or(0)};
      if (e.is_leaf(level)) return {at, e.raw, level, spec::level_index(iova, level)};
      table = e.address(level);
    }
    const uint64_t at = table + spec::level_index(iova, 1) * 8;
    return {at, read_entry(at).value_or(0), 1, spec::level_index(iova, 1)};
  }

  // A domain whose mappings let its devices write a page the remapping hardware reads as a table (its own or
  // another domain's page tables, a context table, the root table, the IRT) can rewrite translations or
  // interrupts behind software's back. One warning per (domain, page), at the leaf entry that maps it.
  void writable_tables() {
    constexpr unsigned kPerDomain = 32;
    for (const auto& d : m_out.domains) {
      const int bus = d.devices.front() >> 8, devfn = d.devices.front() & 0xFF;
      std::string devices;
      for (auto sid : d.devices) devices += (devices.empty() ? "" : ", ") + spec::format_bdf(sid);
      unsigned reported = 0;
      uint64_t more = 0;
      for (const auto& r : d.ranges) {
        if (!r.write) continue;
        for (auto it = m_table_pages.lower_bound(r.hpa);
             it != m_table_pages.end() && it->first < r.hpa + r.size; ++it) {
          const uint64_t iova = r.iova + (it->first - r.hpa);
          // Untranslated DMA writes to 0xFEEx_xxxx are interrupt requests (spec 3.15), never memory writes.
          if (spec::in_interrupt_range(iova)) continue;
          if (reported == kPerDomain) {
            ++more;
            continue;
          }
          ++reported;
          const leaf_ref leaf = leaf_of(d, iova);
          finding f{severity::warning,
                    "sl.writable_table",
                    fmt::format("device {} (domain {}) can DMA-write {} at HPA {} through IOVA {}: it could "
                                "rewrite what the remapping hardware reads",
                                devices, d.did, it->second, spec::hex(it->first), spec::hex(iova)),
                    "sl",
                    bus,
                    devfn,
                    int(d.did),
                    leaf.level,
                    int(leaf.index),
                    leaf.at,
                    leaf.raw,
                    0};
          f.page = it->first;
          add(std::move(f));
        }
      }
      if (more)
        add({severity::warning, "sl.writable_table",
             fmt::format("device {} (domain {}) can DMA-write {} more table pages (not listed)", devices,
                         d.did, more),
             "sl", bus, devfn, int(d.did)});
    }
  }

  const core::physical_memory& m_mem;
  const check_registers& m_regs;
  const check_limits& m_lim;
  check_report& m_out;
  const spec::caps m_caps;  // CAP / ECAP decoded once
  const spec::sl_check_config m_sl;
  std::map<uint16_t, std::pair<uint64_t, unsigned>> m_dids;
  std::map<std::pair<uint64_t, unsigned>, std::vector<device_info>> m_domain_devices;
  std::map<uint64_t, uint16_t> m_table_owner;
  std::map<uint64_t, std::string> m_table_pages;  // every table page the hardware reads -> what it is
};

}  // namespace

check_report check_tables(const core::physical_memory& mem, const check_registers& regs,
                          const check_limits& lim) {
  check_report r;
  walker(mem, regs, lim, r).run();
  return r;
}

}  // namespace vtd::tables
