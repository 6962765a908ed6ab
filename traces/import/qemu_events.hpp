// The QEMU VT-d trace events the importer understands, with their argument formats as the "log" backend
// prints them (hw/i386/trace-events: PRIx64/PRIx16 print as %x, PRIu as %d). Checked against QEMU 7.2.22
// (Debian 12's qemu-system-x86, formats read from the binary) and QEMU 8.x/9.x's hw/i386/trace-events, which
// add the PASID-based IOTLB and PASID-cache events; the other events kept their names and formats.
#pragma once
#include <span>
#include <string_view>

namespace vtd::traces::import {

enum class qemu_event {
  reg_dmar_root,  // RTADDR latched by SRTP (and whether it is scalable)
  reg_ir_root,    // IRTA latched by SIRTP: the IRT address and its number of entries
  dmar_enable,    // GCMD.TE
  ir_enable,      // GCMD.IRE
  qi_enable,      // GCMD.QIE
  inv_desc,       // a queued descriptor is about to be processed (marks the next invalidation queued)
  cc_global,      // context-cache invalidations
  cc_domain,
  cc_devices,    // device-selective: source-id and function mask
  iotlb_global,  // IOTLB invalidations
  iotlb_domain,
  iotlb_pages,
  iotlb_pasid,        // QEMU 8+: p_iotlb_inv_dsc, PASID-selective
  iotlb_pasid_pages,  // QEMU 8+: p_iotlb_inv_dsc, page-selective within a PASID
  pasid_cache_gsi,    // QEMU 9+: pc_inv_dsc
  pasid_cache_dsi,
  pasid_cache_psi,
  wait_sw,            // inv_wait_dsc with SW
  wait_irq,           // inv_wait_dsc with IF
  iec,                // iec_inv_dsc
  iotlb_page_hit,     // a translation served by QEMU's IOTLB: sid, address, leaf entry, domain
  iotlb_page_update,  // a translation walked and cached: the same fields
  cc_update,          // a context entry fetched: bus, devfn, entry
  translate_pt,       // a pass-through translation
  dmar_translate,     // the result of a translation: device, page, output page, mask
  dmar_fault,         // a recorded DMA fault: sid, reason, address, write
  ir_remap_msi_req,   // an interrupt request: MSI address offset and data
  ir_irte_get,        // the IRTE it used
  ir_remap_msi,       // the remapped interrupt
  counted,            // known, carries nothing the trace needs
};

struct qemu_event_info {
  std::string_view name;
  std::string_view format;  // empty: the arguments are not parsed
  qemu_event kind;
};

std::span<const qemu_event_info> qemu_events();
const qemu_event_info* find_qemu_event(std::string_view name);

}  // namespace vtd::traces::import
