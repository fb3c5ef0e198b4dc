// MPI tests of parallel::grow_distributed / gather_trees / predict_distributed: the distributed
// forest equals the forest grown serially by forest::grow_trees (every array, bitwise) for any
// rank and thread count, on MPI_COMM_WORLD and on split communicators.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::parallel {

using namespace ::ecgforest::comm;  // rank, size, gathers: the MPI helpers live in comm
namespace {

using namespace ecgforest::testing_mpi;
using forest::BinnedMatrix;
using forest::ForestParams;
using forest::Tree;

constexpr std::size_t kRows = 300;
constexpr std::size_t kFeatures = 5;

// Deterministic pseudo-random numbers in [0, 1) (64-bit LCG, top 24 bits).
struct Lcg {
  std::uint64_t s;
  float next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(s >> 40) / static_cast<float>(1u << 24);
  }
};

struct Data {
  std::vector<float> x;  // row-major [kRows, kFeatures]
  std::vector<std::uint8_t> y;
};

// Label 1 when f0 + 0.5 f1 > 0.8 (with 10% of labels flipped); f3 is NaN in 1 row of 7;
// f4 is pure noise.
Data make_data() {
  Data d;
  Lcg g{12345};
  for (std::size_t r = 0; r < kRows; ++r) {
    float row[kFeatures];
    for (auto& v : row) v = g.next();
    if (r % 7 == 3) row[3] = std::numeric_limits<float>::quiet_NaN();
    bool pos = row[0] + 0.5f * row[1] > 0.8f;
    if (g.next() < 0.1f) pos = !pos;
    d.x.insert(d.x.end(), row, row + kFeatures);
    d.y.push_back(pos ? 1 : 0);
  }
  return d;
}

ForestParams params(int n_trees) {
  ForestParams p;
  p.n_trees = n_trees;
  p.max_depth = 6;
  p.min_samples_leaf = 2;
  p.max_features = 2;
  p.seed = 2024;
  p.bootstrap = true;
  p.class_weight = forest::ClassWeight::balanced;
  p.max_bins = 32;
  return p;
}

std::vector<std::uint32_t> training_rows() {
  std::vector<std::uint32_t> rows;
  for (std::uint32_t r = 0; r < kRows; ++r) {
    if (r % 5 != 0) rows.push_back(r);  // hold out every 5th row
  }
  return rows;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

void expect_same_tree(const Tree& a, const Tree& b, std::size_t t) {
  SCOPED_TRACE("tree " + std::to_string(t));
  EXPECT_EQ(a.feature, b.feature);
  EXPECT_TRUE(same_bits(a.threshold, b.threshold));
  EXPECT_EQ(a.nan_left, b.nan_left);
  EXPECT_EQ(a.left, b.left);
  EXPECT_EQ(a.right, b.right);
  EXPECT_TRUE(same_bits(a.value, b.value));
}

void check_forest_on(MPI_Comm comm, int n_trees) {
  SCOPED_TRACE("n_trees=" + std::to_string(n_trees) + " ranks=" + std::to_string(size(comm)));
  const int p = size(comm), me = rank(comm);
  const Data d = make_data();
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), kRows, kFeatures, 32);
  const auto rows = training_rows();
  const ForestParams prm = params(n_trees);

  // Reference: the whole forest grown serially on this process.
  const std::vector<Tree> serial = forest::grow_trees(xb, d.y, rows, prm, 0, static_cast<std::uint64_t>(n_trees));
  ASSERT_EQ(serial.size(), static_cast<std::size_t>(n_trees));

  const LocalTrees local = grow_distributed(comm, xb, d.y, rows, prm);
  const auto [first, last] = tree_block(static_cast<std::uint64_t>(n_trees), me, p);
  EXPECT_EQ(local.first, first);
  ASSERT_EQ(local.trees.size(), last - first);
  for (std::size_t k = 0; k < local.trees.size(); ++k) expect_same_tree(local.trees[k], serial[first + k], first + k);

  for (int root : {0, p - 1}) {
    const std::vector<Tree> all = gather_trees(comm, local, root);
    if (me == root) {
      ASSERT_EQ(all.size(), serial.size()) << "root " << root;
      for (std::size_t t = 0; t < all.size(); ++t) expect_same_tree(all[t], serial[t], t);
    } else {
      EXPECT_TRUE(all.empty());
    }
  }

  // Predictions of all rows (training and held out, in a scrambled order with a repeat).
  forest::Forest model;
  model.trees = serial;
  for (std::size_t f = 0; f < kFeatures; ++f) model.feature_names.push_back(std::string(1, 'f').append(std::to_string(f)));
  std::vector<std::uint32_t> pred_rows;
  for (std::uint32_t r = 0; r < kRows; ++r) pred_rows.push_back((r * 37u) % kRows);
  pred_rows.push_back(5);
  const std::vector<float> got =
      predict_distributed(comm, local, static_cast<std::uint64_t>(n_trees), d.x.data(), kFeatures, pred_rows);
  ASSERT_EQ(got.size(), pred_rows.size());
  double max_diff = 0;
  for (std::size_t i = 0; i < pred_rows.size(); ++i) {
    const float want = model.predict_proba(d.x.data() + static_cast<std::size_t>(pred_rows[i]) * kFeatures);
    max_diff = std::max(max_diff, std::abs(static_cast<double>(got[i]) - static_cast<double>(want)));
  }
  EXPECT_LE(max_diff, 1e-6);
  // Sanity: the forest learned something (training accuracy well above chance).
  std::size_t correct = 0;
  for (std::size_t i = 0; i < pred_rows.size(); ++i) correct += (got[i] >= 0.5f) == (d.y[pred_rows[i]] == 1);
  EXPECT_GT(static_cast<double>(correct) / static_cast<double>(pred_rows.size()), 0.75);
}

