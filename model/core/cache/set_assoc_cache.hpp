// Generic set-associative cache storage used by every VT-d translation cache (VT-d spec 6.2 leaves geometry
// and replacement to the implementation): fixed arrays sized at construction, LRU / tree-PLRU / FIFO / random
// replacement, invalidation by predicate, and hit/miss/fill/eviction/invalidation counters.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace vtd::core {

enum class replacement_policy : uint8_t { lru, plru, fifo, random };
const char* to_string(replacement_policy p);

// Geometry and policy of one cache. ways == entries gives a fully associative cache, ways == 1 a
// direct-mapped one. entries / ways (the set count) must be a power of two; tree-PLRU needs a power-of-two
// way count <= 64.
struct cache_config {
  uint32_t entries = 64;
  uint32_t ways = 4;
  replacement_policy policy = replacement_policy::lru;
  uint64_t seed = 1;           // random replacement only
  bool split_by_size = false;  // IOTLB only: separate 4K / 2M / 1G arrays, each with this geometry
};

// splitmix64: a small, fully specified generator so that random replacement is reproducible on every
// platform.
class splitmix64 {
 public:
  explicit splitmix64(uint64_t seed) : m_state(seed) {}
  uint64_t next() {
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t m_state;
};

struct cache_stats {
  uint64_t lookups = 0, hits = 0, misses = 0, fills = 0, evictions = 0, invalidations = 0;
  cache_stats& operator+=(const cache_stats& o) {
    lookups += o.lookups, hits += o.hits, misses += o.misses, fills += o.fills, evictions += o.evictions,
        invalidations += o.invalidations;
    return *this;
  }
};

// Checks a geometry; returns null when it is usable, else the reason.
inline constexpr uint32_t max_cache_entries = uint32_t(1) << 20;
inline constexpr uint32_t max_cache_ways = 256;
const char* validate(const cache_config& c);

// Tag: a small regular type with ==. Payload: copyable. Index: functor uint64_t(const Tag&) giving the
// set-index source bits (masked by the set count), so each cache chooses which tag bits select the set.
template <class Tag, class Payload, class Index>
class set_assoc_cache {
 public:
  struct fill_result {
    bool evicted = false;  // a valid entry with another tag was replaced
    bool updated = false;  // the tag was already present: its payload was overwritten in place
    Tag victim_tag{};
    Payload victim{};
  };

  explicit set_assoc_cache(const cache_config& cfg, Index index = Index{})
      : m_cfg(cfg), m_index(index), m_rng(cfg.seed) {
    if (const char* why = validate(cfg)) throw std::invalid_argument(why);
    m_sets = cfg.entries / cfg.ways;
    m_ways = cfg.ways;
    m_set_mask = m_sets - 1;
    m_tags = std::make_unique<Tag[]>(cfg.entries);
    m_payloads = std::make_unique<Payload[]>(cfg.entries);
    m_valid = std::make_unique<uint8_t[]>(cfg.entries);
    m_stamp = std::make_unique<uint64_t[]>(cfg.entries);
    m_plru = std::make_unique<uint64_t[]>(m_sets);
    clear();
  }

  const cache_config& config() const { return m_cfg; }
  uint32_t sets() const { return m_sets; }
  uint32_t ways() const { return m_ways; }
  uint32_t capacity() const { return m_cfg.entries; }
  uint32_t set_of(const Tag& t) const { return uint32_t(m_index(t)) & m_set_mask; }

  // Counted lookup: updates statistics and the replacement state on a hit.
  Payload* lookup(const Tag& t) {
    ++m_stats.lookups;
    Payload* p = probe(t, true);
    if (p)
      ++m_stats.hits;
    else
      ++m_stats.misses;
    return p;
  }
  // Uncounted lookup (callers that keep their own statistics, e.g. an IOTLB probing several page sizes).
  Payload* probe(const Tag& t, bool touch) { return probe_set(m_index(t), t, touch); }
  // probe() with the set-index source bits of `t` given (index_bits == Index{}(t)): a caller probing several
  // tags that share most of their index computes the shared part once.
  Payload* probe_set(uint64_t index_bits, const Tag& t, bool touch) {
    const uint32_t base = (uint32_t(index_bits) & m_set_mask) * m_ways;
    for (uint32_t w = 0; w < m_ways; ++w) {
      uint32_t i = base + w;
      if (m_valid[i] && m_tags[i] == t) {
        if (touch) on_hit(base, w);
        return &m_payloads[i];
      }
    }
    return nullptr;
  }
  const Payload* peek(const Tag& t) const { return const_cast<set_assoc_cache*>(this)->probe(t, false); }

