#include "ecgforest/eval/score_order.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace ecgforest::eval {
namespace {

/// Unsigned key increasing with the float's value (both zeros map to one key).
std::uint32_t monotone_key(float v) {
  const std::uint32_t bits = v == 0.0f ? 0u : std::bit_cast<std::uint32_t>(v);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

std::vector<std::size_t> stable_order(const std::vector<float>& score, bool descending) {
  std::vector<std::size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  if (descending) {
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  } else {
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  }
  return idx;
}

}  // namespace

std::vector<std::size_t> order_by_score(const std::vector<float>& score, bool descending) {
  const bool any_nan = std::any_of(score.begin(), score.end(), [](float v) { return std::isnan(v); });
  if (any_nan || score.size() > 0xFFFFFFFFu) return stable_order(score, descending);
  // LSD radix sort of (key, index) in three stable passes of 11 bits: ties stay in index order.
  const std::size_t n = score.size();
  std::vector<std::uint64_t> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = monotone_key(score[i]);
    a[i] = (static_cast<std::uint64_t>(descending ? ~k : k) << 32) | i;
  }
  for (int shift = 32; shift < 64; shift += 11) {
    std::vector<std::size_t> start(2049, 0);
    for (const std::uint64_t v : a) ++start[((v >> shift) & 2047u) + 1];
    for (std::size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
    for (const std::uint64_t v : a) b[start[(v >> shift) & 2047u]++] = v;
    a.swap(b);
  }
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = static_cast<std::size_t>(a[i] & 0xFFFFFFFFu);
  return idx;
}

}  // namespace ecgforest::eval
