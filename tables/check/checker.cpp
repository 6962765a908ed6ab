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
#include "tables/check/sm_walk.hpp"

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

const char* to_string(translation_stage s) {
  switch (s) {
    case translation_stage::first:
      return "first";
    case translation_stage::second:
      return "second";
    case translation_stage::nested:
      return "nested";
    case translation_stage::pass_through:
      return "pass_through";
  }
  return "pass_through";
}

std::optional<translation_stage> pasid_info::stage() const {
  switch (static_cast<spec::pgtt>(pgtt)) {
    case spec::pgtt::first_stage:
      return translation_stage::first;
    case spec::pgtt::second_stage:
      return translation_stage::second;
    case spec::pgtt::nested:
      return translation_stage::nested;
    case spec::pgtt::pass_through:
      return translation_stage::pass_through;
    case spec::pgtt::reserved0:
      return std::nullopt;
  }
  return std::nullopt;  // 101b-111b
}

namespace detail {

std::string fault_text(spec::fault_reason r) {
  return fmt::format("{:02X}h", unsigned(r));
}

table_walk::table_walk(const core::physical_memory& mem, const check_registers& regs, const check_limits& lim,
                       check_report& out)
    : m_mem(mem),
      m_regs(regs),
      m_lim(lim),
      m_out(out),
      m_caps(spec::caps::decode(0x10, regs.cap, regs.ecap, regs.haw)),
      m_sl(m_caps.sl_check()) {}

bool table_walk::budget() {
  if (++m_out.entries_examined <= m_lim.max_entries) return true;
  if (!m_out.truncated) {
    m_out.truncated = true;
    add({severity::error, "check.limit",
         fmt::format("stopped after examining {} entries (work limit)", m_lim.max_entries), "check"});
  }
  return false;
}

void table_walk::add(finding f) {
  if (m_out.findings.size() < m_lim.max_findings) m_out.findings.push_back(std::move(f));
}

std::optional<uint16_t> table_walk::claim_paging_page(uint64_t page, uint16_t did) {
  auto [it, fresh] = m_table_owner.try_emplace(page, did);
  if (!fresh && it->second != did) return it->second;
  return std::nullopt;
}

void table_walk::walk_sl(domain_info& d, int bus, int devfn, const sl_walk_mode& mode) {
  std::vector<uint64_t> path;
  std::set<uint64_t> seen;
  sl_table(d.root, d.levels, 0, d, path, seen, bus, devfn, true, true, mode);
}

// One page-table page at `level`: `path` holds the tables above it (cycle detection), `seen` every table of
// this domain; `read`/`write` are the permissions accumulated above it (ANDed per level as the walker does,
// spec "Second-Stage Paging Entries").
void table_walk::sl_table(uint64_t table, unsigned level, uint64_t base, domain_info& d,
                          std::vector<uint64_t>& path, std::set<uint64_t>& seen, int bus, int devfn,
                          bool read, bool write, const sl_walk_mode& mode) {
  seen.insert(table);
  if (const auto other = claim_paging_page(table, d.did)) {
    finding f{
        severity::warning,
        "sl.shared_between_domains",
        fmt::format(
            "page-table page {} is used by domains {} and {} (legal; invalidations must cover both DIDs)",
            spec::hex(table), *other, d.did),
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
    const spec::sl_entry e{read64(at)};
    const uint64_t iova = base + (uint64_t(i) << spec::level_shift(level));
    const char* in = mode.gpa_input ? "GPA" : "IOVA";
    finding where{severity::error, "", "", "sl", bus, devfn, int(d.did), level, int(i), at, e.raw, 0};
    const spec::sl_rule rule = spec::check_sl(e, level, m_sl);
    if (rule == spec::sl_rule::not_present) {
      if (e.raw) {
        where.level = severity::warning;
        where.code = "sl.nonpresent_bits";
        where.message =
            fmt::format("not-present entry (R=W=0) for {} {} has other bits set", in, spec::hex(iova));
        add(where);
      }
      continue;
    }
    if (rule == spec::sl_rule::reserved) {
      const std::string fault = fault_text(mode.scalable ? spec::fault_reason::ss_entry_reserved
                                                         : spec::fault_reason::sl_entry_reserved);
      const uint64_t rsv = e.reserved_bits(level, m_sl);
      const bool ps_only = rsv == (uint64_t{1} << 7) && (level == 2 || level == 3);
      where.code = ps_only ? "sl.superpage_not_supported" : "sl.reserved";
      where.message =
          ps_only
              ? fmt::format("PS=1 at level {} but CAP.SLLPS does not allow {} pages -> fault {}", level,
                            level == 2 ? "2 MiB" : "1 GiB", fault)
              : fmt::format("reserved bits 0x{:x} set ({} {}) -> fault {}", rsv, in, spec::hex(iova), fault);
      add(where);
      continue;
    }
    if (e.w() && !e.r()) {
      where.level = severity::warning;
      where.code = "sl.write_only";
      where.message =
          fmt::format("W=1 without R at {} {}: legal, but devices rarely write what they may not read", in,
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
            "{} {} maps onto the interrupt address range 0xFEE00000-0xFEEFFFFF: DMA there "
            "faults ({})",
            in, spec::hex(iova),
            fault_text(mode.scalable ? spec::fault_reason::sm_interrupt_range_output
                                     : spec::fault_reason::interrupt_range_output));
        add(where);
      }
      // Only requests without PASID to these addresses are interrupt requests (spec 3.15); in scalable mode
      // they reach the tables through RID_PASID.
      const bool dma_input = !mode.scalable || (!mode.gpa_input && mode.without_pasid);
      if (dma_input && iova <= spec::kInterruptRangeLast && iova + size > spec::kInterruptRangeBase) {
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
      where.message = fmt::format("next-table address {} lies beyond memory -> fault {}", spec::hex(next),
                                  fault_text(mode.scalable ? spec::fault_reason::ss_table_read_error
                                                           : spec::fault_reason::sl_table_read_error));
      add(where);
      continue;
    }
    // The entry that closes a loop is what must change: name it, not the page it points back to.
    if (auto on_path = std::find(path.begin(), path.end(), next); on_path != path.end()) {
      where.code = "sl.cycle";
      where.page = next;
      where.message = fmt::format(
          "entry for {} {} points back to page-table page {}, which this walk already uses at level {}: "
          "a cycle (the page would be read as two levels)",
          in, spec::hex(iova), spec::hex(next), d.levels - unsigned(on_path - path.begin()));
      add(where);
      continue;
    }
    if (seen.count(next)) {
      where.level = severity::warning;
      where.code = "sl.table_reused";
      where.page = next;
      where.message = fmt::format(
          "entry for {} {} points to page-table page {}, which another entry of domain {} reaches too "
          "(legal, but changing it changes every {} range that reaches it)",
          in, spec::hex(iova), spec::hex(next), d.did, in);
      add(where);
      continue;
    }
    sl_table(next, level - 1, iova, d, path, seen, bus, devfn, read && e.r(), write && e.w(), mode);
  }
  path.pop_back();
}

void table_walk::add_range(domain_info& d, const mapped_range& r) {
  d.mapped_bytes += r.size;
  if (!d.ranges.empty()) {
    auto& last = d.ranges.back();
    const bool nested = d.scalable && d.stage == translation_stage::nested;
    if (last.iova + last.size == r.iova && last.hpa + last.size == r.hpa && last.read == r.read &&
        last.write == r.write && last.page_size == r.page_size && last.user == r.user &&
        last.execute_disable == r.execute_disable &&
        (!nested || (last.gpa + last.size == r.gpa && last.ss_page_size == r.ss_page_size))) {
      last.size += r.size;
      return;
    }
  }
  d.ranges.push_back(r);
}

leaf_ref table_walk::sl_leaf_of(uint64_t root, unsigned levels, uint64_t iova) const {
  uint64_t table = root;
  for (unsigned level = levels; level > 1; --level) {
    const uint64_t at = table + spec::level_index(iova, level) * 8;
    const spec::sl_entry e{read64(at)};
    if (e.is_leaf(level)) return {at, e.raw, level, spec::level_index(iova, level)};
    table = e.address(level);
  }
  const uint64_t at = table + spec::level_index(iova, 1) * 8;
  return {at, read64(at), 1, spec::level_index(iova, 1)};
}

// A domain whose mappings let its devices write a page the remapping hardware reads as a table (its own or
// another domain's page tables, a context table, the root table, the IRT; in scalable mode also PASID
// directories and tables) can rewrite translations or interrupts behind software's back. One warning per
// (domain, page), at the leaf entry that maps it: the first-stage leaf for first-stage and nested domains.
void table_walk::writable_tables() {
  constexpr unsigned kPerDomain = 32;
  for (const auto& d : m_out.domains) {
    const bool fs = d.scalable && d.stage != translation_stage::second;
    const char* structure = fs ? "fs" : "sl";
    const char* code = fs ? "fs.writable_table" : "sl.writable_table";
    const int bus = d.devices.front() >> 8, devfn = d.devices.front() & 0xFF;
    std::string devices;
    for (size_t i = 0; i < d.devices.size(); ++i) {
      devices += (devices.empty() ? "" : ", ") + spec::format_bdf(d.devices[i]);
      if (d.scalable && i < d.pasids.size()) devices += fmt::format(" PASID {}", d.pasids[i]);
    }
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
        const leaf_ref leaf = fs ? fs_leaf_of(*this, d, iova) : sl_leaf_of(d.root, d.levels, iova);
        finding f{severity::warning,
                  code,
                  fmt::format("device {} (domain {}) can DMA-write {} at HPA {} through IOVA {}: it could "
                              "rewrite what the remapping hardware reads",
                              devices, d.did, it->second, spec::hex(it->first), spec::hex(iova)),
                  structure,
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
      add({severity::warning, code,
           fmt::format("device {} (domain {}) can DMA-write {} more table pages (not listed)", devices, d.did,
                       more),
           structure, bus, devfn, int(d.did)});
  }
}

}  // namespace detail

namespace {

// The legacy-mode walk (root, context, second-stage tables) and the interrupt remapping table; scalable mode
// continues in detail::check_scalable.
class walker : public detail::table_walk {
 public:
  using table_walk::table_walk;

  void run() {
    if (m_regs.has_rtaddr) root_table();
    if (m_regs.irta) interrupt_table();
    domains();
    writable_tables();
  }

 private:
  uint64_t above_haw(uint64_t addr) const { return m_regs.haw < 64 ? addr >> m_regs.haw : 0; }

  // Why a TTM value is not a mode this unit translates in (empty for legacy and supported scalable mode).
  std::string ttm_problem(spec::reg::ttm ttm) const {
    switch (ttm) {
      case spec::reg::ttm::legacy:
        return {};
      case spec::reg::ttm::scalable:
        return m_caps.smts ? std::string() : "scalable mode but ECAP.SMTS=0 -> fault 30h on every DMA";
      case spec::reg::ttm::reserved:
        return "reserved -> fault 30h on every DMA";
      case spec::reg::ttm::abort_dma:
        return m_caps.adms ? "abort-DMA mode: every DMA is blocked (fault 33h)"
                           : "abort-DMA mode but ECAP.ADMS=0 -> fault 30h on every DMA";
    }
    return {};
  }

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
    // TTM (RTA.1.x, fault 30h): 01b is scalable mode when ECAP.SMTS says so; any other non-legacy value
    // blocks every DMA, and the tables are then checked as legacy ones (what software most likely meant).
    const spec::reg::ttm ttm = spec::reg::rtaddr_ttm(used);
    const bool scalable = ttm == spec::reg::ttm::scalable && m_caps.smts;
    if (const std::string why = ttm_problem(ttm); !why.empty())
      add({severity::error, "rtaddr.ttm",
           fmt::format("RTADDR.TTM={:02b}b: {}; the tables are checked as legacy-mode tables", unsigned(ttm),
                       why),
           "rtaddr"});
    if (!in_memory(rta, 4096)) {
      add({severity::error, "rtaddr.beyond_memory",
           fmt::format("root table {} lies beyond memory (size {}) -> fault {}", spec::hex(rta),
                       spec::hex(m_mem.size()),
                       detail::fault_text(scalable ? spec::fault_reason::sm_root_read_error
                                                   : spec::fault_reason::root_read_error)),
           "rtaddr"});
      return;
    }
    m_table_pages.try_emplace(rta, "the root table");
    if (scalable) {
      m_out.scalable = true;
      detail::check_scalable(*this, rta);
      return;
    }
    for (unsigned bus = 0; bus < 256 && budget(); ++bus) {
      const uint64_t at = rta + bus * 16;
      spec::root_entry e{read64(at), read64(at + 8)};
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
      spec::context_entry e{read64(at), read64(at + 8)};
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

  void domains() {
    for (auto& [key, devs] : m_domain_devices) {
      domain_info d;
      d.did = devs.front().did;
      d.root = key.first;
      d.levels = key.second;
      for (const auto& dev : devs) d.devices.push_back(dev.sid);
      walk_sl(d, devs.front().sid >> 8, devs.front().sid & 0xFF, detail::sl_walk_mode{});
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
      const spec::irte e{read64(at), read64(at + 8)};
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

  std::map<uint16_t, std::pair<uint64_t, unsigned>> m_dids;
  std::map<std::pair<uint64_t, unsigned>, std::vector<device_info>> m_domain_devices;
};

}  // namespace

check_report check_tables(const core::physical_memory& mem, const check_registers& regs,
                          const check_limits& lim) {
  check_report r;
  walker(mem, regs, lim, r).run();
  return r;
}

}  // namespace vtd::tables
