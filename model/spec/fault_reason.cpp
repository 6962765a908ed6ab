// Fault-reason table: codes, spec condition codes and qualification from VT-d spec Table 30 (legacy DMA),
// Table 15 (interrupt remapping) and the RTA rows of the scalable-mode table.
#include "model/spec/fault_reason.hpp"

#include <array>

namespace vtd::spec {
namespace {
constexpr std::array kTable{
    fault_reason_info{fault_reason::none, "-", "none", "no fault", false},
    fault_reason_info{fault_reason::root_not_present, "LRT.2", "root_not_present",
                      "root entry for the request's bus has P=0", false},
    fault_reason_info{fault_reason::context_not_present, "LCT.2", "context_not_present",
                      "context entry for the request's devfn has P=0", true},
    fault_reason_info{fault_reason::context_invalid, "LCT.4", "context_invalid",
                      "context entry invalid: AW not in CAP.SAGAW, TT unsupported, or the top second-level "
                      "entry could not be read",
                      true},
    fault_reason_info{fault_reason::address_beyond_width, "LGN.1", "address_beyond_width",
                      "input address above 2^min(MGAW,AGAW)-1 (or above HAW for pass-through/translated)",
                      true},
    fault_reason_info{fault_reason::write_denied, "LGN.2", "write_denied",
                      "write or AtomicOp to a page without W at every level", true},
    fault_reason_info{fault_reason::read_denied, "LGN.3", "read_denied",
                      "read or AtomicOp to a page without R at every level", true},
    fault_reason_info{fault_reason::sl_table_read_error, "LSS.1", "sl_table_read_error",
                      "error reading a lower-level second-level paging entry", true},
    fault_reason_info{fault_reason::root_read_error, "LRT.1", "root_read_error",
                      "error reading the root entry", false},
    fault_reason_info{fault_reason::context_read_error, "LCT.1", "context_read_error",
                      "error reading the context entry", false},
    fault_reason_info{fault_reason::root_reserved, "LRT.3", "root_reserved",
                      "reserved bit set in a present root entry", false},
    fault_reason_info{fault_reason::context_reserved, "LCT.3", "context_reserved",
                      "reserved bit set in a present context entry", true},
    fault_reason_info{fault_reason::sl_entry_reserved, "LSS.2", "sl_entry_reserved",
                      "reserved bit set in a second-level entry with R or W set", true},
    fault_reason_info{fault_reason::translation_type_blocked, "LCT.5", "translation_type_blocked",
                      "translation or translated request blocked by the context entry's TT", true},
    fault_reason_info{fault_reason::interrupt_range_output, "LGN.4", "interrupt_range_output",
                      "translated address falls in the interrupt address range 0xFEEx_xxxx", true},
    fault_reason_info{fault_reason::ir_request_reserved, "IR.20", "ir_request_reserved",
                      "reserved field set in a remappable-format interrupt request", false},
    fault_reason_info{fault_reason::ir_index_beyond_table, "IR.21", "ir_index_beyond_table",
                      "interrupt_index beyond the interrupt remapping table size (IRTA.S)", false},
    fault_reason_info{fault_reason::ir_entry_not_present, "IR.22", "ir_entry_not_present",
                      "interrupt remapping table entry has P=0", true},
    fault_reason_info{fault_reason::ir_table_read_error, "IR.23", "ir_table_read_error",
                      "error reading the interrupt remapping table entry", false},
    fault_reason_info{fault_reason::ir_entry_reserved, "IR.24", "ir_entry_reserved",
                      "reserved or invalid field in a present interrupt remapping table entry", true},
    fault_reason_info{fault_reason::ir_compat_blocked, "IR.25", "ir_compat_blocked",
                      "compatibility-format interrupt blocked (EIME=1 or GSTS.CFIS=0)", false},
    fault_reason_info{fault_reason::ir_source_id_invalid, "IR.26", "ir_source_id_invalid",
                      "interrupt request failed source-id validation (SVT/SQ/SID)", true},
    fault_reason_info{fault_reason::ir_pid_read_error, "IR.27", "ir_pid_read_error",
                      "error accessing the posted-interrupt descriptor", true},
    fault_reason_info{fault_reason::ir_pid_reserved, "IR.28", "ir_pid_reserved",
                      "reserved bit set in the posted-interrupt descriptor", true},
    fault_reason_info{fault_reason::ir_not_an_interrupt, "IR.29", "ir_not_an_interrupt",
                      "request to 0xFEEx_xxxx without PASID that is not a DWORD write", false},
    fault_reason_info{fault_reason::rtaddr_invalid, "RTA.1", "rtaddr_invalid",
                      "RTADDR.TTM holds a value the hardware does not support", false},
    fault_reason_info{fault_reason::pasid_request_legacy, "RTA.2", "pasid_request_legacy",
                      "request with PASID while the root table is in legacy mode", false},
    fault_reason_info{fault_reason::page_request_legacy, "RTA.3", "page_request_legacy",
                      "page request while the root table is in legacy mode", false},
    fault_reason_info{fault_reason::abort_dma_mode, "RTA.4", "abort_dma_mode",
                      "request while RTADDR.TTM selects abort-DMA mode", false},
};
}  // namespace

std::span<const fault_reason_info> all_fault_reasons() {
  return kTable;
}

const fault_reason_info& info(fault_reason r) {
  for (const auto& e : kTable)
    if (e.reason == r) return e;
  return kTable[0];
}

std::optional<fault_reason> fault_reason_from_code(uint8_t code) {
  for (const auto& e : kTable)
    if (uint8_t(e.reason) == code) return e.reason;
  return std::nullopt;
}

}  // namespace vtd::spec
