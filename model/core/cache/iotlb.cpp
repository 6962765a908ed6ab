// IOTLB fills and invalidations (VT-d spec 6.2.2; IOTLB_REG, iotlb_inv_dsc).
#include "model/core/cache/iotlb.hpp"

#include <bit>

namespace vtd::core {

const char* page_size_name(unsigned size_class) {
  constexpr const char* names[kPageSizes] = {"4k", "2m", "1g"};
  return size_class < kPageSizes ? names[size_class] : "?";
}

iotlb::iotlb(const cache_config& cfg)
    : m_split(cfg.split_by_size), m_domain_sizes(std::make_unique<uint8_t[]>(size_t{1} << 16)) {
  for (unsigned a = 0; a < (m_split ? kPageSizes : 1); ++a) {
    cache_config c = cfg;
    c.seed = cfg.seed + a;  // independent random streams per array
    m_arrays[a] = std::make_unique<storage>(c);
  }
}

uint32_t iotlb::capacity() const {
  uint32_t n = 0;
  for (unsigned a = 0; a < (m_split ? kPageSizes : 1); ++a) n += m_arrays[a]->capacity();
  return n;
}

bool iotlb::fill(const cache_tag& tag, uint64_t addr, const cached_translation& t) {
  const uint64_t page_size = t.page_size();
  unsigned s = page_size_class(page_size);
  if (s >= kPageSizes) return false;
  iotlb_entry e = t;
  e.frame = t.frame & ~(page_size - 1);
  if (tag.pasid != kNoPasid || tag.stage != translation_stage::second) m_only_legacy_tags = false;
  m_stages |= 1u << unsigned(tag.stage);
  uint8_t& sizes = m_domain_sizes[tag.did];
  if (!(sizes & kListed)) m_listed_domains.push_back(tag.did);
  sizes |= uint8_t(kListed | (1u << s));
  auto r = array_for(s).fill(iotlb_tag::of(tag, addr, s), e);
  ++m_stats.total.fills;
  ++m_stats.by_size[s].fills;
  if (r.updated) return true;
  count_added(s);
  if (r.evicted) {
    count_removed(r.victim_tag.size);
    ++m_stats.total.evictions;
    ++m_stats.by_size[r.victim_tag.size].evictions;
  }
  return true;
}

template <class Pred>
uint64_t iotlb::remove_if(Pred pred) {
  uint64_t n = 0;
  for (unsigned a = 0; a < (m_split ? kPageSizes : 1); ++a)
    n += m_arrays[a]->invalidate_if([&](const iotlb_tag& t, const iotlb_entry& e) {
      if (!pred(t, e)) return false;
      count_removed(t.size);
      ++m_stats.by_size[t.size].invalidations;
      return true;
    });
  m_stats.total.invalidations += n;
  return n;
}

uint64_t iotlb::invalidate_global() {
  const uint64_t n = remove_if([](const iotlb_tag&, const iotlb_entry&) { return true; });
  // Every entry is gone: every domain's sizes restart empty (the listed ones are all that can have bits).
  for (uint16_t did : m_listed_domains) m_domain_sizes[did] = 0;
  m_listed_domains.clear();
  return n;
}

uint64_t iotlb::invalidate_domain(uint16_t did) {
  const uint64_t n = remove_if([did](const iotlb_tag& t, const iotlb_entry&) { return t.did == did; });
  domain_emptied(did);  // no entry of `did` is left, whatever its PASID or stage
  return n;
}

namespace {
// Small ranges (the common page-selective case) are invalidated by probing the exact tags that can overlap
// them instead of scanning the whole array: a few probes instead of ~1000 entries, the same entries removed.
constexpr uint64_t kProbeLimit = 64;
constexpr unsigned stage_bit(translation_stage s) {
  return 1u << unsigned(s);
}
}  // namespace

std::optional<uint64_t> iotlb::probe_range(uint16_t did, uint32_t pasid, unsigned stages, uint64_t base,
                                           uint64_t last) {
  if (last == ~uint64_t{0}) return std::nullopt;
  const unsigned mask = stages & m_stages;
  const unsigned stage_count = unsigned(std::popcount(mask));
  // Only the sizes that can hold an entry of `did` (sizes_of): the others have nothing to remove.
  const unsigned sizes = sizes_of(did);
  uint64_t probes = 0;
  for (unsigned s = 0; s < kPageSizes; ++s)
    if (sizes & (1u << s))
      probes += ((last >> page_size_shift(s)) - (base >> page_size_shift(s)) + 1) * stage_count;
  if (probes > kProbeLimit) return std::nullopt;
  uint64_t n = 0;
  for (unsigned s = 0; s < kPageSizes; ++s) {
    if (!(sizes & (1u << s))) continue;
    for (unsigned rest = mask; rest != 0; rest &= rest - 1) {
      const auto stage = translation_stage(std::countr_zero(rest));
      for (uint64_t page = base >> page_size_shift(s); page <= last >> page_size_shift(s); ++page) {
        if (array_for(s).invalidate(iotlb_tag{page, did, uint8_t(s), stage, pasid})) {
          count_removed(s);
          ++m_stats.by_size[s].invalidations;
          ++n;
        }
      }
    }
  }
  m_stats.total.invalidations += n;
  return n;
}

uint64_t iotlb::invalidate_range(uint16_t did, uint64_t base, uint64_t length) {
  uint64_t last = length == 0 ? base : base + (length - 1);
  if (last < base) last = ~uint64_t{0};  // range runs to the top of the address space
  // The probes name legacy tags (no PASID, second stage): once other tags exist, only the scan finds them
  // all.
  if (m_only_legacy_tags)
    if (auto n = probe_range(did, kNoPasid, stage_bit(translation_stage::second), base, last)) return *n;
  return remove_if([=](const iotlb_tag& t, const iotlb_entry&) {
    if (t.did != did) return false;
    unsigned shift = page_size_shift(t.size);
    uint64_t first_page = base >> shift, last_page = last >> shift;
    return t.page >= first_page && t.page <= last_page;
  });
}

namespace {
bool first_stage_input(translation_stage s) {
  return s == translation_stage::first || s == translation_stage::nested;
}
// Whether the page of tag `t` overlaps [base, last].
bool overlaps(const iotlb_tag& t, uint64_t base, uint64_t last) {
  const unsigned shift = page_size_shift(t.size);
  return t.page >= (base >> shift) && t.page <= (last >> shift);
}
uint64_t range_last(uint64_t base, uint64_t length) {
  uint64_t last = length == 0 ? base : base + (length - 1);
  return last < base ? ~uint64_t{0} : last;
}
}  // namespace

uint64_t iotlb::invalidate_page_selective(uint16_t did, uint64_t base, uint64_t length) {
  if (m_only_legacy_tags) return invalidate_range(did, base, length);
  const uint64_t last = range_last(base, length);
  return remove_if([=](const iotlb_tag& t, const iotlb_entry&) {
    return t.did == did && (first_stage_input(t.stage) || overlaps(t, base, last));
  });
}

uint64_t iotlb::invalidate_pasid(uint16_t did, uint32_t pasid) {
  return remove_if([=](const iotlb_tag& t, const iotlb_entry&) { return t.did == did && t.pasid == pasid; });
}

uint64_t iotlb::invalidate_pasid_range(uint16_t did, uint32_t pasid, uint64_t base, uint64_t length) {
  const uint64_t last = range_last(base, length);
  // The tags are exact here (DID, PASID, one of two stages), so the probes apply in any mode.
  if (auto n = probe_range(
          did, pasid, stage_bit(translation_stage::first) | stage_bit(translation_stage::nested), base, last))
    return *n;
  return remove_if([=](const iotlb_tag& t, const iotlb_entry&) {
    return t.did == did && t.pasid == pasid && first_stage_input(t.stage) && overlaps(t, base, last);
  });
}

void iotlb::reset_stats() {
  m_stats = {};
  for (auto& a : m_arrays)
    if (a) a->reset_stats();
}

}  // namespace vtd::core
