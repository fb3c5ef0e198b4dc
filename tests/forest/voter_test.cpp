// BinnedVoter: the flat-node, lockstep walk gives every row the votes Tree::predict_binned gives,
// for shallow and deep trees, NaN codes in either direction and a row count that is no multiple
// of the block.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

struct Data {
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> rows;
};

Data noisy_data(std::size_t n, std::size_t F) {
  std::mt19937 g(11);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  Data d{std::vector<float>(n * F), std::vector<std::uint8_t>(n), std::vector<std::uint32_t>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < F; ++f) d.x[i * F + f] = u(g) < 0.1f ? NAN : u(g);
    const float a = std::isnan(d.x[i * F]) ? 0.7f : d.x[i * F];
    d.y[i] = a + 0.5f * u(g) > 0.9f ? 1 : 0;
    d.rows[i] = static_cast<std::uint32_t>(i);
  }
  return d;
}

std::vector<std::uint64_t> reference_votes(const std::vector<Tree>& trees, const BinnedMatrix& xb,
                                           const std::vector<std::uint32_t>& rows) {
  std::vector<std::uint64_t> acc(rows.size(), 0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (const Tree& t : trees) acc[i] += vote(t.predict_binned(xb.row(rows[i])));
  return acc;
}

TEST(BinnedVoter, SameVotesAsPredictBinnedForEveryRow) {
  const std::size_t n = 1237, F = 5;
  const Data d = noisy_data(n, F);
  const BinnedMatrix xb = BinnedMatrix::build(d.x.data(), n, F, 32);
  for (const int depth : {0, 1, 3}) {  // 0: grown to purity (deep, uneven paths)
    ForestParams p;
    p.n_trees = 7;
    p.seed = 3;
    p.max_depth = depth;
    const auto trees = grow_trees(xb, d.y, d.rows, p, 0, 7);
    std::vector<std::uint32_t> some;  // a scattered subset, in no particular order
    for (std::size_t i = 0; i < n; i += 3) some.push_back(static_cast<std::uint32_t>((i * 7) % n));
    const auto want = reference_votes(trees, xb, some);
    std::vector<std::uint64_t> got(some.size(), 5);  // adds to what is there
    BinnedVoter(trees).add_votes(xb, some.data(), some.size(), got.data());
    for (std::size_t i = 0; i < some.size(); ++i) {
      ASSERT_EQ(got[i], want[i] + 5) << "row " << some[i] << " at max_depth " << depth;
    }
    EXPECT_EQ(vote_count(got[0] - 5), 7u);
  }
}

TEST(BinnedVoter, RefusesTreesWithoutBinCodes) {
  Tree t;  // a loaded-model leaf: no bin codes
  t.feature = {-1};
  t.threshold = {0};
  t.nan_left = {0};
  t.left = {-1};
  t.right = {-1};
  t.value = {0.5f};
  EXPECT_THROW(BinnedVoter({t}), Error);
}

}  // namespace
}  // namespace ecgforest::forest
