// The table checker in scalable mode (RTADDR.TTM=01b with ECAP.SMTS): the walk the hardware does for every
// source-id (spec 3.4-3.6), here for every present entry at once: scalable-mode root entries (both halves,
// spec 9.2), scalable-mode context entries (9.4), PASID directories (9.5) and PASID tables (9.6), with the
// shared validity rules of model/spec/sm_entry_rules; then the software rules that span entries (spec 9.6
// PASID-table entry notes: DIDs and the tables they tag), and finally every domain's tables by PGTT:
// second-stage (the legacy walk, table_walk::walk_sl), first-stage and nested (sm_paging.cpp). Pass-through
// entries have nothing to walk.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <compare>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "model/spec/context_entry.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/text.hpp"
#include "tables/check/sm_walk.hpp"

namespace vtd::tables::detail {
namespace {

template <class Entry>
Entry read_wide(const table_walk& w, uint64_t at) {
  Entry e;
  for (size_t i = 0; i < Entry::qwords; ++i) e.qw[i] = w.read64(at + 8 * i);
  return e;
}

// A finding about one entry; 256- and 512-bit entries keep every quadword.
finding entry_finding(const char* structure, int bus, int devfn, int index, uint64_t at, uint64_t lo,
                      uint64_t hi) {
  finding f;
  f.structure = structure;
  f.bus = bus;
  f.devfn = devfn;
  f.index = index;
  f.entry_address = at;
  f.raw_lo = lo;
  f.raw_hi = hi;
  return f;
}
template <size_t N>
finding entry_finding(const char* structure, int bus, int devfn, int index, uint64_t at,
                      const spec::wide_entry<N>& e) {
  finding f = entry_finding(structure, bus, devfn, index, at, e.qw[0], e.qw[1]);
  f.raw_wide.assign(e.qw.begin(), e.qw.end());
  return f;
}

finding with(finding f, severity level, const char* code, std::string message) {
  f.level = level;
  f.code = code;
  f.message = std::move(message);
  return f;
}

// "QW0 0x20, QW2 0x1": the non-zero quadwords of a reserved-bit set.
template <size_t N>
std::string quadwords(const std::array<uint64_t, N>& q) {
  std::string s;
  for (size_t i = 0; i < N; ++i)
    if (q[i]) s += fmt::format("{}QW{} 0x{:x}", s.empty() ? "" : ", ", i, q[i]);
  return s;
}

const char* pgtt_name(unsigned v) {
  switch (static_cast<spec::pgtt>(v)) {
    case spec::pgtt::first_stage:
      return "first-stage, needs ECAP.FLTS";
    case spec::pgtt::second_stage:
      return "second-stage, needs ECAP.SLTS";
    case spec::pgtt::nested:
      return "nested, needs ECAP.NEST";
    case spec::pgtt::pass_through:
      return "pass-through, needs ECAP.PT";
    case spec::pgtt::reserved0:
      return "reserved";
  }
  return "reserved";
}

// A present PASID-table entry where it was first reached (cross-entry findings name the other entry).
struct entry_ref {
  uint16_t sid = 0;
  uint32_t pasid = 0;
  uint64_t at = 0;
  spec::pasid_entry e;
  std::string text() const {
    return fmt::format("device {} PASID {} (entry at {})", spec::format_bdf(sid), pasid, spec::hex(at));
  }
};

// A present PASID-table entry of one table, checked once however many devices reach the table.
struct pasid_hit {
  unsigned index = 0;
  spec::pasid_entry e;
  bool valid = false;
};

struct domain_key {
  translation_stage stage = translation_stage::second;
  uint64_t ss_root = 0;
  unsigned ss_levels = 0;
  uint64_t fs_root = 0;
  unsigned fs_levels = 0;
  auto operator<=>(const domain_key&) const = default;
};
struct domain_user {
  uint16_t sid = 0;
  uint32_t pasid = 0;
  uint16_t did = 0;
  bool without_pasid = false;  // the device's RID_PASID: requests without PASID use this entry
};
struct domain_users {
  std::vector<domain_user> users;
  finding top;  // the first user's PASID-table entry (findings about its FLPTPTR name it)
};

class sm_walker {
 public:
  explicit sm_walker(table_walk& w) : m_w(w), m_caps(w.caps()) {}

