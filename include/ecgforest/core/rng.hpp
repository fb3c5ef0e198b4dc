#pragma once
// Small deterministic random number generators for the forest and the fold assignment.
// splitmix64 (Steele, Lea & Flood 2014) for seeding/hashing, xoshiro256** (Blackman & Vigna)
// for the streams. Identical output on every platform, independent of threads and processes.
#include <cstdint>

namespace ecgforest {

/// One splitmix64 step: advances `state` and returns the next 64-bit output.
inline std::uint64_t splitmix64_next(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Mixes two 64-bit values into one seed (e.g. (params.seed, tree_index)).
inline std::uint64_t hash_seed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t s = a;
  const std::uint64_t ha = splitmix64_next(s);
  s = b ^ ha;
  return splitmix64_next(s);
}

/// xoshiro256** generator seeded from one 64-bit value through splitmix64.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64_next(sm);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform integer in [0, n) for 1 <= n < 2^32 (Lemire's multiply-shift; bias < n / 2^32).
  std::uint32_t below(std::uint32_t n) {
    const std::uint64_t r = next() >> 32;
    return static_cast<std::uint32_t>((r * n) >> 32);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace ecgforest
