// Every legacy-mode DMA fault reason (the legacy-mode and RTA fault conditions), each provoked by a table
// built for it, plus FPD qualification and the FRCD contents a fault leaves behind.
#include "tests/core/core_fixture.hpp"

namespace vtd::test {
namespace {

constexpr uint16_t kSid = 0x0518;  // bus 5, dev 3, fn 0
constexpr uint64_t kPdpt = 0x500000, kPd = 0x501000, kPt = 0x502000;

class dma_fault : public core_fixture {
 protected:
  // 3-level table mapping iova 0x1000 -> 0x8000 (R/W) unless the test overwrites entries.
  void map_default(uint16_t did = 1, bool fpd = false) {
    put_sl(kPdpt, 0, sl_entry::make_table(kPd).raw);
    put_sl(kPd, 0, sl_entry::make_table(kPt).raw);
    put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, true, true).raw);
    install_context(kSid, context_entry::make(kPdpt, 1, did, translation_type::untranslated_only, fpd));
  }
  fault_reason run(const dma_request& r) {
    auto res = unit->translate(r);
    EXPECT_EQ(res.status, dma_status::fault);
    return res.fault;
  }
  fault_reason run_read(uint64_t addr) { return run(dma(kSid, addr)); }
};

TEST_F(dma_fault, RootNotPresent_01) {
  map_default();
  put_root(5, root_entry::make(kCtx, false));
  EXPECT_EQ(run_read(0x1000), fault_reason::root_not_present);
}

TEST_F(dma_fault, ContextNotPresent_02) {
  map_default();
  put_context(kCtx, 0x18,
              context_entry::make(kPdpt, 1, 1, translation_type::untranslated_only, false, false));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_not_present);
}

TEST_F(dma_fault, ContextInvalid_03_AwNotInSagaw) {
  map_default();
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 0, 1, translation_type::untranslated_only));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_invalid);
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 4, 1, translation_type::untranslated_only));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_invalid);
  // qemu preset: SAGAW has only 39-bit, so AW=2 is invalid there.
  cfg = unit_config::from_preset(*find_capability_preset("qemu"));
  rebuild();
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 2, 1, translation_type::untranslated_only));
  unit->set_root_table(kRoot);
  unit->enable_translation(true);
  EXPECT_EQ(run_read(0x1000), fault_reason::context_invalid);
}

TEST_F(dma_fault, ContextInvalid_03_UnsupportedTranslationType) {
  map_default();
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 1, 1, translation_type::reserved));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_invalid);
  set_ecap_field(cfg.ecap, "dt", 0);
  set_ecap_field(cfg.ecap, "pt", 0);
  rebuild();
  unit->set_root_table(kRoot);
  unit->enable_translation(true);
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 1, 1, translation_type::device_tlb));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_invalid);
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 1, 1, translation_type::pass_through));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_invalid);
}

TEST_F(dma_fault, ContextInvalid_03_TopLevelReadError) {
  map_default();
  put_context(kCtx, 0x18, context_entry::make(kBeyondMemory, 1, 1, translation_type::untranslated_only));
  walk_record rec;
  auto r = unit->translate(dma(kSid, 0x1000), &rec);
  EXPECT_EQ(r.fault, fault_reason::context_invalid);  // LCT.4.3
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_FALSE(rec[2].ok);
  EXPECT_EQ(rec[2].entry_address, kBeyondMemory);
}

TEST_F(dma_fault, AddressBeyondWidth_04) {
  map_default();
  EXPECT_EQ(run_read(1ull << 39), fault_reason::address_beyond_width);  // AW=1: 39-bit
  EXPECT_EQ(unit->translate(dma(kSid, (1ull << 39) - 4096)).fault,
            fault_reason::read_denied);  // inside: walks
  // MGAW below AGAW: MGAW=40 with a 4-level table limits input to 40 bits.
  set_cap_field(cfg.cap, "mgaw", 40);
  rebuild();
  install_context(kSid, context_entry::make(kPdpt, 2, 1, translation_type::untranslated_only));
  EXPECT_EQ(run_read(1ull << 40), fault_reason::address_beyond_width);
}

