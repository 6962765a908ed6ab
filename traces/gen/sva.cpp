// SVA accelerator model (see header). The descriptor's own path (ENQCMD to the work-queue portal) is an MMIO
// write, not a DMA, so a descriptor shows up as the move's reads and writes and its completion record.
#include "traces/gen/sva.hpp"

#include <algorithm>

#include "traces/gen/ats_range.hpp"

namespace vtd::traces::gen {

namespace {
constexpr uint64_t kBuffer = uint64_t{2} << 20;  // each process's source and destination buffers
constexpr unsigned kCompletionBytes = 32;        // a completion record
constexpr unsigned kCompletionRecords = 128;     // one 4 KiB page of them per process
// User buffers sit in the mmap area of a 4-level address space, below the canonical hole at 2^47.
constexpr uint64_t kUserBase = 0x7f0000000000ull;
constexpr uint64_t kHostBase = uint64_t{0xA0} << 32;  // host pages of the processes, 8 MiB each
}  // namespace

sva_model::sva_model(unsigned index, const sva_params& p, uint64_t seed, platform_parts& platform)
    : device_model("dsa", index, kSvaPlacement, seed, device_stage::first, platform, p.ats), m_p(p) {
  if (p.pasids == 0 || p.pasids > limits::max_sva_pasids) throw trace_error("sva: pasids must be 1..64");
  if (p.transfer_bytes == 0 || p.transfer_bytes > kBuffer / 2 || p.gbytes_per_s <= 0)
    throw trace_error("sva: transfer_bytes and bandwidth must be positive, a transfer at most 1 MiB");
  // The device's own RID_PASID domain (Linux's DMA domain for the driver): nothing of it is used here.
  add_to_platform(platform, {});
  tables::device_desc& dev = platform.devices.back();
  for (unsigned n = 0; n < p.pasids; ++n) {
    process pr;
    pr.pasid = sva_pasid(index, n);
    pr.domain = sva_domain(index, n);
    // ASLR: the buffers at a random 2 MiB-aligned place of the mmap area.
    pr.src = kUserBase + (m_rng.below(uint64_t{1} << 18) << 21);
    pr.dst = pr.src + kBuffer;
    pr.completions = pr.dst + kBuffer;
    const uint64_t host = kHostBase + uint64_t(pr.domain - sva_domain(0, 0)) * (uint64_t{8} << 20);
    tables::domain_desc d;
    d.id = pr.domain;
    d.stage = tables::domain_stage::first;
    d.address_width = 48;
    d.superpages = false;  // anonymous memory in 4 KiB pages (no transparent huge pages)
    d.preset_ad = false;   // a CPU page table: the hardware sets A and D
    // User pages (U/S=1), data only (XD=1); the source buffer read-only (a file mapped for reading).
    d.mappings.push_back(
        {.iova = pr.src, .hpa = host, .size = kBuffer, .write = false, .user = true, .execute = false});
    d.mappings.push_back(
        {.iova = pr.dst, .hpa = host + kBuffer, .size = kBuffer, .user = true, .execute = false});
    d.mappings.push_back(
        {.iova = pr.completions, .hpa = host + 2 * kBuffer, .size = 4096, .user = true, .execute = false});
    platform.domains.push_back(std::move(d));
    dev.pasids.push_back({.pasid = pr.pasid, .domain = pr.domain});
    // Processes close their work queue in turn: process n first at (n + 1) / pasids of the period.
    if (p.rebind_us) pr.unbind_at = 5 * kUs + p.rebind_us * kUs * (n + 1) / p.pasids;
    m_processes.push_back(pr);
  }
  m_interval =
      std::max<uint64_t>(1, static_cast<uint64_t>(double(p.transfer_bytes) * 1000.0 / p.gbytes_per_s));
  m_next_event = 5 * kUs;
}

void sva_model::change_bindings(uint64_t t) {
  for (process& pr : m_processes) {
    if (pr.bound && t >= pr.unbind_at) {
      // The driver drains the process's work first, then tears the PASID down (intel_pasid_tear_down_entry):
      // clear the entry, PASID-selective PASID-cache then PASID-based IOTLB invalidation, and with ATS the
      // device TLB's entries of that PASID, every address (p_dev_tlb_inv_dsc), each waited for.
      const uint64_t at = std::max(t, pr.last_dma + 100 * kNs);
      emit(make_pasid_detach(at, m_sid, pr.pasid));
      emit(make_pc_inval(at, granularity::pasid, pr.domain, pr.pasid));
      emit(make_inv_wait(at, kStatusAddress, 1, false, true, false, true));
      emit(make_piotlb_inval(at, granularity::pasid, pr.domain, pr.pasid, 0, 0, false));
      emit(make_inv_wait(at, kStatusAddress, 1, false, true, false, true));
      if (m_ats) {
        const devtlb_range range = devtlb_everything();
        emit(make_pdevtlb_inval(at, m_sid, pr.pasid, range.addr, range.s));
        emit(make_inv_wait(at, kStatusAddress, 1, false, true, false, true));
      }
      pr.bound = false;
      pr.bind_at = at + m_p.unbound_us * kUs;
    } else if (!pr.bound && t >= pr.bind_at) {
      // Binding a not-present PASID-table entry needs no invalidation with CAP.CM=0.
      emit(make_pasid_attach(t, m_sid, pr.pasid, pr.domain, false, false));
      pr.bound = true;
      pr.unbind_at = t + m_p.rebind_us * kUs;
    }
  }
}

uint64_t sva_model::requests(uint64_t t, uint64_t span, const process& pr, dma_op op, uint64_t addr,
                             uint64_t bytes) {
  const uint64_t chunks = ((addr + bytes - 1) >> 12) - (addr >> 12) + 1;
  uint64_t at = t;
  for (uint64_t k = 0; bytes > 0; ++k) {
    const uint64_t len = std::min(bytes, 4096 - (addr & 0xFFF));
    at = t + span * k / chunks;
    emit(make_dma_pasid(at, m_sid, pr.pasid, op, addr, uint32_t(len)));
    addr += len;
    bytes -= len;
  }
  return at;
}

void sva_model::move(uint64_t t, process& pr) {
  const uint64_t bytes = m_p.transfer_bytes;
  const uint64_t src = pr.src + m_rng.below((kBuffer - bytes) / 64 + 1) * 64;
  const uint64_t dst = pr.dst + m_rng.below((kBuffer - bytes) / 64 + 1) * 64;
  // Reads stream over the transfer's time at the device's bandwidth; each write follows its read by 200 ns.
  requests(t, m_interval, pr, dma_op::read, src, bytes);
  const uint64_t last_write = requests(t + 200 * kNs, m_interval, pr, dma_op::write, dst, bytes);
  const uint64_t done = std::max(last_write, t + m_interval) + 100 * kNs;
  const uint64_t record =
      pr.completions + uint64_t(pr.next_completion++ % kCompletionRecords) * kCompletionBytes;
  emit(make_dma_pasid(done, m_sid, pr.pasid, dma_op::write, record, kCompletionBytes));
  pr.last_dma = std::max(pr.last_dma, done);
}

void sva_model::next_event() {
  const uint64_t t = m_next_event;
  change_bindings(t);
  // The shared work queue serves the processes in turn; a process with its queue closed submits nothing.
  for (size_t tries = 0; tries < m_processes.size(); ++tries) {
    process& pr = m_processes[m_round_robin++ % m_processes.size()];
    if (!pr.bound) continue;
    move(t, pr);
    break;
  }
  m_next_event = t + m_interval;
}

}  // namespace vtd::traces::gen
