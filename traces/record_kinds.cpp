// The table of record kinds (see record_kinds.hpp and docs/trace-format.md, "Records"). Each kind's text
// items are listed in the order the formatter writes them; the parser takes positional items in that order
// and the others in any order.
#include "traces/record_kinds.hpp"

#include <algorithm>
#include <bit>

namespace vtd::traces {

namespace {

constexpr std::uint64_t u16 = 0xffff;
constexpr std::uint64_t u32 = 0xffffffff;

// Flag fields. Values outside `legal` are refused by both readers.
constexpr flag_field op_field{
    "op", flag::op_mask, {"read", "write", "atomic", ""}, 0b0111, "bad DMA operation 3"};
constexpr flag_field at_field{
    "AT", flag::at_mask, {"untranslated", "treq", "translated", ""}, 0b0111, "bad address type 3"};
constexpr flag_field pasid_field{"has-PASID", flag::has_pasid, {}};
// The PASID TLP prefix carries PMR and ER, so both need a PASID; PCIe defines ER for memory reads only.
constexpr flag_field pmr_field{.name = "PMR",
                               .mask = flag::privileged,
                               .words = {"", "priv"},
                               .needs_mask = flag::has_pasid,
                               .needs_value = flag::has_pasid,
                               .needs_problem = "Privileged-Mode-Requested on a DMA without PASID",
                               .since = 2};
constexpr flag_field er_field{.name = "ER",
                              .mask = flag::execute,
                              .words = {"", "exec"},
                              .needs_mask = flag::has_pasid | flag::op_mask,
                              .needs_value = flag::has_pasid | static_cast<std::uint8_t>(dma_op::read),
                              .needs_problem = "Execute-Requested on a DMA that is not a read with PASID",
                              .since = 2};
constexpr flag_field perm_field{"permissions", flag::perm_read | flag::perm_write, {"none", "r", "w", "rw"}};
constexpr flag_field us_field{
    .name = "U/S=0", .mask = flag::supervisor_only, .words = {"", "supervisor-only"}, .since = 2};
constexpr flag_field xd_field{
    .name = "XD", .mask = flag::no_execute, .words = {"", "no-execute"}, .since = 2};
constexpr flag_field sre_field{.name = "SRE", .mask = flag::sre, .words = {"", "supervisor"}};
constexpr flag_field wpe_field{.name = "WPE", .mask = flag::wpe, .words = {"", "write-protect"}};
// pc_inv_dsc: global, domain (every PASID of the DID), PASID-selective (DID and PASID).
constexpr flag_field pc_gran{
    "granularity", flag::gran_mask, {"global", "domain", "pasid", ""}, 0b0111, "bad granularity 3"};
// p_iotlb_inv_dsc has no global granularity; value 0 keeps its name so that the text can say what is wrong.
constexpr flag_field piotlb_gran{"granularity",
                                 flag::gran_mask,
                                 {"global", "domain", "pasid", "page"},
                                 0b1110,
                                 "bad granularity 0 (a PASID-based IOTLB invalidation has no global one)"};
// The PASID-based invalidations exist only as queued descriptors (256-bit, spec 6.5.2): no register does
// them.
constexpr flag_field queued_only_field{"queued",
                                       flag::queued,
                                       {"reg", "qi"},
                                       0b10,
                                       "register-based PASID invalidation (these exist only queued)"};
constexpr flag_field cc_gran{
    "granularity", flag::gran_mask, {"global", "domain", "device", ""}, 0b0111, "bad granularity 3"};
constexpr flag_field iotlb_gran{
    "granularity", flag::gran_mask, {"global", "domain", "page", ""}, 0b0111, "bad granularity 3"};
// An IEC invalidation is global or by index; value 1 keeps its name so that the text can say what is wrong.
constexpr flag_field iec_gran{
    "granularity", flag::gran_mask, {"global", "domain", "index", ""}, 0b0101, "bad granularity"};
constexpr flag_field ih_field{"IH", flag::ih, {"", "ih"}};
constexpr flag_field size_field{"S", flag::size, {"", "s"}};
constexpr flag_field if_field{"IF", flag::wait_if, {"", "if"}};
constexpr flag_field sw_field{"SW", flag::wait_sw, {"", "sw"}};
constexpr flag_field fn_field{"FN", flag::wait_fn, {"", "fn"}};
constexpr flag_field queued_field{"queued", flag::queued, {"reg", "qi"}};

// Text items used by several kinds.
constexpr text_item source_id{.form = text_form::bdf, .where = slot::id, .meaning = "source-id"};
constexpr text_item queued_word{.form = text_form::bare_word,
                                .where = slot::flags,
                                .flags = &queued_field,
                                .missing = "'qi' (queued) or 'reg' (register-based)"};
constexpr text_item raw_addr{.form = text_form::key_number,
                             .where = slot::addr,
                             .key = "addr",
                             .what = "an address",
                             .shown = if_nonzero};
constexpr text_item raw_value{.form = text_form::key_number,
                              .where = slot::value,
                              .key = "value",
                              .what = "a value",
                              .shown = if_nonzero};
constexpr text_item raw_length{.form = text_form::key_number,
                               .where = slot::length,
                               .key = "length",
                               .what = "a length",
                               .max = u32,
                               .style = number_style::dec,
                               .shown = if_nonzero};
constexpr text_item raw_sid{.form = text_form::key_bdf, .where = slot::id, .key = "sid", .shown = if_nonzero};
// Shown for every granularity but global (values 1..3), or for the device/page/index one (value 2).
constexpr std::uint8_t not_global = 0b1110, third_gran = 0b0100;

constexpr flag_field dma_flags[] = {op_field, at_field, pasid_field, pmr_field, er_field};
constexpr text_item dma_text[] = {
    source_id,
    {.form = text_form::word, .where = slot::flags, .flags = &op_field},
    {.form = text_form::number, .where = slot::addr, .what = "an address", .meaning = "address (IOVA)"},
    {.form = text_form::number,
     .where = slot::length,
     .what = "a length in bytes",
     .max = u32,
     .style = number_style::dec,
     .meaning = "bytes"},
    {.form = text_form::key_number,
     .where = slot::value,
     .key = "pasid",
     .what = "a PASID",
     .max = 0xfffff,
     .shown = if_flags(flag::has_pasid, 0b10),
     .sets = flag::has_pasid,
     .problem = "PASID wider than 20 bits",
     .meaning = "PASID (when has-PASID)"},
    {.form = text_form::key_number,
     .where = slot::value,
     .key = "value",
     .what = "a value",
     .shown = if_flags_and_nonzero(flag::has_pasid, 0b01)},
    {.form = text_form::key_word, .where = slot::flags, .key = "at", .flags = &at_field, .shown = if_nonzero},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &pmr_field, .shown = if_nonzero},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &er_field, .shown = if_nonzero},
};

