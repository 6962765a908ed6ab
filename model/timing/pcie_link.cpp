// PCIe link timing (see header).
#include "model/timing/pcie_link.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vtd::timing {

namespace {
// Transfer rate per lane in GT/s and line-code efficiency, by generation (PCI Express Base Specification).
double gt_per_s(unsigned gen) {
  switch (gen) {
    case 1:
      return 2.5;
    case 2:
      return 5.0;
    case 3:
      return 8.0;
    case 4:
      return 16.0;
    case 5:
      return 32.0;
  }
  throw std::invalid_argument("PCIe generation must be 1..5");
}
double encoding_efficiency(unsigned gen) {
  return gen <= 2 ? 8.0 / 10.0 : 128.0 / 130.0;
}
bool power_of_two_in(unsigned v, unsigned lo, unsigned hi) {
  return v >= lo && v <= hi && (v & (v - 1)) == 0;
}
}  // namespace

pcie_link::pcie_link(const pcie_link_params& p) : m_p(p) {
  if (!power_of_two_in(p.lanes, 1, 16)) throw std::invalid_argument("PCIe lanes must be 1, 2, 4, 8 or 16");
  if (!power_of_two_in(p.max_payload, 128, 4096) || !power_of_two_in(p.max_read_request, 128, 4096))
    throw std::invalid_argument(
        "Max_Payload_Size and Max_Read_Request_Size must be powers of two, 128..4096");
  if (p.read_completion_boundary != 64 && p.read_completion_boundary != 128)
    throw std::invalid_argument("the Read Completion Boundary is 64 or 128 bytes");
  if (!(p.dllp_fraction >= 0 && p.dllp_fraction < 1))
    throw std::invalid_argument("dllp_fraction must be in [0, 1)");
  // GT/s per lane = Gbit/s per lane on the wire; / 8 = bytes per ns.
  m_bytes_per_ns =
      gt_per_s(p.generation) * p.lanes * encoding_efficiency(p.generation) / 8.0 * (1.0 - p.dllp_fraction);
}

unsigned pcie_link::tlp_overhead(bool completion) const {
  // Header: completions 3 DW; requests 4 DW with 64-bit addresses, else 3 DW. Data link layer: 2-byte
  // sequence number, 4-byte LCRC. Framing: Gen1/2 STP + END symbols (2 bytes), Gen3+ a 4-byte STP token.
  const unsigned header = completion ? 12 : (m_p.addr64 ? 16 : 12);
  const unsigned framing = m_p.generation <= 2 ? 2 : 4;
  return header + 2 + 4 + framing;
}

tlp_plan pcie_link::plan(bool write, uint64_t address, uint32_t length) const {
  tlp_plan t;
  if (length == 0) {  // a zero-length read is one request and one completion without data
    t.requests = 1;
    t.upstream_bytes = tlp_overhead(false);
    if (!write) {
      t.completions = 1;
      t.downstream_bytes = tlp_overhead(true);
    }
    return t;
  }
  const uint64_t end = address + length;
  // Requests: naturally aligned pieces of at most MPS (writes) or MRRS (reads) bytes.
  const uint64_t limit = write ? m_p.max_payload : m_p.max_read_request;
  for (uint64_t a = address; a < end;) {
    const uint64_t next = std::min(end, (a / limit + 1) * limit);
    ++t.requests;
    t.upstream_bytes += tlp_overhead(false) + (write ? next - a : 0);
    a = next;
  }
  if (write) return t;
  // Completions: RCB-aligned pieces, merged up to MPS bytes without crossing an MPS-aligned boundary.
  for (uint64_t a = address; a < end;) {
    const uint64_t next = std::min(end, (a / m_p.max_payload + 1) * m_p.max_payload);
    ++t.completions;
    t.downstream_bytes += tlp_overhead(true) + (next - a);
    a = next;
  }
  return t;
}

picoseconds pcie_link::wire_time(uint64_t bytes) const {
  return static_cast<picoseconds>(std::llround(double(bytes) / m_bytes_per_ns * 1000.0));
}

picoseconds pcie_link::reserve_upstream(picoseconds ready, uint64_t bytes) {
  m_up_free = std::max(ready, m_up_free) + wire_time(bytes);
  return m_up_free;
}

picoseconds pcie_link::reserve_downstream(picoseconds ready, uint64_t bytes) {
  m_down_free = std::max(ready, m_down_free) + wire_time(bytes);
  return m_down_free;
}

}  // namespace vtd::timing