TEST_F(dma_fault, AddressBeyondWidth_04_PassThroughAboveHaw) {
  install_context(kSid, context_entry::make(0, 3, 1, translation_type::pass_through));
  EXPECT_EQ(run_read(1ull << 46), fault_reason::address_beyond_width);  // LGN.1.3
  auto ok = unit->translate(dma(kSid, (1ull << 46) - 8));
  EXPECT_EQ(ok.status, dma_status::pass_through);
  EXPECT_EQ(ok.hpa, (1ull << 46) - 8);
}

TEST_F(dma_fault, AddressBeyondWidth_04_TranslatedRequestAboveHaw) {
  install_context(kSid, context_entry::make(kPdpt, 1, 1, translation_type::device_tlb));
  auto r = dma(kSid, 1ull << 46);
  r.at = address_type::translated;
  EXPECT_EQ(run(r), fault_reason::address_beyond_width);  // LGN.1.2
}

TEST_F(dma_fault, WriteDenied_05_AndReadDenied_06) {
  map_default();
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, true, false).raw);
  EXPECT_EQ(run(dma(kSid, 0x1000, access_kind::write)), fault_reason::write_denied);
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, false, true).raw);
  EXPECT_EQ(run(dma(kSid, 0x1000, access_kind::read)), fault_reason::read_denied);
  EXPECT_EQ(run(dma(kSid, 0x1000, access_kind::atomic)), fault_reason::read_denied);  // atomic needs R too
  // Not-present (R=W=0) entry: write -> 05h, read -> 06h.
  put_sl(kPd, 0, 0);
  EXPECT_EQ(run(dma(kSid, 0x1000, access_kind::write)), fault_reason::write_denied);
  EXPECT_EQ(run(dma(kSid, 0x1000, access_kind::read)), fault_reason::read_denied);
}

TEST_F(dma_fault, ZeroLengthReadToWriteOnlyPageAllowedOnlyWithZlr) {
  map_default();
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, false, true).raw);
  EXPECT_TRUE(unit->translate(dma(kSid, 0x1000, access_kind::read, 0)).ok());  // server: ZLR=1
  set_cap_field(cfg.cap, "zlr", 0);
  rebuild();
  unit->set_root_table(kRoot);
  unit->enable_translation(true);
  EXPECT_EQ(run(dma(kSid, 0x1000, access_kind::read, 0)), fault_reason::read_denied);
}

TEST_F(dma_fault, SlTableReadError_07) {
  map_default();
  put_sl(kPdpt, 0, sl_entry::make_table(kBeyondMemory).raw);
  EXPECT_EQ(run_read(0x1000), fault_reason::sl_table_read_error);
}

TEST_F(dma_fault, RootReadError_08) {
  map_default();
  unit->set_root_table(kBeyondMemory);
  EXPECT_EQ(run_read(0x1000), fault_reason::root_read_error);
}

// RTADDR.RTA bits 63:HAW are not implemented (spec chapter 11, RTADDR_REG.RTA: "Hardware may ignore and not
// implement bits 63:HAW"): a root table programmed at 2^50 + kRoot is read at kRoot (HAW 46), and no fault
// comes from the ignored bits. vtdsim check reports them (rtaddr.reserved) and checks the same table.
TEST_F(dma_fault, RootTableAddressBitsAboveHawAreIgnored) {
  map_default();
  unit->set_root_table((1ull << 50) | kRoot);
  walk_record rec;
  auto r = unit->translate(dma(kSid, 0x1000), &rec);
  ASSERT_EQ(r.status, dma_status::translated) << to_string(r.fault);
  EXPECT_EQ(r.hpa, 0x8000u);
  ASSERT_GE(rec.size(), 1u);
  EXPECT_EQ(rec[0].entry_address, kRoot + 5 * 16);  // bus 5 of the table at kRoot
  // A root table at 2^46 + kBeyondMemory would be read at kBeyondMemory: outside memory, 08h.
  unit->set_root_table((1ull << 46) | kBeyondMemory);
  EXPECT_EQ(run_read(0x1000), fault_reason::root_read_error);
}

