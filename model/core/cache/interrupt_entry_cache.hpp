// Interrupt entry cache (VT-d spec "Interrupt Entry Cache"; iec_inv_dsc): IRTEs tagged by interrupt_index,
// invalidated globally or by index with an IM mask (2^IM naturally aligned entries).
#pragma once
#include <cstdint>

#include "model/core/cache/set_assoc_cache.hpp"
#include "model/spec/irte.hpp"

namespace vtd::core {

struct interrupt_index_set {
  uint64_t operator()(uint32_t index) const { return index; }
};

class interrupt_entry_cache {
 public:
  using storage = set_assoc_cache<uint32_t, spec::irte, interrupt_index_set>;

  explicit interrupt_entry_cache(const cache_config& cfg) : m_cache(cfg) {}

  const spec::irte* lookup(uint32_t index) { return m_cache.lookup(index); }
  // Only present entries are cached (non-present entries fault and are never cached: spec "Caching Mode").
  bool fill(uint32_t index, const spec::irte& e) {
    if (!e.present()) return false;
    m_cache.fill(index, e);
    return true;
  }

  uint64_t invalidate_global() { return m_cache.invalidate_all(); }
  // Index-selective: the 2^im entries whose index equals `index` with the low `im` bits ignored.
  uint64_t invalidate_index(uint32_t index, unsigned im) {
    uint32_t mask = im >= 32 ? 0u : ~((uint32_t{1} << im) - 1);
    return m_cache.invalidate_if(
        [=](uint32_t tag, const spec::irte&) { return (tag & mask) == (index & mask); });
  }

  storage& array() { return m_cache; }
  const storage& array() const { return m_cache; }
  const cache_stats& stats() const { return m_cache.stats(); }

 private:
  storage m_cache;
};

}  // namespace vtd::core