constexpr text_item msi_text[] = {
    source_id,
    {.form = text_form::number, .where = slot::addr, .what = "an MSI address", .meaning = "MSI address"},
    {.form = text_form::number,
     .where = slot::value,
     .what = "MSI data",
     .max = u32,
     .problem = "MSI data wider than 32 bits",
     .meaning = "MSI data"},
    raw_length,
};

constexpr flag_field map_flags[] = {perm_field, us_field, xd_field};
constexpr flag_field perm_flags[] = {perm_field};
constexpr const char* map_misaligned = "IOVA or HPA not 4 KiB aligned";
// map and unmap share their items; unmap needs and shows fewer of them.
constexpr text_item map_item(std::string_view key, bool map) {
  text_item i{.form = text_form::key_number, .key = key};
  if (key == "dom") {
    i.where = slot::id;
    i.what = "a domain id";
    i.max = u16;
    i.style = number_style::dec;
    i.missing = map ? "dom= in map" : "dom= in unmap";
    i.meaning = "domain";
  } else if (key == "iova") {
    i.where = slot::addr;
    i.what = "an IOVA";
    i.aligned = "a 4 KiB aligned IOVA";
    i.missing = map ? "iova= in map" : "iova= in unmap";
    i.problem = map_misaligned;
    i.meaning = "IOVA";
  } else if (key == "hpa") {
    i.where = slot::value;
    i.what = "an HPA";
    i.aligned = "a 4 KiB aligned HPA";
    i.shown = map ? always : if_nonzero;
    i.missing = map ? "hpa= in map" : "";
    i.problem = map_misaligned;
    i.meaning = map ? "HPA" : "";
  } else {  // len
    i.where = slot::length;
    i.what = "a length in bytes";
    i.max = u32 << 12;
    i.style = number_style::pages;
    i.missing = map ? "len= in map" : "len= in unmap";
    i.problem = "zero-length mapping";
    i.meaning = "4 KiB pages";
  }
  return i;
}
constexpr text_item map_text[] = {
    map_item("dom", true),
    map_item("iova", true),
    map_item("hpa", true),
    map_item("len", true),
    {.form = text_form::bare_word,
     .where = slot::flags,
     .flags = &perm_field,
     .missing = "permissions (r, w, rw or none) in map"},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &us_field, .shown = if_nonzero},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &xd_field, .shown = if_nonzero},
};
constexpr text_item unmap_text[] = {
    map_item("dom", false),
    map_item("iova", false),
    map_item("hpa", false),
    map_item("len", false),
    {.form = text_form::bare_word, .where = slot::flags, .flags = &perm_field, .shown = if_nonzero},
};

