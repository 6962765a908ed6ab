// The checker and the hardware walker apply the same validity rules (spec::check_root, check_context,
// check_sl): for each broken entry the checker's finding and the walker's fault both follow from the one rule
// function's verdict.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "model/core/remapping_unit.hpp"
#include "model/spec/entry_rules.hpp"
#include "model/spec/presets.hpp"
#include "tables/check/checker.hpp"

using namespace vtd;

namespace {

constexpr uint64_t kRoot = 0x100000, kCtx = 0x101000, kPdpt = 0x102000, kPd = 0x103000, kPt = 0x104000;
constexpr uint16_t kSid = 0x0108;  // bus 1, devfn 0x08

struct broken_entry {
  const char* name;
  std::function<void(core::physical_memory&)> damage;
  const char* finding;       // checker code
  spec::fault_reason fault;  // walker fault for a read of IOVA 0x1000
};

class shared_rules : public ::testing::TestWithParam<broken_entry> {};

TEST_P(shared_rules, checker_finding_and_walker_fault_agree) {
  const auto preset = *spec::find_capability_preset("server");
  core::physical_memory mem{uint64_t{1} << 32};
  mem.write64(kRoot + 16, kCtx | 1);
  mem.write64(kCtx + 0x08 * 16, kPdpt | 1);          // TT=00, P
  mem.write64(kCtx + 0x08 * 16 + 8, 5ull << 8 | 1);  // DID 5, AW 3-level
  mem.write64(kPdpt, kPd | 3);
  mem.write64(kPd, kPt | 3);
  mem.write64(kPt + 8, 0x9000'0000 | 3);
  GetParam().damage(mem);

  tables::check_registers regs;
  regs.cap = preset.cap;
  regs.ecap = preset.ecap;
  regs.haw = preset.haw;
  regs.has_rtaddr = true;
  regs.rtaddr = kRoot;
  const auto report = tables::check_tables(mem, regs);
  bool found = false;
  for (const auto& f : report.findings) found = found || f.code == GetParam().finding;
  EXPECT_TRUE(found) << GetParam().finding;

  core::remapping_unit unit(core::unit_config::from_preset(preset), mem);
  unit.set_root_table(kRoot);
  unit.enable_translation(true);
  core::dma_request req;
  req.source_id = kSid;
  req.address = 0x1000;
  EXPECT_EQ(unit.translate(req).fault, GetParam().fault);
}

INSTANTIATE_TEST_SUITE_P(
    entries, shared_rules,
    ::testing::Values(
        broken_entry{"root_reserved", [](core::physical_memory& m) { m.write64(kRoot + 16 + 8, 1); },
                     "root.reserved", spec::fault_reason::root_reserved},
        broken_entry{"context_reserved",
                     [](core::physical_memory& m) { m.write64(kCtx + 0x80, kPdpt | 0x11); },
                     "context.reserved", spec::fault_reason::context_reserved},
        broken_entry{"context_tt", [](core::physical_memory& m) { m.write64(kCtx + 0x80, kPdpt | 0xD); },
                     "context.tt_unsupported", spec::fault_reason::context_invalid},
        broken_entry{"context_aw", [](core::physical_memory& m) { m.write64(kCtx + 0x88, 5ull << 8 | 4); },
                     "context.aw_unsupported", spec::fault_reason::context_invalid},
        broken_entry{"sl_reserved",
                     [](core::physical_memory& m) { m.write64(kPd, kPt | 3 | 1u << 7 | 1u << 12); },
                     "sl.reserved", spec::fault_reason::sl_entry_reserved}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
