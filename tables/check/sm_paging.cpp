// First-stage and nested domains of the scalable-mode table checker (spec 9.7 first-stage paging entries,
// IA-32e format; spec 3.8 nested translation). A first-stage walk reads FLPTPTR and every next-table address
// as host-physical; a nested one treats each of them, and every output, as a GPA that the PASID-table entry's
// second stage translates (read permission for table reads: SFS.6 75h for the top table, SFS.7 76h below,
// SFS.5 74h for a GPA beyond the second stage's input width). The walk is bounded like the legacy one: every
// table page once per domain, cycles and reuse reported.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

#include "model/spec/context_entry.hpp"
#include "model/spec/entry_rules.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/text.hpp"
#include "tables/check/sm_walk.hpp"

namespace vtd::tables::detail {
namespace {

using spec::overlaps_interrupt_range;

// How translating one GPA through a nested domain's second stage ends (the hardware's walk, spec 9.8 rules).
struct ss_lookup {
  enum class end : uint8_t { leaf, beyond_width, not_present, reserved, beyond_memory };
  end how = end::not_present;
  uint64_t hpa = 0, page_size = 0;
  // When not mapped: the naturally aligned block around the GPA that shares the outcome (the span of the
  // entry or table that ended the walk), so a caller can step over it.
  uint64_t span = 4096;
  bool read = false, write = false;
};

unsigned ss_width(const table_walk& w, const domain_info& d) {
  return std::min(w.caps().mgaw, spec::aw_to_agaw(d.ss_levels - 2));
}

ss_lookup ss_translate(const table_walk& w, const domain_info& d, uint64_t gpa) {
  ss_lookup r;
  if (const unsigned width = ss_width(w, d); width < 64 && (gpa >> width) != 0) {
    r.how = ss_lookup::end::beyond_width;
    r.span = uint64_t{1} << 63;
    return r;
  }
  uint64_t table = d.ss_root;
  bool read = true, write = true;
  for (unsigned level = d.ss_levels; level > 0; --level) {
    if (!w.in_memory(table, 4096)) {
      r.how = ss_lookup::end::beyond_memory;
      r.span = spec::level_page_size(level) * 512;
      return r;
    }
    const spec::sl_entry e{w.read64(table + spec::level_index(gpa, level) * 8)};
    r.span = spec::level_page_size(level);
    switch (spec::check_sl(e, level, w.sl_config())) {
      case spec::sl_rule::not_present:
        r.how = ss_lookup::end::not_present;
        return r;
      case spec::sl_rule::reserved:
        r.how = ss_lookup::end::reserved;
        return r;
      case spec::sl_rule::ok:
        break;
    }
    read = read && e.r();
    write = write && e.w();
    if (!read && !write) {  // SSS.2: R and W both 0 cumulatively
      r.how = ss_lookup::end::not_present;
      return r;
    }
    if (e.is_leaf(level)) {
      r.how = ss_lookup::end::leaf;
      r.page_size = spec::level_page_size(level);
      r.hpa = e.address(level) | (gpa & (r.page_size - 1));
      r.read = read;
      r.write = write;
      return r;
    }
    table = e.address(level);
  }
  return r;
}

// Why a GPA cannot be read through the second stage, and the fault the hardware reports for it.
std::string ss_problem(const ss_lookup& s, spec::fault_reason unmapped) {
  switch (s.how) {
    case ss_lookup::end::leaf:
      return fmt::format("is mapped without read permission -> fault {}", fault_text(unmapped));
    case ss_lookup::end::beyond_width:
      return fmt::format("is beyond the second stage's input width -> fault {}",
                         fault_text(spec::fault_reason::fs_address_beyond_width));
    case ss_lookup::end::not_present:
      return fmt::format("is not mapped by the second stage -> fault {}", fault_text(unmapped));
    case ss_lookup::end::reserved:
      return fmt::format("is mapped by a second-stage entry with reserved bits -> fault {}",
                         fault_text(spec::fault_reason::ss_entry_reserved));
    case ss_lookup::end::beyond_memory:
      return fmt::format("needs a second-stage table beyond memory -> fault {}",
                         fault_text(spec::fault_reason::ss_table_read_error));
  }
  return {};
}

class fs_walker {
 public:
  fs_walker(table_walk& w, domain_info& d, bool without_pasid)
      : m_w(w),
        m_d(d),
        m_cfg(w.caps().fs_check()),
        m_nested(d.stage == translation_stage::nested),
        m_without_pasid(without_pasid),
        m_bus(d.devices.front() >> 8),
        m_devfn(d.devices.front() & 0xFF) {}

