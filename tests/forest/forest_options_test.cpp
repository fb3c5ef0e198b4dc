// Sampling without replacement with a fraction (Bootstrap::subsample, sample_fraction) and leaf
// shrinkage (leaf_prior), on hand-built cases whose values are computed here by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

std::vector<std::uint32_t> iota_rows(std::size_t n) {
  std::vector<std::uint32_t> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = static_cast<std::uint32_t>(i);
  return r;
}

/// x = 0..99, y = 1 for x >= 90 (10 positives): one split separates the classes.
struct Stairs {
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  Stairs() {
    for (int i = 0; i < 100; ++i) {
      x.push_back(static_cast<float>(i));
      y.push_back(i >= 90 ? 1 : 0);
    }
  }
};

TEST(ForestSubsample, DrawsDistinctRowsWithTheFraction) {
  const std::vector<std::uint8_t> y(1000, 0);
  const auto rows = iota_rows(1000);
  ForestParams p;
  p.sampling = Bootstrap::subsample;  // fraction 0 = 0.632: round(632.0) rows
  for (std::uint64_t t = 0; t < 4; ++t) {
    std::uint64_t in = 0;
    for (auto m : inbag_counts(y, rows, p, t)) {
      ASSERT_LE(m, 1u);  // without replacement
      in += m;
    }
    EXPECT_EQ(in, 632u);
  }
  p.sample_fraction = 0.25;
  std::uint64_t in = 0;
  for (auto m : inbag_counts(y, rows, p, 0)) in += m;
  EXPECT_EQ(in, 250u);
  // Every row is equally likely: over 400 trees each row is in about 0.25 * 400 = 100 samples
  // (binomial sd 8.7; 5 sd either side).
  std::vector<int> hits(1000, 0);
  for (std::uint64_t t = 0; t < 400; ++t) {
    const auto m = inbag_counts(y, rows, p, t);
    for (std::size_t i = 0; i < m.size(); ++i) hits[i] += static_cast<int>(m[i]);
  }
  for (std::size_t i = 0; i < hits.size(); ++i) {
    ASSERT_GT(hits[i], 56) << "row " << i;
    ASSERT_LT(hits[i], 144) << "row " << i;
  }
  // With replacement the fraction sets the number of draws: 0.5 * 1000.
  p.sampling = Bootstrap::standard;
  p.sample_fraction = 0.5;
  std::uint64_t draws = 0;
  for (auto m : inbag_counts(y, rows, p, 0)) draws += m;
  EXPECT_EQ(draws, 500u);
  EXPECT_EQ(draws_per_tree(p, 3), 2u);  // round(1.5) = 2
  p.sample_fraction = 0.001;
  EXPECT_EQ(draws_per_tree(p, 100), 1u);  // at least one draw
  p.bootstrap = false;
  EXPECT_EQ(draws_per_tree(p, 100), 100u);
}

TEST(ForestSubsample, TreeSeesOnlyItsSample) {
  // With min_samples_leaf 1 and no depth limit a tree splits until its leaves are pure, so its
  // root value is the positive share of exactly the sampled rows.
  const Stairs d;
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), 100, 1);
  ForestParams p;
  p.sampling = Bootstrap::subsample;
  p.sample_fraction = 0.5;
  p.class_weight = ClassWeight::none;
  const Tree t = grow_tree(xb, d.y, iota_rows(100), p, 3);
  const auto m = inbag_counts(d.y, iota_rows(100), p, 3);
  int n_in = 0, n_pos = 0;
  for (int i = 0; i < 100; ++i) {
    n_in += static_cast<int>(m[static_cast<std::size_t>(i)]);
    if (m[static_cast<std::size_t>(i)] && i >= 90) ++n_pos;
  }
  ASSERT_EQ(n_in, 50);
  EXPECT_FLOAT_EQ(t.value[0], static_cast<float>(n_pos) / 50.0f);
}

TEST(ForestLeafPrior, ShrinksLeavesTowardsTheRootRatio) {
  const Stairs d;
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), 100, 1);
  ForestParams p;
  p.bootstrap = false;  // every row once
  p.max_depth = 1;
  p.class_weight = ClassWeight::none;
  const Tree plain = grow_tree(xb, d.y, iota_rows(100), p, 0);
  ASSERT_EQ(plain.n_nodes(), 3u);
  EXPECT_EQ(plain.value[1], 0.0f);  // 90 negatives
  EXPECT_EQ(plain.value[2], 1.0f);  // 10 positives
  // 10 pseudo-rows at the root ratio 10/100 (one pseudo-positive):
  // root (10 + 1) / (100 + 10), left (0 + 1) / (90 + 10), right (10 + 1) / (10 + 10).
  p.leaf_prior = 10;
  const Tree shrunk = grow_tree(xb, d.y, iota_rows(100), p, 0);
  ASSERT_EQ(shrunk.n_nodes(), 3u);
  EXPECT_EQ(shrunk.threshold[0], plain.threshold[0]);  // the split itself is unchanged
  EXPECT_FLOAT_EQ(shrunk.value[0], 0.1f);
  EXPECT_FLOAT_EQ(shrunk.value[1], 0.01f);
  EXPECT_FLOAT_EQ(shrunk.value[2], 0.55f);
  // Balanced class weights: w0 = 100 / (2 * 90) per negative, w1 = 100 / (2 * 10) = 5 per positive,
  // so the root holds 50 + 50 and its ratio is 1/2: left (0 + 5) / (50 + 10) = 1/12,
  // right (50 + 5) / (50 + 10) = 11/12.
  p.class_weight = ClassWeight::balanced;
  const Tree bal = grow_tree(xb, d.y, iota_rows(100), p, 0);
  ASSERT_EQ(bal.n_nodes(), 3u);
  EXPECT_FLOAT_EQ(bal.value[0], 0.5f);
  EXPECT_FLOAT_EQ(bal.value[1], 1.0f / 12.0f);
  EXPECT_FLOAT_EQ(bal.value[2], 11.0f / 12.0f);
}

TEST(ForestLeafPrior, BadValuesAreParameterErrors) {
  const Stairs d;
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), 100, 1);
  ForestParams p;
  p.leaf_prior = -1;
  EXPECT_THROW(grow_tree(xb, d.y, iota_rows(100), p, 0), ParameterError);
  p.leaf_prior = 0;
  p.sample_fraction = 1.5;
  EXPECT_THROW(grow_tree(xb, d.y, iota_rows(100), p, 0), ParameterError);
}

}  // namespace
}  // namespace ecgforest::forest
