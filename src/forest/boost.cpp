// Gradient-boosted trees (boost.hpp). Gradients and hessians are fixed-point integers
// (kScale = 2^40) inside a round, so histogram sums, the parent-minus-sibling histograms and the
// per-thread partial sums are exact and the model does not depend on the thread count.
#include "ecgforest/forest/boost.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/core/rng.hpp"

namespace ecgforest::forest {
namespace {

constexpr double kScale = 1099511627776.0;  // 2^40: |g| <= 1, h <= 1/4, so 2^23 rows fit in int64
constexpr int kSlots = 257;                  // 256 codes; slot 256 is the NaN code (kNanBin)
constexpr std::size_t kParallelRows = 4096;  // smaller nodes build their histograms serially

/// Fixed-point gradient and hessian sums.
struct GH {
  std::int64_t g = 0, h = 0;
  GH& operator+=(const GH& o) { g += o.g; h += o.h; return *this; }
  GH& operator-=(const GH& o) { g -= o.g; h -= o.h; return *this; }
};
GH operator-(GH a, const GH& b) { return a -= b; }
GH operator+(GH a, const GH& b) { return a += b; }

/// Histogram of one node: kSlots GH per candidate feature.
using Hist = std::vector<GH>;

struct Split {
  int cand = -1;  // index among the round's features
  int bin = 0;
  bool nan_left = false;
  double gain = 0;
  GH left, right;
};

/// A node still to be split: where it sits in the tree, its rows (positions in the round's
/// sample, in order), its sums and histogram.
struct Open {
  std::int32_t node;
  std::vector<std::uint32_t> rows;
  GH total;
  Hist hist;
};

void check_params(const BoostParams& p) {
  auto bad = [](const std::string& what) { throw ParameterError("Invalid boosting setting: " + what + "."); };
  if (p.n_rounds < 1) bad("rounds must be at least 1, got " + std::to_string(p.n_rounds));
  if (p.max_depth < 1 || p.max_depth > 16) bad("depth must be in 1..16, got " + std::to_string(p.max_depth));
  if (!(p.learning_rate > 0 && p.learning_rate <= 1)) bad("the learning rate must be in (0, 1]");
  if (!(p.lambda >= 0) || !std::isfinite(p.lambda)) bad("lambda must be a finite number >= 0");
  if (!(p.min_child_hessian >= 0) || !std::isfinite(p.min_child_hessian)) bad("min_child_hessian must be finite and >= 0");
  if (!(p.subsample > 0 && p.subsample <= 1)) bad("subsample must be in (0, 1]");
  if (!(p.colsample > 0 && p.colsample <= 1)) bad("colsample must be in (0, 1]");
}

/// Throws for empty or out-of-range rows and labels other than 0/1; returns the positives.
std::size_t check_rows(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows) {
  if (rows.empty()) throw Error("Cannot boost on zero training rows.");
  if (y.size() != xb.n_rows()) throw Error("Boosting needs one label per row of the binned matrix.");
  std::size_t pos = 0;
  for (const auto r : rows) {
    if (r >= xb.n_rows()) throw Error("Training row index " + std::to_string(r) + " is out of range.");
    if (y[r] > 1) throw Error("Label of row " + std::to_string(r) + " is " + std::to_string(int{y[r]}) + "; labels must be 0 or 1.");
    pos += y[r];
  }
  return pos;
}

double score(const GH& s, double lambda) {
  const double g = static_cast<double>(s.g) / kScale, h = static_cast<double>(s.h) / kScale;
  return g * g / (h + lambda);
}

/// Uniform double in [0, 1).
double uniform(Xoshiro256& rng) { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; }

/// The round's row sample (positions into rows; each kept with probability subsample) and its
/// features (a share colsample, at least one, in increasing order).
void draw_round(const BoostParams& p, int round, std::size_t n_rows, std::size_t n_features,
                std::vector<std::uint32_t>& sample, std::vector<std::uint32_t>& features) {
  Xoshiro256 rng(hash_seed(p.seed, static_cast<std::uint64_t>(round)));
  sample.clear();
  for (std::size_t i = 0; i < n_rows; ++i)
    if (p.subsample >= 1 || uniform(rng) < p.subsample) sample.push_back(static_cast<std::uint32_t>(i));
  const auto k = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(p.colsample * static_cast<double>(n_features))), 1, n_features);
  features.resize(n_features);
  for (std::size_t f = 0; f < n_features; ++f) features[f] = static_cast<std::uint32_t>(f);
  for (std::size_t i = 0; i < k; ++i) std::swap(features[i], features[i + rng.below(static_cast<std::uint32_t>(n_features - i))]);
  features.resize(k);
  std::sort(features.begin(), features.end());
}

