// What the generated devices put into the platform file: where each device sits (bus, domain id, PASIDs),
// its domain with the long-lived mappings, its MSI-X interrupt entries, and in scalable mode the vIOMMU
// guest's memory. Collected as tables::platform_description pieces and written by tables::to_json, the
// platform file's own writer (docs/platform-format.md).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "tables/platform_description.hpp"
#include "traces/gen/rng.hpp"
#include "traces/gen/workload.hpp"

namespace vtd::traces::gen {

// Where the devices of each kind sit: device i of a kind is function 0 of device 0 on bus `bus + i`, in
// domain `domain + i`, for i below limits::max_devices_per_kind (docs/generator.md).
struct placement {
  unsigned bus, domain;
};
inline constexpr placement kNicPlacement{0x10, 1}, kNvmePlacement{0x20, 0x11}, kGpuPlacement{0x30, 0x21},
    kSvaPlacement{0x40, 0x31};
constexpr bool disjoint(unsigned a, unsigned b) {
  return a + limits::max_devices_per_kind <= b || b + limits::max_devices_per_kind <= a;
}
constexpr bool all_disjoint(std::initializer_list<unsigned> starts) {
  for (auto a = starts.begin(); a != starts.end(); ++a)
    for (auto b = a + 1; b != starts.end(); ++b)
      if (!disjoint(*a, *b)) return false;
  return true;
}
static_assert(all_disjoint({kNicPlacement.bus, kNvmePlacement.bus, kGpuPlacement.bus, kSvaPlacement.bus}),
              "every device has a bus of its own");
static_assert(all_disjoint({kNicPlacement.domain, kNvmePlacement.domain, kGpuPlacement.domain,
                            kSvaPlacement.domain}),
              "every device has a domain of its own");
static_assert(kSvaPlacement.bus + limits::max_devices_per_kind <= 0x100, "bus numbers are 8 bits");
static_assert(kGpuPlacement.domain + limits::max_devices_per_kind <= 0x100,
              "legacy domain ids fit CAP.ND=2 (8 bits)");
static_assert(kNicPlacement.domain > 0 && kNvmePlacement.domain > 0 && kGpuPlacement.domain > 0,
              "domain 0 is left unused (reserved when CAP.CM=1)");

// SVA: process p of accelerator i has PASID 1 + 64i + p (PASID 0 is the RID_PASID; Linux hands out global
// PASIDs from 1) and a first-stage domain of its own, 0x100 + 64i + p.
constexpr uint32_t sva_pasid(unsigned accelerator, unsigned process) {
  return 1 + accelerator * limits::max_sva_pasids + process;
}
constexpr uint16_t sva_domain(unsigned accelerator, unsigned process) {
  return static_cast<uint16_t>(0x100 + accelerator * limits::max_sva_pasids + process);
}
static_assert(sva_domain(0, 0) >= kSvaPlacement.domain + limits::max_devices_per_kind,
              "process domains are apart from the devices' domains");

// The vIOMMU guest: one virtual machine whose memory is one host second-stage domain (GPA -> HPA), the
// parent of each nested domain. Its RAM sits at GPA 4 GiB..20 GiB so that it leaves the table region (where
// the builder maps the nested domains' first-stage table pages, GPA = HPA) free; the first 4 GiB of it hold
// long-lived driver memory (rings, pools), the rest the data buffers.
inline constexpr uint16_t kGuestMemoryDomain = 0x70;
inline constexpr uint64_t kGuestRamGpa = uint64_t{4} << 30, kGuestRamBytes = uint64_t{16} << 30;
inline constexpr uint64_t kGuestRamHpa = uint64_t{1} << 40;  // 1 TiB, inside a 46-bit host
inline constexpr uint64_t kGuestLongLivedBytes = uint64_t{4} << 30;
static_assert(kGuestMemoryDomain >= kSvaPlacement.domain + limits::max_devices_per_kind &&
                  kGuestMemoryDomain < sva_domain(0, 0),
              "the guest's domain is apart from the devices' and the processes' domains");

class guest_memory {
 public:
  // Long-lived memory of `bytes` (rounded up to 4 KiB), allocated in order; throws trace_error when the
  // guest's long-lived area is used up.
  uint64_t long_lived(uint64_t bytes);
  // A random 4 KiB page of the buffer area, drawn from `r` (the device's own stream).
  static uint64_t random_page(rng& r);
  // The next page of a contiguous stream through the buffer area (wraps at its end).
  uint64_t sequential_page();
  // The host second-stage domain that maps the guest's RAM.
  static tables::domain_desc domain();

 private:
  uint64_t m_long_lived = kGuestRamGpa;
  uint64_t m_sequential = 0;  // pages into the buffer area
};

struct platform_parts {
  std::vector<tables::domain_desc> domains;
  std::vector<tables::device_desc> devices;
  std::vector<tables::irte_desc> interrupts;
  // The source-id of the device that raises each entry of `interrupts` (same index): the unit whose scope has
  // the device gets the entry when the platform is split into units.
  std::vector<uint16_t> interrupt_devices;
  std::vector<uint16_t> ats_devices;  // source-ids of the devices with a device TLB
  uint32_t next_irte = 0;
  std::optional<guest_memory> guest;  // made by the first nested device
  guest_memory& vm() {
    if (!guest) guest.emplace();
    return *guest;
  }
};

// The platform file of a generated workload: capability preset `preset` ("server" in legacy mode,
// "server-sm" in scalable mode, unless the workload names another), translation, interrupt remapping and
// queued invalidation on, the devices' domains (and the guest's memory domain when a device is nested),
// devices and interrupt entries. The ATS devices get a device TLB in their context entry: TT=01 in legacy
// mode ("translation": "device_tlb"), DTE=1 in scalable mode ("device_tlb": true).
tables::platform_description describe_platform(const platform_parts& parts, gen_mode mode,
                                               const std::string& preset);

}  // namespace vtd::traces::gen