  void run(uint64_t rta) {
    for (unsigned bus = 0; bus < 256 && m_w.budget(); ++bus) root_entry(bus, rta + bus * 16);
    domains();
  }

 private:
  // Scalable-mode root entry (spec 9.2): each half is checked only when present (SRT.2 39h, SRT.3 3Ah); the
  // other half's bits are ignored by hardware.
  void root_entry(unsigned bus, uint64_t at) {
    const spec::sm_root_entry e{m_w.read64(at), m_w.read64(at + 8)};
    for (const unsigned devfn0 : {0u, 128u}) {
      const bool upper = spec::sm_root_entry::upper_half(devfn0);
      const finding where = entry_finding("sm_root", int(bus), -1, int(bus), at, e.lo, e.hi);
      const char* half =
          upper ? "upper half (UP/UCTP, devfn 0x80-0xff)" : "lower half (LP/LCTP, devfn 0x00-0x7f)";
      switch (spec::check_sm_root(e, devfn0, m_caps)) {
        case spec::sm_root_rule::not_present:
          if (upper ? e.hi : e.lo)
            m_w.add(
                with(where, severity::warning, "sm_root.nonpresent_bits",
                     fmt::format("{} is not present but has bits 0x{:x} set; hardware ignores them, but it "
                                 "looks like a half-written entry",
                                 half, upper ? e.hi : e.lo)));
          break;
        case spec::sm_root_rule::reserved:
          m_w.add(with(where, severity::error, "sm_root.reserved",
                       fmt::format("{}: reserved bits 0x{:x} of QW{} set ({}) -> fault {}", half,
                                   e.reserved_for(devfn0, m_caps.haw), upper ? 1 : 0,
                                   upper ? "75:65, UCTP above HAW" : "11:1, LCTP above HAW",
                                   fault_text(spec::fault_for(spec::sm_root_rule::reserved)))));
          break;
        case spec::sm_root_rule::ok: {
          const uint64_t ctp = e.ctp_for(devfn0);
          if (!m_w.in_memory(ctp, 4096)) {
            m_w.add(with(where, severity::error, "sm_root.ctp_beyond_memory",
                         fmt::format("{}: context-table pointer {} lies beyond memory -> fault {}", half,
                                     spec::hex(ctp), fault_text(spec::fault_reason::sm_context_read_error))));
            break;
          }
          m_w.note_table_page(ctp, fmt::format("the scalable-mode context table of bus 0x{:02x} (devfn "
                                               "0x{:02x}-0x{:02x})",
                                               bus, devfn0, devfn0 + 127));
          for (unsigned i = 0; i < 128 && m_w.budget(); ++i) context_entry(bus, devfn0 + i, ctp + i * 32);
          break;
        }
      }
    }
  }

  // Scalable-mode context entry (spec 9.4) at (L|U)CTP + (devfn & 0x7F) * 32.
  void context_entry(unsigned bus, unsigned devfn, uint64_t at) {
    const auto e = read_wide<spec::sm_context_entry>(m_w, at);
    const finding where = entry_finding("sm_context", int(bus), int(devfn), int(devfn & 0x7F), at, e);
    const spec::sm_context_rule rule = spec::check_sm_context(e, m_caps);
    const std::string fault = fault_text(spec::fault_for(rule));
    switch (rule) {
      case spec::sm_context_rule::not_present: {
        auto rest = e.qw;
        rest[0] &= ~spec::sm_context_fields::FPD.place(1);  // FPD is meaningful even when P=0
        if (std::any_of(rest.begin(), rest.end(), [](uint64_t q) { return q != 0; }))
          m_w.add(with(where, severity::warning, "sm_context.nonpresent_bits",
                       "not-present scalable-mode context entry (P=0) has bits other than FPD set"));
        return;
      }
      case spec::sm_context_rule::reserved:
        m_w.add(
            with(where, severity::error, "sm_context.reserved",
                 fmt::format("reserved bits set ({}){} -> fault {}",
                             quadwords(e.reserved_bits(m_caps.sm_context_check())), feature_bits(e), fault)));
        return;
      case spec::sm_context_rule::pre_without_dte:
        m_w.add(with(
            where, severity::error, "sm_context.pre_without_dte",
            fmt::format("PRE=1 with DTE=0: page requests need the device-TLB (SCT.4.1) -> fault {}", fault)));
        return;
      case spec::sm_context_rule::rid_pasid_beyond_pdts:
        m_w.add(
            with(where, severity::error, "sm_context.rid_pasid_beyond_pdts",
                 fmt::format("RID_PASID {} is beyond the PASID directory (PDTS={}: PASIDs 0-{}) (SCT.4.2) "
                             "-> fault {}",
                             e.rid_pasid(), e.pdts(), spec::pasid_limit(e.pdts()) - 1, fault)));
        return;
      case spec::sm_context_rule::ok:
        break;
    }
    device_info dev;
    dev.sid = uint16_t(bus << 8 | devfn);
    dev.scalable = true;
    dev.fpd = e.fpd();
    dev.dte = e.dte();
    dev.paside = e.paside();
    dev.pre = e.pre();
    dev.rid_priv = e.rid_priv();
    dev.pdts = e.pdts();
    dev.pasid_dir = e.pasiddirptr();
    dev.rid_pasid = e.rid_pasid();
    pasid_directory(dev, where, e);
    m_w.out().devices.push_back(std::move(dev));
  }

