// Legacy mode reads the context-cache and IOTLB entries in place when the hooks are the unit's own
// cache_hooks (find_context / find_iotlb), and through the translation_hooks interface (a copy per lookup)
// otherwise. Two units over the same random tables, one with cache_hooks and one with a forwarding hooks
// object (same caches behind the virtual interface), must give the same translations, walk-record facts and
// cache statistics through hits, walks, faults, evictions and invalidations; the forwarding hooks see one
// context-cache lookup per request and at most one IOTLB lookup (no lookup is repeated by a slow path).
#include <gtest/gtest.h>

#include <random>

#include "model/core/cache/cache_hooks.hpp"
#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

// Forwards every hook to a cache_hooks through the virtual interface, counting the lookups of one request.
class forwarding_hooks final : public translation_hooks {
 public:
  explicit forwarding_hooks(cache_hooks& inner) : m_inner(inner) {}
  bool lookup_context(const cache_tag& tag, cached_context& out, walk_record* rec) override {
    ++context_lookups;
    return m_inner.lookup_context(tag, out, rec);
  }
  void fill_context(const cache_tag& tag, const cached_context& e) override { m_inner.fill_context(tag, e); }
  bool lookup_iotlb(const cache_tag& tag, uint64_t addr, cached_translation& out, walk_record* rec) override {
    ++iotlb_lookups;
    return m_inner.lookup_iotlb(tag, addr, out, rec);
  }
  void fill_iotlb(const cache_tag& tag, uint64_t addr, const cached_translation& t) override {
    m_inner.fill_iotlb(tag, addr, t);
  }
  bool lookup_paging(const cache_tag& tag, uint64_t addr, unsigned top, cached_table& out,
                     walk_record* rec) override {
    return m_inner.lookup_paging(tag, addr, top, out, rec);
  }
  void fill_paging(const cache_tag& tag, uint64_t addr, const cached_table& t) override {
    m_inner.fill_paging(tag, addr, t);
  }
  using translation_hooks::fill_iotlb;
  using translation_hooks::fill_paging;
  using translation_hooks::lookup_iotlb;
  using translation_hooks::lookup_paging;

  unsigned context_lookups = 0, iotlb_lookups = 0;

 private:
  cache_hooks& m_inner;
};

class legacy_hit_path : public core_fixture {
 public:
  static constexpr uint64_t kTables = 0x400000;
  static constexpr unsigned kDevices = 6;
  static constexpr uint64_t kG = uint64_t{1} << 30, kM = uint64_t{1} << 21;

  // Device d (devfn d): context present unless d == 5, domain d / 2 + 1 (pairs of devices share a domain and
  // its tables), 4-level tables. IOVA [0, 1 GiB): 8 PD entries, each absent, a 2 MiB leaf or a page table of
  // random 4 KiB leaves; [1 GiB, 2 GiB): a 1 GiB leaf in domains 1 and 2, absent in domain 3.
  void build_tables(std::mt19937_64& rng) {
    put_root(0, root_entry::make(kCtx));
    for (unsigned dom = 0; dom < 3; ++dom) {
      const uint64_t pml4 = kTables + dom * 0x100000, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
      put_sl(pml4, 0, sl_entry::make_table(pdpt).raw);
      put_sl(pdpt, 0, sl_entry::make_table(pd).raw);
      if (dom < 2) put_sl(pdpt, 1, sl_entry::make_leaf(3, 0xC0000000 + dom * kG, true, dom == 0).raw);
      for (unsigned i = 0; i < 8; ++i) {
        const uint64_t pt = pml4 + 0x3000 + i * 0x1000;
        switch (rng() % 4) {
          case 0:
            break;
          case 1:
            put_sl(pd, i, sl_entry::make_leaf(2, 0x80000000 + i * kM, true, rng() % 2).raw);
            break;
          default:
            put_sl(pd, i, sl_entry::make_table(pt).raw);
            for (unsigned j = 0; j < 16; ++j)
              if (const unsigned rw = unsigned(rng() % 4))
                put_sl(pt, j,
                       sl_entry::make_leaf(1, 0x90000000 + (i * 512 + j) * 0x1000, rw & 1, rw & 2).raw);
        }
      }
    }
    for (unsigned d = 0; d < kDevices; ++d)
      put_context(kCtx, d,
                  context_entry::make(kTables + (d / 2) * 0x100000, 2, uint16_t(d / 2 + 1),
                                      translation_type::untranslated_only, false, d != 5));
  }
};

