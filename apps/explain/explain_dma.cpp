// Building the explanation of a DMA translation from the core's walk record (see explanation.hpp): the
// RTADDR register, then the steps of the mode RTADDR.TTM selects (legacy_walk.cpp, sm_walk.cpp), the input
// address cut into its index slices, the result, and for a fault the field to blame (fault_marks.cpp).
#include <fmt/format.h>

#include "apps/explain/explanation.hpp"
#include "apps/explain/fault_marks.hpp"
#include "apps/explain/step_parts.hpp"
#include "apps/explain/twin.hpp"
#include "apps/explain/walk_readers.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain {

namespace {

using parts::yn;

const char* ttm_meaning(spec::reg::ttm t) {
  switch (t) {
    case spec::reg::ttm::legacy:
      return "legacy mode: root -> context -> second-level tables";
    case spec::reg::ttm::scalable:
      return "scalable mode: root -> context -> PASID directory -> PASID table -> first-/second-stage tables";
    case spec::reg::ttm::reserved:
      return "reserved encoding: every DMA faults";
    case spec::reg::ttm::abort_dma:
      return "abort-DMA mode: every DMA is blocked";
  }
  return "reserved encoding: every DMA faults";
}
const char* ttm_name(spec::reg::ttm t) {
  switch (t) {
    case spec::reg::ttm::legacy:
      return "legacy";
    case spec::reg::ttm::scalable:
      return "scalable";
    case spec::reg::ttm::reserved:
      return "reserved";
    case spec::reg::ttm::abort_dma:
      return "abort_dma";
  }
  return "reserved";
}

// The input address cut into the index slices of the levels walked and the page offset; a first-stage input
// also shows the bits above the top index, which must copy the bit below them (canonical form).
void cut_into_slices(explanation& x, const read::walk_shape& shape, uint64_t address) {
  if (!shape.levels) return;
  if (shape.first_stage) {
    const unsigned top = spec::level_shift(shape.levels) + 9;  // 48 or 57
    x.slices.push_back({63, top, address >> top, "sign extension (canonical)", 0});
  }
  for (unsigned L = shape.levels; L >= shape.leaf_level; --L) {
    const unsigned lo = spec::level_shift(L);
    x.slices.push_back(
        {lo + 8, lo, spec::level_index(address, L), fmt::format("{} index", parts::level_table_name(L)), L});
    if (L == 1) break;
  }
  const unsigned off_hi = spec::level_shift(shape.leaf_level) - 1;
  x.slices.push_back({off_hi, 0, address & ((uint64_t{1} << (off_hi + 1)) - 1), "page offset", 0});
}

const char* stage_name(core::translation_stage s) {
  switch (s) {
    case core::translation_stage::first:
      return "first stage";
    case core::translation_stage::second:
      return "second stage";
    case core::translation_stage::nested:
      return "nested";
    case core::translation_stage::pass_through:
      return "pass-through";
    case core::translation_stage::none:
      return "no stage";
  }
  return "no stage";
}

std::string result_line(const explanation& x, const core::translation_result& r) {
  const bool scalable = x.mode == "scalable";
  switch (r.status) {
    case core::dma_status::translated: {
      if (!r.read && !r.write && !r.page_size)  // an ATS translation request answered without access
        return "no translation: the completion carries R=W=0 (the device may not use this address)";
      const uint64_t base = r.hpa & ~(r.page_size - 1);
      const std::string where = scalable ? fmt::format("domain {}, PASID {}, {}", r.domain_id,
                                                       spec::hex(r.pasid), stage_name(r.stage))
                                         : fmt::format("domain {}", r.domain_id);
      return fmt::format("HPA {} = page {} + offset {} ({} page, {}{}, {})", spec::hex(r.hpa),
                         spec::hex(base), spec::hex(r.hpa - base), parts::page_size_name(r.page_size),
                         r.read ? "R" : "-", r.write ? "W" : "-", where);
    }
    case core::dma_status::pass_through:
      if (!scalable) return fmt::format("HPA {} (pass-through)", spec::hex(r.hpa));
      if (r.stage == core::translation_stage::pass_through)
        return fmt::format("HPA {} (pass-through: PGTT=100b, domain {}, PASID {})", spec::hex(r.hpa),
                           r.domain_id, spec::hex(r.pasid));
      return fmt::format("HPA {} (a translated request: the device's address is used as it is)",
                         spec::hex(r.hpa));
    case core::dma_status::untranslated:
      return fmt::format("HPA {} (remapping disabled)", spec::hex(r.hpa));
    case core::dma_status::interrupt:
      return "an interrupt request: a DWORD write to 0xFEEx_xxxx goes to interrupt remapping (vtdsim walk "
             "--msi)";
    case core::dma_status::fault:
      break;
  }
  return "";
}

}  // namespace

explanation explain_dma(core::remapping_unit& unit, const core::dma_request& req) {
  explanation x;
  x.kind = "dma";
  x.input = req.address;
  const std::string prefix =
      req.has_pasid ? fmt::format(", PASID {}{}{}", spec::hex(req.pasid),
                                  req.privileged ? ", supervisor" : ", user", req.execute ? ", execute" : "")
                    : "";
  x.request = fmt::format("{} {} of {} bytes at IOVA {} ({}{})", spec::format_bdf(req.source_id),
                          core::to_string(req.access), req.length, spec::hex(req.address),
                          core::to_string(req.at), prefix);
  auto twin = make_uncached_twin(unit);
  core::walk_record rec;
  const core::translation_result r = twin->translate(req, &rec);
  const auto& regs = twin->regs();
  x.mode = ttm_name(regs.ttm());

  step reg;
  reg.kind = "register";
  reg.title = "RTADDR register (latched by GCMD.SRTP) and GSTS";
  reg.raw_lo = regs.root_table() | (uint64_t(regs.ttm()) << 10);
  reg.fields = {{"RTA", "63:12", spec::hex(regs.root_table()), "root table address"},
                {"TTM", "11:10", fmt::format("{:02b}b", unsigned(regs.ttm())), ttm_meaning(regs.ttm())},
                {"GSTS.TES", "31", yn(regs.translation_enabled()),
                 regs.translation_enabled() ? "DMA remapping enabled"
                                            : "DMA remapping disabled: addresses pass untranslated"}};
  reg.verdict = regs.translation_enabled()
                    ? fmt::format("index the root table with the bus number 0x{:02x}", req.source_id >> 8)
                    : "no translation: the DMA goes to the address as given";
  x.steps.push_back(reg);

  const spec::caps& caps = twin->caps();
  const read::walk_shape shape = regs.ttm() == spec::reg::ttm::scalable
                                     ? read::scalable_walk(x, rec, caps, req)
                                     : read::legacy_walk(x, rec, caps, req);
  cut_into_slices(x, shape, req.address);

  x.dma_query = req;
  x.dma_outcome = r;
  x.ok = r.ok();
  if (r.ok()) {
    x.result = result_line(x, r);
  } else {
    set_fault(x, r.fault, r.fault_recorded);
    const std::string stop = fmt::format("stop: fault {} {}", x.fault_code, spec::info(r.fault).name);
    if (step* last = mark_fault(x, r.fault, caps, req)) {
      last->fault = true;
      last->verdict = stop;
    } else {
      step s;
      s.kind = "check";
      s.title = "Request checks before the walk";
      s.fault = true;
      s.verdict = stop;
      x.steps.push_back(s);
    }
  }
  x.second_access = second_access_dma(unit, req);
  return x;
}

}  // namespace vtd::explain
