// The walk record: every memory read (address, raw entry) and every cache lookup one request caused, in
// order. One source, several readers: the timing model prices it, `vtdsim walk` explains it, the replay's
// stale check compares it. Each step is a tagged record (what happened, which structure, which translation
// stage, which paging level, the raw entry up to 512 bits). Fixed capacity so that recording costs no
// allocation on the hot path; a step beyond it is counted, never silently lost (overflowed() / dropped()).
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>

namespace vtd::core {

// What the step did. A memory read is named by the structure it read (the legacy-mode names readers switch
// on); see walk_step::structure for the full tag.
enum class step_kind : uint8_t {
  root_entry,         // root entry read (RTA + bus*16), legacy or scalable-mode (walk_step::structure)
  context_entry,      // context entry read: legacy CTP + devfn*16, scalable (L|U)CTP + (devfn & 0x7F)*32
  pasid_dir_entry,    // PASID directory entry read (PASIDDIRPTR + PASID[19:6]*8)
  pasid_entry,        // PASID-table entry read (SMPTBLPTR + PASID[5:0]*64)
  sl_entry,           // second-stage paging entry read (64-bit)
  fs_entry,           // first-stage paging entry read (64-bit, IA-32e format)
  irte,               // 128-bit interrupt remapping table entry read
  posted_descriptor,  // posted-interrupt descriptor access
  cache_lookup,       // a lookup in one of the translation caches
  status_write,       // a memory write by the unit (invalidation-wait status, posting, accessed/dirty update)
};

// Which cache a cache_lookup step probed; `none` on every other step.
enum class cache_kind : uint8_t {
  context,  // context-cache, tagged by source-id; also the scalable-mode PASID-cache (tagged by source-id and
            // PASID), whose steps have structure_kind::pasid_entry and the PASID as index
  iotlb,    // final translations, tagged by DID and page number (scalable mode: and PASID and stage)
  pde,      // paging-structure cache of PDEs (level 2 entries); the step's stage tells the second-stage
            // caches (second) from the first-stage ones (first, or nested)
  pdpe,     // PDPEs (level 3)
  pml4e,    // PML4Es (level 4)
  pml5e,    // PML5Es (level 5)
  interrupt,  // interrupt entry cache, tagged by interrupt_index
  pasid,      // PASID cache (scalable mode), tagged by source-id and PASID; DID and PASID for invalidation
  none,       // not a cache lookup
};
constexpr unsigned kCacheKinds = 8;  // the caches (every value before `none`)

// The architectural structure a step read, wrote, or found a cached copy of (spec chapter 9).
enum class structure_kind : uint8_t {
  none,               // a final translation (IOTLB), or nothing
  root_entry,         // legacy root entry (9.1)
  context_entry,      // legacy context entry (9.3)
  sm_root_entry,      // scalable-mode root entry
  sm_context_entry,   // scalable-mode context entry
  pasid_dir_entry,    // scalable-mode PASID directory entry
  pasid_entry,        // scalable-mode PASID-table entry
  paging_entry,       // first- or second-stage paging entry (9.8 for the second stage): see stage and level
  irte,               // interrupt remapping table entry (9.10 / 9.11)
  posted_descriptor,  // posted-interrupt descriptor
  invalidation_wait,  // inv_wait_dsc status write
};

// Translation stage of a paging entry, of a paging-structure cache or of a cached translation. The values are
// the PASID-table entry's PGTT encodings; `none` for structures outside the paging hierarchy.
enum class translation_stage : uint8_t { none = 0, first = 1, second = 2, nested = 3, pass_through = 4 };

const char* to_string(step_kind k);
const char* to_string(cache_kind k);
const char* to_string(structure_kind s);
const char* to_string(translation_stage s);

struct walk_step {
  static constexpr unsigned kMaxQwords = 8;  // 512 bits: the widest structure (PASID-table entry)

