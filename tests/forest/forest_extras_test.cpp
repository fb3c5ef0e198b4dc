// Binned prediction, class-balanced bootstrap, fixed-point votes, out-of-bag votes and impurity /
// permutation importances of the forest core.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/metrics.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();

struct Data {
  std::size_t n = 0, f = 4;
  std::vector<float> x;  // row-major
  std::vector<std::uint8_t> y;
};

/// f0 decides the class (y = 1 when f0 > 0.8, i.e. ~20 % positives) with 5 % label noise; f1 is
/// NaN in every 5th row and otherwise noise; f2, f3 are noise.
Data make(std::size_t n, unsigned seed) {
  Data d;
  d.n = n;
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const float f0 = u(g);
    d.x.push_back(f0);
    d.x.push_back(i % 5 == 0 ? kNan : u(g));
    d.x.push_back(u(g));
    d.x.push_back(u(g));
    std::uint8_t y = f0 > 0.8f ? 1 : 0;
    if (u(g) < 0.05f) y = static_cast<std::uint8_t>(1 - y);
    d.y.push_back(y);
  }
  return d;
}

std::vector<std::uint32_t> iota_rows(std::size_t n) {
  std::vector<std::uint32_t> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = static_cast<std::uint32_t>(i);
  return r;
}

TEST(ForestVotes, FixedPointByHand) {
  EXPECT_EQ(vote(0.0f), std::uint64_t{1});
  EXPECT_EQ(vote(1.0f), (std::uint64_t{1} << 48) | 1u);
  EXPECT_EQ(vote(0.5f), (std::uint64_t{1} << 47) | 1u);
  const std::uint64_t acc = vote(1.0f) + vote(0.5f) + vote(0.0f);
  EXPECT_EQ(vote_count(acc), 3u);
  EXPECT_DOUBLE_EQ(vote_mean(acc), 0.5);
  EXPECT_TRUE(std::isnan(vote_mean(0)));
}

TEST(ForestBinnedPredict, SameLeafAsRawPrediction) {
  const Data d = make(2000, 3);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f, 64);
  ForestParams p;
  p.seed = 9;
  const auto trees = grow_trees(xb, d.y, iota_rows(d.n), p, 0, 5);
  // New rows (not the training rows) binned with the training edges.
  const Data t = make(500, 4);
  for (const Tree& tree : trees) {
    ASSERT_EQ(tree.bin.size(), tree.n_nodes());
    for (std::size_t r = 0; r < t.n; ++r) {
      std::vector<std::uint8_t> codes(d.f);
      for (std::size_t f = 0; f < d.f; ++f) codes[f] = BinnedMatrix::bin_value(xb.upper_edges()[f], t.x[r * d.f + f]);
      ASSERT_EQ(tree.predict_binned(codes.data()), tree.predict(&t.x[r * d.f])) << "row " << r;
    }
  }
}

TEST(ForestBootstrap, BalancedDrawsHalfFromEachClass) {
  const Data d = make(1001, 5);
  const auto rows = iota_rows(d.n);
  ForestParams p;
  p.sampling = Bootstrap::balanced;
  std::size_t n_pos = 0;
  for (auto v : d.y) n_pos += v;
  ASSERT_GT(n_pos, 100u);
  ASSERT_LT(n_pos, 400u);
  for (std::uint64_t t = 0; t < 3; ++t) {
    const auto m = inbag_counts(d.y, rows, p, t);
    std::uint64_t drawn[2] = {0, 0};
    for (std::size_t i = 0; i < d.n; ++i) drawn[d.y[i]] += m[i];
    EXPECT_EQ(drawn[1], 500u);  // n/2 rounded down
    EXPECT_EQ(drawn[0], 501u);
  }
  // Standard: n draws in total; none: every row once.
  p.sampling = Bootstrap::standard;
  std::uint64_t total = 0;
  for (auto c : inbag_counts(d.y, rows, p, 0)) total += c;
  EXPECT_EQ(total, d.n);
  p.bootstrap = false;
  for (auto c : inbag_counts(d.y, rows, p, 0)) ASSERT_EQ(c, 1u);
  // The balanced bootstrap needs both classes.
  ForestParams pb;
  pb.sampling = Bootstrap::balanced;
  const std::vector<std::uint8_t> zeros(d.n, 0);
  EXPECT_THROW(inbag_counts(zeros, rows, pb, 0), Error);
}

