// Interrupt remapping table builder (see header).
#include "tables/ir_table_builder.hpp"

#include <fmt/format.h>

#include "model/spec/registers.hpp"
#include "tables/table_error.hpp"

namespace vtd::tables {

ir_table_builder::ir_table_builder(core::physical_memory& mem, page_allocator& pages, unsigned entries_log2,
                                   bool x2apic, bool posted_supported, unsigned haw)
    : m_mem(mem), m_log2(entries_log2), m_x2apic(x2apic), m_posted(posted_supported), m_haw(haw) {
  if (entries_log2 < 1 || entries_log2 > 16)
    throw table_error(
        fmt::format("interrupt remapping table of 2^{} entries: must be 2^1 .. 2^16", entries_log2));
  const uint64_t bytes = (uint64_t{1} << entries_log2) * 16;
  m_base = pages.alloc_contiguous((bytes + 4095) / 4096);
  m_used.assign(size_t{1} << entries_log2, false);
}

uint64_t ir_table_builder::irta() const {
  return spec::reg::make_irta(m_base, m_log2 - 1, m_x2apic);
}

void ir_table_builder::check_index(uint32_t index) const {
  if (index >= m_used.size())
    throw table_error(fmt::format("interrupt index {} beyond the table's {} entries", index, m_used.size()));
}

uint32_t ir_table_builder::allocate(uint32_t count) {
  uint32_t align = 1;
  while (align < count) align <<= 1;
  for (uint32_t start = 0; start + count <= m_used.size(); start += align) {
    bool free = true;
    for (uint32_t i = 0; i < count && free; ++i) free = !m_used[start + i];
    if (free) {
      for (uint32_t i = 0; i < count; ++i) m_used[start + i] = true;
      return start;
    }
  }
  throw table_error(fmt::format("interrupt remapping table full: no {} free contiguous handles", count));
}

void ir_table_builder::reserve(uint32_t index) {
  check_index(index);
  if (m_used[index]) throw table_error(fmt::format("interrupt index {} is used twice", index));
  m_used[index] = true;
}

void ir_table_builder::write(uint32_t index, const spec::irte& e) {
  const uint64_t at = m_base + uint64_t(index) * 16;
  m_mem.write64(at, 0);  // clear P before changing the rest
  m_mem.write64(at + 8, e.hi);
  m_mem.write64(at, e.lo);
}

void ir_table_builder::set_remapped(uint32_t index, const spec::irte::remapped_fields& f) {
  check_index(index);
  if (!spec::is_valid_delivery_mode(f.dlm))
    throw table_error(fmt::format("interrupt index {}: delivery mode {} is reserved", index, f.dlm));
  if (!m_x2apic && f.destination > 0xFF)
    throw table_error(fmt::format("interrupt index {}: destination {} needs x2APIC mode (IRTA.EIME)", index,
                                  f.destination));
  if (f.svt == spec::source_validation::reserved)
    throw table_error(fmt::format("interrupt index {}: SVT=11b is reserved", index));
  write(index, spec::irte::make_remapped(f, m_x2apic));
}

void ir_table_builder::set_posted(uint32_t index, uint8_t vector, uint64_t descriptor, bool urgent,
                                  uint16_t sid, unsigned sq, spec::source_validation svt) {
  check_index(index);
  if (!m_posted) throw table_error(fmt::format("interrupt index {}: posted format needs CAP.PI", index));
  if (descriptor & 63)
    throw table_error(fmt::format("interrupt index {}: posted descriptor 0x{:x} must be 64-byte aligned",
                                  index, descriptor));
  if (m_haw < 64 && (descriptor >> m_haw))
    throw table_error(
        fmt::format("interrupt index {}: posted descriptor 0x{:x} beyond HAW", index, descriptor));
  write(index, spec::irte::make_posted(vector, descriptor, urgent, sid, sq, svt));
}

void ir_table_builder::clear(uint32_t index) {
  check_index(index);
  m_mem.write64(m_base + uint64_t(index) * 16, 0);
  m_mem.write64(m_base + uint64_t(index) * 16 + 8, 0);
  m_used[index] = false;
}

spec::irte ir_table_builder::read(uint32_t index) const {
  check_index(index);
  return spec::irte{*m_mem.read64(m_base + uint64_t(index) * 16),
                    *m_mem.read64(m_base + uint64_t(index) * 16 + 8)};
}

}  // namespace vtd::tables