  // Which ECAP-dependent context bits are set without their capability (all RsvdZ then, spec 9.4).
  std::string feature_bits(const spec::sm_context_entry& e) const {
    std::string s;
    auto add = [&](bool set, bool cap, const char* what) {
      if (set && !cap) s += fmt::format("{}{}", s.empty() ? ": " : ", ", what);
    };
    add(e.dte(), m_caps.dt, "DTE without ECAP.DT");
    add(e.paside(), m_caps.pasid, "PASIDE without ECAP.PASID");
    add(e.pre(), m_caps.prs, "PRE without ECAP.PRS");
    add(e.rid_pasid() != 0, m_caps.rps, "RID_PASID without ECAP.RPS");
    add(e.rid_priv(), m_caps.rprivs, "RID_PRIV without ECAP.RPRIVS");
    return s;
  }

  // PASID directory (spec 9.5): 2^(PDTS+7) entries at PASIDDIRPTR, entry i for PASIDs 64i..64i+63.
  void pasid_directory(device_info& dev, const finding& ctx, const spec::sm_context_entry& e) {
    const int bus = ctx.bus, devfn = ctx.devfn;
    const uint64_t dir = e.pasiddirptr();
    const uint64_t entries = spec::pasid_dir_entries(e.pdts());
    uint64_t readable = entries;
    if (!m_w.in_memory(dir, entries * 8)) {
      readable = dir < m_w.memory_size() ? std::min(entries, (m_w.memory_size() - dir) / 8) : 0;
      m_w.add(with(
          ctx, severity::error, "sm_context.pasid_dir_beyond_memory",
          fmt::format("the PASID directory at {} ({} entries, PDTS={}) reaches beyond memory: {} entries "
                      "cannot be read -> fault {} for the PASIDs they cover",
                      spec::hex(dir), entries, e.pdts(), entries - readable,
                      fault_text(spec::fault_reason::pasid_dir_read_error))));
    }
    if (auto [it, fresh] = m_dir_user.try_emplace(dir, dev.sid); !fresh && it->second != dev.sid) {
      finding f = with(ctx, severity::warning, "sm_context.pasid_dir_shared",
                       fmt::format("the PASID directory at {} is also the directory of device {}: legal, but "
                                   "Linux gives every device its own, and a change to it changes both",
                                   spec::hex(dir), spec::format_bdf(it->second)));
      f.page = dir;
      m_w.add(std::move(f));
    }
    for (uint64_t page = 0; page * 4096 < readable * 8; ++page)
      m_w.note_table_page(dir + page * 4096,
                          fmt::format("the PASID directory of device {}", spec::format_bdf(dev.sid)));
    // RID_PASID is RsvdZ without ECAP.RPS: requests without PASID then use PASID 0 (spec 9.4).
    const uint32_t rid = m_caps.rps ? e.rid_pasid() : 0;
    uint64_t unreachable = 0;
    uint32_t first_unreachable = 0;
    for (uint64_t i = 0; i < readable && m_w.budget(); ++i) {
      const uint64_t at = dir + i * 8;
      const spec::pasid_dir_entry de{m_w.read64(at)};
      const finding where = entry_finding("pasid_dir", bus, devfn, int(i), at, de.raw, 0);
      const std::string pasids = fmt::format("PASIDs {}-{}", i * 64, i * 64 + 63);
      switch (spec::check_pasid_dir(de, m_caps)) {
        case spec::pasid_dir_rule::not_present:
          if (de.raw & ~spec::pasid_dir_fields::FPD.place(1))
            m_w.add(with(
                where, severity::warning, "pasid_dir.nonpresent_bits",
                fmt::format("not-present PASID directory entry ({}) has bits other than FPD set", pasids)));
          continue;
        case spec::pasid_dir_rule::reserved:
          m_w.add(with(where, severity::error, "pasid_dir.reserved",
                       fmt::format("reserved bits 0x{:x} set (11:2, SMPTBLPTR above HAW; {}) -> fault {}",
                                   de.reserved_bits(m_caps.haw), pasids,
                                   fault_text(spec::fault_for(spec::pasid_dir_rule::reserved)))));
          continue;
        case spec::pasid_dir_rule::ok:
          break;
      }
      const uint64_t table = de.smptblptr();
      if (!m_w.in_memory(table, 4096)) {
        m_w.add(
            with(where, severity::error, "pasid_dir.table_beyond_memory",
                 fmt::format("PASID-table pointer {} ({}) lies beyond memory -> fault {}", spec::hex(table),
                             pasids, fault_text(spec::fault_reason::pasid_entry_read_error))));
        continue;
      }
      shared_table(where, table, dir, i, dev.sid);
      m_w.note_table_page(
          table, fmt::format("the PASID table of device {} for {}", spec::format_bdf(dev.sid), pasids));
      const auto [hits, fresh] = pasid_table(table, bus, devfn, i);
      for (const pasid_hit& h : hits) {
        // A table reached again costs its entries again: what the report keeps per device is bounded by the
        // work limit even when garbage directories all point at one table.
        if (!fresh && !m_w.budget()) break;
        const uint32_t pasid = uint32_t(i * 64 + h.index);
        dev.pasids.push_back(info(h, pasid, e.fpd() || de.fpd(), pasid == rid));
        // Requests with PASID reach only PASIDs below 2^(PSS+1) (SGN.10 89h) and only with PASIDE=1 (SCT.6
        // 45h); requests without PASID only RID_PASID.
        if (pasid != rid && !(e.paside() && pasid < m_caps.pasid_count()) && !unreachable++)
          first_unreachable = pasid;
        if (h.valid) add_user(h, pasid, dev.sid, pasid == rid, table + h.index * 64, bus, devfn);
      }
    }
    if (unreachable)
      m_w.add(with(
          ctx, severity::warning, "sm_context.pasids_unreachable",
          fmt::format("{} present PASID-table entries (the first for PASID {}) can never be used: {}; only "
                      "RID_PASID {} is reached by requests without PASID",
                      unreachable, first_unreachable,
                      !e.paside() ? fmt::format("PASIDE=0 blocks requests with PASID (fault {})",
                                                fault_text(spec::fault_reason::sm_pasid_disabled))
                                  : fmt::format("ECAP.PSS allows PASIDs below {} only (fault {})",
                                                m_caps.pasid_count(),
                                                fault_text(spec::fault_reason::pasid_beyond_width)),
                      rid)));
  }

