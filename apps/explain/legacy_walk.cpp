// Explained steps of a legacy-mode walk record (root entry, context entry, second-level entries).
#include <fmt/format.h>

#include "apps/explain/step_builders.hpp"
#include "apps/explain/step_parts.hpp"
#include "apps/explain/walk_readers.hpp"
#include "model/spec/context_entry.hpp"
#include "model/spec/root_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain::read {

walk_shape legacy_walk(explanation& x, const core::walk_record& rec, const spec::caps& caps,
                       const core::dma_request& req) {
  walk_shape shape;
  for (const auto& w : rec) {
    switch (w.kind) {
      case core::step_kind::root_entry: {
        x.steps.push_back(build::root_step(w, caps, req.source_id));
        spec::root_entry e{w.raw_lo, w.raw_hi};
        x.steps.back().verdict = fmt::format("present: index the context table at {} with devfn 0x{:02x}",
                                             spec::hex(e.ctp()), req.source_id & 0xFF);
        break;
      }
      case core::step_kind::context_entry: {
        x.steps.push_back(build::context_step(w, caps, req.source_id));
        spec::context_entry e{w.raw_lo, w.raw_hi};
        // Pass-through has no walk, so no index slices.
        shape.levels = e.tt() != spec::translation_type::pass_through && e.aw() >= 1 && e.aw() <= 3
                           ? spec::aw_to_levels(e.aw())
                           : 0;
        x.steps.back().verdict =
            e.tt() == spec::translation_type::pass_through
                ? "pass-through (TT=10b): the DMA address is used as the host physical address"
                : fmt::format("domain {}: walk the {}-level second-level table at {}", e.did(), shape.levels,
                              spec::hex(e.slptptr()));
        break;
      }
      case core::step_kind::sl_entry: {
        x.steps.push_back(build::sl_step(w, caps, req.address, "IOVA", nullptr));
        spec::sl_entry e{w.raw_lo};
        if (e.is_leaf(w.level)) {
          shape.leaf_level = w.level;
          x.steps.back().verdict =
              fmt::format("leaf: {} page at {}", parts::page_size_name(spec::level_page_size(w.level)),
                          spec::hex(e.address(w.level)));
        } else {
          x.steps.back().verdict =
              fmt::format("go on to the level {} table at {}", w.level - 1, spec::hex(e.address(w.level)));
        }
        break;
      }
      // Cache lookups: the explained walk is uncached (the second access shows the caches); the other kinds
      // never occur in a legacy DMA walk.
      case core::step_kind::cache_lookup:
      case core::step_kind::pasid_dir_entry:
      case core::step_kind::pasid_entry:
      case core::step_kind::fs_entry:
      case core::step_kind::irte:
      case core::step_kind::posted_descriptor:
      case core::step_kind::status_write:
        break;
    }
  }
  return shape;
}

}  // namespace vtd::explain::read
