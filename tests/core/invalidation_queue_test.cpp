// Queued-invalidation tests: descriptors written to simulated memory, executed from IQH to IQT (with
// wrap-around), inv_wait status writes and IWC requests, and every IQEI error code with IQH left on the
// offending descriptor.
#include <gtest/gtest.h>

#include "model/core/invalidation/invalidation_queue.hpp"

namespace {
using namespace vtd::core;
using vtd::spec::context_entry;
using vtd::spec::inv_descriptor;
using vtd::spec::inv_type;
using vtd::spec::iqei;
using vtd::spec::translation_type;

class queue_test : public ::testing::Test {
 protected:
  static constexpr uint64_t kBase = 0x10000;
  physical_memory mem{16ull << 20};
  translation_caches caches;
  invalidation_caps caps;
  iq_registers regs;

  void SetUp() override {
    caps.dt = true;
    caps.ir = true;
    regs.iqa = vtd::spec::make_iqa(kBase, false, 0);  // 256 x 16-byte descriptors
    for (uint16_t did : {1, 2}) {
      caches.context().fill(did, context_entry::make(0x1000, 2, did, translation_type::untranslated_only));
      caches.tlb().fill(did, 0x5000, 0x9000, 4096, true, true);
    }
    vtd::spec::irte::remapped_fields f;
    for (uint32_t i = 0; i < 8; ++i) caches.interrupt().fill(i, vtd::spec::irte::make_remapped(f, true));
  }
  unsigned width() const { return vtd::spec::iqa_dw(regs.iqa) ? 32 : 16; }
  void put(uint32_t index, const inv_descriptor& d) {
    mem.write(vtd::spec::iqa_base(regs.iqa) + uint64_t(index) * width(), d.qw.data(), width());
  }
  iq_result run(uint32_t head, uint32_t tail) {
    unsigned shift = width() == 32 ? 5 : 4;
    regs.iqh = uint64_t(head) << shift;
    regs.iqt = uint64_t(tail) << shift;
    invalidation_queue q(caches, mem, caps);
    return q.process(regs);
  }
};

TEST_F(queue_test, executes_each_kind_and_writes_wait_status) {
  put(0, inv_descriptor::make_cc(2, 1, 0, 0));                  // context, domain 1
  put(1, inv_descriptor::make_iotlb(2, 2, 0, 0, false, true));  // IOTLB, domain 2, drain reads
  put(2, inv_descriptor::make_dev_tlb(0x100, 0x100, 0, 0x5000, false));
  put(3, inv_descriptor::make_iec(true, 4, 2));                     // IEC indices 4..7
  put(4, inv_descriptor::make_wait(true, true, 0xC0FFEE, 0x8004));  // status write + IWC
  put(5, inv_descriptor::make_wait(false, true, 0x1234, 0x8008));
  auto r = run(0, 6);
  ASSERT_TRUE(r.ok()) << to_string(r.error);
  EXPECT_EQ(r.iqh, 6u << 4);
  EXPECT_EQ(r.processed, 6u);
  EXPECT_EQ(r.count(inv_type::cc), 1u);
  EXPECT_EQ(r.count(inv_type::iotlb), 1u);
  EXPECT_EQ(r.count(inv_type::dev_tlb), 1u);
  EXPECT_EQ(r.count(inv_type::iec), 1u);
  EXPECT_EQ(r.count(inv_type::wait), 2u);
  EXPECT_EQ(r.waits_completed, 2u);
  EXPECT_EQ(r.completion_signals, 1u);
  EXPECT_EQ(r.drains, 1u);
  EXPECT_EQ(r.entries_removed, 1u + 1u + 4u);
  EXPECT_EQ(caches.context().array().peek(1), nullptr);
  EXPECT_NE(caches.context().array().peek(2), nullptr);
  EXPECT_NE(caches.tlb().lookup(1, 0x5000), nullptr);
  EXPECT_EQ(caches.tlb().lookup(2, 0x5000), nullptr);
  EXPECT_EQ(caches.interrupt().array().valid_entries(), 4u);
  ASSERT_EQ(r.status_writes.size(), 2u);
  EXPECT_EQ(r.status_writes[0].address, 0x8004u);
  EXPECT_TRUE(r.status_writes[0].ok);
  uint32_t v = 0;
  mem.read(0x8004, &v, 4);
  EXPECT_EQ(v, 0xC0FFEEu);
  mem.read(0x8008, &v, 4);
  EXPECT_EQ(v, 0x1234u);
}

TEST_F(queue_test, wraps_around_the_queue_end) {
  put(254, inv_descriptor::make_wait(false, true, 1, 0x9000));
  put(255, inv_descriptor::make_wait(false, true, 2, 0x9004));
  put(0, inv_descriptor::make_wait(false, true, 3, 0x9008));
  put(1, inv_descriptor::make_wait(false, true, 4, 0x900C));
  auto r = run(254, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.processed, 4u);
  EXPECT_EQ(r.iqh, 2u << 4);
  for (uint32_t i = 0; i < 4; ++i) {
    uint32_t v = 0;
    mem.read(0x9000 + 4 * i, &v, 4);
    EXPECT_EQ(v, i + 1);
  }
}

TEST_F(queue_test, empty_queue_does_nothing) {
  auto r = run(7, 7);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.processed, 0u);
  EXPECT_EQ(r.iqh, 7u << 4);
}

