// Every scalable-mode fault reason the model can raise, each provoked by a table built for it (VT-d spec,
// scalable-mode fault conditions SRT, SCT, SPD, SPT, SFS, SSS, SGN; codes from the spec's table), plus FPD
// qualification over the context, PASID directory and PASID-table entries. The last test checks that the
// cases cover every scalable reason in the fault table, so a reason added later without a test fails here.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "model/spec/fault_reason.hpp"
#include "model/spec/text.hpp"
#include "tests/core/sm_fixture.hpp"

namespace vtd::test {
namespace {

constexpr uint64_t kIova = 0x123456789000;
constexpr uint64_t kFsRoot = 0x2F0000;
constexpr uint64_t kSsRoot = 0x2E0000;

struct fault_case {
  const char* name;
  fault_reason expected;
  // Builds the tables (and changes the unit's capabilities if it must), returns the request.
  std::function<dma_request(class scalable_fault&)> setup;
};

class scalable_fault : public sm_fixture {
 public:
  // Zeroed memory, the preset's capabilities, a new unit and table allocator: one case's clean slate.
  void fresh() {
    for (uint64_t page = 0x100000; page < 0x300000; page += 0x1000) mem.clear(page, 0x1000);
    cfg = unit_config::from_preset(*find_capability_preset("server-sm"));
    rebuild();
    m_next_table = 0x200000;
  }
  void set_ecap(const char* field, uint64_t v) {
    ASSERT_TRUE(set_ecap_field(cfg.ecap, field, v));
    rebuild();
  }
  // A first-stage PASID 0 with a 4 KiB page mapped at kIova (Linux-style entries).
  dma_request fs_mapped(pasid_entry pe = first_stage(4, kFsRoot), bool write = true, bool user = true,
                        bool ad = true) {
    install(pe);
    map_fs(kFsRoot, 4, kIova, 0x40000000, write, user, 1, ad);
    return dma(kSid, kIova);
  }
  // A second-stage PASID 0 with `hpa` mapped at kIova.
  dma_request ss_mapped(pasid_entry pe = second_stage(7, kSsRoot), bool r = true, bool w = true,
                        uint64_t hpa = 0x50000000) {
    install(pe);
    map_ss(kSsRoot, 4, kIova, hpa, r, w);
    return dma(kSid, kIova);
  }
  // Nested PASID 0: first-stage tables at GPAs identity-mapped (read/write unless told) by the second stage,
  // the data page GPA 0x40000000 -> HPA 0x60000000.
  dma_request nested_mapped(bool map_top = true, bool map_lower = true, bool tables_writable = true,
                            bool ad = true, unsigned aw = 2) {
    const unsigned ss_levels = aw + 2;
    install(nested(3, kFsRoot, kSsRoot, aw));
    map_fs(kFsRoot, 4, kIova, 0x40000000, true, true, 1, ad);
    // The first-stage tables map_fs allocated: the root and the three below it.
    uint64_t table = kFsRoot;
    for (unsigned level = 4; level >= 1; --level) {
      if ((level == 4 && map_top) || (level < 4 && map_lower))
        map_ss(kSsRoot, ss_levels, table, table, true, tables_writable);
      if (level > 1) table = fs_entry{*mem.read64(table + level_index(kIova, level) * 8)}.address(level);
    }
    map_ss(kSsRoot, ss_levels, 0x40000000, 0x60000000);
    return dma(kSid, kIova);
  }
  void put_context(const sm_context_entry& e) { put(kCtxLo + (sid_devfn(kSid) & 0x7F) * 32, e); }
  void put_pasid(const pasid_entry& e, uint32_t pasid = 0) { put(kPasidTable + pasid * 64, e); }
  void put_root_raw(uint64_t lo, uint64_t hi) { put(kRoot, {lo, hi}); }
};

using F = scalable_fault;
const std::vector<fault_case>& cases() {
  static const std::vector<fault_case> k{
      {"root table unreadable", fault_reason::sm_root_read_error,
       [](F& t) {
         t.install(F::pass_through(1));
         t.unit->set_root_table(F::kBeyondMemory | F::kTtmScalable);
         return F::dma(F::kSid, kIova);
       }},
      {"root LP=0", fault_reason::sm_root_not_present,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put_root_raw(0, sm_root_entry::make(F::kCtxLo, F::kCtxHi).hi);
         return F::dma(F::kSid, kIova);
       }},
      {"root reserved bit 1", fault_reason::sm_root_reserved,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put_root_raw(sm_root_entry::make(F::kCtxLo, F::kCtxHi).lo | 2, 0);
         return F::dma(F::kSid, kIova);
       }},
      {"context table unreadable", fault_reason::sm_context_read_error,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put_root_raw(sm_root_entry::make(F::kBeyondMemory, 0).lo, 0);
         return F::dma(F::kSid, kIova);
       }},
      {"context P=0", fault_reason::sm_context_not_present,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put_context(sm_context_entry{});
         return F::dma(F::kSid, kIova);
       }},
      {"context reserved bit 5", fault_reason::sm_context_reserved,
       [](F& t) {
         auto c = F::context();
         c.qw[0] |= 1u << 5;
         t.install(F::pass_through(1), 0, c);
         return F::dma(F::kSid, kIova);
       }},
      {"context PRE=1 with DTE=0", fault_reason::sm_context_invalid,
       [](F& t) {
         auto c = F::context();
         c.set(sm_context_fields::PRE, 1);
         t.install(F::pass_through(1), 0, c);
         return F::dma(F::kSid, kIova);
       }},
      {"translation request with DTE=0", fault_reason::sm_device_tlb_disabled,
       [](F& t) {
         t.install(F::pass_through(1));
         auto r = F::dma(F::kSid, kIova);
         r.at = address_type::translation_request;
         return r;
       }},
      {"PASID request with PASIDE=0", fault_reason::sm_pasid_disabled,
       [](F& t) {
         t.install(F::pass_through(1), 0, F::context(F::kDir, 7, 0, false));
         return F::pasid_dma(1, kIova);
       }},
      {"PASID beyond PDTS", fault_reason::sm_pasid_beyond_directory,
       [](F& t) {
         t.install(F::pass_through(1), 0, F::context(F::kDir, 0));  // PDTS=0: PASIDs 0-8191
         return F::pasid_dma(9000, kIova);
       }},
      {"PASID beyond ECAP.PSS", fault_reason::pasid_beyond_width,
       [](F& t) {
         t.set_ecap("pss", 7);  // 256 PASIDs
         t.install(F::pass_through(1));
         return F::pasid_dma(300, kIova);
       }},
      {"PASID directory unreadable", fault_reason::pasid_dir_read_error,
       [](F& t) {
         t.install(F::pass_through(1), 0, F::context(F::kBeyondMemory));
         return F::dma(F::kSid, kIova);
       }},
      {"directory entry P=0", fault_reason::pasid_dir_not_present,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put(F::kDir, {0});
         return F::dma(F::kSid, kIova);
       }},
      {"directory entry reserved bit 2", fault_reason::pasid_dir_reserved,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put(F::kDir, {F::kPasidTable | 1 | 4});
         return F::dma(F::kSid, kIova);
       }},
      {"PASID table unreadable", fault_reason::pasid_entry_read_error,
       [](F& t) {
         t.install(F::pass_through(1));
         t.put(F::kDir, {F::kBeyondMemory | 1});
         return F::dma(F::kSid, kIova);
       }},
      {"PASID entry P=0", fault_reason::pasid_entry_not_present,
       [](F& t) {
         t.install(pasid_entry{});
         return F::dma(F::kSid, kIova);
       }},
      {"PASID entry reserved bit 80", fault_reason::pasid_entry_reserved,
       [](F& t) {
         auto pe = F::pass_through(1);
         pe.qw[1] |= 1u << 16;
         t.install(pe);
         return F::dma(F::kSid, kIova);
       }},
      {"PASID entry PGTT=101b", fault_reason::pasid_entry_invalid,
       [](F& t) {
         auto pe = F::pass_through(1);
         pe.set(pasid_fields::PGTT, 5);
         t.install(pe);
         return F::dma(F::kSid, kIova);
       }},
      {"execute request without ECAP.ERS", fault_reason::execute_request_blocked,
       [](F& t) {
         t.fs_mapped();
         auto r = F::pasid_dma(0, kIova);
         r.execute = true;
         return r;
       }},
      {"supervisor request with SRE=0", fault_reason::supervisor_request_blocked,
       [](F& t) {
         t.fs_mapped();
         return F::pasid_dma(0, kIova, access_kind::read, true);
       }},
      {"first-stage lower table unreadable", fault_reason::fs_table_read_error,
       [](F& t) {
         t.install(F::first_stage(4, kFsRoot));
         t.put(kFsRoot + level_index(kIova, 4) * 8, {fs_entry::make_table(F::kBeyondMemory).raw});
         return F::dma(F::kSid, kIova);
       }},
      {"first-stage P=0", fault_reason::fs_entry_not_present,
       [](F& t) {
         t.install(F::first_stage(4, kFsRoot));
         return F::dma(F::kSid, kIova);
       }},
      {"first-stage PS in a PML4E", fault_reason::fs_entry_reserved,
       [](F& t) {
         t.fs_mapped();
         const uint64_t ea = kFsRoot + level_index(kIova, 4) * 8;
         t.put(ea, {*t.mem.read64(ea) | fs_fields::PS.place(1)});
         return F::dma(F::kSid, kIova);
       }},
      {"FLPTPTR unreadable", fault_reason::fs_top_read_error,
       [](F& t) {
         t.install(F::first_stage(4, F::kBeyondMemory));
         return F::dma(F::kSid, kIova);
       }},
      {"nested first-stage table beyond the second-stage width", fault_reason::fs_address_beyond_width,
       [](F& t) {
         t.nested_mapped(true, true, true, true, 1);  // AW=001b: a 39-bit second stage
         // The PML4E now points at GPA 2^40: below HAW (not a reserved bit) but beyond the second stage.
         t.put(kFsRoot + level_index(kIova, 4) * 8, {fs_entry::make_table(uint64_t{1} << 40).raw | 0x20});
         return F::dma(F::kSid, kIova);
       }},
      {"nested: second stage does not map FLPTPTR", fault_reason::fs_top_ss_read_denied,
       [](F& t) { return t.nested_mapped(false, true); }},
      {"nested: second stage does not map a lower first-stage table", fault_reason::fs_ss_read_denied,
       [](F& t) { return t.nested_mapped(true, false); }},
      {"nested: first-stage A update through a read-only second-stage page", fault_reason::fs_ss_write_denied,
       [](F& t) { return t.nested_mapped(true, true, false, false); }},
      {"second-stage lower table unreadable", fault_reason::ss_table_read_error,
       [](F& t) {
         t.install(F::second_stage(7, kSsRoot));
         t.put(kSsRoot + level_index(kIova, 4) * 8, {sl_entry::make_table(F::kBeyondMemory).raw});
         return F::dma(F::kSid, kIova);
       }},
      {"second-stage R=W=0", fault_reason::ss_entry_not_present,
       [](F& t) {
         t.install(F::second_stage(7, kSsRoot));
         return F::dma(F::kSid, kIova);
       }},
      {"second-stage reserved bit above HAW", fault_reason::ss_entry_reserved,
       [](F& t) {
         t.ss_mapped();
         const uint64_t ea = kSsRoot + level_index(kIova, 4) * 8;
         t.put(ea, {*t.mem.read64(ea) | (uint64_t{1} << 50)});
         return F::dma(F::kSid, kIova);
       }},
      {"SLPTPTR unreadable", fault_reason::ss_top_read_error,
       [](F& t) {
         t.install(F::second_stage(7, F::kBeyondMemory));
         return F::dma(F::kSid, kIova);
       }},
      {"SLADE with PWSNP=0", fault_reason::ss_ad_not_snooped,
       [](F& t) {
         auto pe = F::second_stage(7, kSsRoot);
         pe.set(pasid_fields::SLADE, 1);
         pe.set(pasid_fields::PWSNP, 0);
         return t.ss_mapped(pe);
       }},
      {"non-canonical first-stage address", fault_reason::non_canonical_address,
       [](F& t) {
         t.fs_mapped();
         return F::dma(F::kSid, uint64_t{1} << 47);  // bit 47 set, 63:48 clear
       }},
      {"user request to U/S=0", fault_reason::user_request_supervisor_page,
       [](F& t) { return t.fs_mapped(F::first_stage(4, kFsRoot), true, false); }},
      {"execute request to XD=1 (Rev 3.x: ERS, ERE, NXE)", fault_reason::execute_denied,
       [](F& t) {
         t.set_ecap("ers", 1);
         auto pe = F::first_stage(4, kFsRoot);
         pe.set(pasid_fields::ERE, 1);
         pe.set(pasid_fields::NXE, 1);
         t.fs_mapped(pe);
         const uint64_t ea = kFsRoot + level_index(kIova, 4) * 8;
         t.put(ea, {*t.mem.read64(ea) | fs_fields::XD.place(1)});
         auto r = F::pasid_dma(0, kIova);
         r.execute = true;
         return r;
       }},
      {"pass-through above HAW", fault_reason::sm_address_beyond_haw,
       [](F& t) {
         t.install(F::pass_through(1));
         return F::dma(F::kSid, uint64_t{1} << 47);
       }},
      {"second-stage address beyond AGAW", fault_reason::sm_address_beyond_width,
       [](F& t) {
         t.install(F::second_stage(7, kSsRoot, 1));  // AW=001b: 39 bits
         return F::dma(F::kSid, uint64_t{1} << 40);
       }},
      {"write to a read-only second-stage page", fault_reason::sm_write_denied,
       [](F& t) {
         auto r = t.ss_mapped(F::second_stage(7, kSsRoot), true, false);
         r.access = access_kind::write;
         return r;
       }},
      {"read of a write-only second-stage page", fault_reason::sm_read_denied,
       [](F& t) { return t.ss_mapped(F::second_stage(7, kSsRoot), false, true); }},
      {"output in the interrupt range", fault_reason::sm_interrupt_range_output,
       [](F& t) { return t.ss_mapped(F::second_stage(7, kSsRoot), true, true, 0xFEE00000); }},
      {"first-stage A update with PWSNP=0", fault_reason::fs_ad_not_snooped,
       [](F& t) {
         auto pe = F::first_stage(4, kFsRoot);
         pe.set(pasid_fields::PWSNP, 0);
         return t.fs_mapped(pe, true, true, false);
       }},
  };
  return k;
}

