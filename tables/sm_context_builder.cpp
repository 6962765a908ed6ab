// Scalable-mode root/context/PASID table builder (see header).
#include "tables/sm_context_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "model/spec/context_entry.hpp"
#include "model/spec/registers.hpp"
#include "model/spec/sm_entry_rules.hpp"
#include "model/spec/sm_root_entry.hpp"
#include "model/spec/text.hpp"
#include "tables/table_error.hpp"

namespace vtd::tables {

namespace {

constexpr uint32_t kMaxPasids = 1u << 20;  // PASIDs are 20 bits (spec 9.4 RID_PASID 83:64)

template <class E>
E read_wide(core::physical_memory& mem, uint64_t at) {
  E e;
  for (size_t i = 0; i < E::qwords; ++i) e.qw[i] = *mem.read64(at + 8 * i);
  return e;
}

// QW0 holds P: write it last, so that the hardware never sees P=1 with a half-written entry.
template <class E>
void write_wide(core::physical_memory& mem, uint64_t at, const E& e) {
  for (size_t i = E::qwords - 1; i >= 1; --i) mem.write64(at + 8 * i, e.qw[i]);
  mem.write64(at, e.qw[0]);
}

// Clear P (QW0) first, then the rest.
template <class E>
void clear_wide(core::physical_memory& mem, uint64_t at) {
  for (size_t i = 0; i < E::qwords; ++i) mem.write64(at + 8 * i, 0);
}

}  // namespace

sm_context_builder::sm_context_builder(core::physical_memory& mem, page_allocator& pages,
                                       const spec::caps& caps)
    : m_mem(mem), m_pages(pages), m_caps(caps), m_root(pages.alloc()) {}

uint64_t sm_context_builder::rtaddr() const {
  return spec::reg::make_rtaddr(m_root, spec::reg::ttm::scalable);
}

unsigned sm_context_builder::pdts_for(uint32_t max_pasids) {
  const uint64_t bytes =
      std::max<uint64_t>(uint64_t(max_pasids) / 64 * spec::pasid_dir_entry::size_bytes, 4096);
  const unsigned entries_log2 = unsigned(std::bit_width(bytes / spec::pasid_dir_entry::size_bytes)) - 1;
  return entries_log2 - 7;  // 2^(PDTS+7) entries
}

void sm_context_builder::check_device(uint16_t sid, const sm_device_params& p) const {
  const auto bdf = spec::format_bdf(sid);
  if (p.max_pasids < 64 || p.max_pasids > kMaxPasids || !std::has_single_bit(p.max_pasids))
    throw table_error(
        fmt::format("{}: max_pasids {}: must be a power of two from 64 to 2^20", bdf, p.max_pasids));
  if (p.device_tlb && !m_caps.dt) throw table_error(fmt::format("{}: device-TLB (DTE) needs ECAP.DT", bdf));
  if (p.pasid_enable && !m_caps.pasid)
    throw table_error(fmt::format("{}: requests-with-PASID (PASIDE) need ECAP.PASID", bdf));
  if (p.rid_pasid != 0 && !m_caps.rps)
    throw table_error(fmt::format(
        "{}: RID_PASID {} needs ECAP.RPS (without it requests-without-PASID use PASID 0)", bdf, p.rid_pasid));
  if (p.rid_pasid >= p.max_pasids)
    throw table_error(
        fmt::format("{}: RID_PASID {} beyond the device's max_pasids {}", bdf, p.rid_pasid, p.max_pasids));
  if (p.rid_priv && !m_caps.rprivs)
    throw table_error(fmt::format("{}: supervisor requests-without-PASID (RID_PRIV) need ECAP.RPRIVS", bdf));
}

// The root entry of the device's bus (spec 9.2): the lower half serves devfn 0-127, the upper 128-255.
uint64_t sm_context_builder::context_table(uint16_t sid) const {
  const uint64_t at = m_root + uint64_t(sid >> 8) * spec::sm_root_entry::size_bytes;
  const spec::sm_root_entry root{*m_mem.read64(at), *m_mem.read64(at + 8)};
  return root.present_for(sid & 0xFF) ? root.ctp_for(sid & 0xFF) : 0;
}

uint64_t sm_context_builder::make_context_table(uint16_t sid) {
  if (const uint64_t t = context_table(sid)) return t;
  const unsigned devfn = sid & 0xFF;
  const uint64_t at = m_root + uint64_t(sid >> 8) * spec::sm_root_entry::size_bytes;
  spec::sm_root_entry root{*m_mem.read64(at), *m_mem.read64(at + 8)};
  const uint64_t table = m_pages.alloc();
  auto f = root.decode();
  if (spec::sm_root_entry::upper_half(devfn)) {
    f.up = true;
    f.uctp = table;
  } else {
    f.lp = true;
    f.lctp = table;
  }
  root = spec::sm_root_entry::encode(f);
  m_mem.write64(at + 8, root.hi);
  m_mem.write64(at, root.lo);
  return table;
}

uint64_t sm_context_builder::context_entry_address(uint16_t sid) const {
  const uint64_t table = context_table(sid);
  return table == 0 ? 0 : table + (sid & 0x7F) * spec::sm_context_entry::size_bytes;
}

void sm_context_builder::set_device(uint16_t sid, const sm_device_params& p) {
  check_device(sid, p);
  const unsigned pdts = pdts_for(p.max_pasids);
  auto it = m_devices.find(sid);
  if (it != m_devices.end() && it->second.pdts != pdts && it->second.attached != 0)
    throw table_error(fmt::format("{}: cannot resize the PASID directory while {} PASID(s) are attached",
                                  spec::format_bdf(sid), it->second.attached));
  uint64_t directory = it != m_devices.end() && it->second.pdts == pdts ? it->second.directory : 0;
  if (directory == 0)  // 2^(PDTS+7) 8-byte entries: up to 128 KiB, one contiguous run (spec 9.4 PASIDDIRPTR)
    directory =
        m_pages.alloc_contiguous(spec::pasid_dir_entries(pdts) * spec::pasid_dir_entry::size_bytes / 4096);
  const uint64_t at = make_context_table(sid) + (sid & 0x7F) * spec::sm_context_entry::size_bytes;
  // Recorded only once the allocations succeeded: a refused set-up leaves no half-made device behind.
  device_state& d = m_devices[sid];
  d.directory = directory;
  d.pdts = pdts;
  d.params = p;
  spec::sm_context_fields_t f;
  f.p = true;
  f.fpd = p.fpd;
  f.dte = p.device_tlb;
  f.paside = p.pasid_enable;
  f.pdts = pdts;
  f.pasiddirptr = directory;
  f.rid_pasid = p.rid_pasid;
  f.rid_priv = p.rid_priv;
  write_wide(m_mem, at, spec::sm_context_entry::encode(f));
}

const sm_device_params* sm_context_builder::device(uint16_t sid) const {
  auto it = m_devices.find(sid);
  return it == m_devices.end() ? nullptr : &it->second.params;
}

spec::pasid_entry sm_context_builder::make_entry(uint16_t sid, uint32_t pasid, const pasid_params& p) const {
  const auto where = fmt::format("{} PASID {}", spec::format_bdf(sid), pasid);
  auto need = [&](bool have, const char* what) {
    if (!have) throw table_error(fmt::format("{}: {}", where, what));
  };
  switch (p.type) {
    case spec::pgtt::first_stage:
      need(m_caps.flts, "first-stage translation (PGTT=001b) needs ECAP.FLTS");
      break;
    case spec::pgtt::second_stage:
      need(m_caps.slts, "second-stage translation (PGTT=010b) needs ECAP.SLTS");
      break;
    case spec::pgtt::nested:
      need(m_caps.nest, "nested translation (PGTT=011b) needs ECAP.NEST");
      break;
    case spec::pgtt::pass_through:
      need(m_caps.pt, "pass-through (PGTT=100b) needs ECAP.PT");
      break;
    case spec::pgtt::reserved0:
      need(false, "PGTT 000b is reserved");
      break;
  }
  if (m_caps.did_bits < 16 && p.did >= (1u << m_caps.did_bits))
    throw table_error(
        fmt::format("{}: domain id {} does not fit CAP.ND ({} bits)", where, p.did, m_caps.did_bits));
  if (m_caps.cm && p.did == 0)
    throw table_error(fmt::format("{}: domain id 0 is reserved when CAP.CM=1", where));
  need(!p.supervisor || m_caps.srs, "supervisor requests (SRE) need ECAP.SRS");

  spec::pasid_fields_t f;
  f.p = true;
  f.type = p.type;
  f.did = p.did;
  f.sre = p.supervisor;
  f.wpe = p.write_protect;
  f.pwsnp = m_caps.smpwcs;  // as Linux: snooped paging-structure accesses wherever the unit honours PWSNP
  if (spec::uses_second_stage(p.type)) {
    const unsigned w = p.ss_address_width;
    if ((w != 39 && w != 48 && w != 57) || !m_caps.supports_aw(spec::agaw_to_aw(w)))
      throw table_error(fmt::format("{}: second-stage address width {} not supported by CAP.SAGAW 0b{:05b}",
                                    where, w, m_caps.sagaw));
    f.aw = spec::agaw_to_aw(w);
    f.slptptr = p.slptptr;
  }
  if (spec::uses_first_stage(p.type)) {
    if (p.fs_levels != 4 && p.fs_levels != 5)
      throw table_error(fmt::format("{}: {} first-stage paging levels (must be 4 or 5)", where, p.fs_levels));
    need(p.fs_levels == 4 || m_caps.fs5lp, "5-level first-stage paging (FLPM=01b) needs CAP.FS5LP");
    f.flpm = p.fs_levels == 5 ? 1 : 0;
    f.flptptr = p.flptptr;
  }
  if (p.type == spec::pgtt::nested) {
    // FLPTPTR is a GPA the second stage translates: it must lie below its input width (spec SPT.4.4).
    const unsigned width = std::min(m_caps.mgaw, p.ss_address_width);
    if ((p.flptptr >> width) != 0)
      throw table_error(fmt::format("{}: FLPTPTR 0x{:x} lies beyond the second stage's {}-bit input width",
                                    where, p.flptptr, width));
  }
  return spec::pasid_entry::encode(f);
}

void sm_context_builder::attach_pasid(uint16_t sid, uint32_t pasid, const pasid_params& p) {
  auto it = m_devices.find(sid);
  if (it == m_devices.end())
    throw table_error(
        fmt::format("{}: not set up in scalable mode (no context entry)", spec::format_bdf(sid)));
  device_state& d = it->second;
  if (pasid >= d.params.max_pasids)
    throw table_error(fmt::format("{}: PASID {} beyond the device's max_pasids {}", spec::format_bdf(sid),
                                  pasid, d.params.max_pasids));
  if (m_caps.pasid && pasid != d.params.rid_pasid && pasid >= m_caps.pasid_count())
    throw table_error(fmt::format("{}: PASID {} beyond the {} PASIDs ECAP.PSS allows", spec::format_bdf(sid),
                                  pasid, m_caps.pasid_count()));
  const spec::pasid_entry e = make_entry(sid, pasid, p);
  const uint64_t dir_at = d.directory + spec::pasid_dir_index(pasid) * spec::pasid_dir_entry::size_bytes;
  const spec::pasid_dir_entry dir{*m_mem.read64(dir_at)};
  if (!dir.present()) {
    // A new PASID table: fill its entry before the directory points to it.
    const uint64_t table = m_pages.alloc();
    write_wide(m_mem, table + spec::pasid_table_index(pasid) * spec::pasid_entry::size_bytes, e);
    m_table_use[table] = 1;
    ++d.attached;
    m_mem.write64(dir_at, spec::pasid_dir_entry::encode({true, false, table}).raw);
    return;
  }
  const uint64_t at = dir.smptblptr() + spec::pasid_table_index(pasid) * spec::pasid_entry::size_bytes;
  if (read_wide<spec::pasid_entry>(m_mem, at).present()) {
    m_mem.write64(at, 0);  // replacing: take P away before the other quadwords change
  } else {
    ++m_table_use[dir.smptblptr()];
    ++d.attached;
  }
  write_wide(m_mem, at, e);
}

void sm_context_builder::detach_pasid(uint16_t sid, uint32_t pasid) {
  auto it = m_devices.find(sid);
  if (it == m_devices.end() || pasid >= spec::pasid_limit(it->second.pdts)) return;
  device_state& d = it->second;
  const uint64_t dir_at = d.directory + spec::pasid_dir_index(pasid) * spec::pasid_dir_entry::size_bytes;
  const spec::pasid_dir_entry dir{*m_mem.read64(dir_at)};
  if (!dir.present()) return;
  const uint64_t table = dir.smptblptr();
  const uint64_t at = table + spec::pasid_table_index(pasid) * spec::pasid_entry::size_bytes;
  if (!read_wide<spec::pasid_entry>(m_mem, at).present()) return;
  clear_wide<spec::pasid_entry>(m_mem, at);
  --d.attached;
  if (--m_table_use[table] == 0) {
    m_mem.write64(dir_at, 0);  // unlink before the page goes back to the allocator
    m_table_use.erase(table);
    m_pages.free(table);
  }
}

std::optional<spec::sm_context_entry> sm_context_builder::context_of(uint16_t sid) const {
  const uint64_t at = context_entry_address(sid);
  if (at == 0) return std::nullopt;
  auto e = read_wide<spec::sm_context_entry>(m_mem, at);
  if (!e.present()) return std::nullopt;
  return e;
}

uint64_t sm_context_builder::pasid_directory(uint16_t sid) const {
  auto e = context_of(sid);
  return e ? e->pasiddirptr() : 0;
}

uint64_t sm_context_builder::pasid_entry_address(uint16_t sid, uint32_t pasid) const {
  auto ctx = context_of(sid);
  if (!ctx || pasid >= spec::pasid_limit(ctx->pdts())) return 0;
  const spec::pasid_dir_entry dir{
      *m_mem.read64(ctx->pasiddirptr() + spec::pasid_dir_index(pasid) * spec::pasid_dir_entry::size_bytes)};
  if (!dir.present()) return 0;
  return dir.smptblptr() + spec::pasid_table_index(pasid) * spec::pasid_entry::size_bytes;
}

std::optional<spec::pasid_entry> sm_context_builder::pasid_entry_of(uint16_t sid, uint32_t pasid) const {
  const uint64_t at = pasid_entry_address(sid, pasid);
  if (at == 0) return std::nullopt;
  auto e = read_wide<spec::pasid_entry>(m_mem, at);
  if (!e.present()) return std::nullopt;
  return e;
}

}  // namespace vtd::tables
