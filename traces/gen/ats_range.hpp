// The S and ADDR fields of the device-TLB invalidations the generated driver issues (dev_tlb_inv_dsc and
// p_dev_tlb_inv_dsc, VT-d spec 6.5.2.5 and 6.5.2.6: the PCIe ATS Invalidate Request's range encoding). The
// block encoding itself is model/spec/ats_range.hpp's; this file says which range each flush covers.
#pragma once
#include <cstdint>

namespace vtd::traces::gen {

struct devtlb_range {
  uint64_t addr = 0;  // ADDR[63:12] (bits 11:0 zero)
  bool s = false;     // S: more than one 4 KiB page
};

// The range of a page-selective flush of the naturally aligned 2^am x 4 KiB block holding `iova`: the block
// the IOTLB invalidation of the same flush covers (ADDR/AM), as Linux sends the same (address, mask) to both
// (drivers/iommu/intel: the IOTLB flush, then qi_flush_dev_iotlb with that mask).
devtlb_range devtlb_block(uint64_t iova, unsigned am);

// Every address: S=1 with ADDR[63:12] = 0x7_FFFF_FFFF_FFFF (the lowest 0 bit is bit 63, a 2^64-byte range),
// what Linux sends for a domain-wide flush and a PASID teardown (mask 64 - 12 = 52 in qi_flush_dev_iotlb and
// qi_flush_dev_iotlb_pasid).
devtlb_range devtlb_everything();

}  // namespace vtd::traces::gen
