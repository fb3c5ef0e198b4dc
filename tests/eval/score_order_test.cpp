// order_by_score: the radix order equals std::stable_sort's on ties, signed zeros and infinities,
// in both directions; scores with NaN fall back to the stable sort itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "ecgforest/eval/score_order.hpp"

namespace ecgforest::eval {
namespace {

std::vector<std::size_t> stable_reference(const std::vector<float>& s, bool descending) {
  std::vector<std::size_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return descending ? s[a] > s[b] : s[a] < s[b];
  });
  return idx;
}

TEST(OrderByScore, EqualsStableSortWithTiesZerosAndInfinities) {
  std::mt19937 g(4);
  std::uniform_int_distribution<int> pick(0, 40);
  std::normal_distribution<float> z(0.0f, 1e3f);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> s(5000);
  for (auto& v : s) {
    const int k = pick(g);  // many exact ties, both zeros, tiny and huge magnitudes
    v = k < 10 ? static_cast<float>(k % 4) * 0.25f : k == 10 ? -0.0f : k == 11 ? 0.0f : k == 12 ? inf
        : k == 13 ? -inf : k == 14 ? 1e-40f : k == 15 ? -1e-40f : z(g);
  }
  for (const bool desc : {false, true}) EXPECT_EQ(order_by_score(s, desc), stable_reference(s, desc)) << desc;
  EXPECT_EQ(order_by_score({0.5f, -0.0f, 0.0f, 0.25f}, false), (std::vector<std::size_t>{1, 2, 3, 0}));
  EXPECT_EQ(order_by_score({0.5f, -0.0f, 0.0f, 0.25f}, true), (std::vector<std::size_t>{0, 3, 1, 2}));
  EXPECT_TRUE(order_by_score({}, true).empty());
}

TEST(OrderByScore, ScoresWithNaNTakeTheStableSort) {
  const std::vector<float> s = {0.3f, NAN, 0.1f, 0.3f};
  EXPECT_EQ(order_by_score(s, false), stable_reference(s, false));
  EXPECT_EQ(order_by_score(s, true), stable_reference(s, true));
}

}  // namespace
}  // namespace ecgforest::eval