constexpr text_item attach_text[] = {
    source_id,
    {.form = text_form::key_number,
     .where = slot::value,
     .key = "dom",
     .what = "a domain id",
     .max = u16,
     .style = number_style::dec,
     .missing = "dom=N",
     .problem = "domain wider than 16 bits",
     .meaning = "domain"},
    raw_addr,
    raw_length,
};

constexpr text_item gran_word(const flag_field& f) {
  return {.form = text_form::word, .where = slot::flags, .what = "a granularity", .flags = &f};
}
constexpr text_item inval_number(std::string_view key, slot where, std::string_view what, std::uint64_t max,
                                 std::uint8_t shown_for, const char* problem, std::string_view meaning) {
  return {.form = text_form::key_number,
          .where = where,
          .key = key,
          .what = what,
          .max = max,
          .style = number_style::dec,
          .shown = if_flags_or_nonzero(flag::gran_mask, shown_for),
          .problem = problem,
          .meaning = meaning};
}

constexpr flag_field cc_flags[] = {cc_gran, queued_field};
constexpr const char* cc_reserved = "reserved bits set in FM or domain";
constexpr text_item cc_text[] = {
    gran_word(cc_gran),
    inval_number("dom", slot::value, "a domain id", u16, not_global, cc_reserved, "domain"),
    {.form = text_form::key_bdf,
     .where = slot::id,
     .key = "sid",
     .shown = if_flags_or_nonzero(flag::gran_mask, third_gran),
     .meaning = "source-id"},
    inval_number("fm", slot::length, "a function mask", 3, third_gran, cc_reserved, "function mask (FM)"),
    raw_addr,
    queued_word,
};

constexpr flag_field iotlb_flags[] = {iotlb_gran, ih_field, queued_field};
constexpr const char* iotlb_reserved = "reserved bits set in AM or domain";
constexpr text_item iotlb_text[] = {
    gran_word(iotlb_gran),
    inval_number("dom", slot::value, "a domain id", u16, not_global, iotlb_reserved, "domain"),
    {.form = text_form::key_number,
     .where = slot::addr,
     .key = "addr",
     .what = "an address",
     .shown = if_flags_or_nonzero(flag::gran_mask, third_gran),
     .meaning = "address"},
    inval_number("am", slot::length, "an address mask", 63, third_gran, iotlb_reserved, "address mask (AM)"),
    raw_sid,
    {.form = text_form::bare_word, .where = slot::flags, .flags = &ih_field, .shown = if_nonzero},
    queued_word,
};

constexpr flag_field iec_flags[] = {iec_gran, queued_field};
constexpr const char* iec_reserved = "reserved bits set in IM or index";
constexpr text_item iec_text[] = {
    gran_word(iec_gran),
    inval_number("index", slot::value, "an interrupt index", u16, not_global, iec_reserved,
                 "interrupt index"),
    inval_number("im", slot::length, "an index mask", 31, not_global, iec_reserved, "index mask (IM)"),
    raw_addr,
    raw_sid,
    queued_word,
};