TEST_F(legacy_hit_path, in_place_and_copied_lookups_agree) {
  std::mt19937_64 rng(61);
  build_tables(rng);
  translation_caches_config cc;
  cc.iotlb = cache_config{16, 4, replacement_policy::lru, 2, false};
  cc.context = cache_config{4, 2, replacement_policy::lru, 1, false};
  translation_caches caches_direct(cc), caches_forwarded(cc);
  cache_hooks hooks_direct(caches_direct), inner(caches_forwarded);
  forwarding_hooks hooks_forwarded(inner);
  remapping_unit& direct = *unit;
  remapping_unit forwarded(cfg, mem);
  direct.set_hooks(&hooks_direct);
  forwarded.set_hooks(&hooks_forwarded);
  ASSERT_EQ(direct.dma().env().caches, &hooks_direct);  // the in-place path is the one under test
  ASSERT_EQ(forwarded.dma().env().caches, nullptr);
  for (remapping_unit* u : {&direct, &forwarded}) {
    u->set_root_table(kRoot);
    u->enable_translation(true);
  }

  walk_record rec_a, rec_b;
  rec_a.keep_steps(false);
  rec_b.keep_steps(false);
  unsigned hits = 0, faults = 0, walks = 0, superpage_hits = 0;
  for (unsigned i = 0; i < 20000; ++i) {
    if (i % 1000 == 999) {  // invalidations, the same in both: global, domain-selective, page-selective
      const uint16_t did = uint16_t(1 + rng() % 3);
      const uint64_t page = (rng() % 24) * 0x1000;
      for (translation_caches* c : {&caches_direct, &caches_forwarded}) switch ((i / 1000) % 3) {
          case 0:
            c->tlb().invalidate_global();
            c->context().invalidate_global();
            break;
          case 1:
            c->tlb().invalidate_domain(did);
            break;
          default:
            c->tlb().invalidate_range(did, page, 0x1000);
        }
    }
    const uint64_t addr = rng() % 4   ? (rng() % 24) * 0x1000 + 0x40
                          : rng() % 2 ? kG + (rng() % kG & ~uint64_t{3})
                                      : (rng() % (8 * kM)) & ~uint64_t{3};
    const dma_request req =
        dma(uint16_t(rng() % kDevices), addr, rng() % 3 ? access_kind::read : access_kind::write, 4);
    rec_a.clear();
    rec_b.clear();
    hooks_forwarded.context_lookups = hooks_forwarded.iotlb_lookups = 0;
    const translation_result a = direct.translate(req, &rec_a);
    const translation_result b = forwarded.translate(req, &rec_b);
    ASSERT_EQ(a.status, b.status) << i;
    ASSERT_EQ(a.fault, b.fault) << i;
    ASSERT_EQ(a.hpa, b.hpa) << i;
    ASSERT_EQ(a.page_size, b.page_size) << i;
    ASSERT_EQ(a.read, b.read) << i;
    ASSERT_EQ(a.write, b.write) << i;
    ASSERT_EQ(a.domain_id, b.domain_id) << i;
    ASSERT_EQ(a.levels, b.levels) << i;
    ASSERT_EQ(rec_a.memory_reads(), rec_b.memory_reads()) << i;
    for (cache_kind k : {cache_kind::context, cache_kind::iotlb, cache_kind::pde, cache_kind::pdpe}) {
      ASSERT_EQ(rec_a.looked_up(k), rec_b.looked_up(k)) << i;
      ASSERT_EQ(rec_a.first_lookup_hit(k), rec_b.first_lookup_hit(k)) << i;
    }
    ASSERT_EQ(hooks_forwarded.context_lookups, 1u) << i;
    ASSERT_LE(hooks_forwarded.iotlb_lookups, 1u) << i;
    ASSERT_EQ(rec_b.looked_up(cache_kind::iotlb), hooks_forwarded.iotlb_lookups == 1) << i;
    const bool hit = rec_a.first_lookup_hit(cache_kind::iotlb);
    hits += hit;
    superpage_hits += hit && a.page_size == kG;
    faults += !a.ok();
    walks += rec_a.memory_reads() > 0;
  }
  // Every cache's statistics are the same, counter by counter.
  EXPECT_EQ(caches_direct.stats().counters(), caches_forwarded.stats().counters());
  EXPECT_GT(hits, 1000u);
  EXPECT_GT(superpage_hits, 100u);
  EXPECT_GT(faults, 500u);
  EXPECT_GT(walks, 1000u);
}

}  // namespace
}  // namespace vtd::test
