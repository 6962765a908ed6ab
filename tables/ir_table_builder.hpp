// Interrupt remapping table (VT-d spec 9.10 / 9.11): allocate the table (2^n entries, contiguous pages), hand
// out handles (single or N contiguous for multi-vector MSI), program remapped- and posted-format entries.
#pragma once
#include <cstdint>
#include <vector>

#include "model/memory/physical_memory.hpp"
#include "model/spec/irte.hpp"
#include "tables/page_allocator.hpp"

namespace vtd::tables {

class ir_table_builder {
 public:
  // entries_log2: 1..16 (IRTA.S = entries_log2 - 1). x2apic: IRTA.EIME.
  ir_table_builder(core::physical_memory& mem, page_allocator& pages, unsigned entries_log2, bool x2apic,
                   bool posted_supported, unsigned haw);

  uint64_t irta() const;  // base | EIME | S, the value software writes before GCMD.SIRTP
  uint64_t base() const { return m_base; }
  uint32_t entries() const { return uint32_t(m_used.size()); }

  // First fit of `count` contiguous free handles, aligned to `count` rounded up to a power of two
  // (multi-vector MSI ORs the vector number into the low data bits). Throws table_error when the table is
  // full.
  uint32_t allocate(uint32_t count = 1);
  void reserve(uint32_t index);  // mark a handle the platform file chose itself
  void set_remapped(uint32_t index, const spec::irte::remapped_fields& f);
  void set_posted(uint32_t index, uint8_t vector, uint64_t descriptor, bool urgent, uint16_t sid, unsigned sq,
                  spec::source_validation svt);
  void clear(uint32_t index);
  spec::irte read(uint32_t index) const;

 private:
  void check_index(uint32_t index) const;
  void write(uint32_t index, const spec::irte& e);

  core::physical_memory& m_mem;
  uint64_t m_base;
  unsigned m_log2;
  bool m_x2apic, m_posted;
  unsigned m_haw;
  std::vector<bool> m_used;
};

}  // namespace vtd::tables
