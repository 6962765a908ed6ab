// A PCIe link between a device and the root complex, as the time its transactions take on the wire (issue
// 13, closed-loop devices). Facts from the PCI Express Base Specification: the transfer rates of generations
// 1-5 (2.5, 5, 8, 16, 32 GT/s per lane), their line encodings (8b/10b for 1-2, 128b/130b from 3 on), TLP
// headers of 3 DW (completions, 32-bit requests) or 4 DW (64-bit requests), a 2-byte sequence number and a
// 4-byte LCRC added by the data link layer, framing (Gen1/2: an STP and an END symbol; Gen3+: a 4-byte STP
// token), the Max_Payload_Size split of writes and completions, the Max_Read_Request_Size split of reads, and
// the Read Completion Boundary at which a completer may split completions. DLLP traffic (ACKs, flow-control
// updates) is a configurable fraction of the wire, default 0 (no published figure is assumed here).
//
// Each direction serialises its TLPs: reserve() returns when a TLP of a given size has left the wire, given
// when it was ready, so that a link-bound transfer takes (bytes on the wire) / (bytes per ns).
#pragma once
#include <cstdint>

#include "model/timing/timing_params.hpp"

namespace vtd::timing {

struct pcie_link_params {
  unsigned generation = 3;                 // 1..5
  unsigned lanes = 8;                      // 1, 2, 4, 8, 16
  unsigned max_payload = 256;              // Max_Payload_Size, bytes (128..4096)
  unsigned max_read_request = 512;         // Max_Read_Request_Size, bytes (128..4096)
  unsigned read_completion_boundary = 64;  // RCB, bytes (64 or 128)
  bool addr64 = true;                      // 64-bit addresses: 4 DW request headers
  double dllp_fraction = 0.0;              // share of the wire taken by DLLPs (ACK, UpdateFC)
};

// The TLPs one DMA becomes.
struct tlp_plan {
  unsigned requests = 0;          // MRd or MWr TLPs from the device
  unsigned completions = 0;       // CplD TLPs to the device (reads)
  uint64_t upstream_bytes = 0;    // device -> root complex, on the wire
  uint64_t downstream_bytes = 0;  // root complex -> device, on the wire
};

class pcie_link {
 public:
  explicit pcie_link(const pcie_link_params& p);

  const pcie_link_params& params() const { return m_p; }
  // Payload-carrying capacity of one direction after line encoding and DLLPs, in bytes per ns.
  double bytes_per_ns() const { return m_bytes_per_ns; }
  // Bytes a TLP occupies on the wire beyond its payload: header, sequence number, LCRC, framing.
  unsigned tlp_overhead(bool completion) const;
  // A read (`write` false) or write of `length` bytes at `address`: requests split at Max_Read_Request_Size
  // (reads) or Max_Payload_Size (writes), naturally aligned; read completions split at the RCB and at
  // Max_Payload_Size (one completion per RCB-aligned piece of at most MPS bytes, as a completer that returns
  // as much as it may at once).
  tlp_plan plan(bool write, uint64_t address, uint32_t length) const;
  // Time on the wire of `bytes`.
  picoseconds wire_time(uint64_t bytes) const;

  // Serialisation of each direction: a transfer of `bytes` ready at `ready` leaves the wire at the returned
  // time (it starts when the direction is free).
  picoseconds reserve_upstream(picoseconds ready, uint64_t bytes);
  picoseconds reserve_downstream(picoseconds ready, uint64_t bytes);
  void reset() { m_up_free = m_down_free = 0; }

 private:
  pcie_link_params m_p;
  double m_bytes_per_ns = 0;
  picoseconds m_up_free = 0, m_down_free = 0;
};

}  // namespace vtd::timing
