// Test fixture for the functional core: a "server"-preset unit over 4 GiB of sparse memory, plus tiny helpers
// that write root/context/second-level/IRT entries with the model/spec make() builders.
#pragma once
#include <gtest/gtest.h>

#include <memory>

#include "model/core/remapping_unit.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"
#include "model/spec/presets.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"

namespace vtd::test {

using namespace vtd::core;
using namespace vtd::spec;

class core_fixture : public ::testing::Test {
 public:  // public so that table-driven cases (lambdas) can build with it
  static constexpr uint64_t kMemSize = uint64_t{1} << 32;  // reads at or above 4 GiB fail (read-error faults)
  static constexpr uint64_t kRoot = 0x100000;
  static constexpr uint64_t kCtx = 0x101000;
  static constexpr uint64_t kIrt = 0x300000;
  static constexpr uint64_t kBeyondMemory = uint64_t{1} << 33;  // inside HAW=46, outside memory

  void SetUp() override {
    cfg = unit_config::from_preset(*find_capability_preset("server"));
    rebuild();
  }
  void rebuild() { unit = std::make_unique<remapping_unit>(cfg, mem); }

  void put_root(unsigned bus, const root_entry& e) {
    mem.write64(kRoot + bus * 16, e.lo);
    mem.write64(kRoot + bus * 16 + 8, e.hi);
  }
  void put_context(uint64_t table, unsigned devfn, const context_entry& e) {
    mem.write64(table + devfn * 16, e.lo);
    mem.write64(table + devfn * 16 + 8, e.hi);
  }
  void put_sl(uint64_t table, unsigned index, uint64_t raw) { mem.write64(table + index * 8, raw); }
  void put_irte(unsigned index, const irte& e) {
    mem.write64(kIrt + index * 16, e.lo);
    mem.write64(kIrt + index * 16 + 8, e.hi);
  }

  // Root entry for `bus` -> kCtx, context entry for `devfn`, remapping on.
  void install_context(uint16_t sid, const context_entry& ctx) {
    put_root(sid >> 8, root_entry::make(kCtx));
    put_context(kCtx, sid & 0xFF, ctx);
    unit->set_root_table(kRoot);
    unit->enable_translation(true);
  }

  static dma_request dma(uint16_t sid, uint64_t addr, access_kind a = access_kind::read, uint32_t len = 4) {
    dma_request r;
    r.source_id = sid;
    r.address = addr;
    r.access = a;
    r.length = len;
    return r;
  }

  unit_config cfg;
  physical_memory mem{kMemSize};
  std::unique_ptr<remapping_unit> unit;
};

}  // namespace vtd::test