TEST_F(dma_fault, ContextReadError_09) {
  map_default();
  put_root(5, root_entry::make(kBeyondMemory));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_read_error);
}

TEST_F(dma_fault, RootReserved_0A) {
  map_default();
  put_root(5, root_entry{root_entry::make(kCtx).lo | 2, 0});  // bit 1
  EXPECT_EQ(run_read(0x1000), fault_reason::root_reserved);
  put_root(5, root_entry{root_entry::make(kCtx).lo, 1});  // QW1 != 0
  EXPECT_EQ(run_read(0x1000), fault_reason::root_reserved);
  put_root(5, root_entry::make(1ull << 46));  // CTP at HAW
  EXPECT_EQ(run_read(0x1000), fault_reason::root_reserved);
}

TEST_F(dma_fault, ContextReserved_0B) {
  map_default();
  auto e = context_entry::make(kPdpt, 1, 1, translation_type::untranslated_only);
  put_context(kCtx, 0x18, context_entry{e.lo | (1u << 4), e.hi});  // 11:4
  EXPECT_EQ(run_read(0x1000), fault_reason::context_reserved);
  put_context(kCtx, 0x18, context_entry{e.lo, e.hi | (1u << 7)});  // bit 71
  EXPECT_EQ(run_read(0x1000), fault_reason::context_reserved);
  put_context(kCtx, 0x18, context_entry{e.lo, e.hi | (1ull << 30)});  // 127:88
  EXPECT_EQ(run_read(0x1000), fault_reason::context_reserved);
  // ND=2 -> 8-bit DIDs: DID 0x100 uses a reserved bit.
  set_cap_field(cfg.cap, "nd", 2);
  rebuild();
  install_context(kSid, context_entry::make(kPdpt, 1, 0x100, translation_type::untranslated_only));
  EXPECT_EQ(run_read(0x1000), fault_reason::context_reserved);
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 1, 0xFF, translation_type::untranslated_only));
  EXPECT_TRUE(unit->translate(dma(kSid, 0x1000)).ok());
}

TEST_F(dma_fault, SlEntryReserved_0C_CheckedBeforePermissions) {
  map_default();
  // Leaf with W only and reserved bit 52 above HAW... use bit 50 (51:46 reserved with HAW=46): a read lacks
  // R, but the entry is unusable, so 0Ch wins over 06h (spec; QEMU checks permission first).
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, false, true).raw | (1ull << 50));
  EXPECT_EQ(run_read(0x1000), fault_reason::sl_entry_reserved);
  // Non-leaf bit 11.
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, true, true).raw);
  put_sl(kPd, 0, sl_entry::make_table(kPt).raw | (1u << 11));
  EXPECT_EQ(run_read(0x1000), fault_reason::sl_entry_reserved);
  // PS=1 at PDE with 2 MiB frame bits 20:12 set.
  put_sl(kPd, 0, sl_entry::make_leaf(2, 0x200000, true, true).raw | (1u << 12));
  EXPECT_EQ(run_read(0x1000), fault_reason::sl_entry_reserved);
  // Reserved bits in a not-present entry are not checked: R=W=0 wins.
  put_sl(kPd, 0, 1u << 11);
  EXPECT_EQ(run_read(0x1000), fault_reason::read_denied);
}

TEST_F(dma_fault, SuperpageWithoutSllpsIsReserved_0C) {
  set_cap_field(cfg.cap, "sllps", 0);
  rebuild();
  map_default();
  put_sl(kPd, 0, sl_entry::make_leaf(2, 0x200000, true, true).raw);
  EXPECT_EQ(run_read(0x1000), fault_reason::sl_entry_reserved);
}

