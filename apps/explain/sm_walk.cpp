// Explained steps of a scalable-mode walk record (spec chapter 3's scalable-mode translation, structures of
// 9.2-9.8): root entry, context entry, PASID directory and PASID-table entries, then the walk the PGTT
// selects, then the accessed/dirty updates. A nested walk is told as it happens in hardware: before each
// first-stage table is read, the second stage translates that table's guest-physical address (a group of
// second-stage steps labelled with the GPA and the table it holds); after the first-stage leaf, the second
// stage translates the first stage's output. Each first-stage step names the GPA and the steps that
// translated its table.
#include <fmt/format.h>

#include <map>

#include "apps/explain/step_builders.hpp"
#include "apps/explain/step_parts.hpp"
#include "apps/explain/walk_readers.hpp"
#include "model/spec/fs_entry.hpp"
#include "model/spec/pasid_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/sm_context_entry.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/sm_root_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain::read {

namespace {

const char* translation_name(spec::pgtt t) {
  switch (t) {
    case spec::pgtt::first_stage:
      return "first";
    case spec::pgtt::second_stage:
      return "second";
    case spec::pgtt::nested:
      return "nested";
    case spec::pgtt::pass_through:
      return "pass_through";
    case spec::pgtt::reserved0:
      return "";
  }
  return "";  // 101b-111b
}

class sm_reader {
 public:
  sm_reader(explanation& x, const spec::caps& caps, const core::dma_request& req)
      : m_x(x), m_caps(caps), m_req(req) {}

  void on(const core::walk_step& w) {
    switch (w.kind) {
      case core::step_kind::root_entry:
        return root(w);
      case core::step_kind::context_entry:
        return context(w);
      case core::step_kind::pasid_dir_entry:
        return directory(w);
      case core::step_kind::pasid_entry:
        return pasid_entry(w);
      case core::step_kind::sl_entry:
        return second_stage(w);
      case core::step_kind::fs_entry:
        return first_stage(w);
      case core::step_kind::status_write:
        return status_write(w);
      // The explained walk is uncached (the second access shows the caches); interrupt structures never
      // occur in a DMA walk.
      case core::step_kind::cache_lookup:
      case core::step_kind::irte:
      case core::step_kind::posted_descriptor:
        return;
    }
  }
  walk_shape shape() const { return m_shape; }

 private:
  bool nested() const { return m_pe.type() == spec::pgtt::nested; }
  step& add(step s) {
    m_x.steps.push_back(std::move(s));
    return m_x.steps.back();
  }

  void root(const core::walk_step& w) {
    const unsigned devfn = m_req.source_id & 0xFF;
    const spec::sm_root_entry e{w.raw_lo, w.raw_hi};
    const bool upper = spec::sm_root_entry::upper_half(devfn);
    add(build::sm_root_step(w, m_caps, m_req.source_id)).verdict = fmt::format(
        "{} half present: index the context table at {} {} with devfn 0x{:02x} & 0x7f = 0x{:02x}",
        upper ? "upper" : "lower", upper ? "UCTP" : "LCTP", spec::hex(e.ctp_for(devfn)), devfn, devfn & 0x7F);
  }

  void context(const core::walk_step& w) {
    step& s = add(build::sm_context_step(w, m_caps, m_req.source_id, m_req.has_pasid));
    spec::sm_context_entry ctx;
    for (unsigned i = 0; i < ctx.qw.size(); ++i) ctx.qw[i] = w.qw(i);
    // Requests without PASID are processed as requests with PASID = RID_PASID (0 without ECAP.RPS) and
    // privilege RID_PRIV (user without ECAP.RPRIVS): spec 9.4.
    m_pasid = m_req.has_pasid ? m_req.pasid : (m_caps.rps ? ctx.rid_pasid() : 0);
    m_x.has_pasid_context = true;
    m_x.pasid = m_pasid;
    m_x.pasid_source = m_req.has_pasid ? "request" : "RID_PASID";
    m_x.privileged = m_req.has_pasid ? m_req.privileged : (m_caps.rprivs && ctx.rid_priv());
    const std::string who =
        m_req.has_pasid ? fmt::format("request with PASID {}", spec::hex(m_pasid))
        : m_caps.rps    ? fmt::format("request without PASID: PASID = RID_PASID = {}", spec::hex(m_pasid))
                        : "request without PASID: PASID 0 (no ECAP.RPS)";
    const std::string priv = m_req.has_pasid
                                 ? (m_req.privileged ? "supervisor" : "user")
                                 : (m_x.privileged ? "supervisor (RID_PRIV=1)" : "user (RID_PRIV=0)");
    s.verdict =
        m_req.at == core::address_type::translated
            ? "translated request with DTE=1: the address is already host physical, nothing more is read"
            : fmt::format("{}, {}: index the PASID directory at {} with PASID[19:6] = 0x{:x}", who, priv,
                          spec::hex(ctx.pasiddirptr()), spec::pasid_dir_index(m_pasid));
  }

