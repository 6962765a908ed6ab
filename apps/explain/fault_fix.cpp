// What a table builder (or driver) would have to change to avoid each fault (VT-d spec 7.1.3 Table 30,
// 5.1.4.1 Table 15): the remedy for people, beside the spec's condition.
#include <fmt/format.h>

#include "apps/explain/explanation.hpp"
#include "apps/explain/result_json.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain {

std::string fault_fix(spec::fault_reason r) {
  using spec::fault_reason;
  switch (r) {
    case fault_reason::root_not_present:
      return "Create a context table for this bus and set P=1 in its root entry.";
    case fault_reason::context_not_present:
      return "Attach the device: write its context entry (SLPTPTR, AW, DID, TT) and set P=1, then invalidate "
             "the "
             "context-cache for it.";
    case fault_reason::context_invalid:
      return "Use an AW value the hardware supports (CAP.SAGAW) and a TT it supports (01b needs ECAP.DT, 10b "
             "needs "
             "ECAP.PT); make sure SLPTPTR points to readable memory.";
    case fault_reason::address_beyond_width:
      return "Map the buffer at an IOVA below 2^AGAW of the context (and below CAP.MGAW), or give the domain "
             "a wider "
             "address width.";
    case fault_reason::write_denied:
      return "Set W=1 in the leaf entry (and in every entry above it), i.e. map the page writable.";
    case fault_reason::read_denied:
      return "Map the page: set R=1 (and W as needed) in the leaf entry and in every entry above it.";
    case fault_reason::sl_table_read_error:
      return "Point the entry's ADDR at a page table in existing memory.";
    case fault_reason::root_read_error:
      return "Program RTADDR with the address of a root table in existing memory.";
    case fault_reason::context_read_error:
      return "Point the root entry's CTP at a context table in existing memory.";
    case fault_reason::root_reserved:
      return "Clear the reserved bits of the root entry (11:1, 127:64, CTP above HAW).";
    case fault_reason::context_reserved:
      return "Clear the reserved bits of the context entry (11:4, 71, 127:88, DID bits above CAP.ND, SLPTPTR "
             "above HAW).";
    case fault_reason::sl_entry_reserved:
      return "Clear the reserved bits of the paging entry (bits above HAW, PS where not allowed, SNP/TM "
             "without "
             "ECAP.SC/DT, low frame bits of a superpage).";
    case fault_reason::translation_type_blocked:
      return "Set TT=01b (device-TLB) in the context entry if the device should use ATS, or have it send "
             "untranslated requests.";
    case fault_reason::interrupt_range_output:
      return "Do not map IOVAs to host addresses in 0xFEE00000-0xFEEFFFFF (the interrupt address range).";
    case fault_reason::ir_request_reserved:
      return "Program the device's MSI with data bits 31:16 = 0 when SHV=1 and an address below 4 GiB.";
    case fault_reason::ir_index_beyond_table:
      return "Use a handle (+ subhandle) below the table size 2^(IRTA.S+1), or enlarge the table.";
    case fault_reason::ir_entry_not_present:
      return "Program the IRTE for this handle and set P=1.";
    case fault_reason::ir_table_read_error:
      return "Program IRTA with a table in existing memory.";
    case fault_reason::ir_entry_reserved:
      return "Clear the IRTE's reserved bits: a valid delivery mode, xAPIC destination in DST[15:8] only, "
             "IM=0 "
             "unless CAP.PI, SVT != 11b.";
    case fault_reason::ir_compat_blocked:
      return "Program the device with a remappable-format MSI, or allow compatibility format (GCMD.CFI, "
             "xAPIC mode).";
    case fault_reason::ir_source_id_invalid:
      return "Set the IRTE's SID/SQ/SVT to the requester id that really sends this interrupt (or SVT=00 to "
             "not check).";
    case fault_reason::ir_pid_read_error:
      return "Point the posted IRTE at a posted-interrupt descriptor in existing memory.";
    case fault_reason::ir_pid_reserved:
      return "Clear the reserved bits of the posted-interrupt descriptor.";
    case fault_reason::ir_not_an_interrupt:
      return "Do not let devices read or write 0xFEEx_xxxx with DMA other than a 4-byte MSI write.";
    case fault_reason::rtaddr_invalid:
      return "Program RTADDR.TTM=00b (legacy mode; the mode vtdsim models).";
    case fault_reason::pasid_request_legacy:
      return "Legacy mode has no PASIDs: send the request without a PASID.";
    case fault_reason::page_request_legacy:
      return "Legacy mode has no page requests.";
    case fault_reason::abort_dma_mode:
      return "RTADDR.TTM=11b aborts every DMA: program a root table in legacy mode.";
    case fault_reason::none:
      return "";
  }
  return "";
}

void set_fault(explanation& x, spec::fault_reason r, bool recorded) {
  const auto& info = spec::info(r);
  x.fault_code = spec::format_fault_code(r);
  x.fault_name = info.name;
  x.fault_condition = info.spec_code;
  x.fault_description = info.description;
  x.fault_fix = fault_fix(r);
  x.fault_recorded = recorded;
  x.result = fmt::format("FAULT {} {} ({}): {}", x.fault_code, info.name, info.spec_code, info.description);
}

}  // namespace vtd::explain
