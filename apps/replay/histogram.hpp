// Log-linear latency histogram: constant memory whatever the trace length, ~1.6% relative precision
// (64 sub-buckets per power of two), exact count/sum/min/max. Percentiles are read from bucket midpoints.
#pragma once
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace vtd::replay {

class histogram {
 public:
  static constexpr unsigned kSubBits = 6;
  static constexpr unsigned kSub = 1u << kSubBits;
  static constexpr unsigned kBuckets = (64 - kSubBits + 1) * kSub;

  void add(uint64_t v) {
    ++m_buckets[bucket_of(v)];
    ++m_count;
    m_sum += v;
    if (v < m_min) m_min = v;
    if (v > m_max) m_max = v;
  }
  void merge(const histogram& o) {
    for (unsigned i = 0; i < kBuckets; ++i) m_buckets[i] += o.m_buckets[i];
    m_count += o.m_count;
    m_sum += o.m_sum;
    if (o.m_min < m_min) m_min = o.m_min;
    if (o.m_max > m_max) m_max = o.m_max;
  }
  void clear() { *this = histogram{}; }

  uint64_t count() const { return m_count; }
  uint64_t min() const { return m_count ? m_min : 0; }
  uint64_t max() const { return m_max; }
  double mean() const { return m_count ? static_cast<double>(m_sum) / static_cast<double>(m_count) : 0.0; }
  // q in [0,1]; returns a value within the bucket's precision of the true quantile, clamped to [min,max].
  uint64_t quantile(double q) const {
    if (m_count == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(m_count - 1) + 0.5) + 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < kBuckets; ++i) {
      seen += m_buckets[i];
      if (seen >= rank) {
        uint64_t lo = lower_bound(i), hi = lower_bound(i + 1) - 1;
        uint64_t mid = lo + (hi - lo) / 2;
        return mid < m_min ? m_min : (mid > m_max ? m_max : mid);
      }
    }
    return m_max;
  }

  static unsigned bucket_of(uint64_t v) {
    if (v < kSub) return static_cast<unsigned>(v);
    unsigned msb = 63 - static_cast<unsigned>(std::countl_zero(v));
    unsigned shift = msb - kSubBits;
    return (shift + 1) * kSub + static_cast<unsigned>((v >> shift) & (kSub - 1));
  }
  static uint64_t lower_bound(unsigned b) {
    if (b < kSub) return b;
    unsigned shift = b / kSub - 1;
    if (shift + kSubBits >= 64) return std::numeric_limits<uint64_t>::max();
    return (uint64_t{kSub} | (b % kSub)) << shift;
  }

  // The whole state, to carry a histogram to another process (a remapping unit's timed replay runs in a
  // process of its own) and rebuild it there exactly: the non-empty buckets, count, sum, min and max.
  struct saved {
    std::vector<std::pair<unsigned, uint64_t>> buckets;
    uint64_t count = 0, sum = 0, min = 0, max = 0;
  };
  saved save() const {
    saved s{{}, m_count, m_sum, m_min, m_max};
    for (unsigned i = 0; i < kBuckets; ++i)
      if (m_buckets[i]) s.buckets.emplace_back(i, m_buckets[i]);
    return s;
  }
  // Throws std::invalid_argument for a bucket index out of range.
  static histogram restore(const saved& s) {
    histogram h;
    for (const auto& [i, n] : s.buckets) {
      if (i >= kBuckets) throw std::invalid_argument("histogram: bucket index out of range");
      h.m_buckets[i] = n;
    }
    h.m_count = s.count;
    h.m_sum = s.sum;
    h.m_min = s.min;
    h.m_max = s.max;
    return h;
  }

 private:
  std::array<uint64_t, kBuckets> m_buckets{};
  uint64_t m_count = 0;
  uint64_t m_sum = 0;
  uint64_t m_min = std::numeric_limits<uint64_t>::max();
  uint64_t m_max = 0;
};

}  // namespace vtd::replay