TEST(ForestBootstrap, BalancedLeafValuesUseUnitWeights) {
  // A single split on f0 separates the classes; with the balanced bootstrap the weights are 1, so
  // a leaf's value is its in-bag positive fraction, which for a pure leaf is 0 or 1.
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  for (int i = 0; i < 100; ++i) {
    x.push_back(static_cast<float>(i));
    y.push_back(i >= 90 ? 1 : 0);
  }
  const BinnedMatrix xb = BinnedMatrix::build(x.data(), 100, 1);
  ForestParams p;
  p.sampling = Bootstrap::balanced;
  p.max_depth = 1;
  const Tree t = grow_tree(xb, y, iota_rows(100), p, 0);
  ASSERT_EQ(t.n_nodes(), 3u);
  EXPECT_EQ(t.value[1], 0.0f);
  EXPECT_EQ(t.value[2], 1.0f);
  // The cut sits just above the largest in-bag negative (the first bin that separates the
  // classes in the bootstrap sample): half-way to the next value.
  const auto m = inbag_counts(y, iota_rows(100), p, 0);
  int max_neg = -1;
  for (int i = 0; i < 90; ++i)
    if (m[static_cast<std::size_t>(i)] > 0) max_neg = i;
  EXPECT_FLOAT_EQ(t.threshold[0], static_cast<float>(max_neg) + 0.5f);
  // The root's value is the in-bag positive fraction: 50 of 100 draws.
  EXPECT_FLOAT_EQ(t.value[0], 0.5f);
}

TEST(ForestImportance, InformativeFeatureDominates) {
  const Data d = make(3000, 7);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  ForestParams p;
  p.max_features = 4;  // every split sees every feature
  p.max_depth = 1;
  const Tree t = grow_tree(xb, d.y, iota_rows(d.n), p, 0);
  ASSERT_EQ(t.importance.size(), d.f);
  // One split on f0: importance = (parent Gini * W - children Gini * W) / W, computed here from
  // the in-bag class counts of the two children.
  ASSERT_EQ(t.feature[0], 0);
  const auto mult = inbag_counts(d.y, iota_rows(d.n), p, 0);
  double n_all[2] = {0, 0}, n_left[2] = {0, 0};
  std::uint64_t cnt[2] = {0, 0};
  for (auto v : d.y) ++cnt[v];
  const double cw[2] = {static_cast<double>(d.n) / (2.0 * static_cast<double>(cnt[0])),
                        static_cast<double>(d.n) / (2.0 * static_cast<double>(cnt[1]))};
  for (std::size_t i = 0; i < d.n; ++i) {
    const double w = mult[i] * cw[d.y[i]];
    n_all[d.y[i]] += w;
    if (d.x[i * d.f] <= t.threshold[0]) n_left[d.y[i]] += w;
  }
  auto gini_w = [](double a, double b) { return a + b > 0 ? (a + b) - (a * a + b * b) / (a + b) : 0.0; };
  const double W = n_all[0] + n_all[1];
  const double expected = (gini_w(n_all[0], n_all[1]) - gini_w(n_left[0], n_left[1]) -
                           gini_w(n_all[0] - n_left[0], n_all[1] - n_left[1])) / W;
  EXPECT_NEAR(t.importance[0], expected, 1e-9);
  EXPECT_EQ(t.importance[1], 0.0);
  EXPECT_EQ(t.importance[2], 0.0);
}