TEST_F(dma_fault, TranslationTypeBlocked_0D) {
  map_default();
  auto r = dma(kSid, 0x1000);
  r.at = address_type::translation_request;
  EXPECT_EQ(run(r), fault_reason::translation_type_blocked);
  r.at = address_type::translated;
  EXPECT_EQ(run(r), fault_reason::translation_type_blocked);
}

TEST_F(dma_fault, InterruptRangeOutput_0E) {
  map_default();
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0xFEE01000, true, true).raw);
  EXPECT_EQ(run_read(0x1000), fault_reason::interrupt_range_output);
  // Translated request (TT=01) to the range: the input address is checked.
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 1, 1, translation_type::device_tlb));
  auto r = dma(kSid, 0xFEE00000);
  r.at = address_type::translated;
  EXPECT_EQ(run(r), fault_reason::interrupt_range_output);
}

TEST_F(dma_fault, InterruptRangeRequests_29_InterruptAndZeroLength) {
  map_default();
  EXPECT_EQ(unit->translate(dma(kSid, 0xFEE00000, access_kind::write, 4)).status, dma_status::interrupt);
  auto zl = unit->translate(dma(kSid, 0xFEE00000, access_kind::read, 0));
  EXPECT_TRUE(zl.ok());
  EXPECT_EQ(run(dma(kSid, 0xFEE00000, access_kind::read, 4)), fault_reason::ir_not_an_interrupt);
  EXPECT_EQ(run(dma(kSid, 0xFEE00010, access_kind::write, 8)), fault_reason::ir_not_an_interrupt);
  EXPECT_EQ(run(dma(kSid, 0xFEEFFFFC, access_kind::atomic, 4)), fault_reason::ir_not_an_interrupt);
}

TEST_F(dma_fault, RtaddrInvalid_30_AbortDma_33) {
  map_default();
  unit->set_root_table(kRoot | (2u << 10));  // TTM=10 reserved
  EXPECT_EQ(run_read(0x1000), fault_reason::rtaddr_invalid);
  unit->set_root_table(kRoot | (1u << 10));  // TTM=01: scalable, not modelled
  EXPECT_EQ(run_read(0x1000), fault_reason::rtaddr_invalid);
  unit->set_root_table(kRoot | (3u << 10));  // TTM=11 without ADMS
  EXPECT_EQ(run_read(0x1000), fault_reason::rtaddr_invalid);
  set_ecap_field(cfg.ecap, "adms", 1);
  rebuild();
  unit->set_root_table(kRoot | (3u << 10));
  unit->enable_translation(true);
  EXPECT_EQ(run_read(0x1000), fault_reason::abort_dma_mode);
}

TEST_F(dma_fault, PasidRequestInLegacyMode_31) {
  map_default();
  auto r = dma(kSid, 0x1000);
  r.has_pasid = true;
  r.pasid = 0x12345;
  EXPECT_EQ(run(r), fault_reason::pasid_request_legacy);
  uint64_t hi = unit->faults().frcd_hi(0);
  EXPECT_EQ((hi >> 31) & 1, 1u);              // PP
  EXPECT_EQ((hi >> 40) & 0xFFFFF, 0x12345u);  // PV (123:104)
}

TEST_F(dma_fault, TranslationDisabledPassesUntranslated) {
  map_default();
  unit->enable_translation(false);
  auto r = unit->translate(dma(kSid, 0x1234));
  EXPECT_EQ(r.status, dma_status::untranslated);
  EXPECT_EQ(r.hpa, 0x1234u);
}

