// Root/context table builder (see header).
#include "tables/context_builder.hpp"

#include <fmt/format.h>

#include "model/spec/root_entry.hpp"
#include "model/spec/text.hpp"
#include "tables/table_error.hpp"

namespace vtd::tables {

table_caps table_caps::from(const spec::caps& c) {
  table_caps t;
  t.haw = c.haw;
  t.sagaw = c.sagaw;
  t.did_bits = c.did_bits;
  t.caching_mode = c.cm;
  t.super_2m = c.super_2m;
  t.super_1g = c.super_1g;
  t.device_tlb = c.dt;
  t.pass_through = c.pt;
  t.posted = c.pi;
  t.x2apic = c.eim;
  return t;
}

table_caps table_caps::from_registers(uint64_t cap, uint64_t ecap, unsigned haw) {
  return from(spec::caps::decode(0x10, cap, ecap, haw));
}

context_builder::context_builder(core::physical_memory& mem, page_allocator& pages, const table_caps& caps)
    : m_mem(mem), m_pages(pages), m_caps(caps), m_root(pages.alloc()) {}

void context_builder::attach(uint16_t sid, const context_params& p) {
  const auto bdf = spec::format_bdf(sid);
  using spec::translation_type;
  if (p.tt == translation_type::device_tlb && !m_caps.device_tlb)
    throw table_error(fmt::format("{}: translation \"device_tlb\" needs ECAP.DT", bdf));
  if (p.tt == translation_type::pass_through && !m_caps.pass_through)
    throw table_error(fmt::format("{}: translation \"pass_through\" needs ECAP.PT", bdf));
  if (p.tt == translation_type::reserved) throw table_error(fmt::format("{}: TT=11b is reserved", bdf));
  if (p.address_width != 39 && p.address_width != 48 && p.address_width != 57)
    throw table_error(fmt::format("{}: address width {} (must be 39, 48 or 57)", bdf, p.address_width));
  unsigned aw = spec::agaw_to_aw(p.address_width);
  if (p.tt == translation_type::pass_through) {
    // Spec 9.3: for TT=10 AW must name the largest AGAW the hardware supports.
    for (unsigned a = 3; a >= 1; --a)
      if ((m_caps.sagaw >> a) & 1) {
        aw = a;
        break;
      }
  } else if (!((m_caps.sagaw >> aw) & 1)) {
    throw table_error(fmt::format("{}: address width {} not supported by CAP.SAGAW 0b{:05b}", bdf,
                                  p.address_width, m_caps.sagaw));
  }
  if (m_caps.did_bits < 16 && p.did >= (1u << m_caps.did_bits))
    throw table_error(
        fmt::format("{}: domain id {} does not fit CAP.ND ({} bits)", bdf, p.did, m_caps.did_bits));
  if (m_caps.caching_mode && p.did == 0)
    throw table_error(fmt::format("{}: domain id 0 is reserved when CAP.CM=1", bdf));

  const uint64_t root_addr = m_root + (sid >> 8) * 16;
  spec::root_entry root{*m_mem.read64(root_addr), 0};
  uint64_t ctx_table;
  if (root.present()) {
    ctx_table = root.ctp();
  } else {
    ctx_table = m_pages.alloc();
    m_mem.write64(root_addr, spec::root_entry::make(ctx_table).lo);
    m_mem.write64(root_addr + 8, 0);
  }
  const auto e = spec::context_entry::make(p.tt == translation_type::pass_through ? 0 : p.slptptr, aw, p.did,
                                           p.tt, p.fpd);
  const uint64_t at = ctx_table + (sid & 0xFF) * 16;
  // Write QW1 before QW0 so that hardware never sees P=1 with a half-written entry.
  m_mem.write64(at + 8, e.hi);
  m_mem.write64(at, e.lo);
}

void context_builder::detach(uint16_t sid) {
  spec::root_entry root{*m_mem.read64(m_root + (sid >> 8) * 16), 0};
  if (!root.present()) return;
  const uint64_t at = root.ctp() + (sid & 0xFF) * 16;
  m_mem.write64(at, 0);  // clear P first
  m_mem.write64(at + 8, 0);
}

std::optional<spec::context_entry> context_builder::context_of(uint16_t sid) const {
  spec::root_entry root{*m_mem.read64(m_root + (sid >> 8) * 16), 0};
  if (!root.present()) return std::nullopt;
  const uint64_t at = root.ctp() + (sid & 0xFF) * 16;
  spec::context_entry e{*m_mem.read64(at), *m_mem.read64(at + 8)};
  if (!e.present()) return std::nullopt;
  return e;
}

}  // namespace vtd::tables