TEST_F(scalable_fault, every_case_raises_its_reason_and_records_it) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    fresh();
    const dma_request req = c.setup(*this);
    walk_record rec;
    const auto r = unit->dma().translate(req, &rec);
    EXPECT_EQ(r.status, dma_status::fault);
    EXPECT_EQ(format_fault_code(r.fault), format_fault_code(c.expected))
        << to_string(r.fault) << " instead of " << to_string(c.expected);
    EXPECT_TRUE(r.fault_recorded);
    EXPECT_EQ(fault_recorder::frcd_reason(unit->faults().frcd_hi(0)), c.expected);
  }
}

// FPD in any of the three entries suppresses the recording of a qualified fault; a non-qualified one is
// recorded anyway.
TEST_F(scalable_fault, fpd_of_context_directory_and_pasid_entry) {
  auto run = [&](bool ctx_fpd, bool dir_fpd, bool pe_fpd) {
    fresh();
    auto c = context();
    c.set(sm_context_fields::FPD, ctx_fpd);
    pasid_entry pe;  // P=0: SPT.2, qualified
    pe.set(pasid_fields::FPD, pe_fpd);
    install(pe, 0, c);
    put(kDir, {kPasidTable | 1 | (dir_fpd ? 2 : 0)});
    return unit->dma().translate(dma(kSid, kIova), nullptr);
  };
  EXPECT_TRUE(run(false, false, false).fault_recorded);
  EXPECT_FALSE(run(true, false, false).fault_recorded);
  EXPECT_FALSE(run(false, true, false).fault_recorded);
  EXPECT_FALSE(run(false, false, true).fault_recorded);
  EXPECT_EQ(run(false, false, true).fault, fault_reason::pasid_entry_not_present);
  // SPT.1 (read error) is not qualified: recorded even under FPD from the context and directory.
  fresh();
  auto c = context();
  c.set(sm_context_fields::FPD, 1);
  install(pasid_entry{}, 0, c);
  put(kDir, {kBeyondMemory | 1 | 2});
  const auto r = unit->dma().translate(dma(kSid, kIova), nullptr);
  EXPECT_EQ(r.fault, fault_reason::pasid_entry_read_error);
  EXPECT_TRUE(r.fault_recorded);
}

// A translation request is answered with R=W=0, not faulted, where there is no mapping.
TEST_F(scalable_fault, translation_request_without_mapping_completes_with_no_access) {
  auto c = context();
  c.set(sm_context_fields::DTE, 1);
  install(first_stage(4, kFsRoot), 0, c);
  dma_request r = dma(kSid, kIova);
  r.at = address_type::translation_request;
  const auto res = unit->dma().translate(r, nullptr);
  EXPECT_EQ(res.status, dma_status::translated);
  EXPECT_FALSE(res.read);
  EXPECT_FALSE(res.write);
  EXPECT_EQ(unit->faults().recorded(), 0u);
}

TEST(scalable_fault_table, every_scalable_reason_has_a_case) {
  std::set<uint8_t> tested;
  for (const auto& c : cases()) tested.insert(uint8_t(c.expected));
  for (const auto& info : all_fault_reasons()) {
    const uint8_t code = uint8_t(info.reason);
    if (code < 0x34) continue;  // legacy, interrupt and RTA reasons are tested elsewhere
    EXPECT_TRUE(tested.count(code)) << info.name << " has no scalable fault case";
  }
}

}  // namespace
}  // namespace vtd::test
