// Seeded property test for scalable mode: a platform with first-stage (4- and 5-level, A/D preset and left to
// the hardware), second-stage, nested and pass-through domains, devices whose RID_PASID and other PASIDs are
// attached to them, random maps and unmaps through the builders (superpage splits, freed tables, nested table
// pages added to and removed from the parent), and random requests with and without PASID, user and
// supervisor, through the functional core. Every result agrees with shadow maps the test keeps itself, which
// is the isolation property: no request reaches memory that is not mapped for its device and PASID with the
// needed permission and privilege.
#include <gtest/gtest.h>

#include <map>
#include <vector>

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
  uint64_t out;  // HPA, or GPA for the nested domain
  bool write;
  bool user;
  bool read = true;
};
using shadow_map = std::map<uint64_t, shadow_page>;

enum : uint16_t { kFs4 = 1, kFs5 = 2, kSs = 3, kNested = 4, kPt = 5 };
constexpr uint16_t kDevA = 0x0100, kDevB = 0x0200;

struct attachment {
  uint16_t sid;
  bool has_pasid;
  uint32_t pasid;
  uint16_t domain;
  bool supervisor;  // SRE
};
const std::vector<attachment> kAttachments{
    {kDevA, false, 0, kFs4, false}, {kDevA, true, 1, kFs5, true},  {kDevA, true, 2, kNested, false},
    {kDevA, true, 3, kPt, false},   {kDevB, false, 0, kSs, false}, {kDevB, true, 7, kFs4, false},
};

// Addresses from [1 GiB, 64 GiB): above the table region (256 MiB at 256 MiB), so that GPAs the nested
// domain's table pages occupy in the parent never meet the test's own mappings.
constexpr uint64_t kWindowBase = 1ull << 30, kWindowPages = (63ull << 30) >> 12;

platform_description scalable_platform() {
  platform_description d;
  d.mode = platform_mode::scalable;
  d.preset = "server-sm";
  d.memory_size = uint64_t{1} << 40;
  d.has_interrupts = false;
  auto domain = [&](uint16_t id, domain_stage stage, unsigned width, bool preset_ad = true) {
    domain_desc dom;
    dom.id = id;
    dom.stage = stage;
    dom.address_width = width;
    dom.preset_ad = preset_ad;
    if (stage == domain_stage::nested) dom.parent = kSs;
    d.domains.push_back(dom);
  };
  domain(kFs4, domain_stage::first, 48);
  domain(kFs5, domain_stage::first, 57, false);  // A/D set by the walker
  domain(kSs, domain_stage::second, 48);
  domain(kNested, domain_stage::nested, 48);
  domain(kPt, domain_stage::pass_through, 48);
  for (uint16_t sid : {kDevA, kDevB}) {
    device_desc dev;
    dev.sid = sid;
    for (const auto& a : kAttachments) {
      if (a.sid != sid) continue;
      if (!a.has_pasid)
        dev.domain = a.domain;
      else
        dev.pasids.push_back(pasid_desc{a.pasid, a.domain, a.supervisor, false});
    }
    d.devices.push_back(dev);
  }
  return d;
}

}  // namespace

class ScalablePropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(ScalablePropertyTest, WalkerAgreesWithShadowMapsAndIsolates) {
  rng r{GetParam()};
  platform_state p(scalable_platform(), "scalable-property");
  core::remapping_unit unit(core::unit_config::from_preset(*spec::find_capability_preset("server-sm")),
                            p.memory());
  unit.set_root_table(p.rtaddr());
  unit.enable_translation(true);
  ASSERT_EQ((p.rtaddr() >> 10) & 3, 1u);  // TTM=01b