  void directory(const core::walk_step& w) {
    const spec::pasid_dir_entry e{w.raw_lo};
    add(build::pasid_dir_step(w, m_caps, m_pasid)).verdict =
        fmt::format("present: index the PASID table at {} with PASID[5:0] = 0x{:x}", spec::hex(e.smptblptr()),
                    spec::pasid_table_index(m_pasid));
  }

  void pasid_entry(const core::walk_step& w) {
    step& s = add(build::pasid_entry_step(w, m_caps, m_pasid));
    for (unsigned i = 0; i < m_pe.qw.size(); ++i) m_pe.qw[i] = w.qw(i);
    const spec::pgtt t = m_pe.type();
    m_x.translation = translation_name(t);
    const unsigned fs_levels = m_pe.fs_levels();
    const unsigned aw = m_pe.aw();
    const unsigned ss_levels = aw >= 1 && aw <= 3 ? spec::aw_to_levels(aw) : 0;
    if (spec::uses_first_stage(t)) {
      m_shape.levels = fs_levels;
      m_shape.first_stage = true;
      m_gpa = m_pe.flptptr();
      m_gpa_level = fs_levels;
    } else if (t == spec::pgtt::second_stage) {
      m_shape.levels = ss_levels;
    }
    switch (t) {
      case spec::pgtt::first_stage:
        s.verdict =
            fmt::format("domain {}, first stage only: walk the {}-level first-stage table at FLPTPTR {}",
                        m_pe.did(), fs_levels, spec::hex(m_pe.flptptr()));
        break;
      case spec::pgtt::second_stage:
        s.verdict =
            fmt::format("domain {}, second stage only: walk the {}-level second-stage table at SLPTPTR {}",
                        m_pe.did(), ss_levels, spec::hex(m_pe.slptptr()));
        break;
      case spec::pgtt::nested:
        s.verdict = fmt::format(
            "domain {}, nested: walk the {}-level first-stage table at GPA {} (FLPTPTR); the {}-level second "
            "stage at SLPTPTR {} translates each first-stage table address and the first stage's output",
            m_pe.did(), fs_levels, spec::hex(m_pe.flptptr()), ss_levels, spec::hex(m_pe.slptptr()));
        break;
      case spec::pgtt::pass_through:
        s.verdict = fmt::format(
            "domain {}, pass-through (PGTT=100b): the DMA address is used as the host physical address",
            m_pe.did());
        break;
      case spec::pgtt::reserved0:
        s.verdict = "reserved PGTT";
        break;
    }
  }

