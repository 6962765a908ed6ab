// The walk record: every memory read (address, raw entry) and every cache lookup one request caused, in
// order. One source, several readers: the timing model prices it, `vtdsim walk` explains it, the checker
// reads it. Fixed capacity so that recording costs no allocation on the hot path.
#pragma once
#include <array>
#include <cstdint>

namespace vtd::core {

enum class step_kind : uint8_t {
  root_entry,         // 128-bit root entry read (RTA + bus*16)
  context_entry,      // 128-bit context entry read (CTP + devfn*16)
  sl_entry,           // 64-bit second-level paging entry read
  irte,               // 128-bit interrupt remapping table entry read
  posted_descriptor,  // posted-interrupt descriptor access
  cache_lookup,       // a lookup in one of the translation caches
  status_write,       // a memory write by the unit (invalidation-wait status, posting)
};

enum class cache_kind : uint8_t {
  context,    // context-cache, tagged by source-id
  iotlb,      // final translations, tagged by DID and page number
  pde,        // paging-structure cache of PDEs (level 2 entries)
  pdpe,       // PDPEs (level 3)
  pml4e,      // PML4Es (level 4)
  pml5e,      // PML5Es (level 5)
  interrupt,  // interrupt entry cache, tagged by interrupt_index
};
constexpr unsigned kCacheKinds = 7;
const char* to_string(step_kind k);
const char* to_string(cache_kind k);

struct walk_step {
  step_kind kind = step_kind::root_entry;
  cache_kind cache = cache_kind::context;  // cache_lookup only
  uint8_t level = 0;   // sl_entry: paging level 5..1; cache_lookup on a paging-structure cache: its level
  bool ok = true;      // memory read succeeded / cache lookup hit
  uint16_t index = 0;  // index into the table (bus, devfn, 9-bit level index, interrupt_index)
  uint64_t table_base = 0;
  uint64_t entry_address = 0;
  uint64_t raw_lo = 0;  // entry as read (QW0); for a cache hit, the cached value where meaningful
  uint64_t raw_hi = 0;  // QW1 for 128-bit entries
};

class walk_record {
 public:
  static constexpr unsigned kMaxSteps = 24;

  void clear() { m_count = 0; }
  void add(const walk_step& s) {
    if (m_count < kMaxSteps) m_steps[m_count++] = s;
  }
  unsigned size() const { return m_count; }
  const walk_step& operator[](unsigned i) const { return m_steps[i]; }
  const walk_step* begin() const { return m_steps.data(); }
  const walk_step* end() const { return m_steps.data() + m_count; }

  unsigned memory_reads() const {
    unsigned n = 0;
    for (const auto& s : *this) n += s.kind != step_kind::cache_lookup && s.kind != step_kind::status_write;
    return n;
  }

 private:
  std::array<walk_step, kMaxSteps> m_steps{};
  uint8_t m_count = 0;
};

}  // namespace vtd::core
