// CART trees and forests on binned features: accuracy, thresholds in original units, NaN
// direction, stopping rules, determinism across thread counts, and a noisy AUC check.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <limits>
#include <random>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/metrics.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();

std::vector<std::uint32_t> all_rows(std::size_t n) {
  std::vector<std::uint32_t> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = static_cast<std::uint32_t>(i);
  return r;
}

/// Leaf index reached by a raw row.
std::size_t leaf_raw(const Tree& t, const float* row) {
  std::size_t i = 0;
  while (t.left[i] >= 0) {
    const float x = row[t.feature[i]];
    const bool l = std::isnan(x) ? t.nan_left[i] != 0 : x <= t.threshold[i];
    i = static_cast<std::size_t>(l ? t.left[i] : t.right[i]);
  }
  return i;
}

/// Leaf index reached by binned row r, the threshold turned back into a bin index.
std::size_t leaf_binned(const Tree& t, const BinnedMatrix& xb, std::size_t r) {
  std::size_t i = 0;
  while (t.left[i] >= 0) {
    const auto f = static_cast<std::size_t>(t.feature[i]);
    int bin = xb.n_bins(f) - 1;  // threshold +inf: every non-NaN value goes left
    if (!std::isinf(t.threshold[i])) {
      bin = -1;
      for (int b = 0; b < xb.n_bins(f); ++b)
        if (xb.upper_edge(f, b) == t.threshold[i]) bin = b;
      EXPECT_GE(bin, 0) << "threshold " << t.threshold[i] << " is not a bin edge";
    }
    const std::uint8_t c = xb.code(r, f);
    const bool l = c == BinnedMatrix::kNanBin ? t.nan_left[i] != 0 : c <= bin;
    i = static_cast<std::size_t>(l ? t.left[i] : t.right[i]);
  }
  return i;
}

/// Depth of every node (root 0).
std::vector<int> node_depths(const Tree& t) {
  std::vector<int> d(t.n_nodes(), 0);
  for (std::size_t i = 0; i < t.n_nodes(); ++i) {
    if (t.left[i] >= 0) {
      d[static_cast<std::size_t>(t.left[i])] = d[i] + 1;
      d[static_cast<std::size_t>(t.right[i])] = d[i] + 1;
    }
  }
  return d;
}

void expect_same_tree(const Tree& a, const Tree& b) {
  EXPECT_EQ(a.feature, b.feature);
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_EQ(a.nan_left, b.nan_left);
  EXPECT_EQ(a.left, b.left);
  EXPECT_EQ(a.right, b.right);
  EXPECT_EQ(a.value, b.value);
}

bool same_tree(const Tree& a, const Tree& b) {
  return a.feature == b.feature && a.threshold == b.threshold && a.nan_left == b.nan_left &&
         a.left == b.left && a.right == b.right && a.value == b.value;
}

/// Random dataset: n rows x f features, labels from a noisy rule, ~5% NaN.
struct Data {
  std::size_t n = 0, f = 0;
  std::vector<float> x;
  std::vector<std::uint8_t> y;
};

Data noisy_data(std::size_t n, std::size_t f, std::uint64_t seed, double nan_rate = 0.05) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  Data d{n, f, std::vector<float>(n * f), std::vector<std::uint8_t>(n)};
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t j = 0; j < f; ++j) d.x[r * f + j] = normal(gen);
    d.y[r] = (d.x[r * f] + 0.5f * d.x[r * f + 1] + normal(gen) > 0.8f) ? 1 : 0;
    for (std::size_t j = 0; j < f; ++j)
      if (unif(gen) < nan_rate) d.x[r * f + j] = kNan;
  }
  return d;
}

