// Scalable-mode tables written by hand for the explain tests: every entry is raw quadwords worked out from
// the spec's bit tables (not through the model's encoders), on a "server-sm" unit over 4 GiB of sparse
// memory.
//
//   root table 0x100000, bus 0: LP=1, LCTP=0x101000 (QW0 0x101001)
//   context entry of 00:03.0 (devfn 0x18, lower half) at 0x101000 + 0x18*32 = 0x101300:
//     QW0 = PASIDDIRPTR 0x102000 | PDTS 010b (11:9 -> 0x400) | PASIDE (bit 3) | P = 0x102409, QW1 = RID_PASID
//   PASID directory 0x102000: entry 0 -> PASID table 0x103000 (PASIDs 0-63), entry 1 -> 0x104000 (64-127)
//   first-stage tables (host physical) for kIova 0x1234_5678_9ABC (PML4 0x24, PDPT 0xD1, PD 0xB3, PT 0x189,
//     offset 0xABC): 0x110000 -> 0x111000 -> 0x112000 -> 0x113000 -> page 0x40000000, entries as Linux
//     writes them (non-leaf P|R/W|U/S|A = 0x27, leaf adds D = 0x67)
//   second-stage tables for the same IOVA: 0x120000 -> 0x121000 -> 0x122000 -> 0x123000 -> page 0x50000000
//   (R|W) nested: second stage 0x130000 (PML4[0] -> PDPT 0x131000, PDPT[0] = 1 GiB leaf GPA 0 -> HPA
//   0x40000000),
//     guest first-stage tables at GPAs 0x1000000-0x1003000 (HPAs 0x41000000-0x41003000), the guest leaf
//     GPA 0x2345000 with A and D clear (0x07), so a write sets both.
#pragma once
#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>

#include "apps/explain/explanation.hpp"
#include "model/spec/presets.hpp"

namespace vtd::test {

class SmExplain : public ::testing::Test {
 protected:
  static constexpr uint64_t kIova = 0x123456789ABC;
  static constexpr uint16_t kSid = core::make_source_id(0, 3, 0);  // devfn 0x18
  static constexpr uint64_t kCtx = 0x101300;
  static constexpr uint64_t kBeyondMemory = uint64_t{1} << 33;  // 8 GiB: below HAW 46, past the 4 GiB memory

  core::physical_memory mem{uint64_t{1} << 32};
  std::unique_ptr<core::remapping_unit> unit;

  void SetUp() override {
    put(0x100000, {0x101001, 0});
    put(kCtx, {0x102409, 0, 0, 0});
    put(0x102000, {0x103001, 0x104001});
    put(0x110000 + 0x24 * 8, {0x111027});
    put(0x111000 + 0xD1 * 8, {0x112027});
    put(0x112000 + 0xB3 * 8, {0x113027});
    put(0x113000 + 0x189 * 8, {0x40000067});
    put(0x120000 + 0x24 * 8, {0x121003});
    put(0x121000 + 0xD1 * 8, {0x122003});
    put(0x122000 + 0xB3 * 8, {0x123003});
    put(0x123000 + 0x189 * 8, {0x50000003});
    put(0x130000, {0x131003});
    put(0x131000, {0x40000083});  // PS=1 at level 3: 1 GiB, R|W
    put(0x41000000 + 0x24 * 8, {0x1001027});
    put(0x41001000 + 0xD1 * 8, {0x1002027});
    put(0x41002000 + 0xB3 * 8, {0x1003027});
    put(0x41003000 + 0x189 * 8, {0x2345007});
    unit = std::make_unique<core::remapping_unit>(
        core::unit_config::from_preset(*spec::find_capability_preset("server-sm")), mem);
    unit->set_root_table(0x100000 | (1u << 10));  // TTM=01b
    unit->enable_translation(true);
  }

  void put(uint64_t addr, std::initializer_list<uint64_t> qwords) {
    for (uint64_t q : qwords) {
      mem.write64(addr, q);
      addr += 8;
    }
  }
  static uint64_t pasid_entry_address(uint32_t pasid) {
    return (pasid < 64 ? 0x103000 : 0x104000) + (pasid & 63) * 64;
  }
  // PASID-table entries, QW0-QW2 (the rest zero). DID in 79:64 and PWSNP (87) are QW1 bits 15:0 and 23.
  void first_stage_entry(uint32_t pasid, uint16_t did = 1) {
    put(pasid_entry_address(pasid), {0x41, 0x800000u | did, 0x110000, 0, 0, 0, 0, 0});  // PGTT=001b
  }
  void second_stage_entry(uint32_t pasid, uint16_t did = 7) {
    put(pasid_entry_address(pasid),
        {0x120000 | 0x80 | 0x8 | 1, 0x800000u | did, 0, 0, 0, 0, 0, 0});  // 010b, AW 2
  }
  void nested_entry(uint32_t pasid, uint16_t did = 3) {
    put(pasid_entry_address(pasid), {0x130000 | 0xC0 | 0x8 | 1, 0x800000u | did, 0x1000000, 0, 0, 0, 0, 0});
  }

  explain::explanation walk(uint64_t iova = kIova, core::access_kind a = core::access_kind::read) {
    core::dma_request q;
    q.source_id = kSid;
    q.address = iova;
    q.access = a;
    return explain::explain_dma(*unit, q);
  }
  explain::explanation walk_pasid(uint32_t pasid, uint64_t iova = kIova,
                                  core::access_kind a = core::access_kind::read, bool priv = false) {
    core::dma_request q;
    q.source_id = kSid;
    q.address = iova;
    q.access = a;
    q.has_pasid = true;
    q.pasid = pasid;
    q.privileged = priv;
    return explain::explain_dma(*unit, q);
  }

  // The value of field `name` in `s` ("" when the step has no such field).
  static std::string value(const explain::step& s, const std::string& name) {
    for (const auto& f : s.fields)
      if (f.name == name) return f.value;
    return "";
  }
  static std::string meaning(const explain::step& s, const std::string& name) {
    for (const auto& f : s.fields)
      if (f.name == name) return f.meaning;
    return "";
  }
  static std::string bits(const explain::step& s, const std::string& name) {
    for (const auto& f : s.fields)
      if (f.name == name) return f.bits;
    return "";
  }
};

}  // namespace vtd::test
