// libFuzzer target: the table checker on arbitrary memory contents and register values. The first 32 bytes
// are RTADDR, IRTA, CAP, ECAP; the rest is written at physical address 0 and repeated into a few pages so
// that pointers find tables.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "model/memory/physical_memory.hpp"
#include "tables/check/checker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 32) return 0;
  uint64_t w[4];
  std::memcpy(w, data, 32);
  vtd::core::physical_memory mem(uint64_t{1} << 20);
  const size_t body = size - 32;
  for (uint64_t page = 0; page < 64 && body; ++page)
    mem.write(page * 4096, data + 32, body < 4096 ? body : 4096);
  vtd::tables::check_registers regs;
  regs.has_rtaddr = true;
  regs.rtaddr = w[0] & 0xFFFFFC00u;
  regs.irta = w[1] & 0xFFFFF80Fu;
  regs.cap = w[2];
  regs.ecap = w[3];
  regs.haw = 39;
  vtd::tables::check_limits lim;
  lim.max_entries = 200000;
  auto r = vtd::tables::check_tables(mem, regs, lim);
  (void)vtd::tables::format_check_json(r);
  return 0;
}
