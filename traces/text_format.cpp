// Text trace format: canonical printer and line parser (docs/trace-format.md, "Text format").
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace vtd::traces {

namespace {

constexpr std::array<std::string_view, 3> op_names = {"read", "write", "atomic"};
constexpr std::array<std::string_view, 3> at_names = {"untranslated", "treq", "translated"};

std::string_view gran_name(record_kind k, granularity g) {
  auto v = static_cast<unsigned>(g);
  if (v == 0) return "global";
  if (v == 1) return "domain";
  if (v == 2) return k == record_kind::cc_inval ? "device" : k == record_kind::iotlb_inval ? "page" : "index";
  return "?";
}

void append_hex(std::string& out, std::string_view key, std::uint64_t v) {
  fmt::format_to(std::back_inserter(out), " {}=0x{:x}", key, v);
}
void append_dec(std::string& out, std::string_view key, std::uint64_t v) {
  fmt::format_to(std::back_inserter(out), " {}={}", key, v);
}
void append_q(std::string& out, const record& r) {
  out += r.queued() ? " qi" : " reg";
}

// Tokenizer over one line: words are separated by blanks; '#' starts a comment.
class line_lexer {
 public:
  explicit line_lexer(std::string_view line) : m_line(line) {}

  // Next word, or empty at end of line / comment.
  std::string_view next() {
    while (m_pos < m_line.size() && (m_line[m_pos] == ' ' || m_line[m_pos] == '\t' || m_line[m_pos] == '\r'))
      ++m_pos;
    if (m_pos >= m_line.size() || m_line[m_pos] == '#') {
      m_start = m_pos;
      return {};
    }
    m_start = m_pos;
    while (m_pos < m_line.size() && m_line[m_pos] != ' ' && m_line[m_pos] != '\t' && m_line[m_pos] != '\r' &&
           m_line[m_pos] != '#')
      ++m_pos;
    return m_line.substr(m_start, m_pos - m_start);
  }
  std::size_t column() const { return m_start + 1; }
  [[noreturn]] void fail(std::string_view expected, std::string_view got, std::size_t offset = 0) const {
    if (got.empty())
      throw text_parse_error(column() + offset, fmt::format("expected {}, got end of line", expected));
    throw text_parse_error(column() + offset, fmt::format("expected {}, got '{}'", expected, got));
  }

 private:
  std::string_view m_line;
  std::size_t m_pos = 0;
  std::size_t m_start = 0;
};

std::optional<std::uint64_t> to_number(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::uint64_t number(line_lexer& lx, std::string_view tok, std::string_view what, std::uint64_t max,
                     std::size_t offset = 0) {
  auto v = to_number(tok);
  if (!v) lx.fail(fmt::format("{} (decimal or 0x hex number)", what), tok, offset);
  if (*v > max) lx.fail(fmt::format("{} <= 0x{:x}", what, max), tok, offset);
  return *v;
}

std::optional<std::uint16_t> to_bdf(std::string_view s) {
  // bb:dd.f in hex
  auto colon = s.find(':');
  auto dot = s.find('.');
  if (colon == std::string_view::npos || dot == std::string_view::npos || dot < colon) return std::nullopt;
  unsigned b = 0, d = 0, f = 0;
  auto part = [](std::string_view p, unsigned& v, unsigned max) {
    if (p.empty() || p.size() > 2) return false;
    auto [e, ec] = std::from_chars(p.data(), p.data() + p.size(), v, 16);
    return ec == std::errc{} && e == p.data() + p.size() && v <= max;
  };
  if (!part(s.substr(0, colon), b, 0xff) || !part(s.substr(colon + 1, dot - colon - 1), d, 0x1f) ||
      !part(s.substr(dot + 1), f, 7))
    return std::nullopt;
  return make_sid(b, d, f);
}

std::uint16_t bdf(line_lexer& lx, std::string_view tok, std::size_t offset = 0) {
  auto v = to_bdf(tok);
  if (!v) lx.fail("a bus:device.function like 00:02.0 (device <= 1f, function <= 7)", tok, offset);
  return *v;
}

// Named fields "key=value" and bare flags after the fixed part of a line.
struct field_parser {
  line_lexer& lx;
  record& r;
  std::string_view kind_fields;  // for messages

  template <class F>
  void run(F&& on_field) {
    for (auto tok = lx.next(); !tok.empty(); tok = lx.next()) {
      auto eq = tok.find('=');
      std::string_view key = eq == std::string_view::npos ? tok : tok.substr(0, eq);
      std::string_view val = eq == std::string_view::npos ? std::string_view{} : tok.substr(eq + 1);
      if (!on_field(key, val, eq == std::string_view::npos ? 0 : eq + 1)) lx.fail(kind_fields, tok);
    }
  }
};

}  // namespace

std::string format_bdf(std::uint16_t sid) {
  return fmt::format("{:02x}:{:02x}.{:x}", sid >> 8, (sid >> 3) & 0x1f, sid & 7);
}

void format_record(const record& r, std::string& out) {
  auto o = std::back_inserter(out);
  fmt::format_to(o, "{} {}", r.time_ps, kind_name(r.kind));
  switch (r.kind) {
    case record_kind::dma:
      fmt::format_to(o, " {} {} 0x{:x} {}", format_bdf(r.id),
                     op_names[std::min(static_cast<unsigned>(r.op()), 2u)], r.addr, r.length);
      if (r.has_pasid())
        append_hex(out, "pasid", r.value);
      else if (r.value != 0)
        append_hex(out, "value", r.value);
      if (r.at() != address_type::untranslated)
        fmt::format_to(o, " at={}", at_names[std::min(static_cast<unsigned>(r.at()), 2u)]);
      break;
    case record_kind::msi:
      fmt::format_to(o, " {} 0x{:x} 0x{:x}", format_bdf(r.id), r.addr, r.value);
      if (r.length) append_dec(out, "length", r.length);
      break;
    case record_kind::map:
    case record_kind::unmap:
      append_dec(out, "dom", r.id);
      append_hex(out, "iova", r.addr);
      if (r.kind == record_kind::map || r.value) append_hex(out, "hpa", r.value);
      append_hex(out, "len", r.map_bytes());
      if (r.kind == record_kind::map || r.flags)
        out += r.readable() && r.writable() ? " rw" : r.readable() ? " r" : r.writable() ? " w" : " none";
      break;
    case record_kind::attach:
    case record_kind::detach:
      fmt::format_to(o, " {}", format_bdf(r.id));
      append_dec(out, "dom", r.value);
      if (r.addr) append_hex(out, "addr", r.addr);
      if (r.length) append_dec(out, "length", r.length);
      break;
    case record_kind::cc_inval:
      fmt::format_to(o, " {}", gran_name(r.kind, r.gran()));
      if (r.gran() != granularity::global || r.value) append_dec(out, "dom", r.value);
      if (r.gran() == granularity::device || r.id) fmt::format_to(o, " sid={}", format_bdf(r.id));
      if (r.gran() == granularity::device || r.length) append_dec(out, "fm", r.length);
      if (r.addr) append_hex(out, "addr", r.addr);
      append_q(out, r);
      break;
    case record_kind::iotlb_inval:
      fmt::format_to(o, " {}", gran_name(r.kind, r.gran()));
      if (r.gran() != granularity::global || r.value) append_dec(out, "dom", r.value);
      if (r.gran() == granularity::page || r.addr) append_hex(out, "addr", r.addr);
      if (r.gran() == granularity::page || r.length) append_dec(out, "am", r.length);
      if (r.id) fmt::format_to(o, " sid={}", format_bdf(r.id));
      if (r.flags & flag::ih) out += " ih";
      append_q(out, r);
      break;
    case record_kind::iec_inval:
      fmt::format_to(o, " {}", gran_name(r.kind, r.gran()));
      if (r.gran() != granularity::global || r.value) append_dec(out, "index", r.value);
      if (r.gran() != granularity::global || r.length) append_dec(out, "im", r.length);
      if (r.addr) append_hex(out, "addr", r.addr);
      if (r.id) fmt::format_to(o, " sid={}", format_bdf(r.id));
      append_q(out, r);
      break;
    case record_kind::devtlb_inval:
      fmt::format_to(o, " {}", format_bdf(r.id));
      append_hex(out, "addr", r.addr);
      if (r.value) append_hex(out, "value", r.value);
      if (r.length) append_dec(out, "length", r.length);
      if (r.flags & flag::size) out += " s";
      append_q(out, r);
      break;
    case record_kind::inv_wait:
      append_hex(out, "addr", r.addr);
      append_hex(out, "data", r.value);
      if (r.id) fmt::format_to(o, " sid={}", format_bdf(r.id));
      if (r.length) append_dec(out, "length", r.length);
      if (r.flags & flag::wait_if) out += " if";
      if (r.flags & flag::wait_sw) out += " sw";
      if (r.flags & flag::wait_fn) out += " fn";
      append_q(out, r);
      break;
  }
}

std::string format_record(const record& r) {
  std::string s;
  format_record(r, s);
  return s;
}

bool parse_record_line(std::string_view line, record& out) {
  line_lexer lx(line);
  auto tok = lx.next();
  if (tok.empty()) return false;
  record r;
  r.time_ps = number(lx, tok, "a time in picoseconds", UINT64_MAX);
  tok = lx.next();
  std::optional<record_kind> kind;
  for (std::uint8_t k = 1; k <= record_kind_max; ++k)
    if (kind_name(static_cast<record_kind>(k)) == tok) kind = static_cast<record_kind>(k);
  if (!kind)
    lx.fail(
        "a record kind (dma, msi, map, unmap, attach, detach, cc-inval, iotlb-inval, iec-inval, "
        "devtlb-inval, inv-wait)",
        tok);
  r.kind = *kind;

  // Common optional raw fields, accepted wherever the printer may emit them for non-canonical values.
  auto u16 = std::uint64_t{0xffff};
  auto u32 = std::uint64_t{0xffffffff};
  bool have_q = false;
  auto set_q = [&](std::string_view key) {
    if (key == "qi" || key == "reg") {
      if (key == "qi") r.flags |= flag::queued;
      have_q = true;
      return true;
    }
    return false;
  };
  auto gran = [&](std::string_view third) {
    auto g = lx.next();
    if (g == "global") return granularity::global;
    if (g == "domain") return granularity::domain;
    if (g == third) return granularity::device;
    lx.fail(fmt::format("a granularity (global, domain or {})", third), g);
  };
  auto need_q = [&] {
    if (!have_q) throw text_parse_error(line.size() + 1, "expected 'qi' (queued) or 'reg' (register-based)");
  };

  switch (r.kind) {
    case record_kind::dma: {
      r.id = bdf(lx, lx.next());
      tok = lx.next();
      unsigned op = 0;
      while (op < op_names.size() && op_names[op] != tok) ++op;
      if (op == op_names.size()) lx.fail("read, write or atomic", tok);
      r.flags = static_cast<std::uint8_t>(op);
      r.addr = number(lx, lx.next(), "an address", UINT64_MAX);
      r.length = static_cast<std::uint32_t>(number(lx, lx.next(), "a length in bytes", u32));
      field_parser{lx, r, "pasid=N, value=N or at=untranslated|treq|translated"}.run(
          [&](std::string_view k, std::string_view v, std::size_t off) {
            if (k == "pasid") {
              r.value = number(lx, v, "a PASID", 0xfffff, off);
              r.flags |= flag::has_pasid;
            } else if (k == "value") {
              r.value = number(lx, v, "a value", UINT64_MAX, off);
            } else if (k == "at") {
              unsigned a = 0;
              while (a < at_names.size() && at_names[a] != v) ++a;
              if (a == at_names.size()) lx.fail("untranslated, treq or translated", v, off);
              r.flags = static_cast<std::uint8_t>((r.flags & ~flag::at_mask) | (a << flag::at_shift));
            } else {
              return false;
            }
            return true;
          });
      break;
    }
    case record_kind::msi:
      r.id = bdf(lx, lx.next());
      r.addr = number(lx, lx.next(), "an MSI address", UINT64_MAX);
      r.value = number(lx, lx.next(), "MSI data", u32);
      field_parser{lx, r, "length=N"}.run([&](std::string_view k, std::string_view v, std::size_t off) {
        if (k != "length") return false;
        r.length = static_cast<std::uint32_t>(number(lx, v, "a length", u32, off));
        return true;
      });
      break;
    case record_kind::map:
    case record_kind::unmap: {
      bool have_dom = false, have_iova = false, have_len = false, have_hpa = false, have_perm = false;
      field_parser{lx, r, "dom=, iova=, hpa=, len= or r|w|rw|none"}.run(
          [&](std::string_view k, std::string_view v, std::size_t off) {
            if (k == "dom") {
              r.id = static_cast<std::uint16_t>(number(lx, v, "a domain id", u16, off));
              have_dom = true;
            } else if (k == "iova") {
              r.addr = number(lx, v, "an IOVA", UINT64_MAX, off);
              if (r.addr & 0xfff) lx.fail("a 4 KiB aligned IOVA", v, off);
              have_iova = true;
            } else if (k == "hpa") {
              r.value = number(lx, v, "an HPA", UINT64_MAX, off);
              if (r.value & 0xfff) lx.fail("a 4 KiB aligned HPA", v, off);
              have_hpa = true;
            } else if (k == "len") {
              auto n = number(lx, v, "a length in bytes", u32 << 12, off);
              if (n == 0 || (n & 0xfff)) lx.fail("a non-zero multiple of 4 KiB", v, off);
              r.length = static_cast<std::uint32_t>(n >> 12);
              have_len = true;
            } else if (v.empty() && (k == "r" || k == "w" || k == "rw" || k == "none")) {
              r.flags = static_cast<std::uint8_t>((k == "r" || k == "rw" ? flag::perm_read : 0) |
                                                  (k == "w" || k == "rw" ? flag::perm_write : 0));
              have_perm = true;
            } else {
              return false;
            }
            return true;
          });
      auto missing = [&](std::string_view what) {
        throw text_parse_error(line.size() + 1, fmt::format("expected {} in {}", what, kind_name(r.kind)));
      };
      if (!have_dom) missing("dom=");
      if (!have_iova) missing("iova=");
      if (!have_len) missing("len=");
      if (r.kind == record_kind::map && !have_hpa) missing("hpa=");
      if (r.kind == record_kind::map && !have_perm) missing("permissions (r, w, rw or none)");
      break;
    }
    case record_kind::attach:
    case record_kind::detach: {
      r.id = bdf(lx, lx.next());
      bool have_dom = false;
      field_parser{lx, r, "dom=N"}.run([&](std::string_view k, std::string_view v, std::size_t off) {
        if (k == "dom") {
          r.value = number(lx, v, "a domain id", u16, off);
          have_dom = true;
        } else if (k == "addr") {
          r.addr = number(lx, v, "an address", UINT64_MAX, off);
        } else if (k == "length") {
          r.length = static_cast<std::uint32_t>(number(lx, v, "a length", u32, off));
        } else {
          return false;
        }
        return true;
      });
      if (!have_dom) throw text_parse_error(line.size() + 1, "expected dom=N");
      break;
    }
    case record_kind::cc_inval:
    case record_kind::iotlb_inval:
    case record_kind::iec_inval: {
      std::string_view third = r.kind == record_kind::cc_inval      ? "device"
                               : r.kind == record_kind::iotlb_inval ? "page"
                                                                    : "index";
      auto g = gran(third);
      if (r.kind == record_kind::iec_inval && g == granularity::domain)
        throw text_parse_error(lx.column(), "expected global or index");
      r.flags = static_cast<std::uint8_t>(g);
      field_parser{lx, r, "a field (dom=, sid=, fm=, addr=, am=, index=, im=, ih, qi, reg)"}.run(
          [&](std::string_view k, std::string_view v, std::size_t off) {
            if (set_q(k) && v.empty()) return true;
            bool cc = r.kind == record_kind::cc_inval, io = r.kind == record_kind::iotlb_inval;
            bool iec = r.kind == record_kind::iec_inval;
            if (k == "dom" && !iec)
              r.value = number(lx, v, "a domain id", u16, off);
            else if (k == "sid")
              r.id = bdf(lx, v, off);
            else if (k == "fm" && cc)
              r.length = static_cast<std::uint32_t>(number(lx, v, "a function mask", 3, off));
            else if (k == "addr")
              r.addr = number(lx, v, "an address", UINT64_MAX, off);
            else if (k == "am" && io)
              r.length = static_cast<std::uint32_t>(number(lx, v, "an address mask", 63, off));
            else if (k == "ih" && io && v.empty())
              r.flags |= flag::ih;
            else if (k == "index" && iec)
              r.value = number(lx, v, "an interrupt index", u16, off);
            else if (k == "im" && iec)
              r.length = static_cast<std::uint32_t>(number(lx, v, "an index mask", 31, off));
            else
              return false;
            return true;
          });
      need_q();
      break;
    }
    case record_kind::devtlb_inval: {
      r.id = bdf(lx, lx.next());
      field_parser{lx, r, "addr=, s, qi or reg"}.run(
          [&](std::string_view k, std::string_view v, std::size_t off) {
            if (set_q(k) && v.empty()) return true;
            if (k == "addr")
              r.addr = number(lx, v, "an address", UINT64_MAX, off);
            else if (k == "value")
              r.value = number(lx, v, "a value", UINT64_MAX, off);
            else if (k == "length")
              r.length = static_cast<std::uint32_t>(number(lx, v, "a length", u32, off));
            else if (k == "s" && v.empty())
              r.flags |= flag::size;
            else
              return false;
            return true;
          });
      need_q();
      break;
    }
    case record_kind::inv_wait: {
      field_parser{lx, r, "addr=, data=, if, sw, fn, qi or reg"}.run(
          [&](std::string_view k, std::string_view v, std::size_t off) {
            if (set_q(k) && v.empty()) return true;
            if (k == "addr")
              r.addr = number(lx, v, "a status address", UINT64_MAX, off);
            else if (k == "data")
              r.value = number(lx, v, "status data", u32, off);
            else if (k == "sid")
              r.id = bdf(lx, v, off);
            else if (k == "length")
              r.length = static_cast<std::uint32_t>(number(lx, v, "a length", u32, off));
            else if (k == "if" && v.empty())
              r.flags |= flag::wait_if;
            else if (k == "sw" && v.empty())
              r.flags |= flag::wait_sw;
            else if (k == "fn" && v.empty())
              r.flags |= flag::wait_fn;
            else
              return false;
            return true;
          });
      need_q();
      break;
    }
  }
  if (r.kind == record_kind::dma || r.kind == record_kind::msi) {
    // Positional records take no further words beyond their named options, checked above.
  }
  out = r;
  return true;
}

}  // namespace vtd::traces
