// Invalidation scopes against shadow sets kept by the test: page-selective IOTLB at every AM 0..MAMV with
// superpages, IH and the paging-structure caches, domain/global isolation, context FM masks, IEC IM masks,
// and register-based CCMD / IOTLB_REG execution (CAIG / IAIG, refusals).
#include <gtest/gtest.h>

#include <bit>
#include <set>
#include <tuple>

#include "model/core/invalidation/register_invalidation.hpp"
#include "model/core/request.hpp"

namespace {
using namespace vtd::core;
using vtd::spec::context_entry;
using vtd::spec::translation_type;

using iotlb_key = std::tuple<uint16_t, uint64_t, unsigned>;  // did, first byte, size class
using psc_key = std::tuple<uint16_t, uint64_t, unsigned>;    // did, first byte, level

translation_caches_config big() {
  translation_caches_config c;
  c.iotlb = cache_config{8192, 16, replacement_policy::lru, 1, false};
  for (auto& p : c.paging) p = cache_config{1024, 16, replacement_policy::lru, 1, false};
  return c;
}

std::set<iotlb_key> iotlb_contents(const translation_caches& c) {
  std::set<iotlb_key> s;
  const_cast<translation_caches&>(c).tlb().for_each([&](const iotlb_tag& t, const iotlb_entry&) {
    s.insert({t.did, t.page << page_size_shift(t.size), t.size});
  });
  return s;
}
std::set<psc_key> psc_contents(translation_caches& c) {
  std::set<psc_key> s;
  for (unsigned level = 2; level <= 5; ++level)
    c.paging().level_array(level)->for_each([&](const psc_tag& t, const psc_entry&) {
      s.insert({t.did, t.region << paging_structure_caches::shift(level), level});
    });
  return s;
}

// Random entries of all sizes in two domains, packed into 4 GiB so that blocks of every AM hit some.
void populate(translation_caches& c, uint64_t seed) {
  splitmix64 g(seed);
  for (int i = 0; i < 600; ++i) {
    uint16_t did = uint16_t(1 + g.next() % 2);
    uint64_t addr = g.next() % (4ull << 30);
    unsigned size = unsigned(g.next() % 10 < 7 ? 0 : g.next() % 10 < 8 ? 1 : 2);
    c.tlb().fill(did, addr, addr, 1ull << page_size_shift(size), true, true);
    c.paging().fill(did, addr, unsigned(2 + g.next() % 4), psc_entry{0x1000, true, true});
  }
}

bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return a < b + blen && b < a + alen;
}

TEST(invalidation_scope, page_selective_every_am_against_shadow) {
  const unsigned mamv = 18;
  for (unsigned am = 0; am <= mamv; ++am)
    for (bool ih : {false, true}) {
      translation_caches c(big());
      populate(c, 100 + am);
      auto before = iotlb_contents(c);
      auto psc_before = psc_contents(c);
      // Aim at an existing 4 KiB entry's address, offset inside its page, so the block is never empty.
      uint64_t target = 0;
      for (auto& [did, start, size] : before)
        if (did == 1 && size == 0) target = start + 0x123;
      uint64_t len = 4096ull << am, base = target & ~(len - 1);  // computed independently of psi_block
      auto out = invalidate_iotlb(c, iotlb_request{iotlb_granularity::page, 1, target, am, ih});
      EXPECT_EQ(out.performed, 3);

      std::set<iotlb_key> expect;
      for (auto& k : before) {
        auto [did, start, size] = k;
        if (!(did == 1 && overlaps(start, 1ull << page_size_shift(size), base, len))) expect.insert(k);
      }
      std::set<psc_key> psc_expect;
      for (auto& k : psc_before) {
        auto [did, start, level] = k;
        uint64_t span = 1ull << paging_structure_caches::shift(level);
        if (ih || !(did == 1 && overlaps(start, span, base, len))) psc_expect.insert(k);
      }
      EXPECT_EQ(iotlb_contents(c), expect) << "am " << am;
      EXPECT_EQ(psc_contents(c), psc_expect) << "am " << am << " ih " << ih;
      EXPECT_LT(expect.size(), before.size()) << "am " << am;  // the target itself went
      EXPECT_EQ(out.removed, (before.size() - expect.size()) + (psc_before.size() - psc_expect.size()));
    }
}