  // A second-stage read: of the request's own address (PGTT=010b), or, nested, one read of the group that
  // translates the guest-physical address m_gpa.
  void second_stage(const core::walk_step& w) {
    const spec::sl_entry e{w.raw_lo};
    m_raw[w.entry_address] = w.raw_lo;
    m_step_of[w.entry_address] = m_x.steps.size() + 1;
    const bool leaf = e.is_leaf(w.level);
    if (!nested()) {
      step& s = add(build::sl_step(w, m_caps, m_req.address, "IOVA", &m_pe));
      if (leaf) m_shape.leaf_level = w.level;
      s.verdict =
          leaf ? fmt::format("leaf: {} page at {}", parts::page_size_name(spec::level_page_size(w.level)),
                             spec::hex(e.address(w.level)))
               : fmt::format("go on to the level {} table at {}", w.level - 1, spec::hex(e.address(w.level)));
      return;
    }
    if (!m_in_group) {
      m_in_group = true;
      m_group_first = m_x.steps.size() + 1;
      m_group = m_gpa_level ? fmt::format("second stage translates GPA {} of the first-stage {}",
                                          spec::hex(m_gpa), parts::level_table_name(m_gpa_level))
                            : fmt::format("second stage translates GPA {}, the first stage's output",
                                          spec::hex(m_gpa));
    }
    step& s = add(build::sl_step(w, m_caps, m_gpa, "GPA", &m_pe));
    s.group = m_group;
    if (!leaf) {
      s.verdict =
          fmt::format("go on to the level {} table at {}", w.level - 1, spec::hex(e.address(w.level)));
      return;
    }
    const uint64_t size = spec::level_page_size(w.level);
    const uint64_t hpa = e.address(w.level) | (m_gpa & (size - 1));
    if (m_gpa_level) {
      s.verdict = fmt::format("leaf: GPA {} is HPA {}: read the first-stage {} there", spec::hex(m_gpa),
                              spec::hex(hpa), parts::level_table_name(m_gpa_level));
      m_table_note =
          fmt::format("GPA {}, translated by steps {}-{}", spec::hex(m_gpa), m_group_first, m_x.steps.size());
    } else {
      s.verdict = fmt::format("leaf: GPA {} is HPA {} ({} page)", spec::hex(m_gpa), spec::hex(hpa),
                              parts::page_size_name(size));
    }
  }

  void first_stage(const core::walk_step& w) {
    m_in_group = false;
    const spec::fs_entry e{w.raw_lo};
    m_raw[w.entry_address] = w.raw_lo;
    m_step_of[w.entry_address] = m_x.steps.size() + 1;
    step& s = add(build::fs_step(w, m_caps, m_req.address, m_pe, nested() ? m_table_note : std::string()));
    const unsigned L = w.level;
    const char* space = nested() ? "GPA " : "";
    if (e.is_leaf(L)) {
      const uint64_t size = spec::level_page_size(L);
      m_shape.leaf_level = L;
      m_gpa = e.address(L) | (m_req.address & (size - 1));
      m_gpa_level = 0;
      s.verdict =
          nested() ? fmt::format("leaf: {} page at GPA {}: the second stage translates the output GPA {}",
                                 parts::page_size_name(size), spec::hex(e.address(L)), spec::hex(m_gpa))
                   : fmt::format("leaf: {} page at {}", parts::page_size_name(size), spec::hex(e.address(L)));
    } else {
      m_gpa = e.address(L);
      m_gpa_level = L - 1;
      s.verdict = fmt::format("go on to the level {} table at {}{}", L - 1, space, spec::hex(e.address(L)));
    }
  }

  void status_write(const core::walk_step& w) {
    const auto before = m_raw.find(w.entry_address);
    step& s = add(build::status_write_step(w, before == m_raw.end() ? 0 : before->second, m_pe.eafe()));
    m_raw[w.entry_address] = w.raw_lo;
    if (const auto read = m_step_of.find(w.entry_address); read != m_step_of.end())
      s.address_calc += fmt::format(", the entry of step {}", read->second);
    if (w.stage == core::translation_stage::first)
      m_in_group = false;
    else if (m_in_group)
      s.group = m_group;  // a second-stage A update while translating a GPA belongs to that group
  }

  explanation& m_x;
  const spec::caps& m_caps;
  const core::dma_request& m_req;
  walk_shape m_shape;
  uint32_t m_pasid = 0;
  spec::pasid_entry m_pe;
  std::map<uint64_t, uint64_t> m_raw;    // entry address -> value last read or written (for A/D updates)
  std::map<uint64_t, size_t> m_step_of;  // entry address -> number of the step that last read it
  // Nested: the guest-physical address the next second-stage group translates, the first-stage level of the
  // table it holds (0: the page the first stage mapped), the group under way and the note for the next
  // first-stage step.
  uint64_t m_gpa = 0;
  unsigned m_gpa_level = 0;
  bool m_in_group = false;
  size_t m_group_first = 0;
  std::string m_group, m_table_note;
};

}  // namespace

walk_shape scalable_walk(explanation& x, const core::walk_record& rec, const spec::caps& caps,
                         const core::dma_request& req) {
  sm_reader reader(x, caps, req);
  for (const auto& w : rec) reader.on(w);
  return reader.shape();
}

}  // namespace vtd::explain::read
