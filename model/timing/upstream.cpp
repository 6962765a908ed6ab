// The unit's upstream port (see header).
#include "model/timing/upstream.hpp"

#include <new>
#include <type_traits>

namespace vtd::timing {

void serve(core::remapping_unit& unit, const upstream_request& req, upstream_result& out) {
  out.walk.clear();
  out.interrupt = core::interrupt_result{};
  out.timed = false;
  // Constructed in place from the returned value (guaranteed copy elision: the translator writes the result
  // where it is kept; copying it back from a temporary costs a store-forwarding stall on every request).
  // translation_result is trivially destructible, so the old value needs no destructor call.
  static_assert(std::is_trivially_destructible_v<core::translation_result>);
  ::new (&out.translation) core::translation_result(unit.translate(req.dma, &out.walk));
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
  // The facts of the walk, as the record keeps them: the first lookup of each cache decides its hit.
  out.iotlb_hit = out.walk.first_lookup_hit(core::cache_kind::iotlb);
  out.context_hit = out.walk.first_lookup_hit(core::cache_kind::context);
  out.memory_reads = out.walk.memory_reads();
}

}  // namespace vtd::timing
