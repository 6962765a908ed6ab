// Paging entries explained field by field: second-stage entries (spec 9.8; legacy mode and scalable mode),
// first-stage IA-32e entries (spec 9.7; scalable mode), and the accessed/dirty updates the unit writes back
// into either.
#include <fmt/format.h>

#include "apps/explain/step_builders.hpp"
#include "apps/explain/step_parts.hpp"
#include "model/spec/fs_entry.hpp"
#include "model/spec/sl_entry.hpp"
#include "model/spec/text.hpp"

namespace vtd::explain::build {

using parts::described;
using parts::yn;

namespace {
// "IOVA[47:39] = 0x24": the 9 input bits a level's index comes from.
std::string index_bits(const char* input_name, unsigned level, unsigned index) {
  const unsigned lo = spec::level_shift(level), hi = lo + 8;
  return fmt::format("{}[{}:{}] = 0x{:x}", input_name, hi, lo, index);
}
}  // namespace

step sl_step(const core::walk_step& w, const spec::caps& caps, uint64_t input, const char* input_name,
             const spec::pasid_entry* pe) {
  step s = parts::read_step(w, "sl_entry");
  const unsigned L = w.level;
  if (pe) s.stage = "second";
  s.title = fmt::format("{} {} {} ({}, index {})", pe ? "Second-stage level" : "Level", L,
                        parts::level_entry_name(L), parts::level_table_name(L), w.index);
  s.address_calc =
      fmt::format("table {} + {} x 8 = {}", spec::hex(w.table_base),
                  index_bits(input_name, L, spec::level_index(input, L)), spec::hex(w.entry_address));
  spec::sl_entry e{w.raw_lo};
  const spec::sl_check_config cfg = caps.sl_check();
  const bool leaf = e.is_leaf(L);
  const uint64_t rsv = e.reserved_bits(L, cfg);
  namespace sf = spec::sl_fields;
  s.fields = {described(sf::R, yn(e.r()), e.r() ? "read allowed" : "no read"),
              described(sf::W, yn(e.w()), e.w() ? "write allowed" : "no write")};
  if (L == 2 || L == 3)
    s.fields.push_back(
        described(sf::PS, yn(e.ps()),
                  e.ps() ? fmt::format("page size: this entry maps a {} page", L == 2 ? "2 MiB" : "1 GiB")
                         : "points to the next-level table"));
  const spec::field_desc& addr = sf::address_field(L, leaf);
  s.fields.push_back(described(addr, spec::hex(e.address(L))));
  s.fields.back().name = fmt::format("{} ({})", addr.name, leaf ? "frame" : "next table");
  if (leaf) {
    s.fields.push_back(described(sf::SNP, yn(e.snp())));
    s.fields.push_back(described(sf::TM, yn(e.tm())));
  }
  // With SLADE=1 the unit keeps A (every entry used) and D (leaf, on a write): spec 9.6 SLADE.
  if (pe && pe->slade()) {
    s.fields.push_back(
        described(sf::A, yn(e.a()), e.a() ? "accessed: already set" : "not yet accessed: the unit sets it"));
    if (leaf)
      s.fields.push_back(
          described(sf::D, yn(e.d()), e.d() ? "dirty: already set" : "clean: the unit sets it on a write"));
  }
  s.fields.push_back({"reserved", sf::kReservedRanges, spec::hex(rsv),
                      rsv ? "SET: an entry with reserved bits is never used" : "all zero"});
  return s;
}

step fs_step(const core::walk_step& w, const spec::caps& caps, uint64_t iova, const spec::pasid_entry& pe,
             const std::string& table_note) {
  step s = parts::read_step(w, "fs_entry");
  s.stage = "first";
  const unsigned L = w.level;
  const bool nested = pe.type() == spec::pgtt::nested;
  s.title = fmt::format("First-stage level {} {} ({}, index {})", L, parts::level_entry_name(L),
                        parts::level_table_name(L), w.index);
  s.address_calc = fmt::format("table {}{} + {} x 8 = {}", spec::hex(w.table_base),
                               table_note.empty() ? "" : " (" + table_note + ")",
                               index_bits("IOVA", L, spec::level_index(iova, L)), spec::hex(w.entry_address));
  spec::fs_entry e{w.raw_lo};
  const bool leaf = e.is_leaf(L);
  namespace ff = spec::fs_fields;
  s.fields = {
      described(ff::P, yn(e.present()), e.present() ? "present" : "not present: nothing is mapped here"),
      described(ff::RW, yn(e.rw()),
                e.rw() ? "writes allowed" : "read-only: writes fault (supervisor writes only with WPE=1)"),
      described(ff::US, yn(e.us()),
                e.us() ? "user and supervisor requests allowed" : "supervisor only: user requests fault"),
      described(ff::A, yn(e.a()), e.a() ? "accessed: already set" : "not yet accessed: the unit sets it")};
  if (leaf)
    s.fields.push_back(
        described(ff::D, yn(e.d()), e.d() ? "dirty: already set" : "clean: the unit sets it on a write"));
  if (L == 2 || L == 3)
    s.fields.push_back(
        described(ff::PS, yn(e.ps()),
                  e.ps() ? fmt::format("page size: this entry maps a {} page", L == 2 ? "2 MiB" : "1 GiB")
                         : "points to the next-level table"));
  if (pe.eafe()) s.fields.push_back(described(ff::EA, yn(e.ea())));
  s.fields.push_back(described(ff::XD, yn(e.xd()), e.xd() ? "execute disable" : "execute allowed"));
  const spec::field_desc& addr = ff::address_field(L, leaf);
  s.fields.push_back(
      described(addr, spec::hex(e.address(L)),
                fmt::format("{} ({})", addr.meaning,
                            nested ? "guest physical: the second stage translates it" : "host physical")));
  s.fields.back().name = fmt::format("{} ({})", addr.name, leaf ? "frame" : "next table");
  const uint64_t rsv = e.reserved_bits(L, caps.fs_check());
  s.fields.push_back({"reserved", ff::kReservedRanges, spec::hex(rsv),
                      rsv ? "SET: an entry with reserved bits is never used" : "all zero"});
  return s;
}

step status_write_step(const core::walk_step& w, uint64_t before, bool eafe) {
  step s = parts::read_step(w, "status_write");
  const bool first = w.stage == core::translation_stage::first;
  s.stage = first ? "first" : "second";
  const unsigned L = w.level;
  s.title = fmt::format("{}-stage level {} {}: accessed/dirty update", first ? "First" : "Second", L,
                        parts::level_entry_name(L));
  s.address_calc = fmt::format("write back to {}", spec::hex(w.entry_address));
  // The flags the update set: A (and EA with EAFE) in every entry used, D in the leaf of a write.
  const spec::field_desc* flags[3] = {first ? &spec::fs_fields::A : &spec::sl_fields::A,
                                      first ? &spec::fs_fields::D : &spec::sl_fields::D,
                                      first && eafe ? &spec::fs_fields::EA : nullptr};
  std::string set;
  for (const spec::field_desc* f : flags) {
    if (!f) continue;
    const bool was = f->get(before), now = f->get(w.raw_lo);
    if (was == now) continue;
    const char* why = f == &spec::fs_fields::D || f == &spec::sl_fields::D ? "the page is written"
                      : f == &spec::fs_fields::EA ? "extended accessed, set with A (EAFE=1)"
                                                  : "the entry was used by a translation";
    s.fields.push_back(described(*f, fmt::format("{} -> {}", yn(was), yn(now)),
                                 fmt::format("{} {}: {}", now ? "set" : "cleared", f->name, why)));
    set += (set.empty() ? "" : " and ") + std::string(f->name);
  }
  s.verdict = w.ok ? fmt::format("set {} in the entry (a locked read-modify-write on a snooped walk)", set)
                   : "the write failed: the address is outside simulated memory";
  return s;
}

}  // namespace vtd::explain::build