constexpr flag_field devtlb_flags[] = {size_field, queued_field};
constexpr text_item devtlb_text[] = {
    source_id,
    {.form = text_form::key_number,
     .where = slot::addr,
     .key = "addr",
     .what = "an address",
     .meaning = "address (size encoded when S)"},
    raw_value,
    raw_length,
    {.form = text_form::bare_word, .where = slot::flags, .flags = &size_field, .shown = if_nonzero},
    queued_word,
};

constexpr flag_field wait_flags[] = {if_field, sw_field, fn_field, queued_field};
constexpr text_item wait_text[] = {
    {.form = text_form::key_number,
     .where = slot::addr,
     .key = "addr",
     .what = "a status address",
     .meaning = "status address"},
    {.form = text_form::key_number,
     .where = slot::value,
     .key = "data",
     .what = "status data",
     .max = u32,
     .problem = "status data wider than 32 bits",
     .meaning = "status data"},
    raw_sid,
    raw_length,
    {.form = text_form::bare_word, .where = slot::flags, .flags = &if_field, .shown = if_nonzero},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &sw_field, .shown = if_nonzero},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &fn_field, .shown = if_nonzero},
    queued_word,
};

// Scalable mode. The PASID is in `value` for every kind that has one (as in a dma record), and the domain id
// in `id` for the PASID-based invalidations (their PASID takes `value`).
constexpr text_item pasid_key(show_rule shown, std::string_view missing = {}) {
  return {.form = text_form::key_number,
          .where = slot::value,
          .key = "pasid",
          .what = "a PASID",
          .max = 0xfffff,
          .shown = shown,
          .missing = missing,
          .problem = "PASID wider than 20 bits",
          .meaning = "PASID"};
}

constexpr flag_field pasid_attach_flags[] = {sre_field, wpe_field};
constexpr text_item pasid_attach_text[] = {
    source_id,
    pasid_key(always, "pasid=N"),
    {.form = text_form::key_number,
     .where = slot::length,
     .key = "dom",
     .what = "a domain id",
     .max = u16,
     .style = number_style::dec,
     .missing = "dom=N",
     .problem = "domain wider than 16 bits",
     .meaning = "domain"},
    raw_addr,
    {.form = text_form::bare_word, .where = slot::flags, .flags = &sre_field, .shown = if_nonzero},
    {.form = text_form::bare_word, .where = slot::flags, .flags = &wpe_field, .shown = if_nonzero},
};
constexpr text_item pasid_detach_text[] = {
    source_id,
    pasid_key(always, "pasid=N"),
    raw_addr,
    raw_length,
};

// Shown for granularities pasid and page (values 2, 3), or page only (3).
constexpr std::uint8_t pasid_or_page = 0b1100, fourth_gran = 0b1000;
constexpr text_item did_key(show_rule shown) {
  return {.form = text_form::key_number,
          .where = slot::id,
          .key = "dom",
          .what = "a domain id",
          .max = u16,
          .style = number_style::dec,
          .shown = shown,
          .meaning = "domain (DID)"};
}
constexpr text_item queued_only_word{.form = text_form::bare_word,
                                     .where = slot::flags,
                                     .flags = &queued_only_field,
                                     .missing = "'qi' (PASID-based invalidations are queued only)"};

constexpr flag_field pc_flags[] = {pc_gran, queued_only_field};
constexpr text_item pc_text[] = {
    gran_word(pc_gran),
    did_key(if_flags_or_nonzero(flag::gran_mask, not_global)),
    pasid_key(if_flags_or_nonzero(flag::gran_mask, third_gran)),
    raw_addr,
    raw_length,
    queued_only_word,
};

constexpr flag_field piotlb_flags[] = {piotlb_gran, ih_field, queued_only_field};
constexpr text_item piotlb_text[] = {
    gran_word(piotlb_gran),
    did_key(always),
    pasid_key(if_flags_or_nonzero(flag::gran_mask, pasid_or_page)),
    {.form = text_form::key_number,
     .where = slot::addr,
     .key = "addr",
     .what = "an address",
     .shown = if_flags_or_nonzero(flag::gran_mask, fourth_gran),
     .meaning = "address"},
    inval_number("am", slot::length, "an address mask", 63, fourth_gran, "reserved bits set in AM",
                 "address mask (AM)"),
    {.form = text_form::bare_word, .where = slot::flags, .flags = &ih_field, .shown = if_nonzero},
    queued_only_word,
};