  std::map<uint16_t, shadow_map> shadow;
  const uint16_t mappable[] = {kFs4, kFs5, kSs, kNested};
  for (int step = 0; step < 250; ++step) {
    const uint16_t dom = mappable[r.below(4)];
    const bool big = r.below(4) == 0;
    const uint64_t pages = big ? 512 * (1 + r.below(3)) : 1 + r.below(40);
    uint64_t iova = (kWindowBase >> 12 | r.below(kWindowPages)) << 12;
    uint64_t out = dom == kNested ? (kWindowBase >> 12 | r.below(kWindowPages)) << 12
                                  : (0x100000ull + r.below(1ull << 24)) << 12;
    if (big) {
      iova &= ~((2ull << 20) - 1);
      out &= ~((2ull << 20) - 1);
    }
    // Most nested maps point at GPAs the parent maps, so that whole nested translations succeed and the
    // parent's rights matter.
    const shadow_map& parent = shadow[kSs];
    if (dom == kNested && !big && !parent.empty() && r.below(4) != 0) {
      auto pick = parent.begin();
      std::advance(pick, r.below(parent.size()));
      out = pick->first;
    }
    auto& s = shadow[dom];
    if (r.below(3) == 0) {
      p.unmap(dom, iova, pages << 12);
      s.erase(s.lower_bound(iova), s.lower_bound(iova + (pages << 12)));
    } else {
      const bool write = r.below(2), user = dom == kSs || r.below(4) != 0;
      auto it = s.lower_bound(iova);
      const bool clash = it != s.end() && it->first < iova + (pages << 12);
      fs_perm perm;
      perm.write = write;
      perm.user = user;
      if (clash) {
        EXPECT_THROW(p.map(dom, iova, out, pages << 12, perm), table_error);
      } else {
        if (dom == kSs)
          p.map(dom, iova, out, pages << 12, true, write);
        else
          p.map(dom, iova, out, pages << 12, perm);
        for (uint64_t i = 0; i < pages; ++i) s[iova + (i << 12)] = {out + (i << 12), write, user};
      }
    }

    for (int k = 0; k < 20; ++k) {
      const attachment& a = kAttachments[r.below(kAttachments.size())];
      const shadow_map& s1 = shadow[a.domain];
      uint64_t addr;
      if (!s1.empty() && r.below(3) != 0) {
        auto pick = s1.begin();
        std::advance(pick, r.below(std::min<uint64_t>(s1.size(), 64)));
        addr = pick->first + r.below(4096);
      } else {
        addr = kWindowBase + (r.below(kWindowPages) << 12) + r.below(4096);
      }
      if (spec::in_interrupt_range(addr)) continue;
      core::dma_request q;
      q.source_id = a.sid;
      q.address = addr;
      q.access = r.below(2) ? core::access_kind::write : core::access_kind::read;
      q.has_pasid = a.has_pasid;
      q.pasid = a.pasid;
      q.privileged = a.has_pasid && r.below(4) == 0;
      const bool is_write = q.access == core::access_kind::write;

      // What the shadow maps allow, and where the request lands.
      bool allowed = false;
      uint64_t expected = 0;
      if (q.privileged && !a.supervisor) {
        allowed = false;  // SPT.6: SRE=0
      } else if (a.domain == kPt) {
        allowed = true;
        expected = addr;
      } else {
        auto page = s1.find(addr & ~0xFFFull);
        if (page != s1.end()) {
          const shadow_page& f = page->second;
          const bool supervisor = q.privileged;
          bool ok = (supervisor || f.user) && (!is_write || f.write || (supervisor && a.domain != kSs));
          uint64_t dest = f.out;
          if (ok && a.domain == kNested) {  // the first stage's output through the parent's second stage
            auto sp = shadow[kSs].find(f.out);
            ok = sp != shadow[kSs].end() && (!is_write || sp->second.write);
            dest = ok ? sp->second.out : 0;
          }
          allowed = ok;
          expected = dest + (addr & 0xFFF);
        }
      }
      const auto res = unit.translate(q);
      ASSERT_EQ(res.ok(), allowed) << "seed " << GetParam() << " step " << step << " domain " << a.domain
                                   << " pasid " << a.pasid << " addr 0x" << std::hex << addr << " "
                                   << spec::to_string(res.fault);
      if (allowed) {
        ASSERT_EQ(res.hpa, expected) << "seed " << GetParam() << " step " << step << " domain " << a.domain;
      } else {
        // Only the faults of a missing mapping or right: never a reserved bit or a read error, which would
        // mean the builders wrote something the hardware refuses.
        using spec::fault_reason;
        const fault_reason f = res.fault;
        ASSERT_TRUE(f == fault_reason::fs_entry_not_present || f == fault_reason::ss_entry_not_present ||
                    f == fault_reason::user_request_supervisor_page || f == fault_reason::sm_write_denied ||
                    f == fault_reason::sm_read_denied || f == fault_reason::supervisor_request_blocked)
            << spec::to_string(f);
      }
    }
  }
  // Unmapping everything frees every table page but the roots; the nested domain's table pages leave the
  // parent with them.
  for (uint16_t dom : mappable) p.unmap(dom, 0, 128ull << 30);
  EXPECT_EQ(p.fs_domain(kFs4)->table_pages(), 1u);
  EXPECT_EQ(p.fs_domain(kFs5)->table_pages(), 1u);
  EXPECT_EQ(p.fs_domain(kNested)->table_pages(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ScalablePropertyTest, ::testing::Values(1, 2, 3, 42, 20261130));
