// The small-range invalidations that probe exact tags instead of scanning (iotlb::invalidate_pasid_range,
// invalidate_range and paging_structure_caches::invalidate_pasid_range, invalidate_range) must remove
// exactly the entries the scope names (spec 6.5.2.4 p_iotlb_inv_dsc, 6.5.2.3 iotlb_inv_dsc): checked against
// a snapshot of every valid entry taken before and the scope's predicate written out here, over caches
// filled with a seeded random mix of DIDs, PASIDs, stages, page sizes and addresses, with ranges small
// enough to be probed and large enough to be scanned.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

#include "model/core/cache/iotlb.hpp"
#include "model/core/cache/paging_structure_cache.hpp"

using namespace vtd::core;

namespace {

using iotlb_key =
    std::tuple<uint64_t, uint16_t, uint8_t, uint8_t, uint32_t>;  // page, did, size, stage, pasid
using psc_key =
    std::tuple<unsigned, uint64_t, uint16_t, uint8_t, uint32_t>;  // level, region, did, stage, pasid

std::set<iotlb_key> snapshot(const iotlb& t) {
  std::set<iotlb_key> out;
  t.for_each([&](const iotlb_tag& g, const iotlb_entry&) {
    out.insert({g.page, g.did, g.size, uint8_t(g.stage), g.pasid});
  });
  return out;
}
std::set<psc_key> snapshot(const paging_structure_caches& c) {
  std::set<psc_key> out;
  for (unsigned level = kPscLowest; level < kPscLowest + kPscLevels; ++level)
    if (const auto* a = c.level_array(level))
      a->for_each([&](const psc_tag& g, const psc_entry&) {
        out.insert({level, g.region, g.did, uint8_t(g.stage), g.pasid});
      });
  return out;
}

const translation_stage kStages[] = {translation_stage::first, translation_stage::second,
                                     translation_stage::nested, translation_stage::pass_through};
constexpr uint64_t k4K = 0x1000;

struct random_scope {
  uint16_t did;
  uint32_t pasid;
  uint64_t base, length;
};
random_scope pick_scope(std::mt19937_64& rng) {
  random_scope s;
  s.did = uint16_t(1 + rng() % 3);
  s.pasid = uint32_t(rng() % 3);
  s.base = (rng() % 1024) * k4K;
  // Mostly a few pages (probed); sometimes 2 MiB or 64 MiB blocks (more probes than allowed: scanned).
  const unsigned k = unsigned(rng() % 8);
  s.length = k < 6 ? (1 + rng() % 8) * k4K : k == 6 ? 0x200000 : 0x4000000;
  s.base &= ~(s.length - 1) | (k < 6 ? ~uint64_t{0} : 0);
  return s;
}

}  // namespace

TEST(PasidRangeProbe, IotlbRemovesExactlyTheScope) {
  for (const bool split : {false, true}) {
    cache_config cfg{512, 8, replacement_policy::lru, 2, split};
    iotlb t(cfg);
    std::mt19937_64 rng(split ? 99 : 7);
    for (int round = 0; round < 400; ++round) {
      for (int i = 0; i < 40; ++i) {
        const uint64_t sizes[] = {k4K, 0x200000, 0x40000000};
        const uint64_t size = sizes[rng() % 10 < 8 ? 0 : 1 + rng() % 2];
        const translation_stage stage = kStages[rng() % 4];
        const uint32_t pasid = rng() % 4 == 0 ? kNoPasid : uint32_t(rng() % 3);
        cache_tag tag{0, uint16_t(1 + rng() % 3), pasid, stage};
        const uint64_t addr = (rng() % 1024) * k4K;
        t.fill(tag, addr, cached_translation{addr & ~(size - 1), size, true, true, stage});
      }
      const auto before = snapshot(t);
      const random_scope s = pick_scope(rng);
      const uint64_t last = s.base + s.length - 1;
      std::set<iotlb_key> want = before;
      uint64_t removed = 0;
      const bool pasid_scope = rng() % 2 == 0;
      for (const auto& k : before) {
        const auto [page, did, size, stage, pasid] = k;
        const unsigned shift = page_size_shift(size);
        const bool overlaps = page >= (s.base >> shift) && page <= (last >> shift);
        const auto st = translation_stage(stage);
        // p_iotlb_inv_dsc page-selective: DID, PASID, first-stage-input entries in the range.
        // invalidate_range: DID and the range, any PASID and stage.
        const bool hit = pasid_scope ? did == s.did && pasid == s.pasid && overlaps &&
                                           (st == translation_stage::first || st == translation_stage::nested)
                                     : did == s.did && overlaps;
        if (hit) {
          want.erase(k);
          ++removed;
        }
      }
      const uint64_t n = pasid_scope ? t.invalidate_pasid_range(s.did, s.pasid, s.base, s.length)
                                     : t.invalidate_range(s.did, s.base, s.length);
      ASSERT_EQ(n, removed) << "round " << round;
      ASSERT_EQ(snapshot(t), want) << "round " << round;
      uint32_t valid = 0;
      for (unsigned c = 0; c < kPageSizes; ++c) valid += t.valid_entries(c);
      ASSERT_EQ(valid, want.size()) << "the per-size counts follow";
    }
  }
}

TEST(PasidRangeProbe, PagingStructureCachesRemoveExactlyTheScope) {
  std::array<cache_config, kPscLevels> cfg{cache_config{64, 4, replacement_policy::lru, 3, false},
                                           cache_config{32, 4, replacement_policy::lru, 4, false},
                                           cache_config{16, 4, replacement_policy::lru, 5, false},
                                           cache_config{8, 8, replacement_policy::lru, 6, false}};
  paging_structure_caches c(cfg);
  std::mt19937_64 rng(31337);
  for (int round = 0; round < 400; ++round) {
    for (int i = 0; i < 12; ++i) {
      const translation_stage stage = kStages[rng() % 4];
      const uint32_t pasid = rng() % 4 == 0 ? kNoPasid : uint32_t(rng() % 3);
      const uint64_t addr = (rng() % 1024) * k4K * (rng() % 2 ? 1 : 512);
      c.fill(cache_tag{0, uint16_t(1 + rng() % 3), pasid, stage}, addr, kPscLowest + unsigned(rng() % 4),
             psc_entry{});
    }
    const auto before = snapshot(c);
    const random_scope s = pick_scope(rng);
    const uint64_t last = s.base + s.length - 1;
    const bool pasid_scope = rng() % 2 == 0;
    std::set<psc_key> want = before;
    uint64_t removed = 0;
    for (const auto& k : before) {
      const auto [level, region, did, stage, pasid] = k;
      const unsigned shift = paging_structure_caches::shift(level);
      const bool overlaps = region >= (s.base >> shift) && region <= (last >> shift);
      // p_iotlb_inv_dsc: DID, PASID and the range (any stage); iotlb_inv_dsc with IH=0: DID and the range.
      const bool hit = pasid_scope ? did == s.did && pasid == s.pasid && overlaps : did == s.did && overlaps;
      if (hit) {
        want.erase(k);
        ++removed;
      }
    }
    const uint64_t n = pasid_scope ? c.invalidate_pasid_range(s.did, s.pasid, s.base, s.length)
                                   : c.invalidate_range(s.did, s.base, s.length);
    ASSERT_EQ(n, removed) << "round " << round;
    ASSERT_EQ(snapshot(c), want) << "round " << round;
  }
}
