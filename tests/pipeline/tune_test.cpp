// The --tune grid (pipeline/tune.hpp): one setting changed at a time, duplicates dropped.
#include <gtest/gtest.h>

#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/pipeline/tune.hpp"

namespace ecgforest::pipeline {
namespace {

struct S {
  int depth, leaf, mtry;
  double prior;
};

std::vector<S> settings(const std::vector<forest::ForestParams>& g) {
  std::vector<S> out;
  for (const auto& p : g) out.push_back({p.max_depth, p.min_samples_leaf, p.max_features, p.leaf_prior});
  return out;
}

void expect_grid(const std::vector<forest::ForestParams>& g, const std::vector<S>& want) {
  const auto got = settings(g);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].depth, want[i].depth) << i;
    EXPECT_EQ(got[i].leaf, want[i].leaf) << i;
    EXPECT_EQ(got[i].mtry, want[i].mtry) << i;
    EXPECT_EQ(got[i].prior, want[i].prior) << i;
  }
}

TEST(TuneGrid, AroundTheDefaults) {
  forest::ForestParams b;
  b.max_depth = 10;
  b.min_samples_leaf = 20;
  b.leaf_prior = 200;
  // 27 features: sqrt -> 5 per split, doubled 10. Depth 10 x 0.6 = 6, x 1.5 = 15.
  expect_grid(tune_grid(b, 27), {{10, 20, 0, 200},
                                 {6, 20, 0, 200},
                                 {15, 20, 0, 200},
                                 {10, 5, 0, 200},
                                 {10, 80, 0, 200},
                                 {10, 20, 10, 200},
                                 {10, 20, 0, 800}});
}

TEST(TuneGrid, DuplicatesDroppedAndUnlimitedDepth) {
  forest::ForestParams b;  // depth unlimited, min leaf 1, no prior
  b.max_features = 3;
  // Unlimited depth -> 8 and 16; min leaf / 4 = 1 (the same as b: dropped); 3 features x 2 = 6,
  // capped at 4 features; prior 0 -> 25.
  expect_grid(tune_grid(b, 4), {{0, 1, 3, 0}, {8, 1, 3, 0}, {16, 1, 3, 0}, {0, 4, 3, 0}, {0, 1, 4, 0}, {0, 1, 3, 25}});
}

TEST(TuneGrid, ChosenValuesWrittenBackToTheSettings) {
  TrainSettings t;
  forest::ForestParams p;
  p.max_depth = 6;
  p.min_samples_leaf = 80;
  p.max_features = 10;
  p.leaf_prior = 800;
  apply_tuned(t, p);
  EXPECT_EQ(t.max_depth, 6);
  EXPECT_EQ(t.min_samples_leaf, 80);
  EXPECT_EQ(t.max_features, 10);
  EXPECT_EQ(t.leaf_prior, 800);
}

}  // namespace
}  // namespace ecgforest::pipeline