TEST_F(dma_fault, FrcdHoldsSidReasonPageAndType) {
  map_default();
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, true, false).raw);
  auto r = unit->translate(dma(kSid, 0x1ABC, access_kind::write));
  ASSERT_TRUE(r.fault_recorded);
  // FRCD[0] at FRO*16 = 0x400: lo = FI, hi: F(63) T1(62) AT(61:60) FR(39:32) T2(28) SID(15:0).
  EXPECT_EQ(unit->regs().read64(0x400), 0x1000u);
  uint64_t want_hi = (1ull << 63) | (0x05ull << 32) | kSid;  // write: T1=T2=0, AT=00
  EXPECT_EQ(unit->regs().read64(0x408), want_hi);
  unit->translate(dma(kSid, 0x1ABC, access_kind::atomic));  // atomic: {T1,T2}=11
  EXPECT_EQ(unit->regs().read64(0x418), (1ull << 63) | (1ull << 62) | (0x05ull << 32) | (1ull << 28) | kSid);
  put_sl(kPt, 1, 0);
  unit->translate(dma(kSid, 0x1ABC, access_kind::read));  // read: {T1,T2}=10
  EXPECT_EQ(unit->regs().read64(0x428), (1ull << 63) | (1ull << 62) | (0x06ull << 32) | kSid);
}

TEST_F(dma_fault, FpdSuppressesQualifiedFaultsOnly) {
  map_default(1, /*fpd=*/true);
  put_sl(kPt, 1, 0);
  auto q = unit->translate(dma(kSid, 0x1000));
  EXPECT_EQ(q.fault, fault_reason::read_denied);
  EXPECT_FALSE(q.fault_recorded);
  // FPD is latched even from a not-present context entry (02h suppressed).
  put_context(kCtx, 0x18, context_entry::make(kPdpt, 1, 1, translation_type::untranslated_only, true, false));
  auto np = unit->translate(dma(kSid, 0x1000));
  EXPECT_EQ(np.fault, fault_reason::context_not_present);
  EXPECT_FALSE(np.fault_recorded);
  // 0Bh is qualified per spec (QEMU treats it as non-qualified).
  auto e = context_entry::make(kPdpt, 1, 1, translation_type::untranslated_only, true);
  put_context(kCtx, 0x18, context_entry{e.lo | (1u << 5), e.hi});
  EXPECT_FALSE(unit->translate(dma(kSid, 0x1000)).fault_recorded);
  EXPECT_EQ(unit->faults().pending_count(), 0u);
  // Non-qualified faults are recorded whatever the context's FPD says.
  auto p = dma(kSid, 0x1000);
  p.has_pasid = true;
  EXPECT_TRUE(unit->translate(p).fault_recorded);
  put_root(5, root_entry::make(kCtx, false));
  EXPECT_TRUE(unit->translate(dma(kSid, 0x1000)).fault_recorded);
  EXPECT_EQ(unit->faults().pending_count(), 2u);
}

TEST_F(dma_fault, TranslationRequestGetsPermissionsNotFaults) {
  put_sl(kPdpt, 0, sl_entry::make_table(kPd).raw);
  put_sl(kPd, 0, sl_entry::make_table(kPt).raw);
  put_sl(kPt, 1, sl_entry::make_leaf(1, 0x8000, true, false).raw);
  install_context(kSid, context_entry::make(kPdpt, 1, 1, translation_type::device_tlb));
  auto r = dma(kSid, 0x1000, access_kind::write);
  r.at = address_type::translation_request;
  auto res = unit->translate(r);
  EXPECT_EQ(res.status, dma_status::translated);
  EXPECT_EQ(res.hpa, 0x8000u);
  EXPECT_TRUE(res.read);
  EXPECT_FALSE(res.write);
  r.address = 0x2000;  // not present: success with R=W=0, nothing recorded
  res = unit->translate(r);
  EXPECT_EQ(res.status, dma_status::translated);
  EXPECT_FALSE(res.read || res.write);
  EXPECT_EQ(unit->faults().pending_count(), 0u);
}

}  // namespace
}  // namespace vtd::test
