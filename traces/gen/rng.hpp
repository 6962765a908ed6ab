// The generator's random numbers: splitmix64 to derive one seed per component from the user's seed, and
// xoshiro256** for the streams. Both are fully specified integer algorithms, so the same seed gives the same
// trace byte for byte on every platform (std:: distributions are implementation-defined and are never used).
#pragma once
#include <cstdint>

namespace vtd::traces::gen {

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class rng {
 public:
  explicit rng(uint64_t seed) {
    for (auto& w : m_s) w = splitmix64(seed);
  }
  uint64_t next() {
    const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
  }
  // Uniform in [0, n) by 128-bit multiply (Lemire), without modulo bias worth caring about for n << 2^64.
  uint64_t below(uint64_t n) {
    return n ? static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64) : 0;
  }
  // True with probability num/den.
  bool chance(uint64_t num, uint64_t den) { return below(den) < num; }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t m_s[4];
};

// Derives the seed of one component ("nic0", "nvme1", ...) from the user's seed.
uint64_t component_seed(uint64_t seed, uint64_t component);

}  // namespace vtd::traces::gen
