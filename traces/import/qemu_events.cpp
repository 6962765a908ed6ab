#include "traces/import/qemu_events.hpp"

#include <array>

namespace vtd::traces::import {

namespace {

using e = qemu_event;
constexpr std::array kEvents{
    qemu_event_info{"vtd_reg_dmar_root", "addr 0x%x scalable %d", e::reg_dmar_root},
    qemu_event_info{"vtd_reg_ir_root", "addr 0x%x size 0x%x", e::reg_ir_root},
    qemu_event_info{"vtd_dmar_enable", "enable %d", e::dmar_enable},
    qemu_event_info{"vtd_ir_enable", "enable %d", e::ir_enable},
    qemu_event_info{"vtd_inv_qi_enable", "enabled %d", e::qi_enable},
    qemu_event_info{"vtd_inv_desc", "invalidate desc type %s high 0x%x low 0x%x", e::inv_desc},
    qemu_event_info{"vtd_inv_desc_cc_global", "context invalidate globally", e::cc_global},
    qemu_event_info{"vtd_inv_desc_cc_domain", "context invalidate domain 0x%x", e::cc_domain},
    qemu_event_info{"vtd_inv_desc_cc_devices", "context invalidate devices sid 0x%x fmask 0x%x",
                    e::cc_devices},
    qemu_event_info{"vtd_inv_desc_iotlb_global", "iotlb invalidate global", e::iotlb_global},
    qemu_event_info{"vtd_inv_desc_iotlb_domain", "iotlb invalidate whole domain 0x%x", e::iotlb_domain},
    qemu_event_info{"vtd_inv_desc_iotlb_pages", "iotlb invalidate domain 0x%x addr 0x%x mask 0x%x",
                    e::iotlb_pages},
    qemu_event_info{"vtd_inv_desc_iotlb_pasid", "iotlb invalidate domain 0x%x pasid 0x%x", e::iotlb_pasid},
    qemu_event_info{"vtd_inv_desc_iotlb_pasid_pages",
                    "iotlb invalidate domain 0x%x addr 0x%x mask 0x%x pasid 0x%x", e::iotlb_pasid_pages},
    qemu_event_info{"vtd_pasid_cache_gsi", "", e::pasid_cache_gsi},
    qemu_event_info{"vtd_pasid_cache_dsi", "Domain slective PC invalidation domain 0x%x", e::pasid_cache_dsi},
    qemu_event_info{"vtd_pasid_cache_psi", "PASID slective PC invalidation domain 0x%x pasid 0x%x",
                    e::pasid_cache_psi},
    qemu_event_info{"vtd_inv_desc_wait_sw", "wait invalidate status write addr 0x%x data 0x%x", e::wait_sw},
    qemu_event_info{"vtd_inv_desc_wait_irq", "", e::wait_irq},
    qemu_event_info{"vtd_inv_desc_iec", "granularity 0x%x index 0x%x mask 0x%x", e::iec},
    qemu_event_info{"vtd_iotlb_page_hit", "IOTLB page hit sid 0x%x iova 0x%x slpte 0x%x domain 0x%x",
                    e::iotlb_page_hit},
    qemu_event_info{"vtd_iotlb_page_update", "IOTLB page update sid 0x%x iova 0x%x slpte 0x%x domain 0x%x",
                    e::iotlb_page_update},
    qemu_event_info{"vtd_iotlb_cc_update",
                    "IOTLB context update bus 0x%x devfn 0x%x high 0x%x low 0x%x gen %d -> gen %d",
                    e::cc_update},
    qemu_event_info{"vtd_translate_pt", "source id 0x%x, iova 0x%x", e::translate_pt},
    qemu_event_info{"vtd_dmar_translate", "dev %x:%x.%x iova 0x%x -> gpa 0x%x mask 0x%x", e::dmar_translate},
    qemu_event_info{"vtd_dmar_fault", "sid 0x%x fault %d addr 0x%x write %d", e::dmar_fault},
    qemu_event_info{"vtd_ir_remap_msi_req", "addr 0x%x data 0x%x", e::ir_remap_msi_req},
    qemu_event_info{"vtd_ir_irte_get", "index %d low 0x%x high 0x%x", e::ir_irte_get},
    qemu_event_info{"vtd_ir_remap_msi", "(addr 0x%x, data 0x%x) -> (addr 0x%x, data 0x%x)", e::ir_remap_msi},
    // Known, and nothing of them goes into the trace: the register accesses and GCMD writes (their effects
    // have events of their own above), the queue's head/tail/setup, the context-cache and IOTLB hits and
    // resets, the per-device context invalidation (its selector is in cc_devices), the notifier page walks
    // (for vhost/VFIO: not device requests), the unit's own interrupts and fault recording, warnings.
    qemu_event_info{"vtd_inv_desc_cc_device", "", e::counted},
    qemu_event_info{"vtd_inv_desc_wait_write_fail", "", e::counted},
    qemu_event_info{"vtd_inv_qi_setup", "", e::counted},
    qemu_event_info{"vtd_inv_qi_head", "", e::counted},
    qemu_event_info{"vtd_inv_qi_tail", "", e::counted},
    qemu_event_info{"vtd_inv_qi_fetch", "", e::counted},
    qemu_event_info{"vtd_context_cache_reset", "", e::counted},
    qemu_event_info{"vtd_pasid_cache_reset", "", e::counted},
    qemu_event_info{"vtd_re_not_present", "", e::counted},
    qemu_event_info{"vtd_ce_not_present", "", e::counted},
    qemu_event_info{"vtd_iotlb_cc_hit", "", e::counted},
    qemu_event_info{"vtd_iotlb_reset", "", e::counted},
    qemu_event_info{"vtd_fault_disabled", "", e::counted},
    qemu_event_info{"vtd_replay_ce_valid", "", e::counted},
    qemu_event_info{"vtd_replay_ce_invalid", "", e::counted},
    qemu_event_info{"vtd_page_walk_level", "", e::counted},
    qemu_event_info{"vtd_page_walk_one", "", e::counted},
    qemu_event_info{"vtd_page_walk_one_skip_map", "", e::counted},
    qemu_event_info{"vtd_page_walk_one_skip_unmap", "", e::counted},
    qemu_event_info{"vtd_page_walk_skip_read", "", e::counted},
    qemu_event_info{"vtd_page_walk_skip_reserve", "", e::counted},
    qemu_event_info{"vtd_switch_address_space", "", e::counted},
    qemu_event_info{"vtd_as_unmap_whole", "", e::counted},
    qemu_event_info{"vtd_pt_enable_fast_path", "", e::counted},
    qemu_event_info{"vtd_irq_generate", "", e::counted},
    qemu_event_info{"vtd_reg_read", "", e::counted},
    qemu_event_info{"vtd_reg_write", "", e::counted},
    qemu_event_info{"vtd_reg_write_gcmd", "", e::counted},
    qemu_event_info{"vtd_reg_write_fectl", "", e::counted},
    qemu_event_info{"vtd_reg_write_iectl", "", e::counted},
    qemu_event_info{"vtd_reg_ics_clear_ip", "", e::counted},
    qemu_event_info{"vtd_ir_remap", "", e::counted},
    qemu_event_info{"vtd_ir_remap_type", "", e::counted},
    qemu_event_info{"vtd_fsts_ppf", "", e::counted},
    qemu_event_info{"vtd_fsts_clear_ip", "", e::counted},
    qemu_event_info{"vtd_frr_new", "", e::counted},
    qemu_event_info{"vtd_warn_invalid_qi_tail", "", e::counted},
    qemu_event_info{"vtd_warn_ir_vector", "", e::counted},
    qemu_event_info{"vtd_warn_ir_trigger", "", e::counted},
};

}  // namespace

std::span<const qemu_event_info> qemu_events() {
  return kEvents;
}

const qemu_event_info* find_qemu_event(std::string_view name) {
  for (const auto& ev : kEvents)
    if (ev.name == name) return &ev;
  return nullptr;
}

}  // namespace vtd::traces::import
