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
      return "Attach the device: write its context entry (SLPTPTR, AW, DID, TT) and set P=1, then "
             "invalidate the context-cache for it.";
    case fault_reason::context_invalid:
      return "Use an AW value the hardware supports (CAP.SAGAW) and a TT it supports (01b needs ECAP.DT, "
             "10b needs ECAP.PT); make sure SLPTPTR points to readable memory.";
    case fault_reason::address_beyond_width:
      return "Map the buffer at an IOVA below 2^AGAW of the context (and below CAP.MGAW), or give the "
             "domain a wider address width.";
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
      return "Clear the reserved bits of the context entry (11:4, 71, 127:88, DID bits above CAP.ND, "
             "SLPTPTR above HAW).";
    case fault_reason::sl_entry_reserved:
      return "Clear the reserved bits of the paging entry (bits above HAW, PS where not allowed, SNP/TM "
             "without ECAP.SC/DT, low frame bits of a superpage).";
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
             "IM=0 unless CAP.PI, SVT != 11b.";
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
      return "Program RTADDR.TTM=00b (legacy mode), or 01b (scalable mode) only on hardware with ECAP.SMTS.";
    case fault_reason::pasid_request_legacy:
      return "Legacy mode has no PASIDs: send the request without a PASID, or use scalable mode (TTM=01b).";
    case fault_reason::page_request_legacy:
      return "Legacy mode has no page requests.";
    case fault_reason::abort_dma_mode:
      return "RTADDR.TTM=11b aborts every DMA: program a root table in legacy mode.";
    case fault_reason::sm_root_read_error:
      return "Program RTADDR with the address of a scalable-mode root table in existing memory.";
    case fault_reason::sm_root_not_present:
      return "Create the context table for this bus half (devfn 0-127: LCTP, 128-255: UCTP) and set LP/UP=1.";
    case fault_reason::sm_root_reserved:
      return "Clear the reserved bits of the used root-entry half (11:1 or 75:65, pointer bits above HAW).";
    case fault_reason::sm_context_read_error:
      return "Point the root entry's LCTP/UCTP at a context table in existing memory.";
    case fault_reason::sm_context_not_present:
      return "Attach the device: write its scalable-mode context entry (PASIDDIRPTR, PDTS, RID_PASID) and "
             "set P=1, then invalidate the context-cache for it.";
    case fault_reason::sm_context_reserved:
      return "Clear the context entry's reserved bits (8:5, 255:85, PASIDDIRPTR above HAW) and the feature "
             "bits the hardware lacks (DTE without ECAP.DT, PASIDE without ECAP.PASID, PRE without "
             "ECAP.PRS, RID_PASID without ECAP.RPS, RID_PRIV without ECAP.RPRIVS).";
    case fault_reason::sm_context_invalid:
      return "Set DTE=1 whenever PRE=1, and keep RID_PASID below 2^(PDTS+13).";
    case fault_reason::sm_device_tlb_disabled:
      return "Set DTE=1 in the context entry if the device uses ATS, or have it send untranslated requests.";
    case fault_reason::sm_pasid_disabled:
      return "Set PASIDE=1 in the context entry to accept requests-with-PASID (needs ECAP.PASID).";
    case fault_reason::sm_pasid_beyond_directory:
      return "Enlarge the PASID directory (PDTS) or use a smaller PASID.";
    case fault_reason::pasid_dir_read_error:
      return "Point PASIDDIRPTR at a PASID directory in existing memory.";
    case fault_reason::pasid_dir_not_present:
      return "Allocate the PASID table for this PASID's directory entry (PASID[19:6]) and set P=1.";
    case fault_reason::pasid_dir_reserved:
      return "Clear the reserved bits of the PASID directory entry (11:2, SMPTBLPTR above HAW).";
    case fault_reason::pasid_entry_read_error:
      return "Point the directory entry's SMPTBLPTR at a PASID table in existing memory.";
    case fault_reason::pasid_entry_not_present:
      return "Set up the PASID-table entry for this PASID (PGTT, DID, table pointers) and set P=1, then "
             "invalidate the PASID cache.";
    case fault_reason::pasid_entry_reserved:
      return "Clear the PASID-table entry's reserved bits (11:10, 86:80, 139:136, 511:192, pointers above "
             "HAW, DID above CAP.ND) and the feature bits the hardware lacks (SLADE, PWSNP, PGSNP, SRE, "
             "EAFE ...).";
    case fault_reason::pasid_entry_invalid:
      return "Use a PGTT the hardware supports (FLTS, SLTS, NEST, PT), an AW in CAP.SAGAW for second-stage "
             "and nested entries, FLPM=00b (or 01b with CAP.FS5LP), and a nested FLPTPTR below the "
             "second-stage width.";
    case fault_reason::execute_request_blocked:
      return "Do not send execute requests: the hardware or the PASID entry (ERE) does not allow them.";
    case fault_reason::supervisor_request_blocked:
      return "Set SRE=1 in the PASID-table entry (needs ECAP.SRS), or send user-privilege requests.";
    case fault_reason::fs_table_read_error:
      return "Point the first-stage entry's ADDR at a page table in existing memory.";
    case fault_reason::fs_entry_not_present:
      return "Map the address in the first-stage tables: set P=1 in every entry of the walk.";
    case fault_reason::fs_entry_reserved:
      return "Clear the first-stage entry's reserved bits (51:HAW, PS in PML4E/PML5E or a PDPE without "
             "CAP.FS1GP, low frame bits of a large page).";
    case fault_reason::fs_top_read_error:
      return "Point FLPTPTR at a first-stage table in existing memory (translated by the second stage when "
             "nested).";
    case fault_reason::fs_address_beyond_width:
      return "Keep the guest's first-stage table and page addresses below the second-stage width.";
    case fault_reason::fs_top_ss_read_denied:
    case fault_reason::fs_ss_read_denied:
      return "Map the guest page holding this first-stage table readable in the second stage.";
    case fault_reason::fs_ss_write_denied:
      return "Map the first-stage table page writable in the second stage, or pre-set A/D in the entry.";
    case fault_reason::ss_table_read_error:
      return "Point the second-stage entry's ADDR at a page table in existing memory.";
    case fault_reason::ss_entry_not_present:
      return "Map the page in the second stage: set R (and W as needed) at every level.";
    case fault_reason::ss_entry_reserved:
      return "Clear the second-stage entry's reserved bits (bits above HAW, PS where not allowed, SNP "
             "without ECAP.SC, low frame bits of a superpage).";
    case fault_reason::ss_top_read_error:
      return "Point SLPTPTR at a second-stage table in existing memory.";
    case fault_reason::ss_ad_not_snooped:
      return "Set PWSNP=1 (with ECAP.SMPWCS) when SLADE=1, or pre-set A/D in the second-stage entries.";
    case fault_reason::non_canonical_address:
      return "Use a canonical address: bits 63:48 (63:57 with 5-level paging) equal to the bit below them.";
    case fault_reason::user_request_supervisor_page:
      return "Set U/S=1 in every first-stage entry of the walk, or send the request as supervisor.";
    case fault_reason::execute_denied:
      return "Clear XD in the first-stage entries of an executable page.";
    case fault_reason::sm_address_beyond_haw:
      return "Keep pass-through and translated addresses below 2^HAW.";
    case fault_reason::sm_address_beyond_width:
      return "Map the buffer below 2^min(MGAW, AGAW) of the PASID entry's AW, or widen AW.";
    case fault_reason::sm_write_denied:
      return "Map the page writable: R/W=1 (first stage) or W=1 (second stage) at every level.";
    case fault_reason::sm_read_denied:
      return "Map the page readable: R=1 at every second-stage level.";
    case fault_reason::sm_interrupt_range_output:
      return "Do not map addresses to host addresses in 0xFEE00000-0xFEEFFFFF (the interrupt address range).";
    case fault_reason::pasid_beyond_width:
      return "Use a PASID below 2^(ECAP.PSS+1).";
    case fault_reason::fs_ad_not_snooped:
      return "Set PWSNP=1 (with ECAP.SMPWCS), or pre-set A (and D for writable pages) in the first-stage "
             "entries as Linux does.";
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