  fill_result fill(const Tag& t, const Payload& p) {
    ++m_stats.fills;
    fill_result r;
    uint32_t base = set_of(t) * m_ways;
    uint32_t way = m_ways;
    for (uint32_t w = 0; w < m_ways; ++w) {
      if (m_valid[base + w] && m_tags[base + w] == t) {
        m_payloads[base + w] = p;
        r.updated = true;
        on_hit(base, w);
        return r;
      }
      if (way == m_ways && !m_valid[base + w]) way = w;  // first free way
    }
    if (way == m_ways) {
      way = victim(base);
      r.evicted = true;
      r.victim_tag = m_tags[base + way];
      r.victim = m_payloads[base + way];
      ++m_stats.evictions;
    } else {
      ++m_valid_count;
    }
    uint32_t i = base + way;
    m_tags[i] = t;
    m_payloads[i] = p;
    m_valid[i] = 1;
    m_stamp[i] = ++m_clock;  // insertion time (FIFO) and last use (LRU)
    if (m_cfg.policy == replacement_policy::plru) plru_touch(base / m_ways, way);
    return r;
  }

  // Removes the entry with this tag; true when one was present.
  bool invalidate(const Tag& t) {
    uint32_t base = set_of(t) * m_ways;
    for (uint32_t w = 0; w < m_ways; ++w)
      if (m_valid[base + w] && m_tags[base + w] == t) {
        drop(base + w);
        return true;
      }
    return false;
  }
  // Removes every entry for which pred(tag, payload) is true; returns how many.
  template <class Pred>
  uint64_t invalidate_if(Pred pred) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < m_cfg.entries; ++i)
      if (m_valid[i] && pred(m_tags[i], m_payloads[i])) {
        drop(i);
        ++n;
      }
    return n;
  }
  uint64_t invalidate_all() {
    return invalidate_if([](const Tag&, const Payload&) { return true; });
  }
  // Visits every valid entry (tests, dumps, the checker).
  template <class Fn>
  void for_each(Fn fn) const {
    for (uint32_t i = 0; i < m_cfg.entries; ++i)
      if (m_valid[i]) fn(m_tags[i], m_payloads[i]);
  }

  uint32_t valid_entries() const { return m_valid_count; }
  const cache_stats& stats() const { return m_stats; }
  cache_stats& stats() { return m_stats; }
  void reset_stats() { m_stats = {}; }

  // Empties the cache and resets the replacement state (not the statistics).
  void clear() {
    for (uint32_t i = 0; i < m_cfg.entries; ++i) m_valid[i] = 0, m_stamp[i] = 0;
    for (uint32_t s = 0; s < m_sets; ++s) m_plru[s] = 0;
    m_valid_count = 0;
    m_clock = 0;
    m_rng = splitmix64(m_cfg.seed);
  }

 private:
  void drop(uint32_t i) {
    m_valid[i] = 0;
    --m_valid_count;
    ++m_stats.invalidations;
  }
  void on_hit(uint32_t base, uint32_t way) {
    switch (m_cfg.policy) {
      case replacement_policy::lru:
        m_stamp[base + way] = ++m_clock;
        break;
      case replacement_policy::plru:
        plru_touch(base / m_ways, way);
        break;
      case replacement_policy::fifo:
      case replacement_policy::random:
        break;  // hits do not change their choice
    }
  }
  // Tree-PLRU over ways (power of two): node n has children 2n+1, 2n+2; a bit of 1 means "the victim is in
  // the right half". A touch points every node on the path away from the used way.
  void plru_touch(uint32_t set, uint32_t way) {
    uint64_t& bits = m_plru[set];
    uint32_t node = 0;
    for (uint32_t half = m_ways / 2; half >= 1; half /= 2) {
      bool right = way & half;
      bits = right ? (bits & ~(uint64_t{1} << node)) : (bits | (uint64_t{1} << node));
      node = 2 * node + (right ? 2 : 1);
    }
  }
  uint32_t plru_victim(uint32_t set) const {
    uint64_t bits = m_plru[set];
    uint32_t node = 0, way = 0;
    for (uint32_t half = m_ways / 2; half >= 1; half /= 2) {
      bool right = (bits >> node) & 1;
      if (right) way |= half;
      node = 2 * node + (right ? 2 : 1);
    }
    return way;
  }
  uint32_t victim(uint32_t base) {
    switch (m_cfg.policy) {
      case replacement_policy::plru:
        return plru_victim(base / m_ways);
      case replacement_policy::random:
        return uint32_t(m_rng.next() % m_ways);
      case replacement_policy::lru:
      case replacement_policy::fifo:
        break;  // the smallest stamp (last use / insertion), below
    }
    uint32_t best = 0;
    for (uint32_t w = 1; w < m_ways; ++w)
      if (m_stamp[base + w] < m_stamp[base + best]) best = w;
    return best;
  }

  cache_config m_cfg;
  Index m_index;
  uint32_t m_sets = 0, m_ways = 0, m_set_mask = 0, m_valid_count = 0;
  uint64_t m_clock = 0;
  splitmix64 m_rng;
  std::unique_ptr<Tag[]> m_tags;
  std::unique_ptr<Payload[]> m_payloads;
  std::unique_ptr<uint8_t[]> m_valid;
  std::unique_ptr<uint64_t[]> m_stamp;
  std::unique_ptr<uint64_t[]> m_plru;
  cache_stats m_stats;
};

}  // namespace vtd::core