  // A PASID table reached from another directory entry (of this or another device's directory) than the one
  // that reached it first. A directory shared as a whole is reported once, at the context entry.
  void shared_table(const finding& where, uint64_t table, uint64_t dir, uint64_t index, uint16_t sid) {
    auto [it, fresh] = m_table_user.try_emplace(table, dir, index, sid);
    if (fresh) return;
    const auto& [first_dir, first_index, first_sid] = it->second;
    if (first_dir == dir && first_index == index) return;
    finding f = with(
        where, severity::warning, "pasid_dir.table_shared",
        fmt::format("the PASID table at {} is also the table of device {} for PASIDs {}-{}: legal, "
                    "but Linux gives every device and PASID range its own, and a change to it "
                    "changes both",
                    spec::hex(table), spec::format_bdf(first_sid), first_index * 64, first_index * 64 + 63));
    f.page = table;
    m_w.add(std::move(f));
  }

  // The present entries of one PASID table (spec 9.6), checked the first time the table is reached; `second`
  // is whether this was that first time.
  std::pair<const std::vector<pasid_hit>&, bool> pasid_table(uint64_t table, int bus, int devfn,
                                                             uint64_t dir_index) {
    auto [it, fresh] = m_tables.try_emplace(table);
    std::vector<pasid_hit>& hits = it->second;
    if (!fresh) return {hits, false};
    for (unsigned j = 0; j < 64 && m_w.budget(); ++j) {
      const uint64_t at = table + j * 64;
      const auto e = read_wide<spec::pasid_entry>(m_w, at);
      finding where = entry_finding("pasid", bus, devfn, int(j), at, e);
      where.pasid = int(dir_index * 64 + j);
      const spec::pasid_entry_rule rule = spec::check_pasid_entry(e, m_caps);
      const std::string fault = fault_text(spec::fault_for(rule));
      pasid_hit h{j, e, false};
      switch (rule) {
        case spec::pasid_entry_rule::not_present: {
          auto rest = e.qw;
          rest[0] &= ~spec::pasid_fields::FPD.place(1);
          if (std::any_of(rest.begin(), rest.end(), [](uint64_t q) { return q != 0; }))
            m_w.add(with(where, severity::warning, "pasid.nonpresent_bits",
                         "not-present PASID-table entry (P=0) has bits other than FPD set"));
          continue;
        }
        case spec::pasid_entry_rule::reserved:
          m_w.add(
              with(where, severity::error, "pasid.reserved",
                   fmt::format("reserved bits set ({}){} -> fault {}",
                               quadwords(e.reserved_bits(m_caps.pasid_check())), reserved_hint(e), fault)));
          break;
        case spec::pasid_entry_rule::pgtt_unsupported:
          m_w.add(with(where, severity::error, "pasid.pgtt_unsupported",
                       fmt::format("PGTT={:03b}b ({}) is not supported (SPT.4.2) -> fault {}", e.pgtt_raw(),
                                   pgtt_name(e.pgtt_raw()), fault)));
          break;
        case spec::pasid_entry_rule::aw_unsupported:
          m_w.add(with(where, severity::error, "pasid.aw_unsupported",
                       fmt::format("AW={:03b}b is not in CAP.SAGAW 0b{:05b} and PGTT={:03b}b uses the second "
                                   "stage (SPT.4.1) -> fault {}",
                                   e.aw(), m_caps.sagaw, e.pgtt_raw(), fault)));
          break;
        case spec::pasid_entry_rule::flpm_unsupported:
          m_w.add(with(
              where, severity::error, "pasid.flpm_unsupported",
              fmt::format("FLPM={:02b}b: {} (SPT.4.3) -> fault {}", e.flpm(),
                          e.flpm() == 1 ? "5-level first-stage paging needs CAP.FS5LP" : "reserved", fault)));
          break;
        case spec::pasid_entry_rule::flptptr_beyond_width:
          m_w.add(with(where, severity::error, "pasid.flptptr_beyond_width",
                       fmt::format("nested FLPTPTR {} (a GPA) is at or above 2^{}, the second stage's input "
                                   "width min(MGAW, AGAW of AW) (SPT.4.4) -> fault {}",
                                   spec::hex(e.flptptr()), spec::ss_input_width(e, m_caps), fault)));
          break;
        case spec::pasid_entry_rule::ok:
          h.valid = tables_in_memory(e, where);
          break;
      }
      if (h.valid) cross_entry_rules(e, where);
      hits.push_back(h);
    }
    return {hits, true};
  }