TEST_F(queue_test, status_address_bits_above_haw_are_ignored) {
  caps.haw = 40;
  put(0, inv_descriptor::make_wait(false, true, 0xAB, (1ull << 45) | 0xA000));
  auto r = run(0, 1);
  ASSERT_EQ(r.status_writes.size(), 1u);
  EXPECT_EQ(r.status_writes[0].address, 0xA000u);
  uint32_t v = 0;
  mem.read(0xA000, &v, 4);
  EXPECT_EQ(v, 0xABu);
}

struct bad_case {
  const char* name;
  inv_descriptor d;
  iqei code;
};

TEST_F(queue_test, invalid_descriptors_stop_with_iqei_and_keep_iqh) {
  caps.psi = true;
  caps.mamv = 9;
  caps.mhmv = 4;
  const bad_case cases[] = {
      {"type 0", inv_descriptor{{0, 0, 0, 0}}, iqei::invalid_type},
      {"type 6 (scalable only)", inv_descriptor{{6 | 2u << 4, 0, 0, 0}}, iqei::invalid_type},
      {"type bits 11:9", inv_descriptor{{1 | 1u << 4 | 1u << 9, 0, 0, 0}}, iqei::invalid_type},
      {"cc reserved QW0 bit 50", inv_descriptor{{1 | 1u << 4 | 1ull << 50, 0, 0, 0}}, iqei::reserved_field},
      {"cc reserved QW1", inv_descriptor{{1 | 1u << 4, 1, 0, 0}}, iqei::reserved_field},
      {"cc G=00", inv_descriptor::make_cc(0, 1, 0, 0), iqei::reserved_field},
      {"iotlb G=00", inv_descriptor::make_iotlb(0, 1, 0, 0, false), iqei::reserved_field},
      {"iotlb AM > MAMV", inv_descriptor::make_iotlb(3, 1, 0, 10, false), iqei::reserved_field},
      {"iotlb QW1 bit 7", inv_descriptor{{2 | 1u << 4, 1u << 7, 0, 0}}, iqei::reserved_field},
      {"iec IM > MHMV", inv_descriptor::make_iec(true, 0, 5), iqei::reserved_field},
      {"wait PD without PDS", inv_descriptor{{5 | 1u << 5 | 1u << 7, 0x8000, 0, 0}}, iqei::reserved_field},
      {"wait QW1 bit 0", inv_descriptor{{5 | 1u << 5, 0x8001, 0, 0}}, iqei::reserved_field},
      {"dev_tlb QW1 bit 1", inv_descriptor{{3, 2, 0, 0}}, iqei::reserved_field},
  };
  for (const auto& c : cases) {
    SetUp();
    put(0, inv_descriptor::make_wait(false, true, 1, 0x8000));
    put(1, inv_descriptor::make_cc(2, 2, 0, 0));
    put(2, c.d);
    put(3, inv_descriptor::make_wait(false, true, 2, 0x8000));
    auto r = run(0, 4);
    EXPECT_EQ(r.error, c.code) << c.name;
    EXPECT_EQ(r.iqh, 2u << 4) << c.name;
    EXPECT_EQ(r.processed, 2u) << c.name;
    EXPECT_EQ(r.error_descriptor_address, kBase + 2 * 16) << c.name;
    uint32_t v = 0;
    mem.read(0x8000, &v, 4);
    EXPECT_EQ(v, 1u) << c.name;  // the wait after the bad descriptor never ran
  }
}

