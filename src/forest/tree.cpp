// CART tree growth on binned features (Gini on class-weighted counts, histogram split search).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/forest/rng.hpp"

namespace ecgforest::forest {
namespace {

/// One in-bag training row: its index and (multiplicity << 1 | class).
struct Sample {
  std::uint32_t row;
  std::uint32_t count_cls;
};

/// Integer class counts (with bootstrap multiplicity) of a node or a side of a split.
struct Counts {
  std::uint64_t n0 = 0, n1 = 0;
  std::uint64_t total() const { return n0 + n1; }
};

/// sum_c w_c^2 / sum_c w_c for weighted class counts; W - this is W * Gini.
double purity_score(const Counts& c, double cw0, double cw1) {
  const double w0 = static_cast<double>(c.n0) * cw0, w1 = static_cast<double>(c.n1) * cw1;
  const double w = w0 + w1;
  return w > 0 ? (w0 * w0 + w1 * w1) / w : 0.0;
}

struct Split {
  int feature = -1;
  int bin = -1;         // left gets codes <= bin (bin == n_bins-1: all non-NaN values)
  bool nan_left = false;
  double score = 0;
  Counts left, right;
};

struct StackEntry {
  std::int32_t node;
  std::size_t begin, end;
  int depth;
  Counts counts;
};

}  // namespace

Tree grow_tree(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
               const std::vector<std::uint32_t>& rows, const ForestParams& params,
               std::uint64_t tree_index) {
  const std::size_t n_features = xb.n_features();
  if (rows.empty()) {
    throw Error("Cannot grow tree " + std::to_string(tree_index) +
                ": the set of training rows is empty; give at least one training row.");
  }
  if (y.size() != xb.n_rows()) {
    throw Error("The label vector has " + std::to_string(y.size()) + " entries but the binned "
                "feature matrix has " + std::to_string(xb.n_rows()) + " rows; give one 0/1 label "
                "per row.");
  }
  if (params.min_samples_leaf < 1 || params.max_depth < 0 || params.max_features < 0) {
    throw ConfigError("Invalid forest parameters (min_samples_leaf " +
                      std::to_string(params.min_samples_leaf) + ", max_depth " +
                      std::to_string(params.max_depth) + ", max_features " +
                      std::to_string(params.max_features) +
                      "); use min_samples_leaf >= 1, max_depth >= 0 and max_features >= 0.");
  }
  if (rows.size() > std::numeric_limits<std::uint32_t>::max() / 2) {
    throw Error("Cannot grow a tree on " + std::to_string(rows.size()) +
                " training rows (limit 2^31); subsample the training set.");
  }

  // Class counts over `rows` for the balanced weights, with validation of rows and labels.
  std::uint64_t n_class[2] = {0, 0};
  for (std::uint32_t r : rows) {
    if (r >= xb.n_rows()) {
      throw Error("Training row index " + std::to_string(r) + " is out of range: the binned matrix "
                  "has " + std::to_string(xb.n_rows()) + " rows.");
    }
    if (y[r] > 1) {
      throw Error("Label of row " + std::to_string(r) + " is " + std::to_string(int{y[r]}) +
                  "; labels must be 0 or 1.");
    }
    ++n_class[y[r]];
  }
  double cw[2] = {1.0, 1.0};
  if (params.class_weight == ClassWeight::balanced) {
    const double n = static_cast<double>(rows.size());
    for (int c = 0; c < 2; ++c)
      cw[c] = n_class[c] > 0 ? n / (2.0 * static_cast<double>(n_class[c])) : 1.0;
  }
  const double cw0 = cw[0], cw1 = cw[1];

  Xoshiro256 rng(hash_seed(params.seed, tree_index));

  // In-bag samples with multiplicity.
  std::vector<Sample> samples;
  if (params.bootstrap) {
    const auto n = static_cast<std::uint32_t>(rows.size());
    std::vector<std::uint32_t> mult(n, 0);
    for (std::uint32_t i = 0; i < n; ++i) ++mult[rng.below(n)];
    samples.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i)
      if (mult[i] > 0) samples.push_back({rows[i], (mult[i] << 1) | y[rows[i]]});
  } else {
    samples.reserve(rows.size());
    for (std::uint32_t r : rows) samples.push_back({r, (1u << 1) | y[r]});
  }

  const int k_features = params.max_features == 0
      ? std::max(1, static_cast<int>(std::floor(std::sqrt(static_cast<double>(n_features)))))
      : std::min(params.max_features, static_cast<int>(n_features));
  const auto min_leaf = static_cast<std::uint64_t>(params.min_samples_leaf);

  std::vector<std::uint32_t> feature_order(n_features);
  std::iota(feature_order.begin(), feature_order.end(), 0u);
  // Histogram of integer counts: [code * 2 + class], code 255 = NaN.
  std::vector<std::uint64_t> hist(256 * 2);

  Tree tree;
  auto add_node = [&tree]() {
    tree.feature.push_back(-1);
    tree.threshold.push_back(0.0f);
    tree.nan_left.push_back(0);
    tree.left.push_back(-1);
    tree.right.push_back(-1);
    tree.value.push_back(0.0f);
    return static_cast<std::int32_t>(tree.feature.size() - 1);
  };