  step_kind kind = step_kind::root_entry;
  cache_kind cache = cache_kind::none;  // cache_lookup only
  structure_kind structure = structure_kind::none;
  translation_stage stage = translation_stage::none;
  uint8_t level = 0;       // paging entry: level 5..1; cache_lookup on a paging-structure cache: its level
  bool ok = true;          // memory read succeeded / cache lookup hit
  uint8_t raw_qwords = 0;  // 64-bit words of `raw` that hold the entry
  uint32_t index = 0;      // index into the table (bus, devfn, 9-bit level index, interrupt_index) or tag
  uint64_t table_base = 0;
  uint64_t entry_address = 0;
  // The entry as read (for a cache hit, the cached value where meaningful), up to 512 bits: QW0 and QW1 (the
  // whole of a 64- or 128-bit entry) and QW2..QW7 of wider ones. qw(n) reads any of them.
  uint64_t raw_lo = 0;
  uint64_t raw_hi = 0;
  std::array<uint64_t, kMaxQwords - 2> raw_upper{};

  uint64_t qw(unsigned n) const { return n == 0 ? raw_lo : n == 1 ? raw_hi : raw_upper[n - 2]; }
  void set_qw(unsigned n, uint64_t v) { (n == 0 ? raw_lo : n == 1 ? raw_hi : raw_upper[n - 2]) = v; }
  unsigned raw_bits() const { return 64u * raw_qwords; }
  bool is_cache_lookup() const { return kind == step_kind::cache_lookup; }

  // A memory read of `what` (a read that failed has ok=false and raw zero).
  static walk_step read(step_kind kind, structure_kind what, translation_stage stage, unsigned level, bool ok,
                        uint32_t index, uint64_t table_base, uint64_t entry_address,
                        std::initializer_list<uint64_t> raw) {
    walk_step s;
    s.kind = kind;
    s.structure = what;
    s.stage = stage;
    s.level = uint8_t(level);
    s.ok = ok;
    s.index = index;
    s.table_base = table_base;
    s.entry_address = entry_address;
    s.set_raw(raw);
    return s;
  }
  // A lookup in cache `cache` for a cached copy of `what`.
  static walk_step lookup(cache_kind cache, structure_kind what, translation_stage stage, unsigned level,
                          bool hit, uint32_t tag_index, std::initializer_list<uint64_t> raw) {
    walk_step s;
    s.kind = step_kind::cache_lookup;
    s.cache = cache;
    s.structure = what;
    s.stage = stage;
    s.level = uint8_t(level);
    s.ok = hit;
    s.index = tag_index;
    s.set_raw(raw);
    return s;
  }
  // The raw entry, QW0 first (at most kMaxQwords words are kept).
  void set_raw(std::initializer_list<uint64_t> raw) {
    unsigned n = 0;
    for (uint64_t q : raw) {
      if (n == kMaxQwords) break;
      set_qw(n++, q);
    }
    raw_qwords = uint8_t(n);
  }
};

class walk_record {
 public:
  // A legacy walk takes at most 10 steps; a scalable-mode nested walk up to 24 memory reads plus cache
  // lookups. 64 leaves room for both; anything beyond is counted in dropped().
  static constexpr unsigned kMaxSteps = 64;

  // Whether steps are kept (the default). A caller that reads only the facts below (memory_reads,
  // first_lookup_hit, overflowed) turns it off: every add then updates the facts exactly as it would with the
  // steps kept, and stores nothing (size() is 0). Timing (which prices the steps) and explanations need it
  // on.
  void keep_steps(bool on) { m_keep_steps = on; }
  bool keeps_steps() const { return m_keep_steps; }

