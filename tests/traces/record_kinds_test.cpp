// The table of record kinds (traces/record_kinds.hpp), walked kind by kind: every kind round-trips through
// the text and binary formats, docs/trace-format.md lists exactly the table's kinds, and what the table does
// not hold (a kind code, a keyword) is refused with its position.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <bit>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "traces/binary_format.hpp"
#include "traces/record_kinds.hpp"
#include "traces/record_kinds_doc.hpp"
#include "traces/text_format.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_io.hpp"

using namespace vtd::traces;

namespace {

uint64_t mix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr slot value_slots[] = {slot::id, slot::addr, slot::value, slot::length};

uint64_t slot_limit(slot s) {
  switch (s) {
    case slot::id:
      return 0xffff;
    case slot::length:
      return 0xffffffff;
    case slot::flags:
      return 0xff;
    case slot::addr:
    case slot::value:
      return UINT64_MAX;
  }
  return UINT64_MAX;
}

// A valid record of the kind with random fields, made from the table alone: legal values in every flag field,
// every field within what its text items accept. `small` picks mostly zero or small values.
record random_record(const kind_info& k, uint64_t& seed, bool small) {
  record r;
  r.kind = k.kind;
  r.time_ps = mix(seed) % 1000000;
  // Legal values in every flag field, drawn again until the flags that need others have them (ER: a read
  // with PASID).
  const binary_checks& checks = checks_for(static_cast<uint8_t>(k.kind));
  auto rules_hold = [&] {
    for (uint8_t i = 0; i < checks.n_rules; ++i) {
      const flag_rule& rule = checks.rules[i];
      if ((r.flags & rule.when) && (r.flags & rule.mask) != rule.value) return false;
    }
    return true;
  };
  do {
    r.flags = 0;
    for (const auto& f : k.flags) {
      const int shift = std::countr_zero(f.mask);
      unsigned v;
      do v = unsigned(mix(seed) & (f.mask >> shift));
      while (!(f.legal >> v & 1));
      r.flags = static_cast<uint8_t>(r.flags | (v << shift));
    }
  } while (!rules_hold());
  for (slot s : value_slots) {
    uint64_t v = mix(seed) & slot_limit(s);
    if (small) v = mix(seed) % 3 == 0 ? 0 : v & 0xff0ff;
    for (const auto& item : k.text) {
      if (item.where != s || (r.flags & item.sets) != item.sets) continue;
      if (item.style == number_style::pages) {
        v = (v & 0xfffff) | 1;  // a non-zero page count
        continue;
      }
      if (item.max < slot_limit(s)) v %= item.max + 1;
      if (!item.aligned.empty()) v &= ~uint64_t{0xfff};
    }
    set_field(r, s, v);
  }
  return r;
}

std::string error_of(const std::string& name, const std::string& bytes) {
  try {
    trace_reader r(name, bytes);
    record rec;
    while (r.next(rec)) {
    }
  } catch (const trace_error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string binary_of(const std::vector<record>& rs) {
  std::string bytes(binary_header_size + rs.size() * binary_record_size, '\0');
  encode_header(binary_header{}, reinterpret_cast<std::byte*>(bytes.data()));
  for (size_t i = 0; i < rs.size(); ++i)
    encode_record(rs[i],
                  reinterpret_cast<std::byte*>(bytes.data() + binary_header_size + i * binary_record_size));
  return bytes;
}

std::vector<record> read_all(const std::string& name, const std::string& bytes) {
  trace_reader reader(name, bytes);
  std::vector<record> out;
  record r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

}  // namespace

TEST(RecordKinds, EveryKindRoundTripsTextAndBinary) {
  uint64_t seed = 17;
  for (const kind_info* k : all_kinds()) {
    SCOPED_TRACE(std::string(k->name));
    std::vector<record> rs;
    for (int i = 0; i < 400; ++i) rs.push_back(random_record(*k, seed, i % 2 == 0));
    std::string text;
    for (const record& r : rs) {
      ASSERT_STREQ(record_problem(r), "") << format_record(r);
      // text -> record -> text
      const std::string line = format_record(r);
      record back;
      ASSERT_TRUE(parse_record_line(line, back)) << line;
      ASSERT_EQ(back, r) << line;
      ASSERT_EQ(format_record(back), line);
      // record -> binary -> record
      std::byte bytes[binary_record_size];
      encode_record(r, bytes);
      ASSERT_EQ(decode_record(bytes), r) << line;
    }
    // Through the readers too (they validate, and check time order).
    std::sort(rs.begin(), rs.end(), [](const record& a, const record& b) { return a.time_ps < b.time_ps; });
    for (const record& r : rs) text += format_record(r) + "\n";
    EXPECT_EQ(read_all("t.txt", text), rs);
    EXPECT_EQ(read_all("t.bin", binary_of(rs)), rs);
  }
}

TEST(RecordKinds, DocsListEveryKindAsTheTableHasIt) {
  std::ifstream in(std::string(VTDSIM_SOURCE_DIR) + "/docs/trace-format.md");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const kind_info* k : all_kinds())
    EXPECT_NE(doc.find(fmt::format("`{}`", k->name)), std::string::npos) << k->name;
  EXPECT_NE(doc.find(kinds_markdown_table()), std::string::npos)
      << "docs/trace-format.md, \"Records\", should hold the table of kinds:\n"
      << kinds_markdown_table();
  EXPECT_NE(doc.find("kind (" + kind_codes_text() + ")"), std::string::npos)
      << "the binary record's kind byte should list: " << kind_codes_text();
}

TEST(RecordKinds, BinaryKindCodeNotInTheTableIsRefusedWithItsPosition) {
  uint64_t seed = 3;
  const record good = random_record(*all_kinds()[0], seed, true);
  int unknown = 0;
  for (unsigned code = 0; code < 256; ++code) {
    if (known_kind(static_cast<record_kind>(code))) continue;
    ++unknown;
    record bad = good;
    bad.kind = static_cast<record_kind>(code);
    EXPECT_EQ(
        error_of("t.bin", binary_of({good, bad})),
        fmt::format("t.bin: bad record kind (kind 0x{:02x}, flags 0x{:02x}) at record 1, byte offset 96",
                    code, good.flags));
  }
  EXPECT_EQ(unknown, 256 - int(all_kinds().size()));
}

TEST(RecordKinds, TextUnknownKeywordIsRefusedWithLineAndColumn) {
  const std::string unknown_kind = error_of("t.txt", "# kinds\n100 frobnicate 00:02.0\n");
  EXPECT_EQ(unknown_kind.rfind("t.txt:2:5: expected a record kind (dma, msi, ", 0), 0u) << unknown_kind;
  EXPECT_NE(unknown_kind.find("), got 'frobnicate'"), std::string::npos) << unknown_kind;
  uint64_t seed = 5;
  for (const kind_info* k : all_kinds()) {
    SCOPED_TRACE(std::string(k->name));
    const std::string line = format_record(random_record(*k, seed, false));
    const std::string e = error_of("t.txt", "# kinds\n" + line + " frobnicate=1\n");
    EXPECT_EQ(e.rfind(fmt::format("t.txt:2:{}: expected ", line.size() + 2), 0), 0u) << e;
    EXPECT_NE(e.find(", got 'frobnicate=1'"), std::string::npos) << e;
  }
}

TEST(RecordKinds, TableIsConsistent) {
  std::set<std::string_view> names;
  for (const kind_info* k : all_kinds()) {
    SCOPED_TRACE(std::string(k->name));
    EXPECT_TRUE(names.insert(k->name).second) << "names are unique";
    EXPECT_EQ(&kind_of(k->kind), k);
    EXPECT_EQ(find_kind(k->name), k);
    EXPECT_LE(k->text.size(), 32u) << "the parser tracks given items in 32 bits";
    // Flag fields: at most two bits, disjoint; every flag bit the kind allows is written by the text.
    uint8_t seen = 0, written = 0;
    for (const auto& f : k->flags) {
      EXPECT_LE(std::popcount(f.mask), 2);
      EXPECT_EQ(seen & f.mask, 0);
      seen |= f.mask;
    }
    EXPECT_EQ(seen, checks_for(static_cast<uint8_t>(k->kind)).allowed_flags);
    // Every generic field is written by some item (the text loses nothing), positional items come first, and
    // keys and words are unique.
    std::set<slot> slots;
    std::set<std::string_view> words;
    bool named = false;
    for (const auto& item : k->text) {
      slots.insert(item.where);
      written |= item.sets;
      if (item.flags) written |= item.flags->mask;
      const bool positional =
          item.form == text_form::bdf || item.form == text_form::number || item.form == text_form::word;
      EXPECT_FALSE(positional && named) << "positional items come first";
      named |= !positional;
      if (!item.key.empty()) {
        EXPECT_TRUE(words.insert(item.key).second) << item.key;
      }
      if (item.form == text_form::bare_word) {
        for (auto w : item.flags->words) {
          if (!w.empty()) {
            EXPECT_TRUE(words.insert(w).second) << w;
          }
        }
      }
      // A limit below the field's width is checked by the binary reader too, with a reason.
      if (item.style != number_style::pages && item.where != slot::flags &&
          item.max < slot_limit(item.where)) {
        EXPECT_STRNE(item.problem, "") << item.key << item.what;
      }
    }
    EXPECT_EQ(written, seen) << "every flag bit has a text item";
    for (slot s : value_slots) EXPECT_TRUE(slots.count(s)) << "slot " << int(s);
  }
  EXPECT_FALSE(checks_for(0).known);
  EXPECT_FALSE(checks_for(record_kind_max + 1).known);
  EXPECT_EQ(kind_of(static_cast<record_kind>(0)).name, "?");
}