TEST(ForestTree, SeparableProblemThresholdsInOriginalUnits) {
  // Feature 0 separates: class 0 in {1..4}, class 1 in {10..13}. Feature 1 is uninformative.
  const std::vector<float> f0 = {1, 10, 2, 11, 3, 12, 4, 13};
  const std::vector<float> f1 = {5, 5, 6, 6, 5, 6, 6, 5};
  const std::vector<std::uint8_t> y = {0, 1, 0, 1, 0, 1, 0, 1};
  std::vector<float> x;
  for (std::size_t r = 0; r < y.size(); ++r) {
    x.push_back(f0[r]);
    x.push_back(f1[r]);
  }
  const BinnedMatrix xb = BinnedMatrix::build(x.data(), y.size(), 2);
  ForestParams p;
  p.bootstrap = false;
  p.max_features = 2;
  p.class_weight = ClassWeight::none;
  const Tree t = grow_tree(xb, y, all_rows(y.size()), p, 0);
  ASSERT_EQ(t.n_nodes(), 3u);  // one split separates perfectly
  EXPECT_EQ(t.feature[0], 0);
  EXPECT_GE(t.threshold[0], 4.0f);
  EXPECT_LT(t.threshold[0], 10.0f);
  for (std::size_t r = 0; r < y.size(); ++r)
    EXPECT_EQ(t.predict(&x[2 * r]), static_cast<float>(y[r])) << "row " << r;
  // Unseen values on either side.
  const float lo[2] = {0.0f, 5.0f}, hi[2] = {100.0f, 5.0f};
  EXPECT_EQ(t.predict(lo), 0.0f);
  EXPECT_EQ(t.predict(hi), 1.0f);
}

TEST(ForestTree, RawPredictionFollowsBinnedPartition) {
  const Data d = noisy_data(1500, 4, 11);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f, 32);
  ForestParams p;
  p.bootstrap = false;
  p.class_weight = ClassWeight::none;
  p.max_features = 2;
  const Tree t = grow_tree(xb, d.y, all_rows(d.n), p, 3);
  ASSERT_GT(t.n_nodes(), 20u);
  // Raw and binned walks reach the same leaf for every training row.
  std::vector<double> pos(t.n_nodes(), 0), tot(t.n_nodes(), 0);
  for (std::size_t r = 0; r < d.n; ++r) {
    const std::size_t leaf = leaf_raw(t, &d.x[r * d.f]);
    ASSERT_EQ(leaf, leaf_binned(t, xb, r)) << "row " << r;
    pos[leaf] += d.y[r];
    tot[leaf] += 1;
  }
  // Without bootstrap and class weights a leaf's value is the fraction of positives among the
  // training rows that reach it through raw-unit thresholds.
  for (std::size_t i = 0; i < t.n_nodes(); ++i) {
    if (t.left[i] >= 0) continue;
    ASSERT_GT(tot[i], 0) << "empty leaf " << i;
    EXPECT_NEAR(t.value[i], pos[i] / tot[i], 1e-6) << "leaf " << i;
  }
}

TEST(ForestTree, LearnsNanDirection) {
  // Feature 0: class 0 in [0, 1], class 1 in [2, 3] or NaN. Feature 1: noise.
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  for (int i = 0; i < 300; ++i) {
    const int kind = i % 3;  // 0: class 0, 1: class 1 value, 2: class 1 NaN
    x.push_back(kind == 0 ? u(gen) : kind == 1 ? 2.0f + u(gen) : kNan);
    x.push_back(u(gen));
    y.push_back(kind == 0 ? 0 : 1);
  }
  const BinnedMatrix xb = BinnedMatrix::build(x.data(), y.size(), 2);
  ForestParams p;
  p.bootstrap = false;
  p.max_features = 2;
  p.max_depth = 1;
  const Tree t = grow_tree(xb, y, all_rows(y.size()), p, 0);
  ASSERT_EQ(t.n_nodes(), 3u);
  EXPECT_EQ(t.feature[0], 0);
  EXPECT_EQ(t.nan_left[0], 0);
  EXPECT_GE(t.threshold[0], 1.0f);
  EXPECT_LT(t.threshold[0], 2.0f);
  const float nan_row[2] = {kNan, 0.5f}, low_row[2] = {0.5f, 0.5f};
  EXPECT_EQ(t.predict(nan_row), 1.0f);
  EXPECT_EQ(t.predict(low_row), 0.0f);

  // Mirror image: class 1 in [0, 1] or NaN, class 0 in [2, 3] → NaN must go left.
  std::vector<float> x3;
  for (std::size_t r = 0; r < y.size(); ++r) {
    const float v = x[2 * r];
    x3.push_back(std::isnan(v) ? v : 3.0f - v);  // [0,1] <-> [2,3], NaN stays
    x3.push_back(x[2 * r + 1]);
  }
  const BinnedMatrix xb3 = BinnedMatrix::build(x3.data(), y.size(), 2);
  const Tree t3 = grow_tree(xb3, y, all_rows(y.size()), p, 0);
  ASSERT_EQ(t3.n_nodes(), 3u);
  EXPECT_EQ(t3.feature[0], 0);
  EXPECT_EQ(t3.nan_left[0], 1);
  EXPECT_GE(t3.threshold[0], 1.0f);
  EXPECT_LT(t3.threshold[0], 2.0f);
  EXPECT_EQ(t3.predict(nan_row), 1.0f);
  EXPECT_EQ(t3.predict(low_row), 1.0f);
  const float high_row[2] = {2.5f, 0.5f};
  EXPECT_EQ(t3.predict(high_row), 0.0f);

  // NaN alone marks class 1 (all values are class 0): the split is "non-NaN vs NaN".
  std::vector<float> x2;
  std::vector<std::uint8_t> y2;
  for (int i = 0; i < 200; ++i) {
    const bool positive = i % 4 == 0;
    x2.push_back(positive ? kNan : u(gen) * 10.0f);
    y2.push_back(positive ? 1 : 0);
  }
  const BinnedMatrix xb2 = BinnedMatrix::build(x2.data(), y2.size(), 1);
  const Tree t2 = grow_tree(xb2, y2, all_rows(y2.size()), p, 0);
  ASSERT_EQ(t2.n_nodes(), 3u);
  const float big = 1e6f, nan = kNan, neg = -1e6f;
  EXPECT_EQ(t2.predict(&nan), 1.0f);
  EXPECT_EQ(t2.predict(&big), 0.0f);
  EXPECT_EQ(t2.predict(&neg), 0.0f);
}

