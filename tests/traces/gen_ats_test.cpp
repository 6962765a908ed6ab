// ATS devices in generated workloads: the platform's context entries ask for a device TLB for exactly the
// devices named (TT=01b in legacy mode, DTE=1 in scalable mode, read back from the loaded tables' memory by
// hand), every flush of an ATS device's domain invalidates its device TLB between the IOTLB invalidation and
// the wait with an S/ADDR range covering what was unmapped (decoded here by hand from the PCIe ATS encoding),
// an ATS trace is the plain trace plus those records, and a preset without ECAP.DT is refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "tables/platform_state.hpp"
#include "traces/gen/generator.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces {
namespace {

struct output {
  std::vector<record> records;
  tables::platform_description platform;
};

output run(const gen::workload& w) {
  output o;
  gen::generate(
      w, [&](const record& r) { o.records.push_back(r); }, o.platform);
  return o;
}

// The platform as a replay loads it: written as a platform file and parsed back by the tables/ loader.
tables::platform_state load(const tables::platform_description& d) {
  const auto parsed = tables::parse_platform(tables::to_json(d).dump(2), "gen.json");
  return tables::platform_state(parsed, "gen.json");
}

uint64_t read64(const tables::platform_state& s, uint64_t addr) {
  const auto v = s.memory().read64(addr);
  EXPECT_TRUE(v.has_value()) << std::hex << addr;
  return v.value_or(0);
}

// Legacy context entry (VT-d spec 9.1, 9.3): root entry at RTA + bus * 16 (bit 0 P, bits 63:12 CTP), context
// entry at CTP + devfn * 16; TT is bits 3:2 of its low quadword.
unsigned legacy_tt(const tables::platform_state& s, uint16_t sid) {
  const uint64_t rta = s.rtaddr() & ~uint64_t{0xFFF};
  const uint64_t root = read64(s, rta + (sid >> 8) * 16);
  EXPECT_EQ(root & 1, 1u) << "root entry present";
  const uint64_t ctx = read64(s, (root & ~uint64_t{0xFFF}) + (sid & 0xFF) * 16);
  EXPECT_EQ(ctx & 1, 1u) << "context entry present";
  return unsigned(ctx >> 2) & 3;
}

// Scalable-mode context entry (spec 9.2, 9.4): the root entry's low half (bit 0 LP, bits 63:12 LCTP) holds
// devfn 0..127, 32-byte entries; DTE is bit 2.
unsigned scalable_dte(const tables::platform_state& s, uint16_t sid) {
  EXPECT_LT(sid & 0xFF, 0x80) << "the generated devices are all function 0 of device 0";
  const uint64_t rta = s.rtaddr() & ~uint64_t{0xFFF};
  const uint64_t root = read64(s, rta + (sid >> 8) * 16);
  EXPECT_EQ(root & 1, 1u) << "lower context table present";
  const uint64_t ctx = read64(s, (root & ~uint64_t{0xFFF}) + (sid & 0x7F) * 32);
  EXPECT_EQ(ctx & 1, 1u) << "context entry present";
  return unsigned(ctx >> 2) & 1;
}

// The PCIe ATS invalidation range of S and ADDR (VT-d spec 6.5.2.5): S=0, the 4 KiB page at ADDR; S=1, the
// lowest 0 bit of ADDR[63:12], at position b, makes the range the naturally aligned 2^(b+1) bytes holding
// ADDR. log2_size 64 is every address.
struct ats_block {
  uint64_t base = 0;
  unsigned log2_size = 12;
  bool covers(uint64_t addr, uint64_t bytes) const {
    if (log2_size == 64) return true;
    const uint64_t size = uint64_t{1} << log2_size;
    return addr >= base && addr - base + bytes <= size;
  }
};
std::optional<ats_block> decode_by_hand(uint64_t addr, bool s) {
  if (!s) return ats_block{addr & ~uint64_t{0xFFF}, 12};
  unsigned b = 12;
  while (b < 64 && ((addr >> b) & 1)) ++b;
  if (b == 64) return std::nullopt;  // no 0 bit: no range the encoding defines
  const unsigned log2 = b + 1;
  return ats_block{log2 == 64 ? 0 : addr & ~((uint64_t{1} << log2) - 1), log2};
}

// What one flush of an ATS device's domain looked like: the records from an unmap (or a domain-wide
// IOTLB invalidation) to the next inv-wait.
struct flush_check {
  uint64_t flushes = 0, devtlb = 0, wrong = 0;
};

constexpr uint16_t kNic0 = 0x1000, kNvme0 = 0x2000, kGpu0 = 0x3000, kDsa0 = 0x4000;
constexpr uint16_t kNicDomain = 1, kNvmeDomain = 0x11;

bool is_iotlb_for(const record& r, uint16_t domain) {
  return (r.kind == record_kind::iotlb_inval && r.value == domain) ||
         (r.kind == record_kind::piotlb_inval && r.id == domain);
}

// For every unmap of `domain` (strict) the records up to the next inv-wait must hold the domain's IOTLB
// invalidation, then exactly `expected_devtlb` devtlb-inval records for `sid` covering the unmapped range and
// the IOTLB invalidation's block (Linux sends both the same address and mask), and nothing for other devices.
flush_check check_strict_flushes(const std::vector<record>& records, uint16_t domain, uint16_t sid,
                                 unsigned expected_devtlb) {
  flush_check c;
  for (size_t i = 0; i < records.size(); ++i) {
    const record& u = records[i];
    if (u.kind != record_kind::unmap || u.id != domain) continue;
    ++c.flushes;
    const uint64_t bytes = uint64_t(u.length) << 12;
    bool saw_iotlb = false, ok = true;
    unsigned devtlb = 0;
    uint64_t block_base = 0, block_log2 = 0;
    size_t j = i + 1;
    for (; j < records.size() && records[j].kind != record_kind::inv_wait; ++j) {
      const record& r = records[j];
      if (is_iotlb_for(r, domain)) {
        saw_iotlb = true;
        const uint64_t am = r.length;
        block_log2 = 12 + am;
        block_base = r.addr & ~((uint64_t{1} << block_log2) - 1);
      } else if (r.kind == record_kind::devtlb_inval || r.kind == record_kind::pdevtlb_inval) {
        ++devtlb;
        ++c.devtlb;
        const auto block = decode_by_hand(r.addr, (r.flags & flag::size) != 0);
        ok = ok && saw_iotlb && r.id == sid && r.kind == record_kind::devtlb_inval && block &&
             block->covers(u.addr, bytes) && block->base == block_base && block->log2_size == block_log2 &&
             (r.flags & flag::queued) != 0;
      }
    }
    ok =
        ok && j < records.size() && saw_iotlb && devtlb == expected_devtlb && records[j].time_ps == u.time_ps;
    if (!ok) ++c.wrong;
  }
  return c;
}

gen::workload legacy_all(uint64_t dmas) {
  gen::workload w = gen::preset_workload("all");  // a NIC, an NVMe controller and a GPU
  w.dma_target = dmas;
  w.seed = 11;
  w.nvme.io_bytes = 16384;  // 4-page I/Os: unmaps of 16 KiB (AM=2)
  return w;
}

TEST(GenAts, LegacyContextEntriesHaveTT01ForExactlyTheAtsDevices) {
  gen::workload w = legacy_all(2000);
  w.gpu.ats = true;
  w.nic.ats = true;
  const output o = run(w);
  const auto state = load(o.platform);
  EXPECT_EQ(legacy_tt(state, kNic0), 1u) << "TT=01b: device-TLB";
  EXPECT_EQ(legacy_tt(state, kGpu0), 1u);
  EXPECT_EQ(legacy_tt(state, kNvme0), 0u) << "TT=00b: untranslated requests only";
  const auto json = tables::to_json(o.platform);
  for (const auto& d : json["devices"])
    EXPECT_EQ(d["translation"], d["bdf"] == "20:00.0" ? "untranslated" : "device_tlb") << d.dump();
}

TEST(GenAts, ScalableContextEntriesHaveDteForExactlyTheAtsDevices) {
  gen::workload w = gen::preset_workload("all", gen::gen_mode::scalable);  // NIC, NVMe, GPU, SVA
  w.dma_target = 2000;
  w.gpu.ats = true;
  w.sva.ats = true;
  const output o = run(w);
  const auto state = load(o.platform);
  EXPECT_EQ(scalable_dte(state, kGpu0), 1u);
  EXPECT_EQ(scalable_dte(state, kDsa0), 1u);
  EXPECT_EQ(scalable_dte(state, kNic0), 0u);
  EXPECT_EQ(scalable_dte(state, kNvme0), 0u);
}

TEST(GenAts, LegacyStrictUnmapsInvalidateTheDeviceTlbBeforeTheWait) {
  gen::workload w = legacy_all(40000);
  w.nic.ats = true;  // the NVMe controller stays without ATS
  const output o = run(w);
  const auto nic = check_strict_flushes(o.records, kNicDomain, kNic0, 1);
  EXPECT_GT(nic.flushes, 100u);
  EXPECT_EQ(nic.devtlb, nic.flushes) << "one device-TLB invalidation per flush";
  EXPECT_EQ(nic.wrong, 0u);
  const auto nvme = check_strict_flushes(o.records, kNvmeDomain, kNvme0, 0);
  EXPECT_GT(nvme.flushes, 10u);
  EXPECT_EQ(nvme.wrong, 0u) << "no device-TLB invalidation for a device without ATS";
  // A NIC unmaps one page at a time (a packet buffer, or an skb of at most 1518 bytes within a page): S=0.
  for (const record& r : o.records) {
    if (r.kind == record_kind::devtlb_inval) {
      EXPECT_EQ(r.flags & flag::size, 0u);
    }
  }
}

TEST(GenAts, AtsTraceIsThePlainTracePlusTheDeviceTlbInvalidations) {
  gen::workload w = legacy_all(20000);
  const output plain = run(w);
  w.nic.ats = w.nvme.ats = w.gpu.ats = true;
  const output ats = run(w);
  std::vector<record> stripped;
  size_t devtlb = 0;
  for (const record& r : ats.records) {
    if (r.kind == record_kind::devtlb_inval)
      ++devtlb;
    else
      stripped.push_back(r);
  }
  EXPECT_GT(devtlb, 0u);
  ASSERT_EQ(stripped.size(), plain.records.size());
  for (size_t i = 0; i < stripped.size(); ++i) ASSERT_EQ(stripped[i], plain.records[i]) << "record " << i;
  for (const record& r : plain.records) EXPECT_NE(r.kind, record_kind::devtlb_inval);
  // The NVMe unmaps (16 KiB, AM=2) are invalidated as 16 KiB blocks: S=1, ADDR[12]=1, ADDR[13]=0.
  const auto nvme = check_strict_flushes(ats.records, kNvmeDomain, kNvme0, 1);
  EXPECT_GT(nvme.flushes, 0u);
  EXPECT_EQ(nvme.wrong, 0u);
  size_t nvme_blocks = 0;
  for (const record& r : ats.records) {
    if (r.kind != record_kind::devtlb_inval || r.id != kNvme0) continue;
    ++nvme_blocks;
    EXPECT_NE(r.flags & flag::size, 0u);
    EXPECT_EQ(r.addr & 0x3000, 0x1000u);
  }
  EXPECT_EQ(nvme_blocks, nvme.flushes);
}

TEST(GenAts, DeferredFlushesInvalidateTheWholeDeviceTlb) {
  gen::workload w = legacy_all(40000);
  w.nic.ats = true;
  w.nic.strict = false;
  const output o = run(w);
  uint64_t flushes = 0, wrong = 0;
  for (size_t i = 0; i < o.records.size(); ++i) {
    const record& f = o.records[i];
    if (f.kind != record_kind::iotlb_inval || f.value != kNicDomain) continue;
    ++flushes;
    EXPECT_EQ(f.flags & 3, unsigned(granularity::domain));
    // Next: the device-TLB invalidation of every address, then the wait.
    ASSERT_LT(i + 2, o.records.size());
    const record& d = o.records[i + 1];
    const auto block = decode_by_hand(d.addr, (d.flags & flag::size) != 0);
    if (d.kind != record_kind::devtlb_inval || d.id != kNic0 || !block || block->log2_size != 64 ||
        o.records[i + 2].kind != record_kind::inv_wait)
      ++wrong;
  }
  EXPECT_GT(flushes, 0u);
  EXPECT_EQ(wrong, 0u);
  // ADDR[63:12] all ones but bit 63, S=1: bit 63 is the lowest 0 bit, a 2^64-byte range.
  for (const record& r : o.records) {
    if (r.kind == record_kind::devtlb_inval) {
      EXPECT_EQ(r.addr, 0x7FFFFFFFFFFFF000ull);
    }
  }
}

TEST(GenAts, ScalableFirstStageDomainUsesTheDeviceTlbInvalidationWithoutPasid) {
  gen::workload w = gen::preset_workload("dma-api", gen::gen_mode::scalable);  // first-stage NIC and NVMe
  w.dma_target = 20000;
  w.nic.ats = true;
  const output o = run(w);
  const auto nic = check_strict_flushes(o.records, kNicDomain, kNic0, 1);
  EXPECT_GT(nic.flushes, 10u);
  EXPECT_EQ(nic.wrong, 0u) << "piotlb-inval page, then devtlb-inval (RID_PASID: no PASID), then the wait";
  for (const record& r : o.records) EXPECT_NE(r.kind, record_kind::pdevtlb_inval);
}

TEST(GenAts, SvaUnbindInvalidatesThePasidsDeviceTlbEntries) {
  gen::workload w = gen::preset_workload("sva", gen::gen_mode::scalable);
  w.dma_target = 20000;
  w.sva.ats = true;
  w.sva.rebind_us = 40;
  w.sva.unbound_us = 10;
  const output o = run(w);
  uint64_t detaches = 0, wrong = 0;
  for (size_t i = 0; i < o.records.size(); ++i) {
    const record& d = o.records[i];
    if (d.kind != record_kind::pasid_detach) continue;
    ++detaches;
    // pasid-detach, pc-inval + wait, piotlb-inval + wait, pdevtlb-inval (this PASID, every address) + wait.
    ASSERT_LT(i + 6, o.records.size());
    const record& p = o.records[i + 5];
    const auto block = decode_by_hand(p.addr, (p.flags & flag::size) != 0);
    if (o.records[i + 3].kind != record_kind::piotlb_inval ||
        o.records[i + 4].kind != record_kind::inv_wait || p.kind != record_kind::pdevtlb_inval ||
        p.id != kDsa0 || p.value != d.value || !block || block->log2_size != 64 ||
        o.records[i + 6].kind != record_kind::inv_wait)
      ++wrong;
  }
  EXPECT_GT(detaches, 0u);
  EXPECT_EQ(wrong, 0u);
}

TEST(GenAts, PresetWithoutDeviceTlbSupportIsRefused) {
  gen::workload w = gen::preset_workload("nic");
  w.dma_target = 100;
  w.preset = "qemu";  // QEMU's intel-iommu defaults: ECAP has QI, IR, EIM, PT, no DT
  EXPECT_NO_THROW(gen::validate(w)) << "the preset alone is fine";
  w.nic.ats = true;
  try {
    gen::validate(w);
    ADD_FAILURE() << "ATS on a preset without ECAP.DT accepted";
  } catch (const trace_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("preset 'qemu'"), std::string::npos) << m;
    EXPECT_NE(m.find("ECAP.DT=0"), std::string::npos) << m;
  }
  std::vector<record> none;
  tables::platform_description p;
  EXPECT_THROW(gen::generate(
                   w, [&](const record& r) { none.push_back(r); }, p),
               trace_error);
  EXPECT_TRUE(none.empty());
  w.mode = gen::gen_mode::legacy;
  w.preset = "no-such-preset";
  w.nic.ats = false;
  EXPECT_THROW(gen::validate(w), trace_error);
}

TEST(GenAts, SvaAtsNeedsScalableMode) {
  gen::workload w = gen::preset_workload("nic");
  w.sva.ats = true;
  EXPECT_THROW(gen::validate(w), trace_error);
}

}  // namespace
}  // namespace vtd::traces
