// Seeded property test: random domains and mappings through the builders (maps of random sizes and
// alignments, partial unmaps that split superpages), random DMAs through the functional core's walker. Every
// translation agrees with a shadow map the test keeps itself, and no DMA reaches memory that is not mapped
// for its device's domain with the needed permission.
#include <gtest/gtest.h>

#include <map>

#include "model/core/remapping_unit.hpp"
#include "model/spec/msi.hpp"
#include "model/spec/presets.hpp"
#include "tables/platform_state.hpp"
#include "tables/table_error.hpp"

using namespace vtd;
using namespace vtd::tables;

namespace {

struct rng {  // splitmix64: reproducible everywhere
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

struct shadow_page {
  uint64_t hpa;
  bool read, write;
};

}  // namespace

class PropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(PropertyTest, WalkerAgreesWithShadowMap) {
  rng r{GetParam()};
  platform_description d;
  d.memory_size = uint64_t{1} << 40;
  const unsigned widths[] = {39, 48, 57};
  for (uint16_t id = 1; id <= 3; ++id) {
    domain_desc dom;
    dom.id = id;
    dom.address_width = widths[id - 1];
    dom.superpages = id != 2;
    d.domains.push_back(dom);
    device_desc dev;
    dev.sid = uint16_t(id << 8 | 0x08);
    dev.domain = id;
    d.devices.push_back(dev);
  }
  d.has_interrupts = false;
  platform_state p(d, "property");
  core::remapping_unit unit(core::unit_config::from_preset(*spec::find_capability_preset("server")),
                            p.memory());
  unit.set_root_table(p.rtaddr());
  unit.enable_translation(true);

  std::map<uint16_t, std::map<uint64_t, shadow_page>> shadow;  // domain -> iova page -> mapping
  // IOVAs from a 64 GiB window so that maps collide and superpages are possible.
  for (int step = 0; step < 300; ++step) {
    const uint16_t dom = uint16_t(1 + r.below(3));
    const bool big = r.below(4) == 0;
    uint64_t pages = big ? 512 * (1 + r.below(3)) + (r.below(8) == 0) * 262144 : 1 + r.below(40);
    uint64_t iova = (r.below(64ull << 18)) << 12;
    if (big) iova &= ~((2ull << 20) - 1);
    uint64_t hpa = (0x100000ull + r.below(1ull << 24)) << 12;
    if (big) hpa &= ~((r.below(2) ? (1ull << 30) : (2ull << 20)) - 1);
    if (r.below(3) == 0) {
      // Unmap a random range (may split superpages and free tables).
      p.unmap(dom, iova, pages << 12);
      auto& s = shadow[dom];
      s.erase(s.lower_bound(iova), s.lower_bound(iova + (pages << 12)));
    } else {
      const bool rd = r.below(4) != 0, wr = !rd || r.below(2);
      bool clash = false;
      auto& s = shadow[dom];
      auto it = s.lower_bound(iova);
      clash = it != s.end() && it->first < iova + (pages << 12);
      if (clash) {
        EXPECT_THROW(p.map(dom, iova, hpa, pages << 12, rd, wr), table_error);
      } else {
        p.map(dom, iova, hpa, pages << 12, rd, wr);
        for (uint64_t i = 0; i < pages; ++i) s[iova + (i << 12)] = {hpa + (i << 12), rd, wr};
      }
    }
    // Probe: random addresses, plus addresses known to be mapped.
    for (int k = 0; k < 20; ++k) {
      const uint16_t qd = uint16_t(1 + r.below(3));
      auto& s = shadow[qd];
      uint64_t addr;
      if (!s.empty() && r.below(2)) {
        auto pick = s.begin();
        std::advance(pick, r.below(std::min<uint64_t>(s.size(), 64)));
        addr = pick->first + r.below(4096);
      } else {
        addr = r.below(64ull << 30);
      }
      if (spec::in_interrupt_range(addr)) continue;  // interrupt requests, not DMA (spec 3.15)
      core::dma_request q;
      q.source_id = uint16_t(qd << 8 | 0x08);
      q.address = addr;
      q.access = r.below(2) ? core::access_kind::write : core::access_kind::read;
      auto res = unit.translate(q);
      auto page = s.find(addr & ~0xFFFull);
      const bool allowed =
          page != s.end() && (q.access == core::access_kind::write ? page->second.write : page->second.read);
      ASSERT_EQ(res.ok(), allowed) << "seed " << GetParam() << " step " << step << " addr 0x" << std::hex
                                   << addr;
      if (allowed) {
        ASSERT_EQ(res.hpa, page->second.hpa + (addr & 0xFFF));
      } else {
        ASSERT_TRUE(res.fault == spec::fault_reason::read_denied ||
                    res.fault == spec::fault_reason::write_denied ||
                    res.fault == spec::fault_reason::address_beyond_width)
            << spec::to_string(res.fault);
      }
    }
  }
  // Unmapping everything frees every page-table page but the roots.
  for (uint16_t dom = 1; dom <= 3; ++dom) p.unmap(dom, 0, 128ull << 30);  // maps may run past the window
  uint64_t tables = 0;
  for (uint16_t dom = 1; dom <= 3; ++dom) tables += p.domain(dom)->table_pages();
  EXPECT_EQ(tables, 3u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PropertyTest, ::testing::Values(1, 2, 3, 42, 20261123));