  // What the reserved bits of a PASID-table entry most likely are.
  std::string reserved_hint(const spec::pasid_entry& e) const {
    std::string s;
    if (m_caps.did_bits < 16 && (e.did() >> m_caps.did_bits))
      s += fmt::format(": DID {} is above the {} bits CAP.ND allows", e.did(), m_caps.did_bits);
    if (e.sre() && !m_caps.srs) s += fmt::format("{}SRE without ECAP.SRS", s.empty() ? ": " : ", ");
    return s;
  }

  // The top table of the stage the entry uses (a GPA for nested first stages: checked in walk_fs).
  bool tables_in_memory(const spec::pasid_entry& e, const finding& where) {
    if (spec::uses_second_stage(e.type()) && !m_w.in_memory(e.slptptr(), 4096)) {
      m_w.add(with(where, severity::error, "pasid.slptptr_beyond_memory",
                   fmt::format("SLPTPTR {} lies beyond memory -> fault {}", spec::hex(e.slptptr()),
                               fault_text(spec::fault_reason::ss_top_read_error))));
      return false;
    }
    if (e.type() == spec::pgtt::first_stage && !m_w.in_memory(e.flptptr(), 4096)) {
      m_w.add(with(where, severity::error, "pasid.flptptr_beyond_memory",
                   fmt::format("FLPTPTR {} lies beyond memory -> fault {}", spec::hex(e.flptptr()),
                               fault_text(spec::fault_reason::fs_top_read_error))));
      return false;
    }
    return true;
  }

