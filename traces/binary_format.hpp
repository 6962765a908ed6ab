// Binary trace format: 64-byte header, then 32-byte little-endian records (docs/trace-format.md, "Binary
// format").
#pragma once

#include "traces/record.hpp"
#include "traces/record_kinds.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace vtd::traces {

inline constexpr std::array<char, 8> binary_magic = {'V', 'T', 'D', 'T', 'R', 'A', 'C', 'E'};
// Version 2 added the scalable-mode kinds (pasid-attach ... pdevtlb-inval) and flag bits (dma PMR/ER, map
// U/S=0 and XD); the layout is the same. Writers write binary_version; readers read every version from
// binary_min_version, refusing in an older file what it could not hold (docs/trace-format.md, "Version
// history").
inline constexpr std::uint16_t binary_version = 2;
inline constexpr std::uint16_t binary_min_version = 1;
inline constexpr std::uint32_t endian_marker = 0x01020304;  // reads back as 0x04030201 if byte-swapped
inline constexpr std::size_t binary_header_size = 64;
inline constexpr std::size_t binary_record_size = 32;

// Header flag bits (byte offset 22). closed_loop: the records' times are the earliest each device may issue
// its request (a workload for `replay --issue closed`), not issue times; replay defaults to closed issue for
// such a trace. Every other bit is reserved (0).
inline constexpr std::uint16_t header_closed_loop = 0x0001;

struct binary_header {
  std::uint32_t time_unit_ps = 1;  // picoseconds per time tick (1: times are in ps)
  std::uint16_t flags = 0;         // header_closed_loop or 0; other bits reserved
  std::uint64_t seed = 0;          // generator seed (0 if not generated)
  std::uint64_t record_count = 0;  // 0 = unknown (streamed)
  std::string generator;           // up to 24 bytes, e.g. "vtdsim-gen 0.1"
  // The file's format version as decode_header read it; encode_header always writes binary_version.
  std::uint16_t version = binary_version;

  friend bool operator==(const binary_header&, const binary_header&) = default;
};

void encode_header(const binary_header& h, std::byte* out);  // writes binary_header_size bytes
// Throws trace_error naming `name` on bad magic, version, endianness, sizes or reserved fields.
binary_header decode_header(const std::byte* in, const std::string& name);

// Record <-> 32 bytes. Encoding is a memcpy on little-endian hosts.
void encode_record(const record& r, std::byte* out);
record decode_record_portable(const std::byte* in);
inline record decode_record(const std::byte* in) {
  if constexpr (std::endian::native == std::endian::little) {
    record r;
    std::memcpy(&r, in, sizeof r);
    return r;
  } else {
    return decode_record_portable(in);
  }
}

// Empty string if r's kind and flags are valid in a file of format `version`; otherwise what is wrong ("bad
// record kind", "record kind new in version 2 ...", ...).
const char* record_problem(const record& r, std::uint16_t version = binary_version);

// The two halves of record_problem, which checks them in this order: what the kind and the flags byte alone
// decide (the kind exists in `version`, reserved and version-2 bits, flag values and the flags other flags
// need), then the fields (`c` is checks_for(kind), for a record whose flags passed).
const char* flags_problem(std::uint8_t kind_code, std::uint8_t flags, std::uint16_t version);
inline const char* fields_problem(const binary_checks& c, const record& r) {
  for (std::uint8_t i = 0; i < c.n_fields; ++i) {
    const field_check& f = c.fields[i];
    if ((r.flags & f.when) != f.when) continue;
    const std::uint64_t v = field_of(r, f.where);
    if ((v & f.bad_bits) != 0 || (f.zero_bad && v == 0)) return f.problem;
  }
  return "";
}

// record_problem for the binary reader's hot path: what record_problem says for every (kind, flags) of one
// format version is worked out once into a table, so that a valid record costs one table load (and, for the
// few (kind, flags) that have a field to check, such as a DMA with a PASID, that check). Any other record
// gets record_problem's own answer, so every message is the same.
class record_checker {
 public:
  explicit record_checker(std::uint16_t version = binary_version);
  const char* problem(const record& r) const {
    const auto code = static_cast<std::uint8_t>(r.kind);
    if (code <= record_kind_max) [[likely]] {
      const verdict v = (*m_verdicts)[code][r.flags];
      if (v == verdict::valid) [[likely]]
        return "";
      if (v == verdict::check_fields) return fields_problem(*m_checks[code], r);
    }
    return record_problem(r, m_version);
  }

  // For one (kind, flags): flags_problem refuses it; it passes and no field check applies to these flags;
  // it passes and a field check applies.
  enum class verdict : std::uint8_t { refused, valid, check_fields };
  using verdict_table = std::array<std::array<verdict, 256>, record_kind_max + 1>;

 private:
  std::uint16_t m_version;
  const verdict_table* m_verdicts;
  std::array<const binary_checks*, record_kind_max + 1> m_checks{};
};

}  // namespace vtd::traces
