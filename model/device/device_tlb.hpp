// A device-TLB (VT-d spec 6.2, "Device-TLB (in endpoint)"; the PCIe ATS Address Translation Cache): the
// translation completions an ATS-capable endpoint keeps so that it can send translated requests (AT=10b) that
// bypass the remapping unit's walk. Entries are tagged by the request's PASID (or none) and, for a PASID
// request, its privilege mode; an entry holds the untranslated page (4 KiB, 2 MiB or 1 GiB, as the unit
// answered), the translated base and the access rights the completion granted. Geometry and replacement reuse
// the unit's set-associative storage; a lookup probes each page size that holds entries, as the IOTLB does.
// Invalidation takes the unit's decoded ATS Invalidate Request (core::dev_tlb_invalidation). SystemC-free.
#pragma once
#include <array>
#include <cstdint>

#include "model/core/cache/set_assoc_cache.hpp"
#include "model/core/invalidation/device_tlb_port.hpp"

namespace vtd::device {

// Which translations a request may use: its PASID TLP prefix (none, or a PASID with Privileged Mode
// Requested). Execute Requested is a right of the entry, not part of its tag.
struct dtlb_key {
  bool has_pasid = false;
  uint32_t pasid = 0;
  bool privileged = false;  // meaningful with has_pasid only
  bool operator==(const dtlb_key&) const = default;
};

// One cached translation completion.
struct dtlb_entry {
  uint64_t untranslated = 0;  // page base (aligned to size)
  uint64_t translated = 0;    // translated base (aligned to size)
  uint64_t size = 0x1000;     // 4 KiB, 2 MiB or 1 GiB
  bool read = false, write = false, execute = false;
  // Whoever fills the entry may stamp it (the replay: the domain it came from and the change generation of
  // its tables then, for stale detection); the TLB never reads these.
  uint16_t domain = 0;
  uint64_t generation = 0;

  uint64_t translate(uint64_t address) const { return translated | (address & (size - 1)); }
};

struct device_tlb_stats {
  uint64_t lookups = 0, hits = 0, misses = 0, fills = 0, evictions = 0;
  uint64_t invalidation_requests = 0, entries_removed = 0;
};

class device_tlb {
 public:
  // Throws std::invalid_argument for a geometry core::validate refuses.
  explicit device_tlb(const core::cache_config& config);

  // The entry covering `address` for `key` (counted: a lookup, then a hit or a miss), or null. The pointer is
  // valid until the next fill or invalidation; the caller may restamp it.
  dtlb_entry* lookup(const dtlb_key& key, uint64_t address);
  // The same without counting or touching the replacement state.
  const dtlb_entry* peek(const dtlb_key& key, uint64_t address) const;
  // Stores a completion; false (nothing stored) for a size that is not 4 KiB, 2 MiB or 1 GiB.
  bool fill(const dtlb_key& key, const dtlb_entry& entry);
  // Drops what an ATS Invalidate Request covers: a request without PASID the entries without PASID, a
  // PASID-based one the entries of its PASID (global: of every PASID); of those, every entry whose page
  // overlaps [address, address + size), or all of them (`all`). Returns the number removed.
  uint64_t invalidate(const core::dev_tlb_invalidation& request);

  const device_tlb_stats& stats() const { return m_stats; }
  void reset_stats() { m_stats = {}; }
  uint32_t valid_entries() const { return m_cache.valid_entries(); }
  const core::cache_config& config() const { return m_cache.config(); }
  template <class Fn>
  void for_each(Fn fn) const {
    m_cache.for_each([&](const auto& tag, const dtlb_entry& e) { fn(tag.key, e); });
  }

 private:
  struct tag {
    uint64_t page = 0;  // untranslated address >> the size's shift
    uint8_t size_class = 0;
    dtlb_key key;
    bool operator==(const tag&) const = default;
  };
  struct set_index {
    uint64_t operator()(const tag& t) const {
      return t.page ^ (uint64_t(t.size_class) * 0x2545F491u) ^ (uint64_t(t.key.pasid) * 0x9E3779B1u);
    }
  };
  static constexpr unsigned kSizes = 3;  // 4 KiB, 2 MiB, 1 GiB
  static constexpr unsigned shift(unsigned size_class) { return 12 + 9 * size_class; }

  mutable core::set_assoc_cache<tag, dtlb_entry, set_index> m_cache;
  std::array<uint32_t, kSizes> m_count{};  // valid entries per size: sizes without entries are not probed
  device_tlb_stats m_stats;
};

}  // namespace vtd::device
