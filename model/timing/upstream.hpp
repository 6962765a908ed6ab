// The one request and the one result of the remapping unit's upstream port, in both replay modes: a device's
// read, write or AtomicOp (a DMA), or its DWORD write to the interrupt address range (an interrupt request),
// and what the unit did with it, walk record included. The functional replay hands the request to serve()
// directly; the timed replay carries the same two objects inside the TLM extension (model/sysc/
// request_extension.hpp), and the SystemC shell calls the same serve() and adds the timing. SystemC-free, so
// that the functional replay never sees SystemC; it sits with the timing model because the result carries
// the timing the timed mode adds.
#pragma once
#include <cstdint>

#include "model/core/remapping_unit.hpp"
#include "model/core/walk_record.hpp"
#include "model/timing/latency_model.hpp"

namespace vtd::timing {

// What the device sends. Written by whoever issues the request (the replay engine from a trace record, a
// device model in a virtual platform); read by the unit.
struct upstream_request {
  // Requester id, address, length, read/write/AtomicOp, AT and the PASID TLP prefix of the transaction.
  core::dma_request dma;
  // The first DWORD of a write's data. The unit reads it only when the write turns out to be an interrupt
  // request (spec 3.15, "Handling Requests to Interrupt Address Range"): then it is the MSI data, whose
  // subhandle the remappable format uses (spec 5.1.2.2, "Interrupt Requests in Remappable Format"). A trace's
  // DMA carries no data, so 0 there.
  uint32_t data = 0;
};

// What the unit did. Written only by serve() (and, for `timed` and `timing`, by the timed transport); read by
// the issuer once the request has completed. Valid until the next request is served into the same object.
struct upstream_result {
  // The address-translation outcome. status == interrupt when the write addressed the interrupt range
  // (0xFEEx_xxxx): then `interrupt` holds the outcome and `translation` nothing else.
  core::translation_result translation;
  core::interrupt_result interrupt;  // interrupt requests only
  // Every memory read and cache lookup the request caused, in order: of the DMA translation, or of the
  // interrupt remapping for an interrupt request (the translation stage of such a write reads nothing).
  core::walk_record walk;
  // Facts of `walk`, gathered once by serve() so that no reader scans the walk again.
  bool iotlb_hit = false;     // the IOTLB lookup hit (a final translation was cached)
  bool context_hit = false;   // the context-cache lookup hit
  unsigned memory_reads = 0;  // structure reads (root, context, paging, IRTE, posted descriptor)
  // Timed mode only: when the request arrived, walked and completed (the timed transport writes them and
  // sets `timed`; serve() clears `timed`).
  bool timed = false;
  request_timing timing;

  bool is_interrupt() const { return translation.status == core::dma_status::interrupt; }
  bool ok() const { return is_interrupt() ? interrupt.ok() : translation.ok(); }
  spec::fault_reason fault() const { return is_interrupt() ? interrupt.fault : translation.fault; }
};

// Runs one request through the unit: address translation and, when the unit says the write is an interrupt
// request, interrupt remapping. Overwrites every field of `out` except `timing`. Both replay modes and the
// SystemC shell call this, so the sequence exists once.
void serve(core::remapping_unit& unit, const upstream_request& req, upstream_result& out);

}  // namespace vtd::timing
