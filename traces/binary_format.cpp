// Binary trace format: header and record encoding, validation of kinds and reserved bits
// (docs/trace-format.md, "Binary format").
#include "traces/binary_format.hpp"
#include "traces/record_kinds.hpp"
#include "traces/trace_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace vtd::traces {

namespace {
template <class T>
void put(std::byte* p, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    p[i] = static_cast<std::byte>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
}
template <class T>
T get(const std::byte* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(v);
}
constexpr std::size_t generator_field = 24;
}  // namespace

// Header layout (offsets in bytes): 0 magic[8], 8 version u16, 10 header_size u16, 12 endian_marker u32,
// 16 time_unit_ps u32, 20 record_size u16, 22 flags u16, 24 seed u64, 32 record_count u64,
// 40 generator char[24] (NUL padded).
void encode_header(const binary_header& h, std::byte* out) {
  std::memset(out, 0, binary_header_size);
  std::memcpy(out, binary_magic.data(), binary_magic.size());
  put<std::uint16_t>(out + 8, binary_version);
  put<std::uint16_t>(out + 10, binary_header_size);
  put<std::uint32_t>(out + 12, endian_marker);
  put<std::uint32_t>(out + 16, h.time_unit_ps);
  put<std::uint16_t>(out + 20, binary_record_size);
  put<std::uint16_t>(out + 22, h.flags);
  put<std::uint64_t>(out + 24, h.seed);
  put<std::uint64_t>(out + 32, h.record_count);
  std::memcpy(out + 40, h.generator.data(), std::min(h.generator.size(), generator_field));
}

binary_header decode_header(const std::byte* in, const std::string& name) {
  if (std::memcmp(in, binary_magic.data(), binary_magic.size()) != 0) {
    std::string magic;
    for (std::size_t i = 0; i < binary_magic.size(); ++i) {
      const auto c = static_cast<unsigned char>(in[i]);
      magic += c >= 0x20 && c < 0x7F && c != '\'' && c != '\\' ? std::string(1, char(c))
                                                               : fmt::format("\\x{:02x}", c);
    }
    throw trace_error(fmt::format(
        "{}: not a vtdsim binary trace: bad magic '{}' at byte offset 0 (expected 'VTDTRACE')", name, magic));
  }
  auto version = get<std::uint16_t>(in + 8);
  if (version < binary_min_version || version > binary_version)
    throw trace_error(fmt::format(
        "{}: unsupported vtdsim binary trace: bad version {} at byte offset 8 (this reader reads versions {} "
        "{} {})",
        name, version, binary_min_version, binary_version - binary_min_version == 1 ? "and" : "to",
        binary_version));
  if (get<std::uint16_t>(in + 10) != binary_header_size)
    throw trace_error(
        fmt::format("{}: unsupported vtdsim binary trace: bad header size {} at byte offset 10 (expected {})",
                    name, get<std::uint16_t>(in + 10), binary_header_size));
  auto marker = get<std::uint32_t>(in + 12);
  if (marker != endian_marker)
    throw trace_error(fmt::format(
        "{}: not a vtdsim binary trace: bad endianness marker 0x{:08x} at byte offset 12 (expected 0x{:08x})",
        name, marker, endian_marker));
  if (get<std::uint16_t>(in + 20) != binary_record_size)
    throw trace_error(
        fmt::format("{}: unsupported vtdsim binary trace: bad record size {} at byte offset 20 (expected {})",
                    name, get<std::uint16_t>(in + 20), binary_record_size));
  binary_header h;
  h.version = version;
  h.time_unit_ps = get<std::uint32_t>(in + 16);
  if (h.time_unit_ps == 0)
    throw trace_error(fmt::format(
        "{}: bad vtdsim binary trace header: time unit 0 ps at byte offset 16 (a tick is at least 1 ps)",
        name));
  // Header flags: version 2 defines bit 0 (header_closed_loop); every other bit, and every bit of a version-1
  // file (written before any flag existed), is reserved and refused by name, so that a flag this reader does
  // not know is never read as "open loop".
  h.flags = get<std::uint16_t>(in + 22);
  const std::uint16_t known = version >= 2 ? header_closed_loop : 0;
  if (const std::uint16_t reserved = h.flags & ~known; reserved != 0)
    throw trace_error(fmt::format(
        "{}: unsupported vtdsim binary trace: reserved header flags 0x{:x} set at byte offset 22{}", name,
        reserved, version < 2 ? " (version 1 has no header flags)" : ""));
  h.seed = get<std::uint64_t>(in + 24);
  h.record_count = get<std::uint64_t>(in + 32);
  const char* g = reinterpret_cast<const char*>(in + 40);
  h.generator.assign(g, strnlen(g, generator_field));
  return h;
}

