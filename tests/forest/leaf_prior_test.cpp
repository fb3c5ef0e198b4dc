// with_leaf_prior: a tree grown with keep_counts and given another leaf_prior is, field for
// field, the tree grown with that prior (the prior changes node values, never the structure);
// keep_counts itself changes nothing else. --tune scores its leaf_prior candidate this way.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

bool same_tree(const Tree& a, const Tree& b) {
  return a.feature == b.feature && a.threshold == b.threshold && a.nan_left == b.nan_left && a.left == b.left &&
         a.right == b.right && a.value == b.value && a.bin == b.bin && a.importance == b.importance;
}

struct Data {
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> rows;
  BinnedMatrix xb;
};

Data skewed_data() {
  const std::size_t n = 900, F = 4;
  std::mt19937 g(9);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> x(n * F);
  Data d;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < F; ++f) x[i * F + f] = u(g);
    d.y.push_back(x[i * F] + 0.4f * u(g) > 1.1f ? 1 : 0);  // ~10 % positives: balanced weights matter
    d.rows.push_back(static_cast<std::uint32_t>(i));
  }
  d.xb = BinnedMatrix::build(x.data(), n, F, 32);
  return d;
}

TEST(WithLeafPrior, EqualsTheTreeGrownWithThatPrior) {
  const Data d = skewed_data();
  ForestParams p;
  p.seed = 4;
  p.min_samples_leaf = 3;
  p.leaf_prior = 200;
  auto counted = p;
  counted.keep_counts = true;
  for (std::uint64_t t = 0; t < 4; ++t) {
    const Tree kept = grow_tree(d.xb, d.y, d.rows, counted, t);
    ASSERT_TRUE(same_tree(kept, grow_tree(d.xb, d.y, d.rows, p, t))) << "keep_counts changed tree " << t;
    ASSERT_EQ(kept.count0.size(), kept.n_nodes());
    EXPECT_EQ(kept.count0[0] + kept.count1[0], d.rows.size());  // a bootstrap of n draws at the root
    for (const double prior : {0.0, 25.0, 800.0}) {
      auto other = p;
      other.leaf_prior = prior;
      const Tree want = grow_tree(d.xb, d.y, d.rows, other, t);
      const Tree got = with_leaf_prior(kept, prior);
      EXPECT_TRUE(same_tree(got, want)) << "tree " << t << " prior " << prior;
      EXPECT_NE(got.value, kept.value) << "prior " << prior << " left the values as they were";
    }
  }
}

TEST(WithLeafPrior, NeedsTheCountsAndAValidPrior) {
  const Data d = skewed_data();
  ForestParams p;
  EXPECT_THROW(with_leaf_prior(grow_tree(d.xb, d.y, d.rows, p, 0), 10.0), Error);
  p.keep_counts = true;
  const Tree kept = grow_tree(d.xb, d.y, d.rows, p, 0);
  EXPECT_THROW(with_leaf_prior(kept, -1.0), ParameterError);
  EXPECT_THROW(with_leaf_prior(kept, std::numeric_limits<double>::infinity()), ParameterError);
}

}  // namespace
}  // namespace ecgforest::forest
