// Entries wider than 64 bits (scalable-mode context entry: 256 bits, PASID-table entry: 512 bits) as an
// array of little-endian quadwords, read and written through the absolute-bit field descriptors of field.hpp.
// No field of these layouts straddles a quadword boundary, so every access is one 64-bit word.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "model/spec/bits.hpp"
#include "model/spec/field.hpp"

namespace vtd::spec {

template <std::size_t N>
struct wide_entry {
  std::array<uint64_t, N> qw{};  // QW0 at the lowest address

  constexpr uint64_t get(const field_desc& f) const { return f.get(qw[qword_of(f)]); }
  constexpr uint64_t in_place(const field_desc& f) const { return f.in_place(qw[qword_of(f)]); }
  constexpr bool flag(const field_desc& f) const { return get(f) != 0; }
  // Writes `value` (masked to the field's width) into the field, leaving every other bit alone.
  constexpr void set(const field_desc& f, uint64_t value) {
    uint64_t& w = qw[qword_of(f)];
    w = set_bits(w, f.hi % 64, f.lo % 64, value);
  }
  // Writes an address field from the address itself (its low bits below the field dropped).
  constexpr void set_in_place(const field_desc& f, uint64_t address) {
    uint64_t& w = qw[qword_of(f)];
    w = (w & ~field_mask(f.hi % 64, f.lo % 64)) | f.in_place(address);
  }
  static constexpr std::size_t qwords = N;
  static constexpr uint64_t size_bytes = 8 * N;

  friend constexpr bool operator==(const wide_entry&, const wide_entry&) = default;
};

}  // namespace vtd::spec