/// Adds rows [begin, end) of `pos` (positions; their rows rows[pos]) into `h`.
void add_rows(const BinnedMatrix& xb, const std::vector<std::uint32_t>& rows, const std::vector<GH>& gh,
              const std::vector<std::uint32_t>& features, const std::uint32_t* pos, std::size_t n, GH* h) {
  const std::size_t k = features.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* codes = xb.row(rows[pos[i]]);
    const GH v = gh[pos[i]];
    for (std::size_t j = 0; j < k; ++j) h[j * kSlots + codes[features[j]]] += v;
  }
}

/// Histogram of the node whose sample positions are `pos`: per-thread partial histograms over
/// row blocks, added up (integers: the same sums for any split of the rows).
Hist build_hist(const BinnedMatrix& xb, const std::vector<std::uint32_t>& rows, const std::vector<GH>& gh,
                const std::vector<std::uint32_t>& features, const std::vector<std::uint32_t>& pos) {
  const std::size_t size = features.size() * kSlots;
  Hist hist(size);
  if (pos.size() < kParallelRows || omp_get_max_threads() == 1) {
    add_rows(xb, rows, gh, features, pos.data(), pos.size(), hist.data());
    return hist;
  }
  OmpExceptionCatcher catcher;
#pragma omp parallel
  {
    catcher.run([&] {
      Hist local(size);
      const auto t = static_cast<std::size_t>(omp_get_thread_num()), nt = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t b = pos.size() * t / nt, e = pos.size() * (t + 1) / nt;
      add_rows(xb, rows, gh, features, pos.data() + b, e - b, local.data());
#pragma omp critical
      for (std::size_t i = 0; i < size; ++i) hist[i] += local[i];
    });
  }
  catcher.rethrow();
  return hist;
}

/// Offers the split (left = L, right = total - L) to `best` when both sides are heavy enough
/// and it gains more.
void offer(Split& best, const GH& total, const GH& left, int cand, int bin, bool nan_left, const BoostParams& p) {
  const GH right = total - left;
  const double min_h = p.min_child_hessian * kScale;
  if (left.h <= 0 || right.h <= 0 || static_cast<double>(left.h) < min_h || static_cast<double>(right.h) < min_h) return;
  const double gain = 0.5 * (score(left, p.lambda) + score(right, p.lambda) - score(total, p.lambda));
  if (gain > best.gain) best = Split{cand, bin, nan_left, gain, left, right};
}

/// The best split of a node over the round's features (ties: the first feature, bin, NaN right).
Split best_split(const BinnedMatrix& xb, const Open& node, const std::vector<std::uint32_t>& features, const BoostParams& p) {
  Split best;
  for (std::size_t j = 0; j < features.size(); ++j) {
    if (xb.all_nan(features[j])) continue;
    const GH* h = node.hist.data() + j * kSlots;
    const GH nan = h[BinnedMatrix::kNanBin];
    const int n_bins = xb.n_bins(features[j]);
    GH cum;
    for (int b = 0; b < n_bins; ++b) {
      cum += h[b];
      offer(best, node.total, cum, static_cast<int>(j), b, false, p);
      if (nan.h > 0) offer(best, node.total, cum + nan, static_cast<int>(j), b, true, p);
    }
  }
  return best;
}

float leaf_value(const GH& s, const BoostParams& p) {
  const double g = static_cast<double>(s.g) / kScale, h = static_cast<double>(s.h) / kScale;
  return static_cast<float>(-p.learning_rate * g / (h + p.lambda));
}

