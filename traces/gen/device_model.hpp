// Common machinery of the generator's device models: each device is driven by its own events (packet
// arrivals, I/O submissions, bursts) and keeps the records an event produces in a small time-ordered queue
// (traces/gen/pending_records.hpp), so that records can be released in global time order while events overlap
// in time (a packet's unmap comes after the next packet's DMA).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "traces/gen/iova_allocator.hpp"
#include "traces/gen/pending_records.hpp"
#include "traces/gen/platform_parts.hpp"
#include "traces/gen/rng.hpp"
#include "traces/gen/workload.hpp"
#include "traces/record.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

constexpr uint64_t kNs = 1000;                   // picoseconds per nanosecond
constexpr uint64_t kUs = 1000000;                // picoseconds per microsecond
constexpr uint64_t kStatusAddress = 0x0FFFF000;  // inv_wait status page (below the default table region)

class device_model {
 public:
  // Device `index` of its kind, placed by `where`, its DMA domain translating as `stage` (scalable mode: the
  // domain its RID_PASID is attached to; nested: in the vIOMMU guest of `platform`); `ats`: the device has a
  // device TLB (ATS). Throws trace_error when the index is beyond the limit.
  device_model(std::string kind, unsigned index, placement where, uint64_t seed, device_stage stage,
               platform_parts& platform, bool ats = false);
  virtual ~device_model() = default;

  // Time of the next record this device will release (after generating as many events as needed).
  uint64_t head_time() {
    while (m_queue.empty() || m_queue.head_time() > m_next_event) next_event();
    return m_queue.head_time();
  }
  record pop() {
    head_time();
    return m_queue.pop();
  }
  // Releases records in order into out[0..room) while the head is before `until` (at `until` too when
  // `until_inclusive`: the merge's tie-break by device index) and `dma_budget` lasts; each DMA takes one from
  // it. Returns how many. Generates events exactly as a pop() per record would (only as the head needs them),
  // so a model sharing state with another (a nested device's guest memory) sees the same calls in the same
  // order.
  virtual size_t release(record* out, size_t room, uint64_t& dma_budget, uint64_t until,
                         bool until_inclusive);
  const std::string& name() const { return m_name; }

 protected:
  // Produces the records of the next event (all at times >= the event time) and advances m_next_event.
  virtual void next_event() = 0;

  void emit(const record& r) { m_queue.push(r); }
  bool has_pending() const { return !m_queue.empty(); }
  // Driver unmap with the configured invalidation policy. Strict: a page-selective invalidation and a wait
  // per unmap; deferred: queued, flushed domain-wide in batches (the IOVA is reused only after its flush). A
  // second-stage domain is invalidated with iotlb-inval; first-stage and nested domains, whose IOTLB entries
  // are PASID-tagged, with piotlb-inval for the RID_PASID (as Linux does, and as a vIOMMU forwards a guest's
  // invalidation). An ATS device's device TLB is invalidated after the IOTLB and before the wait of the same
  // flush: a devtlb-inval of the same block (strict) or of every address (a domain-wide flush).
  void unmap(uint64_t t, uint64_t iova, uint64_t bytes, bool strict, unsigned flush_batch,
             uint64_t flush_timeout);
  void flush_deferred(uint64_t t);
  // A data buffer's page: a random host page, or a random page of guest memory for a nested domain (a GPA).
  uint64_t random_hpa_page();
  // The next page of a physically contiguous stream of buffers (sequential I/O), host or guest.
  uint64_t next_sequential_page();
  // Where a long-lived mapping (ring, pool) points: `host_hpa`, or guest memory for a nested domain.
  uint64_t long_lived_output(uint64_t bytes, uint64_t host_hpa);
  // Registers an MSI-X vector: an IRTE validated against this device's requester id. Returns the MSI address.
  uint64_t add_vector(platform_parts& p, uint8_t vector, uint32_t destination);
  // Adds this device and its DMA domain, translating as the device's stage, with `mappings`.
  void add_to_platform(platform_parts& p, std::vector<tables::mapping_desc> mappings);

  std::string m_name;
  uint16_t m_sid, m_domain;
  device_stage m_stage;
  rng m_rng;
  iova_allocator m_iova;
  uint64_t m_next_event = 0;
  guest_memory* m_guest = nullptr;  // nested: the vIOMMU guest's memory
  bool m_ats = false;               // the device keeps a device TLB (ATS)

 private:
  pending_records m_queue;
  std::vector<std::pair<uint64_t, uint64_t>> m_deferred;  // (iova, bytes) awaiting a flush
  uint64_t m_deferred_since = 0;
  uint64_t m_deferred_latest = 0;
  uint64_t m_sequential = uint64_t{0x40} << 32;  // host: readahead-like contiguous pages from 256 GiB
};

}  // namespace vtd::traces::gen