  Counts root_counts;
  for (const Sample& s : samples) {
    if (s.count_cls & 1u) root_counts.n1 += s.count_cls >> 1;
    else root_counts.n0 += s.count_cls >> 1;
  }
  std::vector<StackEntry> stack;
  stack.push_back({add_node(), 0, samples.size(), 0, root_counts});

  while (!stack.empty()) {
    const StackEntry e = stack.back();
    stack.pop_back();
    const Counts& nc = e.counts;
    {
      const double w0 = static_cast<double>(nc.n0) * cw0, w1 = static_cast<double>(nc.n1) * cw1;
      tree.value[static_cast<std::size_t>(e.node)] = static_cast<float>(w1 / (w0 + w1));
    }
    if (nc.n0 == 0 || nc.n1 == 0) continue;                         // pure
    if (params.max_depth > 0 && e.depth >= params.max_depth) continue;
    if (nc.total() < 2 * min_leaf) continue;

    const double parent_score = purity_score(nc, cw0, cw1);
    Split best;
    best.score = parent_score + 1e-12 * std::abs(parent_score);

    // Draw k distinct features (partial Fisher-Yates).
    for (int j = 0; j < k_features; ++j) {
      const auto jj = static_cast<std::uint32_t>(j);
      const std::uint32_t pick = jj + rng.below(static_cast<std::uint32_t>(n_features) - jj);
      std::swap(feature_order[jj], feature_order[pick]);
    }

    for (int j = 0; j < k_features; ++j) {
      const std::uint32_t f = feature_order[static_cast<std::size_t>(j)];
      const int nb = xb.n_bins(f);
      std::fill(hist.begin(), hist.begin() + 2 * nb, 0);
      hist[2 * 255] = hist[2 * 255 + 1] = 0;
      const std::uint8_t* col = xb.column(f);
      std::uint64_t* h = hist.data();
      for (std::size_t i = e.begin; i < e.end; ++i) {
        const Sample s = samples[i];
        h[2u * col[s.row] + (s.count_cls & 1u)] += s.count_cls >> 1;
      }
      const Counts nan_c{h[2 * 255], h[2 * 255 + 1]};
      const bool has_nan = nan_c.total() > 0;
      Counts left;  // non-NaN codes <= b
      for (int b = 0; b < nb; ++b) {
        left.n0 += h[2 * b];
        left.n1 += h[2 * b + 1];
        const Counts right{nc.n0 - left.n0 - nan_c.n0, nc.n1 - left.n1 - nan_c.n1};
        for (int nan_side = 0; nan_side < 2; ++nan_side) {
          const bool nan_left = nan_side == 0;
          // Without NaN both directions are the same split: evaluate it once (as NaN right).
          if (nan_left && !has_nan) continue;
          Counts l = left, r = right;
          if (nan_left) { l.n0 += nan_c.n0; l.n1 += nan_c.n1; }
          else { r.n0 += nan_c.n0; r.n1 += nan_c.n1; }
          if (l.total() < min_leaf || r.total() < min_leaf) continue;
          const double score = purity_score(l, cw0, cw1) + purity_score(r, cw0, cw1);
          if (score > best.score) {
            best.score = score;
            best.feature = static_cast<int>(f);
            best.bin = b;
            best.nan_left = nan_left;
            best.left = l;
            best.right = r;
          }
        }
      }
    }
    if (best.feature < 0) continue;  // no split improves impurity

    // Partition samples [begin, end) in place: left side first.
    const std::uint8_t* col = xb.column(static_cast<std::size_t>(best.feature));
    const auto bin = static_cast<std::uint8_t>(best.bin);
    auto goes_left = [&](const Sample& s) {
      const std::uint8_t c = col[s.row];
      return c == BinnedMatrix::kNanBin ? best.nan_left : c <= bin;
    };
    std::size_t lo = e.begin, hi = e.end;
    while (lo < hi) {
      if (goes_left(samples[lo])) {
        ++lo;
      } else {
        --hi;
        std::swap(samples[lo], samples[hi]);
      }
    }
    const std::size_t mid = lo;

    const auto node = static_cast<std::size_t>(e.node);
    tree.feature[node] = best.feature;
    tree.threshold[node] = best.bin == xb.n_bins(static_cast<std::size_t>(best.feature)) - 1
                               ? std::numeric_limits<float>::infinity()
                               : xb.upper_edge(static_cast<std::size_t>(best.feature), best.bin);
    tree.nan_left[node] = best.nan_left ? 1 : 0;
    const std::int32_t l = add_node();
    const std::int32_t r = add_node();
    tree.left[node] = l;
    tree.right[node] = r;
    stack.push_back({r, mid, e.end, e.depth + 1, best.right});
    stack.push_back({l, e.begin, mid, e.depth + 1, best.left});
  }
  return tree;
}

float Tree::predict(const float* row) const {
  std::size_t i = 0;
  while (left[i] >= 0) {
    const float x = row[feature[i]];
    const bool go_left = std::isnan(x) ? nan_left[i] != 0 : x <= threshold[i];
    i = static_cast<std::size_t>(go_left ? left[i] : right[i]);
  }
  return value[i];
}

}  // namespace ecgforest::forest
