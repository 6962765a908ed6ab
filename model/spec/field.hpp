// Bit-field descriptors: a structure field as the spec's tables name it (mnemonic, bit range, meaning). The
// entry accessors read their fields through these, the checker and `vtdsim walk` print them, so a bit range
// is written down once. Bit numbers of entries wider than 64 bits are absolute (AW is 66:64 of a context
// entry).
#pragma once
#include <cstdint>
#include <string>

#include "model/spec/bits.hpp"

namespace vtd::spec {

struct field_desc {
  const char* name;  // the spec's mnemonic, e.g. "SLPTPTR"
  unsigned hi, lo;   // absolute bit range, inclusive
  const char* meaning;

  constexpr unsigned width() const { return hi - lo + 1; }
  // The field's value from the 64-bit word that holds it (`qw` = QW(lo / 64) of the entry).
  constexpr uint64_t get(uint64_t qw) const { return get_bits(qw, hi % 64, lo % 64); }
  // The field in place (not shifted down): for address fields such as CTP 63:12.
  constexpr uint64_t in_place(uint64_t qw) const { return qw & field_mask(hi % 64, lo % 64); }
  constexpr uint64_t place(uint64_t value) const {
    return (value << (lo % 64)) & field_mask(hi % 64, lo % 64);
  }
  // "63:12", or "0" for a one-bit field.
  std::string bits() const {
    return hi == lo ? std::to_string(lo) : std::to_string(hi) + ":" + std::to_string(lo);
  }
};

// The word of a multi-word entry a field lives in.
constexpr unsigned qword_of(const field_desc& f) {
  return f.lo / 64;
}

}  // namespace vtd::spec
