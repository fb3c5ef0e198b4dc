// grow_trees_at: any subset of tree indices, in any order, gives the very trees grow_trees gives
// for those indices, and reports each finished tree once.
#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <vector>

#include "ecgforest/forest/forest.hpp"
#include "ecgforest/forest/grow_indexed.hpp"

namespace ecgforest::forest {
namespace {

bool same_tree(const Tree& a, const Tree& b) {
  return a.feature == b.feature && a.threshold == b.threshold && a.nan_left == b.nan_left && a.left == b.left &&
         a.right == b.right && a.value == b.value && a.bin == b.bin && a.importance == b.importance;
}

TEST(GrowTreesAt, SubsetEqualsTheSameIndicesOfTheWholeForest) {
  const std::size_t n = 600, F = 3;
  std::mt19937 g(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> x(n * F);
  std::vector<std::uint8_t> y(n);
  std::vector<std::uint32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < F; ++f) x[i * F + f] = u(g);
    y[i] = x[i * F] + 0.3f * u(g) > 0.9f ? 1 : 0;
    rows[i] = static_cast<std::uint32_t>(i);
  }
  const BinnedMatrix xb = BinnedMatrix::build(x.data(), n, F, 32);
  ForestParams p;
  p.n_trees = 8;
  p.seed = 5;
  const auto all = grow_trees(xb, y, rows, p, 0, 8);
  const std::vector<std::uint64_t> some = {6, 1, 3};
  std::mutex m;
  std::multiset<std::uint64_t> reported;
  const auto got = grow_trees_at(xb, y, rows, p, some, [&](std::size_t k, const Tree& t) {
    std::lock_guard<std::mutex> lock(m);
    reported.insert(some[k]);
    EXPECT_TRUE(same_tree(t, all[some[k]])) << "tree " << some[k] << " reported with other contents";
  });
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t k = 0; k < some.size(); ++k) EXPECT_TRUE(same_tree(got[k], all[some[k]])) << "tree " << some[k];
  EXPECT_FALSE(same_tree(got[0], got[1]));  // different indices, different trees
  EXPECT_EQ(reported, (std::multiset<std::uint64_t>{1, 3, 6}));
  EXPECT_TRUE(grow_trees_at(xb, y, rows, p, {}).empty());
}

}  // namespace
}  // namespace ecgforest::forest
