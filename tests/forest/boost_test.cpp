// Gradient-boosted trees: leaf values, gains and margins against hand-computed values, the NaN
// split, raw-unit prediction equal to binned prediction, and thread-count invariance.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/rng.hpp"
#include "ecgforest/forest/boost.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();

BoostParams exact_params(int rounds) {
  BoostParams p;
  p.n_rounds = rounds;
  p.max_depth = 1;
  p.learning_rate = 0.5;
  p.lambda = 1.0;
  p.min_child_hessian = 0;
  p.subsample = 1;
  p.colsample = 1;
  return p;
}

TEST(Boost, OneRoundByHand) {
  // x = 1, 2, 3, 4 with labels 0, 0, 1, 1: base margin log(0.5/0.5) = 0, so g = p - y = +-0.5 and
  // h = 0.25. Cut after 2 (edge 2.5): G_L = 1, H_L = 0.5, G_R = -1, H_R = 0.5, gain
  // 0.5 (1/1.5 + 1/1.5 - 0) = 2/3 (cut after 1 or 3: 0.5 (0.25/1.25 + 0.25/1.75) = 0.171);
  // leaves -0.5 x 1/1.5 = -1/3 and +1/3.
  const std::vector<float> x = {1, 2, 3, 4};
  const std::vector<std::uint8_t> y = {0, 0, 1, 1};
  const auto xb = BinnedMatrix::build(x.data(), 4, 1);
  const auto m = grow_boosted(xb, y, {0, 1, 2, 3}, exact_params(1));
  EXPECT_EQ(m.base_margin, 0.0);
  ASSERT_EQ(m.trees.size(), 1u);
  const Tree& t = m.trees[0];
  ASSERT_EQ(t.n_nodes(), 3u);
  EXPECT_EQ(t.feature[0], 0);
  EXPECT_FLOAT_EQ(t.threshold[0], 2.5f);
  EXPECT_NEAR(t.value[1], -1.0 / 3, 1e-7);
  EXPECT_NEAR(t.value[2], 1.0 / 3, 1e-7);
  EXPECT_NEAR(t.importance[0], 2.0 / 3, 1e-12);
  EXPECT_NEAR(boosted_proba_binned(m, xb.row(0)), 1 / (1 + std::exp(1.0 / 3)), 1e-7);  // 0.41743
}

TEST(Boost, SecondRoundStartsFromTheFirstRoundsMargins) {
  // After round 1 the margins are -1/3 (y = 0) and +1/3 (y = 1): p = 0.41743 for the left rows,
  // g = 0.41743, h = 0.41743 x 0.58257 = 0.24318; leaf -0.5 x 0.83486 / (0.48637 + 1) =
  // -0.28084; gain G_L^2 / (H_L + 1) = 0.46892 (G = 0); P(x = 1) = logistic(-1/3 - 0.28084) = 0.35111.
  const std::vector<float> x = {1, 2, 3, 4};
  const std::vector<std::uint8_t> y = {0, 0, 1, 1};
  const auto xb = BinnedMatrix::build(x.data(), 4, 1);
  const auto m = grow_boosted(xb, y, {0, 1, 2, 3}, exact_params(2));
  ASSERT_EQ(m.trees.size(), 2u);
  EXPECT_NEAR(m.trees[1].value[1], -0.2808394868986943, 1e-7);
  EXPECT_NEAR(m.trees[1].value[2], 0.2808394868986943, 1e-7);
  EXPECT_NEAR(m.trees[1].importance[0], 0.4689230761334057, 1e-7);  // round 1 leaves are float32
  EXPECT_NEAR(boosted_proba_binned(m, xb.row(0)), 0.3511079098511045, 1e-7);
  EXPECT_NEAR(boosted_proba_binned(m, xb.row(3)), 1 - 0.3511079098511045, 1e-7);
}

