// vtdsim_embed_example: the remapping unit embedded in a tiny SystemC virtual platform (embed_platform.hpp).
// A driver boots it purely through register and memory writes, a device issues DMAs through it, and one DMA
// faults: its fault event interrupt arrives on the unit's interrupt output and the handler reads the fault
// record through MMIO. Exits 0 when every step behaved as the hand-computed expectations in this file say.
#include <fmt/format.h>

#include <cstdlib>
#include <systemc>

#include "examples/embed/embed_platform.hpp"
#include "model/spec/fault_reason.hpp"
#include "model/spec/presets.hpp"

using namespace vtd;

namespace {

const char* status_name(tlm::tlm_response_status s) {
  switch (s) {
    case tlm::TLM_OK_RESPONSE:
      return "OK";
    case tlm::TLM_INCOMPLETE_RESPONSE:
      return "INCOMPLETE";
    case tlm::TLM_GENERIC_ERROR_RESPONSE:
      return "GENERIC_ERROR";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
      return "ADDRESS_ERROR";
    case tlm::TLM_COMMAND_ERROR_RESPONSE:
      return "COMMAND_ERROR";
    case tlm::TLM_BURST_ERROR_RESPONSE:
      return "BURST_ERROR";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE:
      return "BYTE_ENABLE_ERROR";
  }
  return "?";
}

int report(const embed::scenario_result& r) {
  int failures = 0;
  auto expect = [&failures](bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      fmt::print("  UNEXPECTED: {}\n", what);
    }
  };
  const embed::boot_report& b = r.boot;
  fmt::print("boot: VER {:#x}, CAP {:#018x}, ECAP {:#018x}\n", b.ver, b.cap, b.ecap);
  if (!b.ok) {
    fmt::print("boot failed: {}\n", b.error);
    return 1;
  }
  fmt::print("boot: FRCD_REG at {:#x} ({} records), IVA_REG at {:#x}; GSTS {:#010x}, IQH {:#x}\n", b.fro,
             b.nfr, b.iro, b.gsts, b.iqh);
  expect(b.gsts == (embed::TE | embed::SRTP | embed::QIE | embed::IRE | embed::SIRTP),
         "GSTS should show TES, RTPS, QIES, IRES, IRTPS");
  expect(b.iqh == 0x40, "IQH should have moved past the 4 descriptors");

  // Hand-computed: IOVA page -> HPA page plus the offset.
  const uint64_t expected[] = {embed::kHpa4kRw + 0x234, embed::kHpa4kRw + 0x400, embed::kHpa4kRo + 0x10,
                               embed::kHpa2m + 0x12344, 0};
  for (size_t i = 0; i < r.dmas.size(); ++i) {
    const embed::dma_record& d = r.dmas[i];
    if (d.translation.ok()) {
      fmt::print("dma {:<28} IOVA {:#010x} -> HPA {:#010x}  [{}]\n", d.what, d.iova, d.translation.hpa,
                 status_name(d.status));
    } else {
      fmt::print("dma {:<28} IOVA {:#010x} -> fault {:#04x} {}  [{}]\n", d.what, d.iova,
                 unsigned(d.translation.fault), spec::to_string(d.translation.fault), status_name(d.status));
    }
    if (i < std::size(expected) && expected[i] != 0)
      expect(d.translation.ok() && d.translation.hpa == expected[i], fmt::format("HPA {:#x}", expected[i]));
  }
  expect(r.dmas.size() == 5 && r.dmas[4].translation.fault == spec::fault_reason::write_denied,
         "the write to the read-only page should fault (write_denied)");
  expect(r.read_data_ok, "the DMA reads should return the bytes the CPU stored");
  expect(r.write_data_ok, "the DMA write should land in memory at the translated address");

  fmt::print("fault event interrupt: {} on the interrupt output, address {:#x}, data {:#x}\n",
             r.fault_event.from == sysc::interrupt_message::source::fault_event ? "arrived" : "missing",
             r.fault_event.address, r.fault_event.data);
  expect(
      r.interrupts_after_fault == 1 && r.fault_event.from == sysc::interrupt_message::source::fault_event &&
          r.fault_event.address == embed::kFaultEventAddress && r.fault_event.data == embed::kFaultEventData,
      "one fault event with FEADDR/FEDATA");
  const auto reason = spec::fault_reason(uint8_t(r.frcd_hi >> 32));
  fmt::print(
      "handler: FSTS {:#x}; FRCD lo {:#018x} (FI {:#x}), hi {:#018x} (F {}, T {}, FR {:#x} {}, SID "
      "{:#06x})\n",
      r.fsts_after_fault, r.frcd_lo, r.frcd_lo & ~uint64_t{0xFFF}, r.frcd_hi, r.frcd_hi >> 63,
      (r.frcd_hi >> 62) & 1, unsigned(reason), spec::to_string(reason), r.frcd_hi & 0xFFFF);
  fmt::print("handler: FRCD.F cleared: FRCD hi {:#018x}, FSTS {:#x}\n", r.frcd_hi_after_clear,
             r.fsts_after_clear);
  expect(r.frcd_lo == embed::kIova4kRo, "FRCD.FI = the faulting page");
  expect(r.frcd_hi == (uint64_t{1} << 63 | uint64_t{0x05} << 32 | embed::kDevice),
         "FRCD hi: F, T=0, FR 5, SID");
  expect(r.fsts_after_fault == 0x2 && r.fsts_after_clear == 0, "FSTS.PPF set, then clear");

  fmt::print("remapped interrupt: handle {} -> address {:#x}, data {:#x} (vector {:#x}) [{}]\n",
             embed::kIrteHandle, r.remapped.address, r.remapped.data, r.remapped.result.vector,
             status_name(r.msi_status));
  expect(r.interrupts_after_msi == 2 && r.remapped.from == sysc::interrupt_message::source::remapped &&
             r.remapped.address == (0xFEE0'0000u | uint32_t(embed::kIrteApic) << 12) &&
             r.remapped.data == embed::kIrteVector,
         "the remapped interrupt on the same output");
  fmt::print(
      "bus errors: 2-byte register read {}, read past the register page {}, misaligned 8-byte read {}, "
      "debug read past memory {}\n",
      status_name(r.reg_2byte), status_name(r.reg_outside), status_name(r.reg_misaligned),
      status_name(r.mem_outside));
  expect(r.reg_2byte == tlm::TLM_BURST_ERROR_RESPONSE && r.reg_outside == tlm::TLM_ADDRESS_ERROR_RESPONSE &&
             r.reg_misaligned == tlm::TLM_ADDRESS_ERROR_RESPONSE &&
             r.mem_outside == tlm::TLM_ADDRESS_ERROR_RESPONSE,
         "bus error responses");
  expect(r.finished, "the scenario should run to its end");
  fmt::print("{}\n", failures == 0 ? "all as expected" : fmt::format("{} unexpected result(s)", failures));
  return failures == 0 ? 0 : 1;
}

}  // namespace

int sc_main(int, char**) {
  core::physical_memory mem(embed::kMemorySize);
  const auto config = core::unit_config::from_preset(*spec::find_capability_preset("server"));
  core::iommu unit(config, mem, core::translation_caches_config{});
  embed::platform top("top", unit, mem, timing::timing_params{});
  sc_core::sc_start();
  return report(top.result);
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
