// Every scalable-mode fault the model raises, provoked by changing one hand-written entry of the fixture's
// tables (sm_explain_fixture.hpp): the explanation names the fault, has a fix for it, and marks exactly the
// fields the spec's condition blames (or none, when the request alone is at fault).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "apps/explain/explanation.hpp"
#include "model/spec/fault_reason.hpp"
#include "tests/explain/sm_explain_fixture.hpp"

namespace vtd::test {
namespace {

using culprits = std::set<std::pair<std::string, std::string>>;  // (step kind, field name)

void expect_fault(const explain::explanation& x, const std::string& code, const culprits& want) {
  ASSERT_FALSE(x.ok) << x.result;
  EXPECT_EQ(x.fault_code, code) << x.result;
  EXPECT_FALSE(x.fault_fix.empty()) << code;
  culprits got;
  unsigned stops = 0;
  for (const auto& s : x.steps) {
    stops += s.fault;
    for (const auto& f : s.fields)
      if (f.culprit) got.insert({s.kind, f.name});
  }
  EXPECT_EQ(got, want) << code;
  EXPECT_EQ(stops, 1u) << "one step says where the walk stopped";
}

class SmFaults : public SmExplain {
 protected:
  explain::explanation walk_request(core::address_type at, bool execute = false) {
    core::dma_request q;
    q.source_id = kSid;
    q.address = kIova;
    q.at = at;
    if (execute) {
      q.has_pasid = true;
      q.execute = true;
    }
    return explain::explain_dma(*unit, q);
  }
  static constexpr uint64_t kLeaf = 0x113000 + 0x189 * 8;    // first-stage PTE
  static constexpr uint64_t kSsLeaf = 0x123000 + 0x189 * 8;  // second-stage PTE
};

// --- SRT / SCT: root and context entries ---

TEST_F(SmFaults, RootReadError38hMarksNothing) {
  unit->set_root_table(kBeyondMemory | (1u << 10));
  const auto x = walk();
  expect_fault(x, "0x38", {});
  EXPECT_FALSE(x.steps.back().read_ok);
}
TEST_F(SmFaults, RootHalfNotPresent39hMarksLp) {
  put(0x100000, {0x101000});
  expect_fault(walk(), "0x39", {{"sm_root_entry", "LP"}});
}
TEST_F(SmFaults, RootReserved3AhMarksReserved) {
  put(0x100000, {0x101003});  // bit 1
  expect_fault(walk(), "0x3a", {{"sm_root_entry", "reserved"}});
}
TEST_F(SmFaults, ContextReadError40hMarksLctp) {
  put(0x100000, {kBeyondMemory | 1});
  const auto x = walk();
  expect_fault(x, "0x40", {{"sm_root_entry", "LCTP"}});
  EXPECT_EQ(x.steps.back().kind, "sm_context_entry");
  EXPECT_FALSE(x.steps.back().read_ok);
}
TEST_F(SmFaults, ContextNotPresent41hMarksP) {
  put(kCtx, {0x102408});
  expect_fault(walk(), "0x41", {{"sm_context_entry", "P"}});
}
TEST_F(SmFaults, ContextReserved42hMarksReserved) {
  put(kCtx, {0x102429});  // bit 5
  expect_fault(walk(), "0x42", {{"sm_context_entry", "reserved"}});
}
TEST_F(SmFaults, ContextInvalid43hMarksPreAndDte) {
  put(kCtx, {0x102419});  // PRE (bit 4) without DTE: SCT.4.1
  expect_fault(walk(), "0x43", {{"sm_context_entry", "PRE"}, {"sm_context_entry", "DTE"}});
}
TEST_F(SmFaults, ContextInvalid43hMarksRidPasidAndPdts) {
  put(kCtx + 8, {0x8000});  // RID_PASID 0x8000 with PDTS=2 (PASIDs below 2^15): SCT.4.2
  expect_fault(walk(), "0x43", {{"sm_context_entry", "RID_PASID"}, {"sm_context_entry", "PDTS"}});
}
TEST_F(SmFaults, DeviceTlbDisabled44hMarksDte) {
  first_stage_entry(0);
  expect_fault(walk_request(core::address_type::translated), "0x44", {{"sm_context_entry", "DTE"}});
}
TEST_F(SmFaults, PasidDisabled45hMarksPaside) {
  put(kCtx, {0x102401});
  first_stage_entry(1);
  expect_fault(walk_pasid(1), "0x45", {{"sm_context_entry", "PASIDE"}});
}
TEST_F(SmFaults, PasidBeyondDirectory46hMarksPdts) {
  expect_fault(walk_pasid(0x8000), "0x46", {{"sm_context_entry", "PDTS"}});
}

// --- SPD / SPT: PASID directory and PASID-table entries ---

TEST_F(SmFaults, DirectoryReadError50hMarksPasiddirptr) {
  put(kCtx, {kBeyondMemory | 0x409});
  expect_fault(walk(), "0x50", {{"sm_context_entry", "PASIDDIRPTR"}});
}
TEST_F(SmFaults, DirectoryNotPresent51hMarksP) {
  put(0x102000, {0x103000});
  expect_fault(walk(), "0x51", {{"pasid_dir_entry", "P"}});
}
TEST_F(SmFaults, DirectoryReserved52hMarksReserved) {
  put(0x102000, {0x103005});  // bit 2
  expect_fault(walk(), "0x52", {{"pasid_dir_entry", "reserved"}});
}
TEST_F(SmFaults, PasidTableReadError58hMarksSmptblptr) {
  put(0x102000, {kBeyondMemory | 1});
  expect_fault(walk(), "0x58", {{"pasid_dir_entry", "SMPTBLPTR"}});
}
TEST_F(SmFaults, PasidEntryNotPresent59hMarksP) {
  expect_fault(walk(), "0x59", {{"pasid_entry", "P"}});
}
TEST_F(SmFaults, PasidEntryReserved5AhMarksReserved) {
  first_stage_entry(0);
  put(pasid_entry_address(0), {0x441});  // bit 10
  expect_fault(walk(), "0x5a", {{"pasid_entry", "reserved"}});
}
TEST_F(SmFaults, PasidEntryInvalid5BhMarksPgtt) {
  put(pasid_entry_address(0), {0x1, 0x800001, 0, 0, 0, 0, 0, 0});  // PGTT=000b
  expect_fault(walk(), "0x5b", {{"pasid_entry", "PGTT"}});
}
TEST_F(SmFaults, PasidEntryInvalid5BhMarksAw) {
  put(pasid_entry_address(0), {0x120000 | 0x80 | 1, 0x800007, 0, 0, 0, 0, 0, 0});  // second stage, AW=000b
  expect_fault(walk(), "0x5b", {{"pasid_entry", "AW"}});
}
TEST_F(SmFaults, PasidEntryInvalid5BhMarksFlpm) {
  put(pasid_entry_address(0), {0x41, 0x800001, 0x110000 | 0x8, 0, 0, 0, 0, 0});  // FLPM=10b (131:130)
  expect_fault(walk(), "0x5b", {{"pasid_entry", "FLPM"}});
}
TEST_F(SmFaults, PasidEntryInvalid5BhMarksFlptptrAndAw) {
  // Nested with AW=001b (39-bit second stage) and FLPTPTR = 2^40: SPT.4.4.
  put(pasid_entry_address(0), {0x131000 | 0xC0 | 0x4 | 1, 0x800003, uint64_t{1} << 40, 0, 0, 0, 0, 0});
  expect_fault(walk(), "0x5b", {{"pasid_entry", "FLPTPTR"}, {"pasid_entry", "AW"}});
}
TEST_F(SmFaults, ExecuteRequestBlocked5ChMarksNothingWithoutEre) {
  first_stage_entry(0);
  // server-sm has no ECAP.ERS: ERE is not a field of its PASID entries, the hardware refuses execute
  // requests.
  expect_fault(walk_request(core::address_type::untranslated, true), "0x5c", {});
}
TEST_F(SmFaults, SupervisorRequestBlocked5DhMarksSre) {
  first_stage_entry(0);
  expect_fault(walk_pasid(0, kIova, core::access_kind::read, true), "0x5d", {{"pasid_entry", "SRE"}});
}
TEST_F(SmFaults, SupervisorWithoutPasid5DhAlsoMarksRidPriv) {
  first_stage_entry(0);
  put(kCtx + 8, {uint64_t{1} << 20});  // RID_PRIV (bit 84)
  expect_fault(walk(), "0x5d", {{"pasid_entry", "SRE"}, {"sm_context_entry", "RID_PRIV"}});
}

// --- SFS: first stage ---

TEST_F(SmFaults, FirstStageReadError70hMarksThePointer) {
  first_stage_entry(0);
  put(0x111000 + 0xD1 * 8, {kBeyondMemory | 0x27});
  const auto x = walk();
  expect_fault(x, "0x70", {{"fs_entry", "ADDR (next table)"}});
  EXPECT_EQ(x.steps.back().level, 2u);
  EXPECT_FALSE(x.steps.back().read_ok);
}
TEST_F(SmFaults, FirstStageNotPresent71hMarksP) {
  first_stage_entry(0);
  put(kLeaf, {0});
  expect_fault(walk(), "0x71", {{"fs_entry", "P"}});
}
TEST_F(SmFaults, FirstStageReserved72hMarksReserved) {
  first_stage_entry(0);
  put(0x110000 + 0x24 * 8, {0x1110A7});  // PS in a PML4E
  expect_fault(walk(), "0x72", {{"fs_entry", "reserved"}});
}
TEST_F(SmFaults, FirstStageTopReadError73hMarksFlptptr) {
  put(pasid_entry_address(0), {0x41, 0x800001, kBeyondMemory, 0, 0, 0, 0, 0});
  expect_fault(walk(), "0x73", {{"pasid_entry", "FLPTPTR"}});
}
TEST_F(SmFaults, NestedAddressBeyondWidth74hMarksTheEntry) {
  // AW=001b: a 3-level second stage (39-bit) rooted at the PDPT 0x131000; the guest PML4E points at GPA 2^40.
  put(pasid_entry_address(0), {0x131000 | 0xC0 | 0x4 | 1, 0x800003, 0x1000000, 0, 0, 0, 0, 0});
  put(0x41000000 + 0x24 * 8, {(uint64_t{1} << 40) | 0x27});
  expect_fault(walk(), "0x74", {{"fs_entry", "ADDR (next table)"}});
}
TEST_F(SmFaults, NestedTopTableUnmapped75hMarksR) {
  nested_entry(0);
  put(0x131000, {0});  // the second stage maps no guest memory
  const auto x = walk();
  expect_fault(x, "0x75", {{"sl_entry", "R"}});
  EXPECT_EQ(x.steps.back().group, "second stage translates GPA 0x1000000 of the first-stage PML4 table");
}
TEST_F(SmFaults, NestedLowerTableUnmapped76hMarksR) {
  nested_entry(0);
  put(0x41000000 + 0x24 * 8, {0x40001027});  // the guest PDPT at GPA 0x40001000: second GiB, not mapped
  const auto x = walk();
  expect_fault(x, "0x76", {{"sl_entry", "R"}});
  EXPECT_EQ(x.steps.back().entry_address, 0x131008u);
}
TEST_F(SmFaults, NestedTableNotWritableForAnUpdate77hMarksW) {
  nested_entry(0);
  put(0x131000, {0x40000081});  // guest memory read-only in the second stage; the guest leaf needs A
  const auto x = walk();
  expect_fault(x, "0x77", {{"sl_entry", "W"}});
  EXPECT_EQ(x.steps[6].fault, true) << "the first table group's PDPE denied the write";
}
TEST_F(SmFaults, SecondStageReadError78hMarksThePointer) {
  second_stage_entry(0);
  put(0x120000 + 0x24 * 8, {kBeyondMemory | 3});
  expect_fault(walk(), "0x78", {{"sl_entry", "ADDR (next table)"}});
}
TEST_F(SmFaults, SecondStageNotPresent79hMarksRAndW) {
  second_stage_entry(0);
  put(kSsLeaf, {0});
  expect_fault(walk(), "0x79", {{"sl_entry", "R"}, {"sl_entry", "W"}});
}
TEST_F(SmFaults, SecondStageReserved7AhMarksReserved) {
  second_stage_entry(0);
  put(0x120000 + 0x24 * 8, {0x121083});  // PS in a PML4E
  expect_fault(walk(), "0x7a", {{"sl_entry", "reserved"}});
}
TEST_F(SmFaults, SecondStageTopReadError7BhMarksSlptptr) {
  put(pasid_entry_address(0), {kBeyondMemory | 0x80 | 0x8 | 1, 0x800007, 0, 0, 0, 0, 0, 0});
  expect_fault(walk(), "0x7b", {{"pasid_entry", "SLPTPTR"}});
}
TEST_F(SmFaults, SecondStageUpdateNotSnooped7ChMarksPwsnp) {
  put(pasid_entry_address(0), {0x120000 | 0x200 | 0x80 | 0x8 | 1, 7, 0, 0, 0, 0, 0, 0});  // SLADE, PWSNP=0
  expect_fault(walk(), "0x7c", {{"pasid_entry", "PWSNP"}});
}
TEST_F(SmFaults, FirstStageUpdateNotSnooped90hMarksPwsnp) {
  put(pasid_entry_address(0), {0x41, 1, 0x110000, 0, 0, 0, 0, 0});  // PWSNP=0
  put(kLeaf, {0x40000007});                                         // A clear
  expect_fault(walk(), "0x90", {{"pasid_entry", "PWSNP"}});
}

// --- SGN: after the walk ---

TEST_F(SmFaults, NonCanonical80hMarksNothing) {
  first_stage_entry(0);
  expect_fault(walk(0x800000000000), "0x80", {});
}
TEST_F(SmFaults, UserRequestToSupervisorPage81hMarksUs) {
  first_stage_entry(0);
  put(0x111000 + 0xD1 * 8, {0x112023});  // PDPE with U/S=0
  const auto x = walk();
  expect_fault(x, "0x81", {{"fs_entry", "U/S"}});
  EXPECT_TRUE(x.steps[6].fault) << "the stop is the PDPE that lacks U/S";
}
TEST_F(SmFaults, PassThroughBeyondHaw83hMarksNothing) {
  put(pasid_entry_address(0), {0x101, 0x800002, 0, 0, 0, 0, 0, 0});
  expect_fault(walk(uint64_t{1} << 46), "0x83", {});
}
TEST_F(SmFaults, SecondStageBeyondWidth84hMarksAw) {
  second_stage_entry(0);
  expect_fault(walk(uint64_t{1} << 48), "0x84", {{"pasid_entry", "AW"}});
}
TEST_F(SmFaults, WriteToReadOnlyFirstStagePage85hMarksRw) {
  first_stage_entry(0);
  put(kLeaf, {0x40000065});  // R/W=0
  expect_fault(walk(kIova, core::access_kind::write), "0x85", {{"fs_entry", "R/W"}});
}
TEST_F(SmFaults, ReadOfWriteOnlySecondStagePage86hMarksR) {
  second_stage_entry(0);
  put(kSsLeaf, {0x50000002});
  expect_fault(walk(), "0x86", {{"sl_entry", "R"}});
}
TEST_F(SmFaults, OutputInTheInterruptRange87hMarksTheFrame) {
  first_stage_entry(0);
  put(kLeaf, {0xFEE00067});
  expect_fault(walk(), "0x87", {{"fs_entry", "ADDR (frame)"}});
}

// Every scalable-mode reason (and every other DMA reason) has a remedy, including the ones the fixture's
// "server-sm" part cannot raise (82h needs ECAP.ERS, 89h a PASID width below 20 bits).
TEST(SmFaultFix, EveryDmaFaultReasonHasAFix) {
  for (const auto& info : spec::all_fault_reasons()) {
    if (info.reason == spec::fault_reason::none) continue;
    EXPECT_FALSE(explain::fault_fix(info.reason).empty()) << info.spec_code;
  }
  EXPECT_NE(explain::fault_fix(spec::fault_reason::execute_denied).find("XD"), std::string::npos);
  EXPECT_NE(explain::fault_fix(spec::fault_reason::pasid_beyond_width).find("PSS"), std::string::npos);
}

}  // namespace
}  // namespace vtd::test
