// Parallel (OpenMP) growth of many trees and forest prediction.
#include <algorithm>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {

std::vector<Tree> grow_trees(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                             const std::vector<std::uint32_t>& rows, const ForestParams& params,
                             std::uint64_t first_tree, std::uint64_t last_tree) {
  if (last_tree < first_tree) {
    throw Error("Invalid tree index range [" + std::to_string(first_tree) + ", " +
                std::to_string(last_tree) + "): the end must not precede the start.");
  }
  const auto n = static_cast<long long>(last_tree - first_tree);
  std::vector<Tree> trees(static_cast<std::size_t>(n));
  OmpExceptionCatcher catcher;
#pragma omp parallel for schedule(dynamic, 1)
  for (long long i = 0; i < n; ++i) {
    catcher.run([&] {
      trees[static_cast<std::size_t>(i)] =
          grow_tree(xb, y, rows, params, first_tree + static_cast<std::uint64_t>(i));
    });
  }
  catcher.rethrow();
  return trees;
}

float Forest::predict_proba(const float* row) const {
  if (trees.empty()) {
    throw Error("Cannot predict with an empty forest; train or load at least one tree first.");
  }
  double sum = 0;
  for (const Tree& t : trees) sum += static_cast<double>(t.predict(row));
  return static_cast<float>(sum * (1.0 / static_cast<double>(trees.size())));
}

std::vector<float> Forest::predict_proba(const float* x, std::size_t n_rows) const {
  if (trees.empty()) {
    throw Error("Cannot predict with an empty forest; train or load at least one tree first.");
  }
  const std::size_t n_features = feature_names.size();
  if (n_features == 0 && n_rows > 0) {
    throw Error("The forest has no feature names, so the row length of the feature matrix is "
                "unknown; set Forest::feature_names before predicting a matrix.");
  }
  for (const Tree& t : trees) {
    for (std::size_t i = 0; i < t.n_nodes(); ++i) {
      if (t.left[i] >= 0 && (t.feature[i] < 0 || static_cast<std::size_t>(t.feature[i]) >= n_features)) {
        throw Error("A tree splits on feature " + std::to_string(t.feature[i]) + ", but the forest "
                    "has only " + std::to_string(n_features) + " feature names; the model file is "
                    "inconsistent, retrain it.");
      }
    }
  }
  // Blocks of rows, trees outer within a block so that one tree stays in cache; every row still
  // sums its trees in index order, so the result equals the single-row version bit for bit.
  constexpr std::size_t kBlock = 256;
  std::vector<float> out(n_rows);
  const auto n_blocks = static_cast<long long>((n_rows + kBlock - 1) / kBlock);
  const double inv = 1.0 / static_cast<double>(trees.size());
  OmpExceptionCatcher catcher;
#pragma omp parallel for schedule(static)
  for (long long blk = 0; blk < n_blocks; ++blk) {
    catcher.run([&] {
      const std::size_t begin = static_cast<std::size_t>(blk) * kBlock;
      const std::size_t end = std::min(n_rows, begin + kBlock);
      double sum[kBlock] = {};
      for (const Tree& t : trees)
        for (std::size_t r = begin; r < end; ++r)
          sum[r - begin] += static_cast<double>(t.predict(x + r * n_features));
      for (std::size_t r = begin; r < end; ++r)
        out[r] = static_cast<float>(sum[r - begin] * inv);
    });
  }
  catcher.rethrow();
  return out;
}

}  // namespace ecgforest::forest
