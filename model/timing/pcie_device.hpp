// A device on the upstream side of the remapping unit that waits (issue 13, closed-loop issue): it may have
// at most `tags` non-posted requests outstanding (reads, AtomicOps, ATS translation requests: one PCIe tag
// each, freed by the last completion) and at most `posted_credits` posted writes in flight (a credit is freed
// when the unit has accepted and translated the write), and its requests and completions cross its own PCIe
// link (pcie_link: TLP overheads, Max_Payload_Size / Max_Read_Request_Size split).
//
// One request at a time: issue() takes a slot and serialises the request TLPs upstream (the arrival at the
// unit); the caller has the unit translate it and access memory; complete() sends the completions downstream
// and frees the slot. complete() must follow each issue() before the next issue().
#pragma once
#include <cstdint>

#include "model/timing/link_calendar.hpp"
#include "model/timing/pcie_link.hpp"
#include "model/timing/slot_pool.hpp"

namespace vtd::timing {

struct device_params {
  unsigned tags = 32;            // outstanding non-posted requests (assumption; see docs/timing.md)
  unsigned posted_credits = 32;  // posted writes in flight (assumption)
  pcie_link_params link;
};

// What the request is on the link.
enum class device_request { read, write, atomic, translation };

struct device_timing {
  device_request kind = device_request::read;
  uint64_t address = 0;
  uint32_t payload = 0;        // data bytes moved (a read's completion data or a write's payload)
  picoseconds ready = 0;       // the trace's time: the earliest the device may issue it
  picoseconds issue = 0;       // a tag or credit was free: the first request TLP starts on the wire
  picoseconds arrival = 0;     // the last request TLP has reached the unit
  picoseconds translated = 0;  // the unit's translation is done
  picoseconds served = 0;      // the memory access is done (translated, for posted writes and faults)
  picoseconds completion = 0;  // the slot is free: the last completion reached the device (non-posted) or
                               // the unit accepted the write (posted)

  bool posted() const { return kind == device_request::write; }
  picoseconds queueing() const { return issue - ready; }
  picoseconds translation() const { return translated - arrival; }
  // Link and memory: the request's TLPs upstream, the memory access, the completions downstream.
  picoseconds link_and_memory() const { return (arrival - issue) + (completion - translated); }
  picoseconds latency() const { return completion - issue; }  // as the device sees it
};

class pcie_device {
 public:
  explicit pcie_device(const device_params& p);

  const device_params& params() const { return m_p; }
  const pcie_link& link() const { return m_link; }

  // Takes a tag (non-posted) or a posted credit at the earliest time >= ready and sends the request TLPs.
  device_timing issue(picoseconds ready, device_request kind, uint64_t address, uint32_t length);
  // The unit translated the request at `translated` and finished its memory access at `served` (== translated
  // when it faulted, `ok` false). Sends the completions (reads, AtomicOps, translation requests: data when
  // ok, a completion without data otherwise), frees the slot; fills t.completion and returns it.
  picoseconds complete(device_timing& t, picoseconds translated, picoseconds served, bool ok);

  const slot_pool& tags() const { return m_tags; }
  const slot_pool& credits() const { return m_credits; }

 private:
  device_params m_p;
  pcie_link m_link;
  slot_pool m_tags, m_credits;
  link_calendar m_down;
  bool m_open = false;  // an issue() awaits its complete()
};

}  // namespace vtd::timing