  void run(const finding& top) {
    uint64_t hpa = m_d.root;
    if (m_nested) {
      const ss_lookup s = ss_translate(m_w, m_d, m_d.root);
      if (s.how != ss_lookup::end::leaf || !s.read) {
        finding f = top;
        f.level = severity::error;
        f.code = "pasid.flptptr_gpa_unmapped";
        f.message =
            fmt::format("nested FLPTPTR {} (the GPA of the first-stage top table) {}", spec::hex(m_d.root),
                        ss_problem(s, spec::fault_reason::fs_top_ss_read_denied));
        m_w.add(std::move(f));
        return;
      }
      hpa = s.hpa;
    }
    if (!m_w.in_memory(hpa, 4096)) {  // only reachable when nested: a first-stage FLPTPTR is checked earlier
      finding f = top;
      f.level = severity::error;
      f.code = "pasid.flptptr_beyond_memory";
      f.message =
          fmt::format("nested FLPTPTR {} is translated to HPA {}, beyond memory -> fault {}",
                      spec::hex(m_d.root), spec::hex(hpa), fault_text(spec::fault_reason::fs_top_read_error));
      m_w.add(std::move(f));
      return;
    }
    table(hpa, m_d.levels, 0, true, true, false);
  }

 private:
  // One first-stage table page (host-physical `hpa`) at `level`; `rw`/`us` are ANDed and `xd` ORed down the
  // walk (spec 9.7: the rights are the combination of every level).
  void table(uint64_t hpa, unsigned level, uint64_t base, bool rw, bool us, bool xd) {
    m_seen.insert(hpa);
    if (const auto other = m_w.claim_paging_page(hpa, m_d.did)) {
      finding f;
      f.level = severity::warning;
      f.code = "fs.shared_between_domains";
      f.message = fmt::format(
          "first-stage table page {} is used by domains {} and {} (legal; invalidations must cover both "
          "DIDs)",
          spec::hex(hpa), *other, m_d.did);
      f.structure = "fs";
      f.bus = m_bus;
      f.devfn = m_devfn;
      f.domain = m_d.did;
      f.paging_level = level;
      f.page = hpa;
      m_w.add(std::move(f));
    }
    m_w.note_table_page(hpa, fmt::format("a level-{} first-stage table page of domain {}", level, m_d.did));
    ++m_d.table_pages;
    m_path.push_back(hpa);
    for (unsigned i = 0; i < 512; ++i) {
      if (!m_w.budget()) break;
      const uint64_t at = hpa + i * 8;
      const spec::fs_entry e{m_w.read64(at)};
      uint64_t iova = base + (uint64_t(i) << spec::level_shift(level));
      if (level == m_d.levels) iova = spec::canonical_form(iova, m_d.levels);
      finding where;
      where.structure = "fs";
      where.bus = m_bus;
      where.devfn = m_devfn;
      where.domain = m_d.did;
      where.paging_level = level;
      where.index = int(i);
      where.entry_address = at;
      where.raw_lo = e.raw;
      switch (spec::check_fs(e, level, m_cfg)) {
        case spec::fs_rule::not_present:
          // P=0: every other bit is available to software in IA-32e paging (CPU page tables shared with a
          // device keep swap entries there), so nothing else is checked.
          continue;
        case spec::fs_rule::reserved:
          reserved(where, e, level, iova);
          continue;
        case spec::fs_rule::ok:
          break;
      }
      const bool rw2 = rw && e.rw(), us2 = us && e.us(), xd2 = xd || e.xd();
      if (e.is_leaf(level)) {
        leaf(where, e, level, iova, rw2, us2, xd2);
        continue;
      }
      const uint64_t next = e.address(level);
      uint64_t next_hpa = next;
      if (m_nested && !resolve_table(where, next, iova, next_hpa)) continue;
      if (!m_w.in_memory(next_hpa, 4096)) {
        where.code = "fs.table_beyond_memory";
        where.message =
            m_nested ? fmt::format("next-table GPA {} is translated to HPA {}, beyond memory -> fault {}",
                                   spec::hex(next), spec::hex(next_hpa),
                                   fault_text(spec::fault_reason::fs_table_read_error))
                     : fmt::format("next-table address {} lies beyond memory -> fault {}", spec::hex(next),
                                   fault_text(spec::fault_reason::fs_table_read_error));
        m_w.add(where);
        continue;
      }
      // The entry that closes a loop is what must change: name it, not the page it points back to.
      if (auto on_path = std::find(m_path.begin(), m_path.end(), next_hpa); on_path != m_path.end()) {
        where.code = "fs.cycle";
        where.page = next_hpa;
        where.message = fmt::format(
            "entry for IOVA {} points back to first-stage table page {}, which this walk already uses at "
            "level "
            "{}: a cycle (the page would be read as two levels)",
            spec::hex(iova), spec::hex(next_hpa), m_d.levels - unsigned(on_path - m_path.begin()));
        m_w.add(where);
        continue;
      }
      if (m_seen.count(next_hpa)) {
        where.level = severity::warning;
        where.code = "fs.table_reused";
        where.page = next_hpa;
        where.message = fmt::format(
            "entry for IOVA {} points to first-stage table page {}, which another entry of domain {} reaches "
            "too (legal, but changing it changes every IOVA range that reaches it)",
            spec::hex(iova), spec::hex(next_hpa), m_d.did);
        m_w.add(where);
        continue;
      }
      table(next_hpa, level - 1, iova, rw2, us2, xd2);
    }
    m_path.pop_back();
  }

