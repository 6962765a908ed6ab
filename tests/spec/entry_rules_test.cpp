// The validity rule functions the walker and the checker share (model/spec/entry_rules.hpp): each rule once,
// in the hardware's order, with the fault reason it maps to.
#include <gtest/gtest.h>

#include "model/spec/entry_rules.hpp"
#include "model/spec/presets.hpp"

namespace vtd::spec {
namespace {

caps server() {
  const auto p = *find_capability_preset("server");
  return caps::decode(p.ver, p.cap, p.ecap, p.haw);
}

TEST(entry_rules, root_entry) {
  const caps c = server();
  EXPECT_EQ(check_root(root_entry{}, c), root_rule::not_present);
  EXPECT_EQ(check_root(root_entry::make(0x1000), c), root_rule::ok);
  EXPECT_EQ(check_root(root_entry{0x1001, 1}, c), root_rule::reserved);                   // 127:64
  EXPECT_EQ(check_root(root_entry{0x1003, 0}, c), root_rule::reserved);                   // 11:1
  EXPECT_EQ(check_root(root_entry::make(uint64_t{1} << c.haw), c), root_rule::reserved);  // CTP above HAW
  EXPECT_EQ(fault_for(root_rule::not_present), fault_reason::root_not_present);
  EXPECT_EQ(fault_for(root_rule::reserved), fault_reason::root_reserved);
  EXPECT_EQ(fault_for(root_rule::ok), fault_reason::none);
}

TEST(entry_rules, context_entry_in_the_hardware_order) {
  caps c = server();
  using tt = translation_type;
  EXPECT_EQ(check_context(context_entry::make(0x1000, 2, 1, tt::untranslated_only), c), context_rule::ok);
  // FPD alone does not make an entry present.
  EXPECT_EQ(check_context(context_entry::make(0x1000, 2, 1, tt::untranslated_only, true, false), c),
            context_rule::not_present);
  // Reserved bits come before TT and AW.
  auto bad = context_entry::make(0x1000, 0, 1, tt::reserved);
  bad.lo |= 1u << 4;
  EXPECT_EQ(check_context(bad, c), context_rule::reserved);
  EXPECT_EQ(check_context(context_entry::make(0x1000, 0, 1, tt::reserved), c), context_rule::tt_unsupported);
  EXPECT_EQ(check_context(context_entry::make(0x1000, 4, 1, tt::untranslated_only), c),
            context_rule::aw_unsupported);
  // Pass-through does not use AW; without ECAP.PT it is an unsupported TT.
  EXPECT_EQ(check_context(context_entry::make(0, 0, 1, tt::pass_through), c), context_rule::ok);
  c.pt = false;
  EXPECT_EQ(check_context(context_entry::make(0, 0, 1, tt::pass_through), c), context_rule::tt_unsupported);
  c.dt = false;
  EXPECT_EQ(check_context(context_entry::make(0x1000, 2, 1, tt::device_tlb), c),
            context_rule::tt_unsupported);
  c.sagaw = 0b00100;  // 48-bit only
  EXPECT_EQ(check_context(context_entry::make(0x1000, 1, 1, tt::untranslated_only), c),
            context_rule::aw_unsupported);
  c.did_bits = 8;  // DID bits above ND are reserved
  EXPECT_EQ(check_context(context_entry::make(0x1000, 2, 0x100, tt::untranslated_only), c),
            context_rule::reserved);
  EXPECT_EQ(fault_for(context_rule::not_present), fault_reason::context_not_present);
  EXPECT_EQ(fault_for(context_rule::reserved), fault_reason::context_reserved);
  EXPECT_EQ(fault_for(context_rule::tt_unsupported), fault_reason::context_invalid);
  EXPECT_EQ(fault_for(context_rule::aw_unsupported), fault_reason::context_invalid);
}

TEST(entry_rules, second_stage_entry) {
  caps c = server();
  EXPECT_EQ(check_sl(sl_entry{}, 1, c.sl_check()), sl_rule::not_present);
  EXPECT_EQ(check_sl(sl_entry::make_leaf(1, 0x5000, true, false), 1, c.sl_check()), sl_rule::ok);
  EXPECT_EQ(check_sl(sl_entry::make_leaf(2, 0x201000, true, true), 2, c.sl_check()), sl_rule::reserved);
  c.super_2m = false;
  EXPECT_EQ(check_sl(sl_entry::make_leaf(2, 0x200000, true, true), 2, c.sl_check()), sl_rule::reserved);
  EXPECT_EQ(check_sl(sl_entry::make_table(0x3000), 4, c.sl_check()), sl_rule::ok);
}

TEST(entry_rules, irte_format_violations_as_a_set) {
  caps c = server();
  irte::remapped_fields f;
  f.vector = 0x30;
  irte e = irte::make_remapped(f, true);
  EXPECT_EQ(check_irte(e, c, true), 0u);
  e.hi |= uint64_t(3) << 18;  // SVT=11b
  e.lo |= uint64_t(3) << 5;   // DLM=011b reserved
  EXPECT_EQ(check_irte(e, c, true), unsigned(irte_svt_reserved | irte_delivery_mode));
  irte x = irte::make_remapped(f, true);
  x.lo |= uint64_t(1) << 33;  // DST bit 33 (39:32): reserved in xAPIC mode only
  EXPECT_EQ(check_irte(x, c, true), 0u);
  EXPECT_EQ(check_irte(x, c, false), unsigned(irte_destination));
  x.hi |= uint64_t(1) << 30;  // 127:84 reserved in both modes
  EXPECT_EQ(check_irte(x, c, false), unsigned(irte_reserved));
  irte p = irte::make_posted(0x40, 0x10000, false, 0, 0, source_validation::none);
  EXPECT_EQ(check_irte(p, c, false), 0u);
  c.pi = false;
  EXPECT_EQ(check_irte(p, c, false), unsigned(irte_posted_unsupported));
}

}  // namespace
}  // namespace vtd::spec