constexpr flag_field pdevtlb_flags[] = {size_field, queued_only_field};
constexpr text_item pdevtlb_text[] = {
    source_id,
    pasid_key(always, "pasid=N"),
    {.form = text_form::key_number,
     .where = slot::addr,
     .key = "addr",
     .what = "an address",
     .meaning = "address (size encoded when S)"},
    raw_length,
    {.form = text_form::bare_word, .where = slot::flags, .flags = &size_field, .shown = if_nonzero},
    queued_only_word,
};

using enum kind_class;
constexpr kind_info dma_kind{record_kind::dma, "dma", device_request, true, dma_flags, dma_text};
constexpr kind_info msi_kind{record_kind::msi, "msi", device_request, false, {}, msi_text};
constexpr kind_info map_kind{record_kind::map, "map", driver_table_change, false, map_flags, map_text};
constexpr kind_info unmap_kind{record_kind::unmap, "unmap",   driver_table_change, false,
                               perm_flags,         unmap_text};
constexpr kind_info attach_kind{record_kind::attach, "attach", driver_table_change, false, {}, attach_text};
constexpr kind_info detach_kind{record_kind::detach, "detach", driver_table_change, false, {}, attach_text};
constexpr kind_info cc_kind{record_kind::cc_inval, "cc-inval", invalidation, false, cc_flags, cc_text};
constexpr kind_info iotlb_kind{
    record_kind::iotlb_inval, "iotlb-inval", invalidation, false, iotlb_flags, iotlb_text};
constexpr kind_info iec_kind{record_kind::iec_inval, "iec-inval", invalidation, false, iec_flags, iec_text};
constexpr kind_info devtlb_kind{
    record_kind::devtlb_inval, "devtlb-inval", invalidation, false, devtlb_flags, devtlb_text};
constexpr kind_info wait_kind{record_kind::inv_wait, "inv-wait", invalidation, false, wait_flags, wait_text};
constexpr kind_info pasid_attach_kind{record_kind::pasid_attach,
                                      "pasid-attach",
                                      driver_table_change,
                                      false,
                                      pasid_attach_flags,
                                      pasid_attach_text,
                                      2};
constexpr kind_info pasid_detach_kind{
    record_kind::pasid_detach, "pasid-detach", driver_table_change, false, {}, pasid_detach_text, 2};
constexpr kind_info pc_kind{record_kind::pc_inval, "pc-inval", invalidation, false, pc_flags, pc_text, 2};
constexpr kind_info piotlb_kind{
    record_kind::piotlb_inval, "piotlb-inval", invalidation, false, piotlb_flags, piotlb_text, 2};
constexpr kind_info pdevtlb_kind{
    record_kind::pdevtlb_inval, "pdevtlb-inval", invalidation, false, pdevtlb_flags, pdevtlb_text, 2};
constexpr kind_info unknown_kind{record_kind{0}, "?", other, false, {}, {}};

// Exhaustive on purpose (no default): a new enumerator without an entry does not compile.
constexpr const kind_info& entry(record_kind k) {
  switch (k) {
    case record_kind::dma:
      return dma_kind;
    case record_kind::msi:
      return msi_kind;
    case record_kind::map:
      return map_kind;
    case record_kind::unmap:
      return unmap_kind;
    case record_kind::attach:
      return attach_kind;
    case record_kind::detach:
      return detach_kind;
    case record_kind::cc_inval:
      return cc_kind;
    case record_kind::iotlb_inval:
      return iotlb_kind;
    case record_kind::iec_inval:
      return iec_kind;
    case record_kind::devtlb_inval:
      return devtlb_kind;
    case record_kind::inv_wait:
      return wait_kind;
    case record_kind::pasid_attach:
      return pasid_attach_kind;
    case record_kind::pasid_detach:
      return pasid_detach_kind;
    case record_kind::pc_inval:
      return pc_kind;
    case record_kind::piotlb_inval:
      return piotlb_kind;
    case record_kind::pdevtlb_inval:
      return pdevtlb_kind;
  }
  return unknown_kind;  // a code read from a file that is no enumerator
}

