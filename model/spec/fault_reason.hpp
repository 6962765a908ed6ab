// Fault reasons (VT-d spec 7.1.3 Table 30 for legacy DMA, Table 15 / 5.1.4.1 for interrupt remapping, and the
// RTA codes of the scalable-mode table). The enum value is the FR code the hardware writes into FRCD.FR.
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
