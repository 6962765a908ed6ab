// Device-model machinery (see header).
#include "traces/gen/device_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "traces/gen/ats_range.hpp"

namespace vtd::traces::gen {

namespace {
unsigned checked_index(const std::string& kind, unsigned index) {
  if (index >= limits::max_devices_per_kind)
    throw trace_error(fmt::format("{}{}: at most {} {} devices (each has a bus and a domain id of its own)",
                                  kind, index, limits::max_devices_per_kind, kind));
  return index;
}

// The RID_PASID of the generated devices: 0, the context entry's default (requests without PASID use it).
constexpr uint32_t kRidPasid = 0;

// AM of a page-selective invalidation covering `bytes` from a naturally aligned IOVA.
uint8_t address_mask(uint64_t bytes) {
  unsigned am = 0;
  while ((uint64_t{1} << am) * 4096 < bytes) ++am;
  return uint8_t(am);
}
}  // namespace

device_model::device_model(std::string kind, unsigned index, placement where, uint64_t seed,
                           device_stage stage, platform_parts& platform, bool ats)
    : m_name(fmt::format("{}{}", kind, checked_index(kind, index))),
      m_sid(uint16_t((where.bus + index) << 8)),
      m_domain(uint16_t(where.domain + index)),
      m_stage(stage),
      m_rng(seed),
      // Linux tries a 32-bit IOVA first for PCI devices: top-down from 4 GiB.
      m_iova(0x100000, uint64_t{1} << 32),
      m_guest(stage == device_stage::nested ? &platform.vm() : nullptr),
      m_ats(ats) {}

size_t device_model::release(record* out, size_t room, uint64_t& dma_budget, uint64_t until,
                             bool until_inclusive) {
  size_t n = 0;
  while (n < room && dma_budget) {
    const uint64_t t = head_time();
    if (t > until || (t == until && !until_inclusive)) break;
    out[n] = m_queue.pop();
    if (out[n].kind == record_kind::dma) --dma_budget;
    ++n;
  }
  return n;
}

void device_model::unmap(uint64_t t, uint64_t iova, uint64_t bytes, bool strict, unsigned flush_batch,
                         uint64_t flush_timeout) {
  emit(make_unmap(t, m_domain, iova, bytes));
  if (strict) {
    const uint8_t am = address_mask(bytes);
    emit(m_stage == device_stage::second
             ? make_iotlb_inval(t, granularity::page, m_domain, iova, am, false, true)
             : make_piotlb_inval(t, granularity::page_in_pasid, m_domain, kRidPasid, iova, am, false));
    // Linux flushes the device TLB of every ATS device of the domain with the IOTLB's (address, mask), in
    // the same batch, before the wait. The domain is attached through the RID_PASID (requests without
    // PASID), so it is a dev_tlb_inv_dsc without PASID in scalable mode too (its cache tag has no PASID).
    if (m_ats) {
      const devtlb_range range = devtlb_block(iova, am);
      emit(make_devtlb_inval(t, m_sid, range.addr, range.s, true));
    }
    emit(make_inv_wait(t, kStatusAddress, 1, false, true, false, true));
    m_iova.free(iova, bytes, t);
    return;
  }
  if (m_deferred.empty()) m_deferred_since = t;
  m_deferred.emplace_back(iova, bytes);
  m_deferred_latest = std::max(m_deferred_latest, t);
  if (m_deferred.size() >= flush_batch || t - m_deferred_since >= flush_timeout) flush_deferred(t);
}

void device_model::flush_deferred(uint64_t t) {
  if (m_deferred.empty()) return;
  // Events are generated out of time order: the flush must come after the latest unmap it covers, or an IOVA
  // could be handed out again before its own unmap record.
  t = std::max(t, m_deferred_latest);
  // Linux's flush queue flushes the whole domain: every PASID of the DID for a first-stage domain.
  emit(m_stage == device_stage::second ? make_iotlb_inval(t, granularity::domain, m_domain, 0, 0, false, true)
                                       : make_piotlb_inval(t, granularity::domain, m_domain, 0, 0, 0, false));
  // ... and every ATS device's whole device TLB (Linux's flush-all sends the largest range).
  if (m_ats) {
    const devtlb_range range = devtlb_everything();
    emit(make_devtlb_inval(t, m_sid, range.addr, range.s, true));
  }
  emit(make_inv_wait(t, kStatusAddress, 1, false, true, false, true));
  for (auto [iova, bytes] : m_deferred) m_iova.free(iova, bytes, t);
  m_deferred.clear();
}

uint64_t device_model::random_hpa_page() {
  if (m_guest) return guest_memory::random_page(m_rng);
  // Buffers anywhere in [4 GiB, 64 GiB): page-cache and skb pages are scattered in real systems.
  return (uint64_t{1} << 32) + (m_rng.below(uint64_t{15} << 18) << 12);
}

uint64_t device_model::next_sequential_page() {
  if (m_guest) return m_guest->sequential_page();
  return m_sequential += 4096;
}

uint64_t device_model::long_lived_output(uint64_t bytes, uint64_t host_hpa) {
  return m_guest ? m_guest->long_lived(bytes) : host_hpa;
}

uint64_t device_model::add_vector(platform_parts& p, uint8_t vector, uint32_t destination) {
  const uint32_t index = p.next_irte++;
  tables::irte_desc e;
  e.index = index;
  e.vector = vector;
  e.destination = destination;
  e.svt = spec::source_validation::requester_id;
  e.sid = m_sid;
  e.sq = 0;
  p.interrupts.push_back(e);
  p.interrupt_devices.push_back(m_sid);
  // Remappable-format MSI address: 0xFEE, handle[14:0] in 19:5, bit 4 = 1, SHV = 0, handle[15] in bit 2.
  return 0xFEE00000ull | (uint64_t(index & 0x7FFF) << 5) | 0x10 | (uint64_t(index >> 15) << 2);
}

void device_model::add_to_platform(platform_parts& p, std::vector<tables::mapping_desc> mappings) {
  tables::domain_desc d;
  d.id = m_domain;
  d.address_width = 48;  // 4-level (first stage: 4-level paging, FLPM=00b)
  d.mappings = std::move(mappings);
  switch (m_stage) {
    case device_stage::second:
      d.stage = tables::domain_stage::second;
      break;
    case device_stage::first:
      d.stage = tables::domain_stage::first;  // A/D preset as Linux writes DMA mappings (preset_ad)
      break;
    case device_stage::nested:
      d.stage = tables::domain_stage::nested;
      d.parent = kGuestMemoryDomain;
      break;
  }
  p.domains.push_back(std::move(d));
  tables::device_desc dev;
  dev.sid = m_sid;
  dev.name = m_name;
  dev.domain = m_domain;
  p.devices.push_back(std::move(dev));
  if (m_ats) p.ats_devices.push_back(m_sid);
}

}  // namespace vtd::traces::gen