  void reserved(finding& where, const spec::fs_entry& e, unsigned level, uint64_t iova) {
    const uint64_t rsv = e.reserved_bits(level, m_cfg);
    const uint64_t ps = spec::fs_fields::PS.place(1);
    const std::string fault = fault_text(spec::fault_reason::fs_entry_reserved);
    if (level == 3 && rsv == ps) {
      where.code = "fs.superpage_not_supported";
      where.message = fmt::format("PS=1 in a PDPE (1 GiB page at IOVA {}) but CAP.FS1GP=0 -> fault {}",
                                  spec::hex(iova), fault);
    } else {
      where.code = "fs.reserved";
      where.message = fmt::format("reserved bits 0x{:x} set (IOVA {}){} -> fault {}", rsv, spec::hex(iova),
                                  level >= 4 && (rsv & ps) ? ": PS is reserved in a PML4E/PML5E" : "", fault);
    }
    m_w.add(where);
  }

  // A nested next-table GPA through the second stage (SFS.5 74h, SFS.7 76h).
  bool resolve_table(finding& where, uint64_t gpa, uint64_t iova, uint64_t& hpa) {
    const ss_lookup s = ss_translate(m_w, m_d, gpa);
    if (s.how == ss_lookup::end::leaf && s.read) {
      hpa = s.hpa;
      return true;
    }
    where.code = s.how == ss_lookup::end::beyond_width ? "fs.gpa_beyond_width" : "fs.table_gpa_unmapped";
    where.message = fmt::format("next-table GPA {} (IOVA {}) {}", spec::hex(gpa), spec::hex(iova),
                                ss_problem(s, spec::fault_reason::fs_ss_read_denied));
    m_w.add(where);
    return false;
  }