TEST_F(queue_test, missing_features_make_types_invalid) {
  caps.dt = false;
  put(0, inv_descriptor::make_dev_tlb(1, 1, 0, 0, false));
  EXPECT_EQ(run(0, 1).error, iqei::invalid_type);
  caps.dt = true;
  caps.ir = false;
  put(0, inv_descriptor::make_iec(false, 0, 0));
  EXPECT_EQ(run(0, 1).error, iqei::invalid_type);
  caps.ir = true;
  caps.psi = false;
  put(0, inv_descriptor::make_iotlb(3, 1, 0x5000, 0, false));
  EXPECT_EQ(run(0, 1).error, iqei::reserved_field);
}

TEST_F(queue_test, tail_and_mode_errors) {
  put(0, inv_descriptor::make_wait(false, true, 1, 0x8000));
  // IQEI 1: tail beyond a one-page (256-entry) queue.
  auto r = run(0, 256);
  EXPECT_EQ(r.error, iqei::invalid_tail);
  EXPECT_EQ(r.iqh, 0u);
  // IQEI 7: TTM = 10b.
  regs.ttm = vtd::spec::reg::ttm::reserved;
  EXPECT_EQ(run(0, 1).error, iqei::invalid_ttm);
  // IQEI 5: DW=0 in scalable mode.
  regs.ttm = vtd::spec::reg::ttm::scalable;
  EXPECT_EQ(run(0, 1).error, iqei::invalid_width);
  regs.ttm = vtd::spec::reg::ttm::legacy;
  // IQEI 5: DW=1 without SMTS / ADMS.
  regs.iqa = vtd::spec::make_iqa(kBase, true, 0);
  EXPECT_EQ(run(0, 1).error, iqei::invalid_width);
  // IQEI 6: DW=1 and IQT bit 4 set.
  caps.wide_ok = true;
  regs.iqh = 0;
  regs.iqt = 0x10;
  EXPECT_EQ(invalidation_queue(caches, mem, caps).process(regs).error, iqei::tail_misaligned);
  // IQEI 2: the queue lies outside memory.
  regs.iqa = vtd::spec::make_iqa(1ull << 30, false, 0);
  r = run(0, 1);
  EXPECT_EQ(r.error, iqei::fetch_error);
  EXPECT_EQ(r.iqh, 0u);
}

TEST_F(queue_test, wide_queue_holds_128_bit_descriptors_in_256_bit_slots) {
  caps.wide_ok = true;
  regs.iqa = vtd::spec::make_iqa(kBase, true, 0);  // 128 x 32 bytes
  EXPECT_EQ(vtd::spec::iq_entries(regs.iqa), 128u);
  put(127, inv_descriptor::make_wait(false, true, 5, 0x8000));
  put(0, inv_descriptor::make_cc(1, 0, 0, 0));
  inv_descriptor bad = inv_descriptor::make_wait(false, true, 6, 0x8000);
  bad.qw[3] = 1;  // bits 255:128 of a 128-bit descriptor must be zero
  put(1, bad);
  auto r = run(127, 2);
  EXPECT_EQ(r.processed, 2u);
  EXPECT_EQ(r.error, iqei::reserved_field);
  EXPECT_EQ(r.iqh, 1u << 5);
  EXPECT_EQ(caches.context().array().valid_entries(), 0u);
}

}  // namespace