TEST(invalidation_scope, small_page_invalidation_removes_covering_superpages) {
  translation_caches c;
  c.tlb().fill(7, 0x4000'0000, 0x1'0000'0000, 1ull << 30, true, true);  // 1 GiB at 1 GiB
  c.tlb().fill(7, 0x0020'0000, 0x2'0000'0000, 1ull << 21, true, true);  // 2 MiB at 2 MiB
  c.tlb().fill(7, 0x0040'0000, 0x3'0000'0000, 1ull << 21, true, true);  // 2 MiB at 4 MiB
  // One 4 KiB page inside the first 2 MiB page and one inside the 1 GiB page.
  invalidate_iotlb(c, iotlb_request{iotlb_granularity::page, 7, 0x0030'0000, 0, false});
  invalidate_iotlb(c, iotlb_request{iotlb_granularity::page, 7, 0x7000'0000, 0, false});
  EXPECT_EQ(c.tlb().lookup(7, 0x0020'0000), nullptr);
  EXPECT_EQ(c.tlb().lookup(7, 0x4000'0000), nullptr);
  EXPECT_NE(c.tlb().lookup(7, 0x0040'0000), nullptr);
  EXPECT_EQ(c.tlb().stats().by_size[1].invalidations, 1u);
  EXPECT_EQ(c.tlb().stats().by_size[2].invalidations, 1u);
}

TEST(invalidation_scope, domain_and_global_scopes) {
  translation_caches c(big());
  populate(c, 7);
  auto before = iotlb_contents(c);
  auto psc_before = psc_contents(c);
  invalidate_iotlb(c, iotlb_request{iotlb_granularity::domain, 2, 0, 0, false});
  for (auto& [did, s, z] : iotlb_contents(c)) EXPECT_EQ(did, 1);
  for (auto& [did, s, z] : psc_contents(c)) EXPECT_EQ(did, 1);
  size_t ones = 0;
  for (auto& k : before) ones += std::get<0>(k) == 1;
  EXPECT_EQ(iotlb_contents(c).size(), ones);  // domain 1 untouched
  invalidate_iotlb(c, iotlb_request{iotlb_granularity::global, 0, 0, 0, false});
  EXPECT_TRUE(iotlb_contents(c).empty());
  EXPECT_TRUE(psc_contents(c).empty());
  EXPECT_FALSE(psc_before.empty());
}

TEST(invalidation_scope, context_device_function_masks) {
  for (unsigned fm = 0; fm < 4; ++fm) {
    translation_caches c;
    // bus 3 device 2, functions 0..7 in domain 5; the same functions of device 3 in domain 5 as well.
    for (unsigned fn = 0; fn < 8; ++fn) {
      c.context().fill(make_source_id(3, 2, fn),
                       context_entry::make(0x1000, 2, 5, translation_type::untranslated_only));
      c.context().fill(make_source_id(3, 3, fn),
                       context_entry::make(0x1000, 2, 5, translation_type::untranslated_only));
    }
    auto out = invalidate_context(c, cc_request{cc_granularity::device, 5, make_source_id(3, 2, 5), fm});
    // FM ignores the low fm bits of the function number... as SID[2], SID[2:1], SID[2:0] (CCMD_REG.FM).
    unsigned ignored = fm == 0 ? 0 : fm == 1 ? 4 : fm == 2 ? 6 : 7;
    unsigned removed = 0;
    for (unsigned fn = 0; fn < 8; ++fn) {
      bool gone = (fn & ~ignored & 7) == (5 & ~ignored & 7);
      removed += gone;
      EXPECT_EQ(c.context().array().peek(make_source_id(3, 2, fn)) == nullptr, gone) << fm << " " << fn;
      EXPECT_NE(c.context().array().peek(make_source_id(3, 3, fn)), nullptr);
    }
    EXPECT_EQ(out.removed, removed);
    EXPECT_EQ(removed, 1u << std::popcount(ignored));
  }
}

TEST(invalidation_scope, context_device_needs_matching_did_and_domain_scope) {
  translation_caches c;
  c.context().fill(0x10, context_entry::make(0x1000, 2, 5, translation_type::untranslated_only));
  c.context().fill(0x11, context_entry::make(0x1000, 2, 6, translation_type::untranslated_only));
  EXPECT_EQ(invalidate_context(c, cc_request{cc_granularity::device, 6, 0x10, 0}).removed, 0u);
  EXPECT_EQ(invalidate_context(c, cc_request{cc_granularity::domain, 6, 0, 0}).removed, 1u);
  EXPECT_NE(c.context().array().peek(0x10), nullptr);
  EXPECT_EQ(invalidate_context(c, cc_request{cc_granularity::global, 0, 0, 0}).removed, 1u);
}

TEST(invalidation_scope, iec_index_masks) {
  for (unsigned im = 0; im <= 6; ++im) {
    translation_caches c;
    vtd::spec::irte::remapped_fields f;
    for (uint32_t i = 0; i < 128; ++i) c.interrupt().fill(i, vtd::spec::irte::make_remapped(f, true));
    uint32_t idx = 45;
    auto out = invalidate_iec(c, iec_request{true, idx, im});
    uint32_t lo = idx / (1u << im) * (1u << im), hi = lo + (1u << im);
    for (uint32_t i = 0; i < 128; ++i)
      EXPECT_EQ(c.interrupt().array().peek(i) == nullptr, i >= lo && i < hi) << im << " " << i;
    EXPECT_EQ(out.removed, 1u << im);
    EXPECT_EQ(invalidate_iec(c, iec_request{false, 0, 0}).removed, 128u - (1u << im));
  }
}

// ---- register-based ----

class register_inv : public ::testing::Test {
 protected:
  translation_caches c;
  invalidation_caps caps;  // PSI, MAMV 18, 16-bit DIDs, MGAW 48
  register_inv_state st;
  void SetUp() override {
    for (uint16_t did : {1, 2}) {
      c.context().fill(did, context_entry::make(0x1000, 2, did, translation_type::untranslated_only));
      c.tlb().fill(did, 0x5000, 0x9000, 4096, true, true);
      c.paging().fill(did, 0x5000, 2, psc_entry{0x2000, true, true});
    }
  }
};

TEST_F(register_inv, ccmd_reports_caig_and_clears_icc) {
  auto r = execute_ccmd(c, caps, st, ccmd::make(cc_granularity::domain, 2));
  EXPECT_EQ(r.value & ccmd::ICC, 0u);
  EXPECT_EQ(ccmd::caig(r.value), 2u);
  EXPECT_EQ(r.outcome.removed, 1u);
  EXPECT_EQ(vtd::spec::get_bits(r.value, 15, 0), 2u);  // other fields kept
  r = execute_ccmd(c, caps, st, ccmd::make(cc_granularity::device, 1, 1, 0));
  EXPECT_EQ(ccmd::caig(r.value), 3u);
  EXPECT_EQ(r.outcome.removed, 1u);
  r = execute_ccmd(c, caps, st, ccmd::make(cc_granularity::global, 0) & ~ccmd::ICC);
  EXPECT_EQ(r.note, register_inv_note::not_started);
  r = execute_ccmd(c, caps, st, ccmd::make(cc_granularity::none, 0));
  EXPECT_EQ(ccmd::caig(r.value), 0u);
  EXPECT_EQ(r.note, register_inv_note::reserved_request);
  EXPECT_EQ(r.value & ccmd::ICC, 0u);
}

TEST_F(register_inv, ccmd_refused_outside_legacy_register_mode) {
  for (int k = 0; k < 3; ++k) {
    register_inv_state s2 = st;
    invalidation_caps c2 = caps;
    if (k == 0) s2.qi_enabled = true;
    if (k == 1) s2.ttm = vtd::spec::reg::ttm::scalable;
    if (k == 2) c2.ver_major = 6;
    auto r = execute_ccmd(c, c2, s2, ccmd::make(cc_granularity::global, 0));
    EXPECT_EQ(ccmd::caig(r.value), 0u);
    EXPECT_EQ(r.note, register_inv_note::wrong_mode);
    EXPECT_EQ(c.context().array().valid_entries(), 2u);
  }
}

TEST_F(register_inv, iotlb_page_selective_and_refusals) {
  // AM above MAMV: ignored, IAIG = 00.
  auto r = execute_iotlb(c, caps, st, iotlb_reg::make(iotlb_granularity::page, 1),
                         iotlb_reg::make_iva(0x5000, 19, false));
  EXPECT_EQ(iotlb_reg::iaig(r.value), 0u);
  EXPECT_EQ(r.value & iotlb_reg::IVT, 0u);
  EXPECT_EQ(r.note, register_inv_note::am_unsupported);
  EXPECT_EQ(c.tlb().valid_entries(0), 2u);
  // IH=1 keeps the PDE entry; IVA address bits above MGAW (48) are ignored.
  r = execute_iotlb(c, caps, st, iotlb_reg::make(iotlb_granularity::page, 1),
                    iotlb_reg::make_iva((1ull << 50) | 0x5000, 0, true));
  EXPECT_EQ(iotlb_reg::iaig(r.value), 3u);
  EXPECT_EQ(r.outcome.removed, 1u);
  EXPECT_EQ(c.tlb().valid_entries(0), 1u);
  EXPECT_EQ(c.paging().valid_entries(), 2u);
  // Without CAP.PSI a page request is performed domain-selective (coarser granularity is allowed).
  caps.psi = false;
  r = execute_iotlb(c, caps, st, iotlb_reg::make(iotlb_granularity::page, 2),
                    iotlb_reg::make_iva(0x80000, 0, false));
  EXPECT_EQ(iotlb_reg::iaig(r.value), 2u);
  EXPECT_EQ(r.note, register_inv_note::coarsened);
  EXPECT_EQ(r.outcome.removed, 2u);  // IOTLB + PDE of domain 2, though the page did not match
  r = execute_iotlb(c, caps, st, iotlb_reg::make(iotlb_granularity::global, 0), 0);
  EXPECT_EQ(iotlb_reg::iaig(r.value), 1u);
  EXPECT_EQ(c.paging().valid_entries(), 0u);
}

}  // namespace