// Record layout: 0 time u64, 8 addr u64, 16 value u64, 24 length u32, 28 id u16, 30 kind u8, 31 flags u8.
void encode_record(const record& r, std::byte* out) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, &r, sizeof r);
  } else {
    put<std::uint64_t>(out, r.time_ps);
    put<std::uint64_t>(out + 8, r.addr);
    put<std::uint64_t>(out + 16, r.value);
    put<std::uint32_t>(out + 24, r.length);
    put<std::uint16_t>(out + 28, r.id);
    out[30] = static_cast<std::byte>(r.kind);
    out[31] = static_cast<std::byte>(r.flags);
  }
}

// Big-endian hosts (decode_record is a memcpy on little-endian ones).
record decode_record_portable(const std::byte* in) {
  record r;
  r.time_ps = get<std::uint64_t>(in);
  r.addr = get<std::uint64_t>(in + 8);
  r.value = get<std::uint64_t>(in + 16);
  r.length = get<std::uint32_t>(in + 24);
  r.id = get<std::uint16_t>(in + 28);
  r.kind = static_cast<record_kind>(in[30]);
  r.flags = static_cast<std::uint8_t>(in[31]);
  return r;
}

// The checks come from the table of kinds (record_kinds.hpp), looked up by kind code: what the file's version
// could not hold, flag fields with values not in use and flags that need others, then fields wider than the
// kind allows, misaligned or zero where that is meaningless.
const char* flags_problem(std::uint8_t kind_code, std::uint8_t flags, std::uint16_t version) {
  static_assert(binary_version == 2, "record_problem knows versions 1 and 2: say what version 3 added");
  const binary_checks& c = checks_for(kind_code);
  if (!c.known) return "bad record kind";
  if (version < c.since)
    return "record kind new in version 2 of the binary format, in a version 1 file (scalable-mode records "
           "need version 2)";
  if ((flags & ~c.allowed_flags) != 0) return "reserved flag bits set";
  if (version < 2 && (flags & ~c.allowed_flags_v1) != 0)
    return "flag bits new in version 2 of the binary format set in a version 1 file (reserved there)";
  for (std::uint8_t i = 0; i < c.n_flags; ++i) {
    const flag_check& f = c.flags[i];
    if (!(f.legal >> ((flags & f.mask) >> f.shift) & 1)) return f.problem;
  }
  for (std::uint8_t i = 0; i < c.n_rules; ++i) {
    const flag_rule& f = c.rules[i];
    if ((flags & f.when) != 0 && (flags & f.mask) != f.value) return f.problem;
  }
  return "";
}

const char* record_problem(const record& r, std::uint16_t version) {
  const auto code = static_cast<std::uint8_t>(r.kind);
  if (const char* p = flags_problem(code, r.flags, version); *p) return p;
  return fields_problem(checks_for(code), r);
}

namespace {

record_checker::verdict_table verdicts_of(std::uint16_t version) {
  record_checker::verdict_table t{};
  for (unsigned code = 0; code <= record_kind_max; ++code) {
    const binary_checks& c = checks_for(std::uint8_t(code));
    for (unsigned f = 0; f < 256; ++f) {
      if (*flags_problem(std::uint8_t(code), std::uint8_t(f), version) != '\0') continue;  // refused
      // fields_problem skips a check unless all its `when` bits are set in the flags.
      bool fields = false;
      for (std::uint8_t i = 0; i < c.n_fields; ++i) fields |= (f & c.fields[i].when) == c.fields[i].when;
      t[code][f] = fields ? record_checker::verdict::check_fields : record_checker::verdict::valid;
    }
  }
  return t;
}

}  // namespace

record_checker::record_checker(std::uint16_t version) : m_version(version) {
  // Built once per version (thread-safe statics); a version outside the supported range (decode_header
  // refuses it before any record is read) refuses every record through record_problem.
  static const verdict_table v1 = verdicts_of(1), v2 = verdicts_of(2), none{};
  m_verdicts = version == 1 ? &v1 : version == 2 ? &v2 : &none;
  for (unsigned code = 0; code <= record_kind_max; ++code) m_checks[code] = &checks_for(std::uint8_t(code));
}

}  // namespace vtd::traces
