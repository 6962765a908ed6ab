// The remapping unit's register page (VT-d spec chapter 11, "Register Descriptions") as a TLM-2.0 target: the
// MMIO window a driver programs. Every access goes to the core's register_file, which holds the register
// semantics (RO/RW/RW1C masks, the GCMD_REG/GSTS_REG protocol, CCMD_REG and IOTLB_REG commands, IQT_REG
// starting the invalidation queue, FSTS_REG/FRCD_REG/FECTL_REG); this module only checks the bus access.
//
// Offsets are relative to the register page's base (the DRHD's "Register Base Address"). Accesses:
//   4- or 8-byte reads and writes at a size-aligned offset inside the page     TLM_OK_RESPONSE
//   (offsets the unit does not implement read 0 and ignore writes, as the spec's reserved registers)
//   any other length, or a streaming width below the length               TLM_BURST_ERROR_RESPONSE
//   an offset not aligned to the size, or outside the page                 TLM_ADDRESS_ERROR_RESPONSE
//   byte enables                                                           TLM_BYTE_ENABLE_ERROR_RESPONSE
// Register data is little-endian in the payload's bytes. transport_dbg reads without side effects (no
// register read has any) and refuses writes (a debug write must not start a command).
#pragma once
#include <tlm_utils/simple_target_socket.h>
#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm>

#include "model/core/register_file.hpp"

namespace vtd::sysc {

class register_target : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<register_target> socket;

  // Called after every b_transport access with its annotated delay (the device sends the fault events the
  // access raised, e.g. FECTL.IM cleared with a fault pending, or an invalidation queue error).
  std::function<void(const sc_core::sc_time& delay)> after_access;

  // `regs` must outlive the module; `latency` is added to every access.
  register_target(sc_core::sc_module_name name, core::register_file& regs,
                  sc_core::sc_time latency = sc_core::SC_ZERO_TIME);

  // The size of the register page in bytes: 4 KiB, or more when CAP.FRO / ECAP.IRO place the FRCD or
  // IVA/IOTLB registers beyond the first page.
  uint64_t page_size() const { return m_page_size; }
  uint64_t accesses() const { return m_accesses; }
  // True inside b_transport (while the register file acts on an access).
  bool busy() const { return m_busy; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);
  tlm::tlm_response_status check(const tlm::tlm_generic_payload& gp) const;

  core::register_file& m_regs;
  sc_core::sc_time m_latency;
  uint64_t m_page_size;
  uint64_t m_accesses = 0;
  bool m_busy = false;
};

}  // namespace vtd::sysc
