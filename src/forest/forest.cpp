// Parallel (OpenMP) growth of many trees and forest prediction.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/forest/boost.hpp"
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

double vote_mean(std::uint64_t acc) {
  const std::uint32_t n = vote_count(acc);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(acc >> 24) / 16777216.0 / static_cast<double>(n);
}

// Calls fn(tree, in-bag counts of `rows` for that tree) for every tree, trees spread over the
// OpenMP threads, then tree_done (progress) after each; the out-of-bag estimates below use it.
template <class Fn>
void for_each_tree_with_inbag(const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
                              const ForestParams& params, const std::vector<Tree>& trees, std::uint64_t first_tree,
                              const std::function<void()>& tree_done, Fn fn) {
  const auto n_trees = static_cast<long long>(trees.size());
  OmpExceptionCatcher catcher;
#pragma omp parallel for schedule(dynamic, 1)
  for (long long t = 0; t < n_trees; ++t) {
    catcher.run([&] {
      fn(trees[static_cast<std::size_t>(t)], inbag_counts(y, rows, params, first_tree + static_cast<std::uint64_t>(t)));
      if (tree_done) tree_done();
    });
  }
  catcher.rethrow();
}

void accumulate_oob(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                    const std::vector<std::uint32_t>& rows, const ForestParams& params,
                    const std::vector<Tree>& trees, std::uint64_t first_tree,
                    std::vector<std::uint64_t>& acc, const std::function<void()>& tree_done) {
  if (acc.size() != rows.size()) {
    throw Error("The OOB accumulator has " + std::to_string(acc.size()) + " slots for " +
                std::to_string(rows.size()) + " training rows; give one per row.");
  }
  std::uint64_t* a = acc.data();
  for_each_tree_with_inbag(y, rows, params, trees, first_tree, tree_done, [&](const Tree& tree, const auto& mult) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (mult[i] != 0) continue;
      const std::uint64_t v = vote(tree.predict_binned(xb.row(rows[i])));
#pragma omp atomic
      a[i] += v;
    }
  });
}

void accumulate_permutation(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<std::uint32_t>& rows, const ForestParams& params,
                            const std::vector<Tree>& trees, std::uint64_t first_tree,
                            const std::vector<std::uint32_t>& eval_pos,
                            const std::vector<std::vector<std::uint32_t>>& perm,
                            std::vector<std::uint64_t>& acc, const std::function<void()>& tree_done) {
  const std::size_t F = xb.n_features(), m = eval_pos.size();
  if (perm.size() != F || acc.size() != F * m) {
    throw Error("Permutation importance needs one permutation per feature and n_features x n_eval "
                "accumulator slots; the caller passed inconsistent sizes.");
  }
  for (const auto& p : perm)
    if (p.size() != m) throw Error("A feature permutation has the wrong length for the evaluation rows.");
  std::uint64_t* a = acc.data();
  for_each_tree_with_inbag(y, rows, params, trees, first_tree, tree_done, [&](const Tree& tree, const auto& mult) {
    std::vector<std::uint8_t> codes(F), used(F, 0);
    for (std::size_t i = 0; i < tree.n_nodes(); ++i)
      if (tree.left[i] >= 0) used[static_cast<std::size_t>(tree.feature[i])] = 1;
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t pos = eval_pos[k];
      if (mult[pos] != 0) continue;
      const std::uint8_t* own = xb.row(rows[pos]);
      std::copy(own, own + F, codes.begin());
      const std::uint64_t unpermuted = vote(tree.predict_binned(own));
      for (std::size_t f = 0; f < F; ++f) {
        // A feature the tree never splits on cannot change its vote.
        if (!used[f]) {
#pragma omp atomic
          a[f * m + k] += unpermuted;
          continue;
        }
        codes[f] = xb.code(rows[eval_pos[perm[f][k]]], f);
        const std::uint64_t v = vote(tree.predict_binned(codes.data()));
        codes[f] = own[f];
#pragma omp atomic
        a[f * m + k] += v;
      }
    }
  });
}

float Forest::predict_proba(const float* row) const {
  if (trees.empty()) {
    throw Error("Cannot predict with an empty forest; train or load at least one tree first.");
  }
  double sum = 0;
  for (const Tree& t : trees) sum += static_cast<double>(t.predict(row));
  return from_sum(sum);
}

float Forest::from_sum(double sum) const {
  if (boosted_base_margin) return logistic(*boosted_base_margin + sum);
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
        out[r] = from_sum(sum[r - begin]);
    });
  }
  catcher.rethrow();
  return out;
}

}  // namespace ecgforest::forest