  // Software rules across PASID-table entries (spec 9.6): caches are tagged by DID, so entries with one DID
  // must use the same second-stage tables, and first-stage / pass-through entries must not share DIDs with
  // second-stage / nested ones; entries with the same first-stage (and second-stage) tables must use the same
  // FLPM and EAFE, and entries with the same second-stage tables the same SLADE.
  void cross_entry_rules(const spec::pasid_entry& e, const finding& where) {
    const entry_ref me{uint16_t(where.bus << 8 | where.devfn), uint32_t(where.pasid), *where.entry_address,
                       e};
    const spec::pgtt t = e.type();
    const bool ss = spec::uses_second_stage(t);
    did_use& use = m_dids[e.did()];
    const std::optional<entry_ref>& other_class = ss ? use.fs_pt : use.ss;
    if (other_class)
      m_w.add(
          with(where, severity::error, "pasid.did_mixed_stage",
               fmt::format("DID {} is used by this {} entry and by the {} entry of {}: first-stage and "
                           "pass-through entries must use DIDs distinct from second-stage and nested ones",
                           e.did(), ss ? "second-stage/nested" : "first-stage/pass-through",
                           ss ? "first-stage/pass-through" : "second-stage/nested", other_class->text())));
    if (ss) {
      if (use.ss && (use.ss->e.slptptr() != e.slptptr() || use.ss->e.aw() != e.aw()))
        m_w.add(
            with(where, severity::warning, "pasid.did_reused",
                 fmt::format("DID {} is used with another second stage (SLPTPTR {} AW {} vs {} AW {} at {}): "
                             "caches are DID-tagged, so the two may see each other's translations",
                             e.did(), spec::hex(e.slptptr()), e.aw(), spec::hex(use.ss->e.slptptr()),
                             use.ss->e.aw(), use.ss->text())));
      if (!use.ss) use.ss = me;
      auto [it, fresh] = m_slade.try_emplace(e.slptptr(), me);
      if (!fresh && it->second.e.slade() != e.slade())
        m_w.add(with(where, severity::warning, "pasid.slade_mismatch",
                     fmt::format("SLADE={} but {} uses the same second stage {} with SLADE={}: one walk sets "
                                 "accessed/dirty flags the other does not expect",
                                 int(e.slade()), it->second.text(), spec::hex(e.slptptr()),
                                 int(it->second.e.slade()))));
    } else if (!use.fs_pt) {
      use.fs_pt = me;
    }
    if (spec::uses_first_stage(t)) {
      const std::pair<uint64_t, uint64_t> key{e.flptptr(),
                                              t == spec::pgtt::nested ? e.slptptr() : ~uint64_t{0}};
      auto [it, fresh] = m_fs_modes.try_emplace(key, me);
      if (!fresh && (it->second.e.flpm() != e.flpm() || it->second.e.eafe() != e.eafe()))
        m_w.add(with(
            where, severity::error, "pasid.fs_mode_mismatch",
            fmt::format("FLPM={:02b}b EAFE={} but {} uses the same first-stage tables {} with FLPM={:02b}b "
                        "EAFE={}: the same table would be read as different levels or formats",
                        e.flpm(), int(e.eafe()), it->second.text(), spec::hex(e.flptptr()),
                        it->second.e.flpm(), int(it->second.e.eafe()))));
    }
  }

  static pasid_info info(const pasid_hit& h, uint32_t pasid, bool fpd_above, bool rid_pasid) {
    const spec::pasid_entry& e = h.e;
    pasid_info p;
    p.pasid = pasid;
    p.pgtt = e.pgtt_raw();
    p.valid = h.valid;
    p.did = e.did();
    p.aw = e.aw();
    p.slptptr = e.slptptr();
    p.fs_levels = e.fs_levels();
    p.flptptr = e.flptptr();
    p.sre = e.sre();
    p.wpe = e.wpe();
    p.fpd = fpd_above || e.fpd();  // FPD is ORed down the walk (spec 9.5, 9.6)
    p.rid_pasid = rid_pasid;
    return p;
  }

