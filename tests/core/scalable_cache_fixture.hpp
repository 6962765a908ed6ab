// Test fixture for scalable-mode caching and invalidation: the sm_fixture's "server-sm" unit and memory, plus
// a complete core::iommu (caches and invalidation wired) over the same memory, brought up in scalable mode
// with a 256-bit (IQA.DW=1) invalidation queue. Structures are written as raw quadwords from the spec's bit
// tables (the layout scalable_walk_test.cpp works out by hand):
//   root entry bus 0 at 0x100000: LP=1 LCTP=0x101000, UP=1 UCTP=0x102000;
//   context entry of 00:03.0 (devfn 0x18) at 0x101000 + 0x18*32 = 0x101300: P, PASIDE (bit 3), PDTS=7 (11:9),
//   PASIDDIRPTR 0x110000, RID_PASID in 83:64;
//   PASID directory entry 0 (PASIDs 0-63) at 0x110000: P, SMPTBLPTR 0x130000; PASID n's entry at
//   0x130000 + n*64.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/core/system/iommu.hpp"
#include "tests/core/sm_fixture.hpp"

namespace vtd::test {

class sm_cache_fixture : public sm_fixture {
 public:
  static constexpr uint64_t kQueue = 0x80000;   // one 4 KiB page: 128 descriptors of 32 bytes
  static constexpr uint64_t kStatus = 0x90000;  // inv_wait status dword
  // IOVA 0x1234_5678_9ABC: PML4 index 0x24, PDPT 0xD1, PD 0xB3, PT 0x189, offset 0xABC.
  static constexpr uint64_t kIova = 0x123456789ABC;

  void SetUp() override {
    sm_fixture::SetUp();
    build();
  }
  // A fresh cached unit for `cfg` (call after changing cfg).
  void build() { sys = std::make_unique<iommu>(cfg, mem, translation_caches_config{}); }

  // Scalable mode (RTADDR.TTM=01b) and translation on, queued invalidation with 256-bit descriptors.
  void enable_sys() {
    sys->unit().set_root_table(kRoot | kTtmScalable);
    sys->unit().enable_translation(true);
    sys->setup_queue(kQueue, 0, true);
  }

  void raw_root_and_context(uint32_t rid_pasid = 0) {
    put(0x100000, {0x101001, 0x102001});
    put(0x101300, {0x110E09, rid_pasid, 0, 0});
    put(0x110000, {0x130001});
  }
  // First-stage PASID-table entry: P, PGTT=001b (8:6 -> 0x40), DID (79:64), PWSNP (87), FLPTPTR (191:140).
  void raw_fs_entry(uint32_t pasid, uint16_t did, uint64_t flptptr, bool pwsnp = true) {
    put(0x130000 + pasid * 64, {0x41, uint64_t(did) | (pwsnp ? 0x800000u : 0u), flptptr, 0, 0, 0, 0, 0});
  }
  // The first-stage tables of kIova at 0x200000.. as Linux writes them: non-leaf P|R/W|U/S|A = 0x27, the
  // 4 KiB leaf adds D: 0x67, frame 0x4000_0000.
  void raw_fs_tables() {
    put(0x200000 + 0x24 * 8, {0x201027});
    put(0x201000 + 0xD1 * 8, {0x202027});
    put(0x202000 + 0xB3 * 8, {0x203027});
    put(0x203000 + 0x189 * 8, {0x40000067});
  }

  // Nested, 4-level first stage over a 4-level second stage (scalable_walk_test's layout), PASID 0, DID 3.
  // PASID entry: PGTT=011b (0xC0), AW=010b (0x8), SLPTPTR 0x400000, PWSNP, FLPTPTR = GPA 0x1000000. Second
  // stage: the guest's first-stage tables GPA 0x1000000 + n*0x1000 -> HPA 0x600000 + n*0x1000 (PD index 8,
  // PT 0x403000 index n), data pages GPA 0x2000000 / 0x2001000 -> HPA 0x7000000 / 0x7001000 (PD index 0x10,
  // PT 0x404000). Guest first stage: kIova -> GPA 0x2000000, kIova + 0x1000 -> GPA 0x2001000.
  void raw_nested() {
    raw_root_and_context();
    put(0x130000, {0x400000 | 0xC0 | 0x8 | 1, 0x800003, 0x1000000, 0, 0, 0, 0, 0});
    put(0x400000, {0x401003});
    put(0x401000, {0x402003});
    put(0x402000 + 8 * 8, {0x403003});
    put(0x402000 + 0x10 * 8, {0x404003});
    for (unsigned n = 0; n < 4; ++n) put(0x403000 + n * 8, {(0x600000 + n * 0x1000) | 3});
    put(0x404000, {0x7000003});
    put(0x404008, {0x7001003});
    put(0x600000 + 0x24 * 8, {0x1001027});
    put(0x601000 + 0xD1 * 8, {0x1002027});
    put(0x602000 + 0xB3 * 8, {0x1003027});
    put(0x603000 + 0x189 * 8, {0x2000067});
    put(0x603000 + 0x18A * 8, {0x2001067});
  }

  translation_result run(const dma_request& r, walk_record* rec = nullptr) { return sys->translate(r, rec); }
  std::map<std::string, uint64_t> counters() const {
    std::map<std::string, uint64_t> m;
    for (auto& [k, v] : sys->caches()->stats().counters()) m[k] = v;
    return m;
  }
  static std::vector<walk_step> lookups(const walk_record& rec) {
    std::vector<walk_step> out;
    for (const auto& s : rec)
      if (s.is_cache_lookup()) out.push_back(s);
    return out;
  }
  static std::vector<uint64_t> read_addresses(const walk_record& rec) {
    std::vector<uint64_t> out;
    for (const auto& s : rec)
      if (!s.is_cache_lookup() && s.kind != step_kind::status_write) out.push_back(s.entry_address);
    return out;
  }
  // The invalidation queue's error state: FSTS.IQE and IQERCD.IQEI.
  bool iqe() const { return (sys->unit().faults().fsts() & spec::reg::FSTS_IQE) != 0; }
  unsigned iqei() const { return unsigned(sys->unit().regs().read64(spec::reg::IQERCD) & 0xF); }

  std::unique_ptr<iommu> sys;
};

}  // namespace vtd::test