constexpr auto kinds_in_code_order = [] {
  std::array<const kind_info*, record_kind_max> out{};
  for (unsigned c = 1; c <= record_kind_max; ++c) out[c - 1] = &entry(static_cast<record_kind>(c));
  return out;
}();

// The codes are 1..record_kind_max with no gap, each entry names its own code, and record_kind_max is not
// behind the enumeration (a kind added past it would be missing from all_kinds()).
constexpr bool codes_are_dense() {
  for (unsigned c = 1; c <= record_kind_max; ++c)
    if (entry(static_cast<record_kind>(c)).kind != static_cast<record_kind>(c)) return false;
  return &entry(static_cast<record_kind>(record_kind_max + 1)) == &unknown_kind;
}
static_assert(codes_are_dense(), "record kinds: codes 1..record_kind_max, one entry each");

constexpr std::uint8_t low_bit(std::uint8_t mask) {
  return static_cast<std::uint8_t>(std::countr_zero(mask));
}
constexpr std::uint64_t slot_max(slot s) {
  switch (s) {
    case slot::id:
      return u16;
    case slot::length:
      return u32;
    case slot::flags:
      return 0xff;
    case slot::addr:
    case slot::value:
      return UINT64_MAX;
  }
  return UINT64_MAX;
}

constexpr binary_checks derive_checks(const kind_info& k) {
  binary_checks c;
  c.known = true;
  c.since = k.since;
  for (const auto& f : k.flags) {
    c.allowed_flags = static_cast<std::uint8_t>(c.allowed_flags | f.mask);
    if (f.since <= 1) c.allowed_flags_v1 = static_cast<std::uint8_t>(c.allowed_flags_v1 | f.mask);
    const std::uint8_t all_values = f.mask >> low_bit(f.mask) == 1 ? 0b11 : 0b1111;
    if ((f.legal & all_values) != all_values)
      c.flags[c.n_flags++] = {f.mask, low_bit(f.mask), f.legal, f.problem};
    if (f.needs_mask) c.rules[c.n_rules++] = {f.mask, f.needs_mask, f.needs_value, f.needs_problem};
  }
  for (const auto& i : k.text) {
    if (*i.problem == '\0') continue;
    field_check f{i.where, 0, i.style == number_style::pages, i.sets, i.problem};
    if (i.style != number_style::pages) f.bad_bits = ~i.max & slot_max(i.where);
    if (!i.aligned.empty()) f.bad_bits |= 0xfff;
    c.fields[c.n_fields++] = f;
  }
  return c;
}

constexpr auto checks_by_code = [] {
  std::array<binary_checks, record_kind_max + 1> out{};
  for (const kind_info* k : kinds_in_code_order) out[static_cast<std::uint8_t>(k->kind)] = derive_checks(*k);
  return out;
}();

}  // namespace

static_assert(record_kind_max < 32, "device_request_kinds has one bit per kind code");
constexpr std::uint32_t device_request_kinds = [] {
  std::uint32_t bits = 0;
  for (const kind_info* k : kinds_in_code_order)
    if (k->cls == kind_class::device_request) bits |= std::uint32_t{1} << static_cast<std::uint8_t>(k->kind);
  return bits;
}();

std::string_view to_string(kind_class c) {
  switch (c) {
    case kind_class::device_request:
      return "device request";
    case kind_class::driver_table_change:
      return "driver table change";
    case kind_class::invalidation:
      return "invalidation";
    case kind_class::other:
      return "other";
  }
  return "other";
}

const kind_info& kind_of(record_kind k) {
  return entry(k);
}
bool known_kind(record_kind k) {
  return &entry(k) != &unknown_kind;
}
std::span<const kind_info* const> all_kinds() {
  return kinds_in_code_order;
}
const kind_info* find_kind(std::string_view name) {
  for (const kind_info* k : kinds_in_code_order)
    if (k->name == name) return k;
  return nullptr;
}
const binary_checks& checks_for(std::uint8_t code) {
  static constexpr binary_checks none{};
  return code <= record_kind_max ? checks_by_code[code] : none;
}

}  // namespace vtd::traces