/// Turns `node` into the split `s` and returns its two children (rows kept in order; the
/// smaller child's histogram is built, the other is the parent's minus it).
std::pair<Open, Open> split_node(Tree& t, Open& node, const Split& s, const BinnedMatrix& xb, const std::vector<std::uint32_t>& rows,
                                 const std::vector<GH>& gh, const std::vector<std::uint32_t>& features) {
  const auto f = features[static_cast<std::size_t>(s.cand)];
  const auto i = static_cast<std::size_t>(node.node);
  t.feature[i] = static_cast<std::int32_t>(f);
  t.bin[i] = static_cast<std::uint8_t>(s.bin);
  t.nan_left[i] = s.nan_left ? 1 : 0;
  t.threshold[i] = s.bin == xb.n_bins(f) - 1 ? std::numeric_limits<float>::infinity() : xb.upper_edge(f, s.bin);
  t.importance[f] += s.gain;
  Open l{t.add_node(), {}, s.left, {}}, r{t.add_node(), {}, s.right, {}};
  t.left[i] = l.node;
  t.right[i] = r.node;
  for (const auto q : node.rows) {
    const std::uint8_t c = xb.code(rows[q], f);
    const bool go_left = c == BinnedMatrix::kNanBin ? s.nan_left : c <= s.bin;
    (go_left ? l : r).rows.push_back(q);
  }
  Open& small = l.rows.size() <= r.rows.size() ? l : r;
  Open& large = &small == &l ? r : l;
  small.hist = build_hist(xb, rows, gh, features, small.rows);
  large.hist = std::move(node.hist);
  for (std::size_t k = 0; k < large.hist.size(); ++k) large.hist[k] -= small.hist[k];
  return {std::move(l), std::move(r)};
}

/// One round's tree on the sampled positions, level by level.
Tree grow_round_tree(const BinnedMatrix& xb, const std::vector<std::uint32_t>& rows, const std::vector<GH>& gh,
                     const std::vector<std::uint32_t>& sample, const std::vector<std::uint32_t>& features, const BoostParams& p) {
  Tree t;
  t.importance.assign(xb.n_features(), 0.0);
  Open root{t.add_node(), sample, {}, {}};
  for (const auto q : sample) root.total += gh[q];
  root.hist = build_hist(xb, rows, gh, features, root.rows);
  std::vector<Open> level;
  level.push_back(std::move(root));
  for (int depth = 0; !level.empty(); ++depth) {
    std::vector<Open> next;
    for (auto& node : level) {
      const Split s = depth < p.max_depth ? best_split(xb, node, features, p) : Split{};
      if (s.cand < 0) {
        t.value[static_cast<std::size_t>(node.node)] = leaf_value(node.total, p);
        continue;
      }
      auto [l, r] = split_node(t, node, s, xb, rows, gh, features);
      next.push_back(std::move(l));
      next.push_back(std::move(r));
    }
    level = std::move(next);
  }
  return t;
}

/// Fixed-point gradients and hessians of the logistic loss at `margin`.
void gradients(const std::vector<double>& margin, const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
               std::vector<GH>& gh) {
  const auto n = static_cast<long long>(rows.size());
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < n; ++i) {
    const double pr = 1.0 / (1.0 + std::exp(-margin[static_cast<std::size_t>(i)]));
    const double g = pr - static_cast<double>(y[rows[static_cast<std::size_t>(i)]]);
    const double h = std::max(pr * (1.0 - pr), 1e-12);
    gh[static_cast<std::size_t>(i)] = GH{std::llround(g * kScale), std::llround(h * kScale)};
  }
}

}  // namespace

float logistic(double margin) { return static_cast<float>(1.0 / (1.0 + std::exp(-margin))); }

BoostedTrees grow_boosted(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                          const std::vector<std::uint32_t>& rows, const BoostParams& params,
                          const std::function<void(int)>& round_done) {
  check_params(params);
  const std::size_t pos = check_rows(xb, y, rows);
  BoostedTrees m;
  const double rate = std::clamp(static_cast<double>(pos) / static_cast<double>(rows.size()), 1e-6, 1.0 - 1e-6);
  m.base_margin = std::log(rate / (1.0 - rate));
  std::vector<double> margin(rows.size(), m.base_margin);
  std::vector<GH> gh(rows.size());
  std::vector<std::uint32_t> sample, features;
  for (int round = 0; round < params.n_rounds; ++round) {
    gradients(margin, y, rows, gh);
    draw_round(params, round, rows.size(), xb.n_features(), sample, features);
    if (sample.empty()) sample.push_back(0);
    m.trees.push_back(grow_round_tree(xb, rows, gh, sample, features, params));
    const Tree& t = m.trees.back();
    const auto n = static_cast<long long>(rows.size());
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < n; ++i)
      margin[static_cast<std::size_t>(i)] += static_cast<double>(t.predict_binned(xb.row(rows[static_cast<std::size_t>(i)])));
    if (round_done) round_done(round + 1);
  }
  return m;
}

float boosted_proba_binned(const BoostedTrees& m, const std::uint8_t* codes) {
  double s = m.base_margin;
  for (const auto& t : m.trees) s += static_cast<double>(t.predict_binned(codes));
  return logistic(s);
}

}  // namespace ecgforest::forest
