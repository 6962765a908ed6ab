// Fault reasons (VT-d spec 7.1.3 Table 30 for legacy DMA, Table 15 / 5.1.4.1 for interrupt remapping, and the
// scalable-mode table: RTA, SRT, SCT, SPD, SPT, SFS, SSS, SGN). Only the reasons the model can raise are
// listed: page requests (47h), SCT.9 (48h), failed A/D updates (7Dh, 91h) and the 5.x-only codes are not. The
// enum value is the FR code the hardware writes into FRCD.FR.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vtd::spec {

enum class fault_reason : uint8_t {
  none = 0x00,
  // Legacy-mode DMA remapping (conditions LRT, LCT, LSS, LGN)
  root_not_present = 0x01,          // LRT.2
  context_not_present = 0x02,       // LCT.2
  context_invalid = 0x03,           // LCT.4.x (bad AW, unsupported TT, top SL read error)
  address_beyond_width = 0x04,      // LGN.1.x
  write_denied = 0x05,              // LGN.2
  read_denied = 0x06,               // LGN.3
  sl_table_read_error = 0x07,       // LSS.1
  root_read_error = 0x08,           // LRT.1
  context_read_error = 0x09,        // LCT.1
  root_reserved = 0x0A,             // LRT.3
  context_reserved = 0x0B,          // LCT.3
  sl_entry_reserved = 0x0C,         // LSS.2
  translation_type_blocked = 0x0D,  // LCT.5
  interrupt_range_output = 0x0E,    // LGN.4
  // Interrupt remapping (Table 15)
  ir_request_reserved = 0x20,
  ir_index_beyond_table = 0x21,
  ir_entry_not_present = 0x22,
  ir_table_read_error = 0x23,
  ir_entry_reserved = 0x24,
  ir_compat_blocked = 0x25,
  ir_source_id_invalid = 0x26,
  ir_pid_read_error = 0x27,
  ir_pid_reserved = 0x28,
  ir_not_an_interrupt = 0x29,
  // Root-table-address faults (conditions RTA)
  rtaddr_invalid = 0x30,        // RTA.1.x
  pasid_request_legacy = 0x31,  // RTA.2
  page_request_legacy = 0x32,   // RTA.3
  abort_dma_mode = 0x33,        // RTA.4
  // Scalable-mode DMA remapping (conditions SRT, SCT, SPD, SPT, SFS, SSS, SGN)
  sm_root_read_error = 0x38,            // SRT.1
  sm_root_not_present = 0x39,           // SRT.2
  sm_root_reserved = 0x3A,              // SRT.3
  sm_context_read_error = 0x40,         // SCT.1
  sm_context_not_present = 0x41,        // SCT.2
  sm_context_reserved = 0x42,           // SCT.3
  sm_context_invalid = 0x43,            // SCT.4.x
  sm_device_tlb_disabled = 0x44,        // SCT.5
  sm_pasid_disabled = 0x45,             // SCT.6
  sm_pasid_beyond_directory = 0x46,     // SCT.7
  pasid_dir_read_error = 0x50,          // SPD.1
  pasid_dir_not_present = 0x51,         // SPD.2
  pasid_dir_reserved = 0x52,            // SPD.3
  pasid_entry_read_error = 0x58,        // SPT.1
  pasid_entry_not_present = 0x59,       // SPT.2
  pasid_entry_reserved = 0x5A,          // SPT.3
  pasid_entry_invalid = 0x5B,           // SPT.4.x
  execute_request_blocked = 0x5C,       // SPT.5
  supervisor_request_blocked = 0x5D,    // SPT.6
  fs_table_read_error = 0x70,           // SFS.1
  fs_entry_not_present = 0x71,          // SFS.2
  fs_entry_reserved = 0x72,             // SFS.3
  fs_top_read_error = 0x73,             // SFS.4
  fs_address_beyond_width = 0x74,       // SFS.5 (nested)
  fs_top_ss_read_denied = 0x75,         // SFS.6 (nested)
  fs_ss_read_denied = 0x76,             // SFS.7 (nested)
  fs_ss_write_denied = 0x77,            // SFS.8 (nested)
  ss_table_read_error = 0x78,           // SSS.1
  ss_entry_not_present = 0x79,          // SSS.2
  ss_entry_reserved = 0x7A,             // SSS.3
  ss_top_read_error = 0x7B,             // SSS.4
  ss_ad_not_snooped = 0x7C,             // SSS.5
  non_canonical_address = 0x80,         // SGN.1
  user_request_supervisor_page = 0x81,  // SGN.2
  execute_denied = 0x82,                // SGN.3 (Rev 3.x)
  sm_address_beyond_haw = 0x83,         // SGN.4.x
  sm_address_beyond_width = 0x84,       // SGN.5
  sm_write_denied = 0x85,               // SGN.6
  sm_read_denied = 0x86,                // SGN.7
  sm_interrupt_range_output = 0x87,     // SGN.8.x
  pasid_beyond_width = 0x89,            // SGN.10
  fs_ad_not_snooped = 0x90,             // SFS.9
};

struct fault_reason_info {
  fault_reason reason;
  const char* spec_code;    // e.g. "LCT.2"
  const char* name;         // short snake_case identifier used in JSON
  const char* description;  // one sentence, the spec's condition
  bool qualified;           // suppressible by FPD
};

// Every fault reason the model can raise, in code order.
std::span<const fault_reason_info> all_fault_reasons();
const fault_reason_info& info(fault_reason r);
inline const char* to_string(fault_reason r) {
  return info(r).name;
}
inline bool is_qualified(fault_reason r) {
  return info(r).qualified;
}
inline bool is_interrupt_fault(fault_reason r) {
  return uint8_t(r) >= 0x20 && uint8_t(r) <= 0x2F;
}
std::optional<fault_reason> fault_reason_from_code(uint8_t code);

}  // namespace vtd::spec
