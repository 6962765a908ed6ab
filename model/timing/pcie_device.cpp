// A closed-loop PCIe device (see header).
#include "model/timing/pcie_device.hpp"

#include <stdexcept>

namespace vtd::timing {

namespace {
// A Translation Completion carries one 8-byte translation entry per translated range (ATS, "Translation
// Completion"): one here, as the unit answers for the request's own page.
constexpr uint32_t kTranslationEntryBytes = 8;
}  // namespace

pcie_device::pcie_device(const device_params& p)
    : m_p(p), m_link(p.link), m_tags(p.tags), m_credits(p.posted_credits) {}

device_timing pcie_device::issue(picoseconds ready, device_request kind, uint64_t address, uint32_t length) {
  if (m_open) throw std::logic_error("pcie_device: issue() before the previous request completed");
  m_open = true;
  device_timing t;
  t.kind = kind;
  t.ready = ready;
  t.address = address;
  uint64_t up = 0;
  switch (kind) {
    case device_request::read:
      t.payload = length;
      up = m_link.plan(false, address, length).upstream_bytes;
      break;
    case device_request::write:
      t.payload = length;
      up = m_link.plan(true, address, length).upstream_bytes;
      break;
    case device_request::atomic:  // the operands travel up like a write's payload, in one TLP
      t.payload = length;
      up = m_link.tlp_overhead(false) + length;
      break;
    case device_request::translation:  // a request header without data
      up = m_link.tlp_overhead(false);
      break;
  }
  t.issue = (t.posted() ? m_credits : m_tags).acquire(ready);
  t.arrival = m_link.reserve_upstream(t.issue, up);
  // Every later request arrives after this one (the upstream direction is in order), and its completions
  // are ready no earlier than its arrival: intervals that end before now can delay nothing any more.
  m_down.forget_before(t.arrival);
  return t;
}

picoseconds pcie_device::complete(device_timing& t, picoseconds translated, picoseconds served, bool ok) {
  if (!m_open) throw std::logic_error("pcie_device: complete() without issue()");
  m_open = false;
  t.translated = translated;
  t.served = served;
  uint64_t down = 0;
  switch (t.kind) {
    case device_request::read:
      down = ok ? m_link.plan(false, t.address, t.payload).downstream_bytes : m_link.tlp_overhead(true);
      break;
    case device_request::write:
      break;  // posted: no completion
    case device_request::atomic:
      down = m_link.tlp_overhead(true) + (ok ? t.payload : 0);
      break;
    case device_request::translation:
      down = m_link.tlp_overhead(true) + (ok ? kTranslationEntryBytes : 0);
      break;
  }
  if (t.posted()) {
    t.completion = translated;
    m_credits.hold_until(t.issue, t.completion);
  } else {
    t.completion = m_down.reserve(served, m_link.wire_time(down));
    m_tags.hold_until(t.issue, t.completion);
  }
  return t.completion;
}

}  // namespace vtd::timing
