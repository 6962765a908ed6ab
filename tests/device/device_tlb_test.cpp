// The device-TLB against a shadow map kept by the test (random fills and invalidations, seeded), and the
// ranges that ATS Invalidate Requests decoded from S/ADDR drop, computed by hand from the encoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "model/device/device_tlb.hpp"
#include "model/spec/ats_range.hpp"

namespace vtd::device {
namespace {

core::dev_tlb_invalidation request(uint64_t addr, bool s, bool has_pasid = false, uint32_t pasid = 0,
                                   bool global = false) {
  const spec::ats_range r = spec::decode_ats_range(addr, s);
  core::dev_tlb_invalidation q;
  q.sid = 0x100;
  q.has_pasid = has_pasid;
  q.pasid = pasid;
  q.global = global;
  q.address = r.base;
  q.size = r.size;
  q.all = r.all;
  return q;
}

dtlb_entry page(uint64_t in, uint64_t out, uint64_t size = 0x1000) {
  dtlb_entry e;
  e.untranslated = in;
  e.translated = out;
  e.size = size;
  e.read = e.write = true;
  return e;
}

TEST(DeviceTlb, HitTranslatesWithinTheCachedPageOfEverySize) {
  device_tlb t(core::cache_config{16, 4, core::replacement_policy::lru, 1, false});
  const dtlb_key k{};
  ASSERT_TRUE(t.fill(k, page(0x40000000, 0x80000000, 1ull << 30)));
  ASSERT_TRUE(t.fill(k, page(0x200000, 0x600000, 1ull << 21)));
  ASSERT_TRUE(t.fill(k, page(0x5000, 0x9000)));
  EXPECT_FALSE(t.fill(k, page(0x8000, 0x8000, 0x2000)));  // 8 KiB: no such translation size here
  EXPECT_EQ(t.lookup(k, 0x7FFF1234)->translate(0x7FFF1234), 0xBFFF1234u);
  EXPECT_EQ(t.lookup(k, 0x3FF008)->translate(0x3FF008), 0x7FF008u);
  EXPECT_EQ(t.lookup(k, 0x5ABC)->translate(0x5ABC), 0x9ABCu);
  EXPECT_EQ(t.lookup(k, 0x6000), nullptr);
  // A PASID's entries are not the untagged ones, nor another privilege's.
  EXPECT_EQ(t.lookup(dtlb_key{true, 5, false}, 0x5000), nullptr);
  ASSERT_TRUE(t.fill(dtlb_key{true, 5, false}, page(0x5000, 0xA000)));
  EXPECT_EQ(t.lookup(dtlb_key{true, 5, true}, 0x5000), nullptr);
  EXPECT_EQ(t.lookup(dtlb_key{true, 5, false}, 0x5000)->translated, 0xA000u);
  const device_tlb_stats& s = t.stats();
  EXPECT_EQ(s.lookups, 7u);
  EXPECT_EQ(s.hits, 4u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.fills, 4u);
}

TEST(DeviceTlb, SAddrRangesDropExactlyTheirBlock) {
  // Sixteen 4 KiB pages at 0x10000..0x1F000; each request below drops the pages of its block, by hand:
  //  S=0 ADDR 0x13000: the page 0x13000.
  //  S=1 ADDR 0x14000 (ADDR[12]=0): 8 KiB at 0x14000 -> 0x14000, 0x15000.
  //  S=1 ADDR 0x19000 (ADDR[12]=1, ADDR[13]=0): 16 KiB at 0x18000 -> 0x18000..0x1B000.
  //  S=1 ADDR 0x1D000 (ADDR[12]=1, ADDR[13]=0): 16 KiB at 0x1C000 -> 0x1C000..0x1F000.
  struct cas {
    uint64_t addr;
    bool s;
    std::vector<uint64_t> dropped;
  };
  const cas cases[] = {{0x13000, false, {0x13000}},
                       {0x14000, true, {0x14000, 0x15000}},
                       {0x19000, true, {0x18000, 0x19000, 0x1A000, 0x1B000}},
                       {0x1D000, true, {0x1C000, 0x1D000, 0x1E000, 0x1F000}}};
  for (const cas& c : cases) {
    device_tlb t(core::cache_config{64, 64, core::replacement_policy::lru, 1, false});
    for (uint64_t a = 0x10000; a < 0x20000; a += 0x1000) t.fill({}, page(a, a + 0x100000));
    EXPECT_EQ(t.invalidate(request(c.addr, c.s)), c.dropped.size()) << std::hex << c.addr;
    for (uint64_t a = 0x10000; a < 0x20000; a += 0x1000) {
      const bool gone = std::find(c.dropped.begin(), c.dropped.end(), a) != c.dropped.end();
      EXPECT_EQ(t.peek({}, a) == nullptr, gone) << std::hex << c.addr << " page " << a;
    }
  }
  // A 4 KiB request inside a 2 MiB entry drops the whole entry (it overlaps it).
  device_tlb t(core::cache_config{16, 4, core::replacement_policy::lru, 1, false});
  t.fill({}, page(0x200000, 0x400000, 1ull << 21));
  EXPECT_EQ(t.invalidate(request(0x3FF000, false)), 1u);
  EXPECT_EQ(t.peek({}, 0x200000), nullptr);
  // S=1 with ADDR[63:12] all ones: everything of the requester's space.
  t.fill({}, page(0x1000, 0x2000));
  t.fill({}, page(0x7000000000, 0x3000));
  EXPECT_EQ(t.invalidate(request(spec::every_address().addr, true)), 2u);
  EXPECT_EQ(t.valid_entries(), 0u);
}

TEST(DeviceTlb, PasidScopes) {
  device_tlb t(core::cache_config{16, 16, core::replacement_policy::lru, 1, false});
  t.fill({}, page(0x1000, 0xA000));
  t.fill({true, 1, false}, page(0x1000, 0xB000));
  t.fill({true, 2, false}, page(0x1000, 0xC000));
  t.fill({true, 2, true}, page(0x1000, 0xD000));
  // p_dev_tlb PASID 2, not global: PASID 2's entries (both privileges), nothing else.
  EXPECT_EQ(t.invalidate(request(0x1000, false, true, 2)), 2u);
  EXPECT_NE(t.peek({}, 0x1000), nullptr);
  EXPECT_NE(t.peek({true, 1, false}, 0x1000), nullptr);
  // Global: every PASID's entries; the untagged one stays for a request without PASID.
  EXPECT_EQ(t.invalidate(request(0x1000, false, true, 9, true)), 1u);
  EXPECT_NE(t.peek({}, 0x1000), nullptr);
  EXPECT_EQ(t.invalidate(request(0x1000, false)), 1u);
  EXPECT_EQ(t.valid_entries(), 0u);
  EXPECT_EQ(t.stats().invalidation_requests, 3u);
  EXPECT_EQ(t.stats().entries_removed, 4u);
}

// Random fills and invalidations against a shadow of what a TLB large enough never to
// evict must hold: every lookup agrees with the shadow.
TEST(DeviceTlb, AgreesWithAShadowMapUnderRandomTraffic) {
  std::mt19937_64 rng(20261130);
  device_tlb t(core::cache_config{4096, 256, core::replacement_policy::lru, 1, false});
  using key = std::tuple<bool, uint32_t, uint64_t>;  // (has PASID, PASID, page)
  std::map<key, uint64_t> shadow;                    // 4 KiB pages only -> translated base
  for (int step = 0; step < 4000; ++step) {
    const bool has_pasid = rng() % 2;
    const uint32_t pasid = has_pasid ? uint32_t(rng() % 3) : 0;
    const uint64_t pg = (rng() % 256) << 12;
    const unsigned op = rng() % 10;
    if (op < 6) {
      const uint64_t out = (rng() % 4096) << 12;
      ASSERT_TRUE(t.fill({has_pasid, pasid, false}, page(pg, out)));
      shadow[{has_pasid, pasid, pg}] = out;
    } else if (op < 9) {
      // A block of 2^k pages, k in 0..4, naturally aligned, as S/ADDR encodes it.
      const unsigned k = rng() % 5;
      const uint64_t size = uint64_t{0x1000} << k;
      const uint64_t base = pg & ~(size - 1);
      const auto enc = spec::encode_ats_range(base, size);
      ASSERT_TRUE(enc);
      const bool global = has_pasid && rng() % 4 == 0;
      uint64_t expect = 0;
      for (auto it = shadow.begin(); it != shadow.end();) {
        const auto& [hp, p, a] = it->first;
        const bool scope = has_pasid ? (hp && (global || p == pasid)) : !hp;
        if (scope && a >= base && a < base + size) {
          it = shadow.erase(it);
          ++expect;
        } else {
          ++it;
        }
      }
      ASSERT_EQ(t.invalidate(request(enc->addr, enc->s, has_pasid, pasid, global)), expect) << step;
    } else {
      const dtlb_entry* e = t.peek({has_pasid, pasid, false}, pg | 0x123);
      auto it = shadow.find({has_pasid, pasid, pg});
      ASSERT_EQ(e != nullptr, it != shadow.end()) << step;
      if (e) {
        EXPECT_EQ(e->translate(pg | 0x123), it->second | 0x123);
      }
    }
  }
  EXPECT_EQ(t.stats().evictions, 0u);  // the shadow models no replacement
  EXPECT_EQ(t.valid_entries(), shadow.size());
}

TEST(DeviceTlb, EvictsWithinASetByItsPolicy) {
  // One set of 2 ways, LRU: the third page evicts the least recently used one.
  device_tlb t(core::cache_config{2, 2, core::replacement_policy::lru, 1, false});
  t.fill({}, page(0x1000, 0xA000));
  t.fill({}, page(0x2000, 0xB000));
  ASSERT_NE(t.lookup({}, 0x1000), nullptr);  // 0x2000 is now the LRU
  t.fill({}, page(0x3000, 0xC000));
  EXPECT_EQ(t.stats().evictions, 1u);
  EXPECT_EQ(t.peek({}, 0x2000), nullptr);
  EXPECT_NE(t.peek({}, 0x1000), nullptr);
  EXPECT_NE(t.peek({}, 0x3000), nullptr);
}

}  // namespace
}  // namespace vtd::device