TEST(ForestTree, RespectsMaxDepthAndMinSamplesLeaf) {
  const Data d = noisy_data(2000, 5, 21);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  ForestParams p;
  p.bootstrap = false;
  p.max_depth = 4;
  const Tree shallow = grow_tree(xb, d.y, all_rows(d.n), p, 1);
  const std::vector<int> depth = node_depths(shallow);
  EXPECT_EQ(*std::max_element(depth.begin(), depth.end()), 4);

  p.max_depth = 0;
  p.min_samples_leaf = 37;
  const Tree t = grow_tree(xb, d.y, all_rows(d.n), p, 1);
  std::vector<int> rows_in(t.n_nodes(), 0);
  for (std::size_t r = 0; r < d.n; ++r) ++rows_in[leaf_raw(t, &d.x[r * d.f])];
  int n_leaves = 0;
  for (std::size_t i = 0; i < t.n_nodes(); ++i) {
    if (t.left[i] >= 0) continue;
    ++n_leaves;
    EXPECT_GE(rows_in[i], 37) << "leaf " << i;
  }
  EXPECT_GT(n_leaves, 5);
}

TEST(ForestTree, BalancedClassWeightsInLeafValue) {
  // No usable split (constant feature): the root leaf holds 2 positives and 8 negatives.
  // Balanced: w1 = 10/(2*2) = 2.5, w0 = 10/(2*8) = 0.625 → value 5 / (5 + 5) = 0.5.
  const std::vector<float> x(10, 1.0f);
  const std::vector<std::uint8_t> y = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
  const BinnedMatrix xb = BinnedMatrix::build(x.data(), 10, 1);
  ForestParams p;
  p.bootstrap = false;
  const Tree tb = grow_tree(xb, y, all_rows(10), p, 0);
  ASSERT_EQ(tb.n_nodes(), 1u);
  EXPECT_NEAR(tb.value[0], 0.5f, 1e-6f);
  p.class_weight = ClassWeight::none;
  EXPECT_NEAR(grow_tree(xb, y, all_rows(10), p, 0).value[0], 0.2f, 1e-6f);
}

TEST(ForestTree, ValidatesInputs) {
  const Data d = noisy_data(50, 2, 1);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  const ForestParams p;
  EXPECT_THROW(grow_tree(xb, d.y, {}, p, 0), Error);
  std::vector<std::uint8_t> short_y(d.y.begin(), d.y.end() - 1);
  EXPECT_THROW(grow_tree(xb, short_y, all_rows(d.n), p, 0), Error);
  EXPECT_THROW(grow_tree(xb, d.y, {0, 1, 50}, p, 0), Error);
  // Only one class in the training rows: a valid single leaf.
  std::vector<std::uint32_t> negatives;
  for (std::uint32_t r = 0; r < d.n; ++r)
    if (d.y[r] == 0) negatives.push_back(r);
  const Tree t = grow_tree(xb, d.y, negatives, p, 0);
  ASSERT_EQ(t.n_nodes(), 1u);
  EXPECT_EQ(t.left[0], -1);
  EXPECT_EQ(t.value[0], 0.0f);
}

