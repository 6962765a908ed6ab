// The unit's upstream port (see header).
#include "model/timing/upstream.hpp"

namespace vtd::timing {

namespace {

// The first lookup of each cache decides its hit: a walk probes each cache at most once per request.
void gather(upstream_result& out) {
  bool iotlb_seen = false, context_seen = false;
  for (const core::walk_step& s : out.walk) {
    if (s.kind != core::step_kind::cache_lookup) continue;
    if (s.cache == core::cache_kind::iotlb && !iotlb_seen) {
      iotlb_seen = true;
      out.iotlb_hit = s.ok;
    } else if (s.cache == core::cache_kind::context && !context_seen) {
      context_seen = true;
      out.context_hit = s.ok;
    }
  }
  out.memory_reads = out.walk.memory_reads();
}

}  // namespace

void serve(core::remapping_unit& unit, const upstream_request& req, upstream_result& out) {
  out.walk.clear();
  out.interrupt = core::interrupt_result{};
  out.iotlb_hit = out.context_hit = false;
  out.timed = false;
  out.translation = unit.translate(req.dma, &out.walk);
  if (out.is_interrupt()) {
    // Spec 3.15: a write to the interrupt address range is an interrupt request, not a DMA; the unit
    // remaps it (or blocks it) and the walk that counts is the interrupt remapping's.
    core::interrupt_request irq;
    irq.source_id = req.dma.source_id;
    irq.address = req.dma.address;
    irq.data = req.data;
    out.walk.clear();
    out.interrupt = unit.remap_interrupt(irq, &out.walk);
  }
  gather(out);
}

}  // namespace vtd::timing
