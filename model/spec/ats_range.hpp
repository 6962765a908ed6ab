// The address range of a device-TLB invalidation: the PCIe ATS Invalidate Request's size encoding, which
// dev_tlb_inv_dsc and p_dev_tlb_inv_dsc carry unchanged in their S and ADDR fields (VT-d spec 6.5.2.5 and
// 6.5.2.6, "Size (S)" and "Address (ADDR)"). S=0: the one 4 KiB page at ADDR. S=1: the position n of the
// lowest 0 bit of ADDR[63:12] says the range is the naturally aligned 2^(n+1)-byte block holding ADDR
// (ADDR[12]=0: 8 KiB; ADDR[12]=1 and ADDR[13]=0: 16 KiB; ...); ADDR[63:12] all ones (no 0 bit) means every
// address.
#pragma once
#include <bit>
#include <cstdint>
#include <optional>

namespace vtd::spec {

struct ats_range {
  uint64_t base = 0;     // naturally aligned to size
  uint64_t size = 4096;  // a power of two >= 4 KiB; 0 with `all`
  bool all = false;      // S=1, ADDR[62:12] all ones: the whole address space

  bool contains(uint64_t addr) const { return all || (addr - base) < size; }
  // Whether [addr, addr + bytes) meets the range.
  bool overlaps(uint64_t addr, uint64_t bytes) const {
    return all || (addr < base + size && base < addr + bytes);
  }
};

// Decodes ADDR (bits 63:12 of the descriptor's address quadword; bits 11:0 are ignored here) and S.
constexpr ats_range decode_ats_range(uint64_t addr, bool s) {
  const uint64_t page = addr >> 12;  // ADDR[63:12]
  if (!s) return {page << 12, 4096, false};
  const unsigned n = 12 + unsigned(std::countr_one(page));  // the lowest 0 bit of ADDR[63:12]
  // A block of 2^64 bytes (the lowest 0 bit is bit 63: ADDR = 0x7FFF_FFFF_FFFF_F000, what drivers send) is
  // every address; so is ADDR[63:12] all ones, which has no 0 bit at all.
  if (n >= 63) return {0, 0, true};
  const uint64_t size = uint64_t{1} << (n + 1);
  return {(page << 12) & ~(size - 1), size, false};
}

struct ats_encoding {
  uint64_t addr = 0;  // goes in ADDR[63:12]
  bool s = false;
};

// The encoding of the naturally aligned block of `size` bytes (a power of two >= 4 KiB, at most 2^63) at
// `base`; nothing when the block is not one the encoding can say. every_address() says "all".
constexpr std::optional<ats_encoding> encode_ats_range(uint64_t base, uint64_t size) {
  if (size < 4096 || !std::has_single_bit(size) || (base & (size - 1)) != 0) return std::nullopt;
  if (size == 4096) return ats_encoding{base, false};
  // Bits 12 .. log2(size)-2 are ones and bit log2(size)-1 is zero.
  const uint64_t ones = (size >> 1) - 4096;  // bits 12 .. log2(size) - 2
  return ats_encoding{base | ones, true};
}
constexpr ats_encoding every_address() {
  return {0x7FFF'FFFF'FFFF'F000, true};
}

}  // namespace vtd::spec
