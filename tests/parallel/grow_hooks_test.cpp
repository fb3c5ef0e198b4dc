// MPI tests of parallel::GrowHooks (checkpoints and progress of train): trees a rank is handed
// as ready are used as they are, only the others are grown (and reported), and the progress
// estimate of every rank that owns trees ends at the whole forest's tree count.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <mutex>
#include <set>
#include <vector>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/comm/mpi.hpp"

namespace ecgforest::parallel {
namespace {

TEST(GrowHooks, ReadyTreesAreUsedOthersGrownAndProgressReachesTheTotal) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const std::size_t n = 240, F = 3;
  std::vector<float> x(n * F);
  std::vector<std::uint8_t> y(n);
  std::vector<std::uint32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < F; ++f) x[i * F + f] = static_cast<float>((i * 37 + f * 11) % 101) / 101.0f;
    y[i] = x[i * F] + 0.5f * x[i * F + 1] > 0.8f ? 1 : 0;
    rows[i] = static_cast<std::uint32_t>(i);
  }
  const auto xb = forest::BinnedMatrix::build(x.data(), n, F, 16);
  forest::ForestParams p;
  p.n_trees = 7;
  p.seed = 11;
  p.max_depth = 4;
  const auto serial = forest::grow_trees(xb, y, rows, p, 0, 7);
  // A "checkpoint" that holds the even trees, with the leaf values marked so that use is visible.
  std::vector<forest::Tree> stored = serial;
  for (auto& t : stored) t.value[0] = -1.0f;
  std::mutex m;
  std::set<std::uint64_t> grown;
  std::uint64_t max_progress = 0;
  GrowHooks hooks;
  hooks.ready = [&](std::uint64_t i) -> std::optional<forest::Tree> {
    if (i % 2 == 0) return stored[i];
    return std::nullopt;
  };
  hooks.grown = [&](std::uint64_t i, const forest::Tree&) {
    std::lock_guard<std::mutex> lock(m);
    grown.insert(i);
  };
  hooks.progress = [&](std::uint64_t d) {
    std::lock_guard<std::mutex> lock(m);
    max_progress = std::max(max_progress, d);
  };
  const auto local = grow_distributed(comm, xb, y, rows, p, hooks);
  const auto [first, last] = tree_block(7, comm::rank(comm), comm::size(comm));
  ASSERT_EQ(local.trees.size(), last - first);
  std::set<std::uint64_t> odd;
  for (std::uint64_t i = first; i < last; ++i) {
    const auto& t = local.trees[i - first];
    if (i % 2 == 0) {
      EXPECT_EQ(t.value[0], -1.0f) << "tree " << i << " was grown instead of taken as ready";
    } else {
      odd.insert(i);
      EXPECT_EQ(t.value, serial[i].value) << "tree " << i;
      EXPECT_EQ(t.feature, serial[i].feature) << "tree " << i;
    }
  }
  EXPECT_EQ(grown, odd);
  EXPECT_EQ(max_progress, last > first ? 7u : 0u);
}

}  // namespace
}  // namespace ecgforest::parallel