  void clear() {
    m_count = 0;
    m_dropped = 0;
    m_memory_reads = 0;
    m_caches_seen = m_caches_hit = 0;
  }
  void add(const walk_step& s) {
    if (walk_step* slot = claim(s.kind, s.cache, s.ok)) *slot = s;
  }
  // add(walk_step::read(...)) and add(walk_step::lookup(...)) with the step written where it is kept: the hit
  // path records two or three lookups per request, and a step built aside and copied in costs more than the
  // lookup itself (a 96-byte temporary, zeroed and then read back before its stores have retired).
  void add_read(step_kind kind, structure_kind what, translation_stage stage, unsigned level, bool ok,
                uint32_t index, uint64_t table_base, uint64_t entry_address,
                std::initializer_list<uint64_t> raw) {
    walk_step* s = claim(kind, cache_kind::none, ok);
    if (!s) return;
    s->kind = kind;
    s->cache = cache_kind::none;
    s->structure = what;
    s->stage = stage;
    s->level = uint8_t(level);
    s->ok = ok;
    s->index = index;
    s->table_base = table_base;
    s->entry_address = entry_address;
    s->raw_lo = s->raw_hi = 0;
    s->raw_upper = {};
    s->set_raw(raw);
  }
  void add_lookup(cache_kind cache, structure_kind what, translation_stage stage, unsigned level, bool hit,
                  uint32_t tag_index, std::initializer_list<uint64_t> raw) {
    walk_step* s = claim(step_kind::cache_lookup, cache, hit);
    if (!s) return;
    s->kind = step_kind::cache_lookup;
    s->cache = cache;
    s->structure = what;
    s->stage = stage;
    s->level = uint8_t(level);
    s->ok = hit;
    s->index = tag_index;
    s->table_base = 0;
    s->entry_address = 0;
    s->raw_lo = s->raw_hi = 0;
    s->raw_upper = {};
    s->set_raw(raw);
  }

  unsigned size() const { return m_keep_steps ? m_count : 0; }
  const walk_step& operator[](unsigned i) const { return m_steps[i]; }
  const walk_step* begin() const { return m_steps.data(); }
  const walk_step* end() const { return m_steps.data() + size(); }
  // True when steps were not recorded because the record was full: the record is incomplete.
  bool overflowed() const { return m_dropped != 0; }
  unsigned dropped() const { return m_dropped; }

  // Facts of the recorded steps, kept as they are added so that a reader needs no scan of the record.
  // Structure reads (every recorded step that is neither a cache lookup nor a status write).
  unsigned memory_reads() const { return m_memory_reads; }
  // Whether `cache` was probed, and whether its first recorded lookup hit (a walk probes each cache at most
  // once per request; the first lookup decides).
  bool looked_up(cache_kind cache) const { return (m_caches_seen >> unsigned(cache)) & 1u; }
  bool first_lookup_hit(cache_kind cache) const { return (m_caches_hit >> unsigned(cache)) & 1u; }

 private:
  static_assert(kCacheKinds <= 8, "one bit per cache in m_caches_seen / m_caches_hit");

  // Counts one step and notes its facts; returns where to write it, or null when it is not kept (record
  // full: counted in dropped(); or steps off). The facts cover the recorded steps only, as a scan would.
  walk_step* claim(step_kind kind, cache_kind cache, bool ok) {
    if (m_count == kMaxSteps) {
      ++m_dropped;
      return nullptr;
    }
    note(kind, cache, ok);
    walk_step* slot = &m_steps[m_count++];
    return m_keep_steps ? slot : nullptr;
  }
  void note(step_kind kind, cache_kind cache, bool ok) {
    if (kind == step_kind::cache_lookup) {
      if (cache == cache_kind::none) return;
      // Branch-free: the hit bit is taken only from the first lookup of the cache (bit not yet seen).
      const uint8_t bit = uint8_t(1u << unsigned(cache));
      m_caches_hit |= uint8_t((ok ? bit : 0) & ~m_caches_seen);
      m_caches_seen |= bit;
    } else if (kind != step_kind::status_write) {
      ++m_memory_reads;
    }
  }

  std::array<walk_step, kMaxSteps> m_steps{};
  unsigned m_count = 0;
  unsigned m_dropped = 0;
  unsigned m_memory_reads = 0;
  uint8_t m_caches_seen = 0;  // bit c: cache_kind c was looked up
  uint8_t m_caches_hit = 0;   // bit c: its first lookup hit
  bool m_keep_steps = true;
};

}  // namespace vtd::core