TEST(MpiForest, DistributedEqualsSerialOnWorld) {
  for (int n_trees : {1, 2, 5, 8}) check_forest_on(MPI_COMM_WORLD, n_trees);
}

TEST(MpiForest, DistributedEqualsSerialOnReversedAndSplit) {
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  check_forest_on(rev, 7);
  MPI_Comm_free(&rev);
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  check_forest_on(half, 5);
  MPI_Comm_free(&half);
}

TEST(MpiForest, EmptyPredictionRowsAndNoLocalTrees) {
  // With 1 tree, ranks > 0 own nothing but still take part in the collective calls.
  const Data d = make_data();
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), kRows, kFeatures, 32);
  const LocalTrees local = grow_distributed(MPI_COMM_WORLD, xb, d.y, training_rows(), params(1));
  EXPECT_EQ(local.trees.size(), rank(MPI_COMM_WORLD) == 0 ? 1u : 0u);
  const auto none = predict_distributed(MPI_COMM_WORLD, local, 1, d.x.data(), kFeatures, {});
  EXPECT_TRUE(none.empty());
}

TEST(MpiForest, TrainingErrorOnOneRankIsCollective) {
  // min_samples_leaf = 0 is a ParameterError in grow_tree. With 1 tree only rank 0 grows (and
  // fails); every rank must throw CollectiveError instead of hanging.
  const Data d = make_data();
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), kRows, kFeatures, 32);
  ForestParams bad = params(1);
  bad.min_samples_leaf = 0;
  EXPECT_THROW((void)grow_distributed(MPI_COMM_WORLD, xb, d.y, training_rows(), bad), CollectiveError);
  // Out-of-range training rows on every rank that grows.
  std::vector<std::uint32_t> rows = training_rows();
  rows.push_back(static_cast<std::uint32_t>(kRows + 10));
  EXPECT_THROW((void)grow_distributed(MPI_COMM_WORLD, xb, d.y, rows, params(4)), CollectiveError);
  // Still usable afterwards.
  EXPECT_NO_THROW((void)grow_distributed(MPI_COMM_WORLD, xb, d.y, training_rows(), params(2)));
}

}  // namespace
}  // namespace ecgforest::parallel
