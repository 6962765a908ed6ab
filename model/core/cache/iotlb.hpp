// IOTLB (VT-d spec 6.2.2 "IOTLB"): final translations tagged by domain, PASID and stage (cache_tag) + page
// number + page size. Entries of 4 KiB, 2 MiB and 1 GiB pages share one array or live in one array per size
// (cache_config::split_by_size). A lookup finds an entry of any size covering the address.
#pragma once
#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "model/core/cache/cache_tag.hpp"
#include "model/core/cache/cached_entries.hpp"
#include "model/core/cache/set_assoc_cache.hpp"

namespace vtd::core {

constexpr unsigned kPageSizes = 3;  // 4 KiB, 2 MiB, 1 GiB
constexpr unsigned page_size_shift(unsigned size_class) {
  return 12 + 9 * size_class;
}
// 4 KiB -> 0, 2 MiB -> 1, 1 GiB -> 2; anything else -> kPageSizes.
constexpr unsigned page_size_class(uint64_t page_size) {
  return page_size == (uint64_t{1} << 12)   ? 0
         : page_size == (uint64_t{1} << 21) ? 1
         : page_size == (uint64_t{1} << 30) ? 2
                                            : kPageSizes;
}
const char* page_size_name(unsigned size_class);

struct iotlb_tag {
  uint64_t page = 0;  // address >> page_size_shift(size)
  uint16_t did = 0;
  uint8_t size = 0;  // page-size class
  translation_stage stage = translation_stage::second;
  uint32_t pasid = kNoPasid;
  bool operator==(const iotlb_tag&) const = default;

  static iotlb_tag of(const cache_tag& t, uint64_t addr, unsigned size_class) {
    return iotlb_tag{addr >> page_size_shift(size_class), t.did, uint8_t(size_class), t.stage, t.pasid};
  }
};

// An IOTLB entry is the cached translation the walker produced (frame aligned to its size).
using iotlb_entry = cached_translation;

// Low page-number bits pick the set (sequential pages do not conflict); the DID, size, PASID and stage salt
// them so that domains, page sizes and address spaces spread differently. A lookup computes the salt of the
// DID, PASID and stage once for every size it probes (salt, then of).
struct iotlb_set_index {
  static uint64_t salt(uint16_t did, uint32_t pasid, translation_stage stage) {
    return ((uint64_t(did) * 0x9E3779B97F4A7C15ull) >> 40) ^ tag_salt(pasid, stage);
  }
  static uint64_t of(uint64_t page, unsigned size_class, uint64_t salt) {
    return page ^ (uint64_t(size_class) * 0x2545F491u) ^ salt;
  }
  uint64_t operator()(const iotlb_tag& t) const { return of(t.page, t.size, salt(t.did, t.pasid, t.stage)); }
};

struct iotlb_stats {
  cache_stats total;                            // one lookup per translation, whatever the sizes probed
  std::array<cache_stats, kPageSizes> by_size;  // hits, fills, evictions, invalidations per page size
};

class iotlb {
 public:
  using storage = set_assoc_cache<iotlb_tag, iotlb_entry, iotlb_set_index>;

  explicit iotlb(const cache_config& cfg);

  // The entry of any size covering `addr` for `tag` (domain, PASID, stage), or null; sizes are tried from
  // the smallest, and only those that can hold an entry of the domain (sizes_of).
  [[gnu::always_inline]] const iotlb_entry* lookup(const cache_tag& tag, uint64_t addr) {
    ++m_stats.total.lookups;
    const unsigned sizes = sizes_of(tag.did);
    const uint64_t salt = iotlb_set_index::salt(tag.did, tag.pasid, tag.stage);
    // A domain with one page size (the common case) takes one probe, straight-line; several sizes loop.
    // (sizes & (sizes - 1)) == 0 rather than std::has_single_bit: that is a library popcount call on the
    // baseline x86-64 target.
    if (sizes != 0 && (sizes & (sizes - 1)) == 0) [[likely]] {
      if (const iotlb_entry* e = probe_size(tag, addr, unsigned(std::countr_zero(sizes)), salt)) return e;
    } else {
      for (unsigned rest = sizes; rest != 0; rest &= rest - 1)
        if (const iotlb_entry* e = probe_size(tag, addr, unsigned(std::countr_zero(rest)), salt)) return e;
    }
    ++m_stats.total.misses;
    return nullptr;
  }
  // The page sizes (bit s: size class s) of which the IOTLB may hold an entry of domain `did`: those some
  // fill of the domain had since its entries were last all removed (a domain-selective or global
  // invalidation), and of which any entry is valid. Never a size of which an entry of `did` is valid that is
  // missing; a size with none may be named (page-selective invalidations and evictions leave the bit).
  unsigned sizes_of(uint16_t did) const { return m_domain_sizes[did] & m_nonempty; }
  // Inserts the translation of `addr` (a 4K/2M/1G page; the frame is aligned to it); false for another size.
  bool fill(const cache_tag& tag, uint64_t addr, const cached_translation& t);