TEST(ForestTrees, DeterministicAcrossThreadsSeedsAndIndices) {
  const Data d = noisy_data(3000, 6, 8);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  ForestParams p;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<Tree> one = grow_trees(xb, d.y, all_rows(d.n), p, 0, 6);
  omp_set_num_threads(2);
  const std::vector<Tree> two = grow_trees(xb, d.y, all_rows(d.n), p, 0, 6);
  omp_set_num_threads(saved);
  ASSERT_EQ(one.size(), 6u);
  ASSERT_EQ(two.size(), 6u);
  for (std::size_t i = 0; i < one.size(); ++i) expect_same_tree(one[i], two[i]);
  // Tree i of a range equals grow_tree with global index i (any process can grow any tree).
  const std::vector<Tree> tail = grow_trees(xb, d.y, all_rows(d.n), p, 4, 6);
  expect_same_tree(tail[0], one[4]);
  expect_same_tree(grow_tree(xb, d.y, all_rows(d.n), p, 2), one[2]);
  // Different indices or seeds give different trees.
  EXPECT_FALSE(same_tree(one[0], one[1]));
  ForestParams q = p;
  q.seed = p.seed + 1;
  EXPECT_FALSE(same_tree(grow_tree(xb, d.y, all_rows(d.n), q, 0), one[0]));
}

TEST(ForestTrees, NoisyProblemForestBeatsSingleTree) {
  // y = 1 when x0 + x1 + e > 1, e ~ N(0, 0.5^2). The Bayes score is x0 + x1 (monotone in
  // P(y=1|x)), so its AUC on the test set bounds what any model can reach.
  auto make = [](std::size_t n, std::uint64_t seed, std::vector<float>& x, std::vector<std::uint8_t>& y,
                 std::vector<float>& oracle) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::size_t r = 0; r < n; ++r) {
      const float a = normal(gen), b = normal(gen);
      x.push_back(a);
      x.push_back(b);
      oracle.push_back(a + b);
      y.push_back(a + b + 0.5f * normal(gen) > 1.0f ? 1 : 0);
    }
  };
  std::vector<float> xtr, xte, otr, ote;
  std::vector<std::uint8_t> ytr, yte;
  make(4000, 101, xtr, ytr, otr);
  make(4000, 202, xte, yte, ote);
  const BinnedMatrix xb = BinnedMatrix::build(xtr.data(), ytr.size(), 2);
  ForestParams p;
  p.n_trees = 60;
  p.max_features = 1;
  Forest forest;
  forest.feature_names = {"a", "b"};
  forest.trees = grow_trees(xb, ytr, all_rows(ytr.size()), p, 0, static_cast<std::uint64_t>(p.n_trees));
  const std::vector<float> prob = forest.predict_proba(xte.data(), yte.size());
  const double auc_forest = eval::roc_auc(prob, yte);
  const double auc_oracle = eval::roc_auc(ote, yte);

  Forest single;
  single.feature_names = forest.feature_names;
  single.trees = {forest.trees[0]};
  const double auc_tree = eval::roc_auc(single.predict_proba(xte.data(), yte.size()), yte);

  std::printf("AUC forest %.4f, single tree %.4f, oracle %.4f\n", auc_forest, auc_tree, auc_oracle);
  EXPECT_GT(auc_forest, 0.9);
  EXPECT_LE(auc_forest, auc_oracle + 0.005);
  EXPECT_GT(auc_forest, auc_oracle - 0.03);
  EXPECT_LT(auc_tree, auc_forest - 0.02);

  // The matrix prediction equals the mean of the trees row by row.
  for (std::size_t r = 0; r < 50; ++r) {
    double s = 0;
    for (const Tree& t : forest.trees) s += static_cast<double>(t.predict(&xte[2 * r]));
    EXPECT_NEAR(prob[r], s / static_cast<double>(forest.trees.size()), 1e-6);
    EXPECT_EQ(prob[r], forest.predict_proba(&xte[2 * r]));
  }
}

}  // namespace
}  // namespace ecgforest::forest
