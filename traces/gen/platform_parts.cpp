// Platform pieces of the generated devices (see header).
#include "traces/gen/platform_parts.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t kBufferPages = (kGuestRamBytes - kGuestLongLivedBytes) / kPage;
}  // namespace

uint64_t guest_memory::long_lived(uint64_t bytes) {
  bytes = (bytes + kPage - 1) & ~(kPage - 1);
  if (bytes > kGuestRamGpa + kGuestLongLivedBytes - m_long_lived)
    throw trace_error(fmt::format("vIOMMU guest: its {} GiB of long-lived driver memory are used up",
                                  kGuestLongLivedBytes >> 30));
  const uint64_t gpa = m_long_lived;
  m_long_lived += bytes;
  return gpa;
}

uint64_t guest_memory::random_page(rng& r) {
  return kGuestRamGpa + kGuestLongLivedBytes + r.below(kBufferPages) * kPage;
}

uint64_t guest_memory::sequential_page() {
  const uint64_t page = m_sequential++ % kBufferPages;
  return kGuestRamGpa + kGuestLongLivedBytes + page * kPage;
}

tables::domain_desc guest_memory::domain() {
  tables::domain_desc d;
  d.id = kGuestMemoryDomain;
  d.stage = tables::domain_stage::second;
  d.address_width = 48;
  // The guest's RAM as the host maps it for a VM: one range, in 1 GiB pages where aligned (QEMU backs guest
  // RAM with huge pages when asked to).
  d.mappings.push_back({.iova = kGuestRamGpa, .hpa = kGuestRamHpa, .size = kGuestRamBytes});
  return d;
}

tables::platform_description describe_platform(const platform_parts& parts, gen_mode mode,
                                               const std::string& preset) {
  tables::platform_description p;
  const bool scalable = mode == gen_mode::scalable;
  p.mode = scalable ? tables::platform_mode::scalable : tables::platform_mode::legacy;
  p.preset = preset;
  p.haw = 46;
  p.enable_translation = true;
  p.enable_interrupt_remapping = true;
  p.enable_qi = true;
  p.domains = parts.domains;
  if (parts.guest) p.domains.push_back(guest_memory::domain());
  p.devices = parts.devices;
  for (tables::device_desc& d : p.devices) {
    if (std::find(parts.ats_devices.begin(), parts.ats_devices.end(), d.sid) == parts.ats_devices.end())
      continue;
    if (scalable)
      d.device_tlb = true;  // DTE
    else
      d.tt = spec::translation_type::device_tlb;  // TT=01
  }
  p.has_interrupts = true;
  p.ir_entries_log2 = 4;
  while ((1u << p.ir_entries_log2) < parts.next_irte) ++p.ir_entries_log2;
  p.x2apic = false;
  p.interrupts = parts.interrupts;
  return p;
}

}  // namespace vtd::traces::gen