  // Legacy-mode shorthands: second stage, no PASID.
  const iotlb_entry* lookup(uint16_t did, uint64_t addr) { return lookup(cache_tag::legacy(0, did), addr); }
  bool fill(uint16_t did, uint64_t addr, uint64_t frame, uint64_t page_size, bool read, bool write) {
    return fill(cache_tag::legacy(0, did), addr,
                cached_translation{frame, page_size, read, write, translation_stage::second});
  }

  // Invalidations (IOTLB_REG, iotlb_inv_dsc); each returns the number of entries removed.
  uint64_t invalidate_global();
  uint64_t invalidate_domain(uint16_t did);
  // Every entry of `did` whose page overlaps [base, base + length): superpages hit by a small range go too.
  uint64_t invalidate_range(uint16_t did, uint64_t base, uint64_t length);
  // iotlb_inv_dsc page-selective-within-domain in either mode: the second-stage (and pass-through) entries
  // of `did` in the range, and every first-stage and nested entry of `did` whatever its address (their
  // address is a first-stage input, not the second-stage address the descriptor names). Legacy mode has
  // only second-stage entries, so there it is invalidate_range.
  uint64_t invalidate_page_selective(uint16_t did, uint64_t base, uint64_t length);
  // p_iotlb_inv_dsc: every entry of `did` and `pasid` (any stage), or its first-stage and nested entries in
  // the range.
  uint64_t invalidate_pasid(uint16_t did, uint32_t pasid);
  uint64_t invalidate_pasid_range(uint16_t did, uint32_t pasid, uint64_t base, uint64_t length);

  const iotlb_stats& stats() const { return m_stats; }
  void reset_stats();
  bool split() const { return m_split; }
  uint32_t valid_entries(unsigned size_class) const { return m_count[size_class]; }
  uint32_t capacity() const;
  // Visits every valid entry as (tag, entry).
  template <class Fn>
  void for_each(Fn fn) const {
    for (unsigned a = 0; a < (m_split ? kPageSizes : 1); ++a) m_arrays[a]->for_each(fn);
  }

 private:
  storage& array_for(unsigned size_class) { return *m_arrays[m_split ? size_class : 0]; }
  // One size of lookup(): the entry of size class `s` covering `addr`, counted as a hit, or null.
  [[gnu::always_inline]] const iotlb_entry* probe_size(const cache_tag& tag, uint64_t addr, unsigned s,
                                                       uint64_t salt) {
    const iotlb_tag t = iotlb_tag::of(tag, addr, s);
    const iotlb_entry* e = array_for(s).probe_set(iotlb_set_index::of(t.page, s, salt), t, true);
    if (e) {
      ++m_stats.total.hits;
      ++m_stats.by_size[s].hits;
    }
    return e;
  }
  // Valid-entry counts per size; m_nonempty has bit s when m_count[s] != 0.
  void count_added(unsigned s) {
    ++m_count[s];
    m_nonempty |= 1u << s;
  }
  void count_removed(unsigned s) {
    if (--m_count[s] == 0) m_nonempty &= ~(1u << s);
  }
  // A domain's entries are all gone: its size bits restart empty.
  void domain_emptied(uint16_t did) { m_domain_sizes[did] &= uint8_t(~kSizeBits); }
  template <class Pred>
  uint64_t remove_if(Pred pred);
  // Removes the entries of `did` and `pasid` with a stage in `stages` (a bit per translation_stage) whose
  // page overlaps [base, last] by probing each exact tag that can (tags are unique in the arrays: a fill of
  // a present tag updates it in place). Nullopt when that takes more than kProbeLimit probes: scan instead.
  std::optional<uint64_t> probe_range(uint16_t did, uint32_t pasid, unsigned stages, uint64_t base,
                                      uint64_t last);

  bool m_split;
  std::array<std::unique_ptr<storage>, kPageSizes> m_arrays;
  std::array<uint32_t, kPageSizes> m_count{};
  unsigned m_nonempty = 0;  // bit s: m_count[s] != 0
  // Per domain id (64 Ki): bits 0..2 the sizes filled for it since it was last emptied (sizes_of), bit 7
  // set once the domain is in m_listed_domains, so that a global invalidation clears only the domains used.
  static constexpr uint8_t kSizeBits = (1u << kPageSizes) - 1, kListed = 0x80;
  std::unique_ptr<uint8_t[]> m_domain_sizes;
  std::vector<uint16_t> m_listed_domains;
  bool m_only_legacy_tags = true;  // every fill so far had no PASID and the second stage
  unsigned m_stages = 0;           // a bit (1 << stage) for every stage some fill had
  iotlb_stats m_stats;
};

}  // namespace vtd::core
