// Device-TLB invalidation ranges of the generated driver (see header).
#include "traces/gen/ats_range.hpp"

#include "model/spec/ats_range.hpp"
#include "traces/trace_error.hpp"

namespace vtd::traces::gen {

devtlb_range devtlb_block(uint64_t iova, unsigned am) {
  if (am > 51) throw trace_error("device-TLB invalidation: AM beyond the 64-bit address space");
  const uint64_t size = uint64_t{4096} << am;
  const auto e = spec::encode_ats_range(iova & ~(size - 1), size);
  if (!e) throw trace_error("device-TLB invalidation: a block the S/ADDR encoding cannot say");
  return {e->addr, e->s};
}

devtlb_range devtlb_everything() {
  const spec::ats_encoding e = spec::every_address();
  return {e.addr, e.s};
}

}  // namespace vtd::traces::gen