TEST(Boost, NanRowsSplitFromPresentValues) {
  // Positives are exactly the NaN rows: the best split is "value present vs NaN" (every bin
  // left, NaN right; gain 2/3 against 0.171 for NaN joining x = 1), stored as threshold +inf.
  const std::vector<float> x = {kNan, kNan, 1, 2};
  const std::vector<std::uint8_t> y = {1, 1, 0, 0};
  const auto xb = BinnedMatrix::build(x.data(), 4, 1);
  const auto m = grow_boosted(xb, y, {0, 1, 2, 3}, exact_params(1));
  const Tree& t = m.trees[0];
  ASSERT_EQ(t.n_nodes(), 3u);
  EXPECT_TRUE(std::isinf(t.threshold[0]));
  EXPECT_EQ(t.nan_left[0], 0);
  Forest f;
  f.trees = m.trees;
  f.feature_names = {"x"};
  f.boosted_base_margin = m.base_margin;
  const float nan_row = kNan, big = 1e9f;
  EXPECT_NEAR(f.predict_proba(&nan_row), 1 / (1 + std::exp(-1.0 / 3)), 1e-7);
  EXPECT_NEAR(f.predict_proba(&big), 1 / (1 + std::exp(1.0 / 3)), 1e-7);  // beyond the last edge: present
}

struct Data {
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  std::size_t n, f;
};

// Rows with a noisy positive rule on features 0 and 1, NaNs sprinkled in feature 2.
Data synthetic(std::size_t n, std::size_t f) {
  Data d{std::vector<float>(n * f), std::vector<std::uint8_t>(n), n, f};
  Xoshiro256 rng(7);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < f; ++c) d.x[r * f + c] = static_cast<float>(rng.below(1000000)) / 1e6f;
    if (rng.below(10) == 0) d.x[r * f + 2] = kNan;
    const bool noise = rng.below(10) == 0;
    d.y[r] = static_cast<std::uint8_t>((d.x[r * f] + d.x[r * f + 1] > 1.2f) != noise);
  }
  return d;
}

std::vector<std::uint32_t> iota_rows(std::size_t n) {
  std::vector<std::uint32_t> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = static_cast<std::uint32_t>(i);
  return r;
}

TEST(Boost, BitwiseIdenticalForOneAndTwoThreadsAndRawEqualsBinned) {
  const auto d = synthetic(20000, 6);
  const auto xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  BoostParams p;
  p.n_rounds = 30;
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto a = grow_boosted(xb, d.y, iota_rows(d.n), p);
  omp_set_num_threads(2);
  const auto b = grow_boosted(xb, d.y, iota_rows(d.n), p);
  omp_set_num_threads(before);
  ASSERT_EQ(a.trees.size(), b.trees.size());
  for (std::size_t t = 0; t < a.trees.size(); ++t) {
    ASSERT_EQ(a.trees[t].feature, b.trees[t].feature) << "tree " << t;
    ASSERT_EQ(a.trees[t].bin, b.trees[t].bin) << "tree " << t;
    ASSERT_EQ(std::memcmp(a.trees[t].value.data(), b.trees[t].value.data(), a.trees[t].value.size() * 4), 0) << "tree " << t;
  }
  Forest f;
  f.trees = a.trees;
  f.feature_names = {"a", "b", "c", "d", "e", "f"};
  f.boosted_base_margin = a.base_margin;
  const auto raw = f.predict_proba(d.x.data(), d.n);
  std::size_t right = 0;
  for (std::size_t r = 0; r < d.n; ++r) {
    ASSERT_EQ(raw[r], boosted_proba_binned(a, xb.row(r))) << "row " << r;
    right += (raw[r] >= 0.5f) == (d.y[r] == 1);
  }
  // The rule is learnable up to its 10 % label noise: 30 shallow rounds reach at least 85 %.
  EXPECT_GT(static_cast<double>(right) / static_cast<double>(d.n), 0.85);
}

TEST(Boost, RejectsBadSettingsAndRows) {
  const std::vector<float> x = {1, 2};
  const auto xb = BinnedMatrix::build(x.data(), 2, 1);
  const std::vector<std::uint8_t> y = {0, 1};
  auto p = exact_params(1);
  p.learning_rate = 0;
  EXPECT_THROW(grow_boosted(xb, y, {0, 1}, p), ParameterError);
  p = exact_params(1);
  p.max_depth = 0;
  EXPECT_THROW(grow_boosted(xb, y, {0, 1}, p), ParameterError);
  EXPECT_THROW(grow_boosted(xb, y, {}, exact_params(1)), Error);
  EXPECT_THROW(grow_boosted(xb, y, {0, 5}, exact_params(1)), Error);
  EXPECT_THROW(grow_boosted(xb, {0, 2}, {0, 1}, exact_params(1)), Error);
}

}  // namespace
}  // namespace ecgforest::forest