  void add_user(const pasid_hit& h, uint32_t pasid, uint16_t sid, bool without_pasid, uint64_t at, int bus,
                int devfn) {
    const spec::pasid_entry& e = h.e;
    domain_key k;
    switch (e.type()) {
      case spec::pgtt::first_stage:
        k = {translation_stage::first, 0, 0, e.flptptr(), e.fs_levels()};
        break;
      case spec::pgtt::second_stage:
        k = {translation_stage::second, e.slptptr(), spec::aw_to_levels(e.aw()), 0, 0};
        break;
      case spec::pgtt::nested:
        k = {translation_stage::nested, e.slptptr(), spec::aw_to_levels(e.aw()), e.flptptr(), e.fs_levels()};
        break;
      case spec::pgtt::pass_through:  // nothing to walk
      case spec::pgtt::reserved0:
        return;
    }
    auto [it, fresh] = m_domains.try_emplace(k);
    if (fresh) {
      it->second.top = entry_finding("pasid", bus, devfn, int(h.index), at, e);
      it->second.top.pasid = int(pasid);
    }
    it->second.users.push_back({sid, pasid, e.did(), without_pasid});
  }

  // Every domain's tables, second-stage domains first so that a nested domain's second stage that is also a
  // second-stage domain is walked (and reported) once.
  void domains() {
    std::set<std::pair<uint64_t, unsigned>> ss_walked;
    for (auto& [k, du] : m_domains) {
      domain_info d;
      d.scalable = true;
      d.stage = k.stage;
      d.did = du.users.front().did;
      bool without_pasid = false;
      for (const auto& u : du.users) {
        d.devices.push_back(u.sid);
        d.pasids.push_back(u.pasid);
        without_pasid = without_pasid || u.without_pasid;
      }
      const int bus = du.users.front().sid >> 8, devfn = du.users.front().sid & 0xFF;
      switch (k.stage) {
        case translation_stage::second:
          d.root = k.ss_root;
          d.levels = k.ss_levels;
          ss_walked.insert({k.ss_root, k.ss_levels});
          m_w.walk_sl(d, bus, devfn, sl_walk_mode{true, false, without_pasid});
          break;
        case translation_stage::nested:
          d.ss_root = k.ss_root;
          d.ss_levels = k.ss_levels;
          if (ss_walked.insert({k.ss_root, k.ss_levels}).second) {
            domain_info ss = d;
            ss.stage = translation_stage::second;
            ss.root = k.ss_root;
            ss.levels = k.ss_levels;
            m_w.walk_sl(ss, bus, devfn, sl_walk_mode{true, true, false});
            d.table_pages += ss.table_pages;
          }
          [[fallthrough]];
        case translation_stage::first:
          d.root = k.fs_root;
          d.levels = k.fs_levels;
          walk_fs(m_w, d, du.top, without_pasid);
          break;
        case translation_stage::pass_through:
          break;
      }
      m_w.out().domains.push_back(std::move(d));
    }
  }

  struct did_use {
    std::optional<entry_ref> ss, fs_pt;  // the first second-stage/nested and first-stage/pass-through entry
  };

  table_walk& m_w;
  const spec::caps& m_caps;
  std::map<uint64_t, uint16_t> m_dir_user;  // PASID directory -> the first device using it
  std::map<uint64_t, std::tuple<uint64_t, uint64_t, uint16_t>> m_table_user;  // table -> dir, index, device
  std::map<uint64_t, std::vector<pasid_hit>> m_tables;                        // PASID table -> its entries
  std::map<uint16_t, did_use> m_dids;
  std::map<uint64_t, entry_ref> m_slade;  // SLPTPTR -> first entry using it
  std::map<std::pair<uint64_t, uint64_t>, entry_ref>
      m_fs_modes;  // (FLPTPTR, SLPTPTR if nested) -> first entry
  std::map<domain_key, domain_users> m_domains;
};

}  // namespace

void check_scalable(table_walk& w, uint64_t rta) {
  sm_walker(w).run(rta);
}

}  // namespace vtd::tables::detail