  void leaf(finding& where, const spec::fs_entry& e, unsigned level, uint64_t iova, bool rw, bool us,
            bool xd) {
    const uint64_t size = spec::level_page_size(level);
    const uint64_t out = e.address(level);
    if (m_without_pasid && overlaps_interrupt_range(iova, size)) {
      finding f = where;
      f.level = severity::warning;
      f.code = "fs.iova_in_interrupt_range";
      f.message =
          "a mapping covers IOVAs 0xFEE00000-0xFEEFFFFF: DMA writes without PASID there are interrupt "
          "requests, "
          "never translated";
      m_w.add(std::move(f));
    }
    if (!m_nested) {
      if (overlaps_interrupt_range(out, size)) {
        finding f = where;
        f.level = severity::warning;
        f.code = "fs.maps_interrupt_range";
        f.message = fmt::format(
            "IOVA {} maps onto the interrupt address range 0xFEE00000-0xFEEFFFFF: DMA there faults ({})",
            spec::hex(iova), fault_text(spec::fault_reason::sm_interrupt_range_output));
        m_w.add(std::move(f));
      }
      table_walk::add_range(m_d, mapped_range{iova, out, size, size, true, rw, us, xd, 0, 0});
      return;
    }
    if (const unsigned width = ss_width(m_w, m_d); width < 64 && ((out + size - 1) >> width) != 0) {
      where.code = "fs.gpa_beyond_width";
      where.message = fmt::format(
          "IOVA {} maps to GPA {}, beyond the second stage's input width 2^{} -> fault {}", spec::hex(iova),
          spec::hex(out), width, fault_text(spec::fault_reason::fs_address_beyond_width));
      m_w.add(where);
      return;
    }
    // IOVA -> GPA -> HPA, split where the second stage's pages end.
    uint64_t off = 0, unmapped = 0, first_unmapped = 0;
    ss_lookup why;
    while (off < size && m_w.budget()) {
      const uint64_t gpa = out + off;
      const ss_lookup s = ss_translate(m_w, m_d, gpa);
      if (s.how == ss_lookup::end::leaf) {
        const uint64_t n = std::min(size - off, s.page_size - (gpa & (s.page_size - 1)));
        table_walk::add_range(
            m_d, mapped_range{iova + off, s.hpa, n, size, s.read, rw && s.write, us, xd, gpa, s.page_size});
        off += n;
        continue;
      }
      const uint64_t n = std::min(size - off, s.span - (gpa & (s.span - 1)));
      if (!unmapped) {
        first_unmapped = gpa;
        why = s;
      }
      unmapped += n;
      off += n;
    }
    if (unmapped) {
      where.level = severity::warning;
      where.code = "fs.output_gpa_unmapped";
      where.message = fmt::format(
          "IOVA {} maps to GPA {} ({} page), but {} bytes of it from GPA {} cannot be used: the GPA {}",
          spec::hex(iova), spec::hex(out),
          size >> 10 >= 1024 ? fmt::format("{} MiB", size >> 20) : fmt::format("{} KiB", size >> 10),
          unmapped, spec::hex(first_unmapped), ss_problem(why, spec::fault_reason::ss_entry_not_present));
      m_w.add(where);
    }
  }

  table_walk& m_w;
  domain_info& m_d;
  const spec::fs_check_config m_cfg;
  const bool m_nested, m_without_pasid;
  const int m_bus, m_devfn;
  std::vector<uint64_t> m_path;  // table pages above the current one (cycle detection)
  std::set<uint64_t> m_seen;     // every table page of this domain
};

}  // namespace

void walk_fs(table_walk& w, domain_info& d, const finding& top, bool without_pasid) {
  fs_walker(w, d, without_pasid).run(top);
}

leaf_ref fs_leaf_of(const table_walk& w, const domain_info& d, uint64_t iova) {
  const bool nested = d.stage == translation_stage::nested;
  uint64_t table = d.root;
  for (unsigned level = d.levels; level > 0; --level) {
    const uint64_t hpa = nested ? ss_translate(w, d, table).hpa : table;
    const unsigned index = spec::level_index(iova, level);
    const uint64_t at = hpa + index * 8;
    const spec::fs_entry e{w.read64(at)};
    if (e.is_leaf(level)) return {at, e.raw, level, index};
    table = e.address(level);
  }
  return {};
}

}  // namespace vtd::tables::detail
