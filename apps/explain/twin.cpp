// Explanation twins (see header).
#include "apps/explain/twin.hpp"

#include <fmt/format.h>

#include "model/core/system/iommu.hpp"
#include "model/core/unit_setup.hpp"

namespace vtd::explain {

namespace {

// A twin is brought up with the registers the unit has latched, through the one bring-up sequence
// (model/core/unit_setup.hpp) the platform loader and the replay use.
void copy_registers(const core::remapping_unit& from, core::remapping_unit& to) {
  core::program(to, core::setup_of(from));
}

std::string describe(const core::walk_step& s) {
  const char* name = s.cache == core::cache_kind::iotlb       ? "IOTLB"
                     : s.cache == core::cache_kind::context   ? "context-cache"
                     : s.cache == core::cache_kind::pasid     ? "PASID cache"
                     : s.cache == core::cache_kind::interrupt ? "interrupt entry cache"
                                                              : "paging-structure cache";
  if (s.cache == core::cache_kind::pde || s.cache == core::cache_kind::pdpe ||
      s.cache == core::cache_kind::pml4e || s.cache == core::cache_kind::pml5e) {
    // Scalable mode keeps first- and second-stage paging-structure caches apart (fs_* and ss_* statistics).
    const char* stage = s.stage == core::translation_stage::first    ? "first-stage "
                        : s.stage == core::translation_stage::nested ? "nested first-stage "
                                                                     : "";
    return fmt::format("{}{} ({}): {}", stage, name, core::to_string(s.cache), s.ok ? "hit" : "miss");
  }
  return fmt::format("{}: {}", name, s.ok ? "hit" : "miss");
}

template <class Request, class Fn>
std::vector<std::string> second_access(core::remapping_unit& unit, const Request& req, Fn run) {
  core::iommu cached(unit.config(), unit.memory(), core::translation_caches_config{});
  copy_registers(unit, cached.unit());
  core::walk_record first, second;
  run(cached, req, first);
  run(cached, req, second);
  std::vector<std::string> out;
  for (const auto& s : second)
    if (s.kind == core::step_kind::cache_lookup) out.push_back(describe(s));
  const unsigned reads = second.memory_reads();
  out.push_back(reads ? fmt::format("{} memory read{} still needed", reads, reads == 1 ? "" : "s")
                      : "no memory reads: served entirely from the caches");
  return out;
}

}  // namespace

std::unique_ptr<core::remapping_unit> make_uncached_twin(core::remapping_unit& unit) {
  auto twin = std::make_unique<core::remapping_unit>(unit.config(), unit.memory());
  copy_registers(unit, *twin);
  return twin;
}

std::vector<std::string> second_access_dma(core::remapping_unit& unit, const core::dma_request& req) {
  return second_access(unit, req, [](core::iommu& u, const core::dma_request& r, core::walk_record& w) {
    u.translate(r, &w);
  });
}

std::vector<std::string> second_access_interrupt(core::remapping_unit& unit,
                                                 const core::interrupt_request& req) {
  return second_access(unit, req, [](core::iommu& u, const core::interrupt_request& r, core::walk_record& w) {
    u.remap_interrupt(r, &w);
  });
}

}  // namespace vtd::explain