TEST(ForestOob, VotesCountOutOfBagTreesAndPredictWell) {
  const Data d = make(1500, 11);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  const auto rows = iota_rows(d.n);
  ForestParams p;
  p.min_samples_leaf = 3;
  const std::uint64_t T = 12;
  const auto trees = grow_trees(xb, d.y, rows, p, 0, T);
  std::vector<std::uint64_t> acc(d.n, 0);
  omp_set_num_threads(2);
  accumulate_oob(xb, d.y, rows, p, trees, 0, acc);
  // Split in two halves of trees added separately, with 1 thread: the same bits.
  std::vector<std::uint64_t> acc2(d.n, 0);
  omp_set_num_threads(1);
  const std::vector<Tree> a(trees.begin(), trees.begin() + 5), b(trees.begin() + 5, trees.end());
  accumulate_oob(xb, d.y, rows, p, b, 5, acc2);
  accumulate_oob(xb, d.y, rows, p, a, 0, acc2);
  omp_set_num_threads(2);
  EXPECT_EQ(acc, acc2);
  // About (1 - 1/n)^n ~ 36.8 % of the trees vote for each row.
  std::uint64_t votes = 0;
  for (auto v : acc) votes += vote_count(v);
  const double frac = static_cast<double>(votes) / static_cast<double>(T * d.n);
  EXPECT_NEAR(frac, 0.368, 0.03);
  // OOB ROC AUC on this easy problem (5 % label noise) is high.
  std::vector<float> s;
  std::vector<std::uint8_t> t;
  for (std::size_t i = 0; i < d.n; ++i) {
    if (vote_count(acc[i]) == 0) continue;
    s.push_back(static_cast<float>(vote_mean(acc[i])));
    t.push_back(d.y[i]);
  }
  EXPECT_GT(eval::roc_auc(s, t), 0.85);
  std::vector<std::uint64_t> wrong(3, 0);
  EXPECT_THROW(accumulate_oob(xb, d.y, rows, p, trees, 0, wrong), Error);
}

TEST(ForestPermutation, InformativeFeatureLosesAucNoiseDoesNot) {
  const Data d = make(1500, 13);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), d.n, d.f);
  const auto rows = iota_rows(d.n);
  ForestParams p;
  p.min_samples_leaf = 3;
  const auto trees = grow_trees(xb, d.y, rows, p, 0, 16);
  std::vector<std::uint64_t> oob(d.n, 0);
  accumulate_oob(xb, d.y, rows, p, trees, 0, oob);
  std::vector<std::uint32_t> eval_pos;
  for (std::size_t i = 0; i < d.n; ++i)
    if (vote_count(oob[i]) > 0) eval_pos.push_back(static_cast<std::uint32_t>(i));
  const std::size_t m = eval_pos.size();
  std::vector<std::vector<std::uint32_t>> perm(d.f, std::vector<std::uint32_t>(m));
  std::mt19937 g(1);
  for (auto& pf : perm) {
    for (std::size_t k = 0; k < m; ++k) pf[k] = static_cast<std::uint32_t>(k);
    std::shuffle(pf.begin(), pf.end(), g);
  }
  // The identity permutation reproduces the OOB votes exactly.
  std::vector<std::vector<std::uint32_t>> ident(d.f, std::vector<std::uint32_t>(m));
  for (auto& pf : ident)
    for (std::size_t k = 0; k < m; ++k) pf[k] = static_cast<std::uint32_t>(k);
  std::vector<std::uint64_t> acc_id(d.f * m, 0);
  accumulate_permutation(xb, d.y, rows, p, trees, 0, eval_pos, ident, acc_id);
  for (std::size_t f = 0; f < d.f; ++f)
    for (std::size_t k = 0; k < m; ++k) ASSERT_EQ(acc_id[f * m + k], oob[eval_pos[k]]);
  std::vector<std::uint64_t> acc(d.f * m, 0);
  accumulate_permutation(xb, d.y, rows, p, trees, 0, eval_pos, perm, acc);
  std::vector<float> base(m);
  std::vector<std::uint8_t> t(m);
  for (std::size_t k = 0; k < m; ++k) {
    base[k] = static_cast<float>(vote_mean(oob[eval_pos[k]]));
    t[k] = d.y[eval_pos[k]];
  }
  const double auc0 = eval::roc_auc(base, t);
  std::vector<double> drop(d.f);
  for (std::size_t f = 0; f < d.f; ++f) {
    std::vector<float> s(m);
    for (std::size_t k = 0; k < m; ++k) s[k] = static_cast<float>(vote_mean(acc[f * m + k]));
    drop[f] = auc0 - eval::roc_auc(s, t);
  }
  EXPECT_GT(drop[0], 0.2);
  for (std::size_t f = 1; f < d.f; ++f) EXPECT_LT(std::abs(drop[f]), 0.05) << "feature " << f;
}

}  // namespace
}  // namespace ecgforest::forest
