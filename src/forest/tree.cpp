// CART tree growth on binned features (Gini on class-weighted counts, histogram split search).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/core/rng.hpp"

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
  int cand = -1;        // index of the feature among the node's candidates
  int bin = -1;         // left gets codes <= bin (bin == n_bins-1: all non-NaN values)
  bool nan_left = false;
  double score = 0;
  Counts left, right;
};

/// Samples ahead whose code rows are prefetched (rows of deep nodes are far apart in memory).
constexpr std::size_t kPrefetch = 32;

/// Adds the class counts of samples [0, n) into the histograms of the k candidate features
/// (hist[j * 512 + code * 2 + class]), in one pass over the samples (the codes of a row are
/// contiguous: one cache line per sample). Integer sums: independent of the order of samples.
/// The codes read are kept in node_codes[i * k + j] (sample i, candidate j), so the partition
/// and the histogram reset read them in order instead of from the rows again.
template <int K>  // K > 0: k == K (a loop the compiler unrolls); 0: any k
void build_histograms_k(const std::uint8_t* codes, std::size_t stride, const Sample* samples, std::size_t n,
                        const std::uint32_t* cand, int k, std::uint32_t* hist, std::uint8_t* node_codes) {
  const int kn = K > 0 ? K : k;
  std::size_t col[K > 0 ? K : 1];
  if constexpr (K > 0)
    for (int j = 0; j < K; ++j) col[j] = cand[j];
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kPrefetch < n) __builtin_prefetch(codes + static_cast<std::size_t>(samples[i + kPrefetch].row) * stride);
    const Sample s = samples[i];
    const std::uint8_t* rc = codes + static_cast<std::size_t>(s.row) * stride;
    const std::uint32_t cls = s.count_cls & 1u, cnt = s.count_cls >> 1;
    for (int j = 0; j < kn; ++j) {
      const std::uint8_t c = rc[K > 0 ? col[j] : cand[j]];
      node_codes[i * static_cast<std::size_t>(kn) + static_cast<std::size_t>(j)] = c;
      hist[static_cast<std::size_t>(j) * 512 + 2u * c + cls] += cnt;
    }
  }
}

void build_histograms(const std::uint8_t* codes, std::size_t stride, const Sample* samples, std::size_t n,
                      const std::uint32_t* cand, int k, std::uint32_t* hist, std::uint8_t* node_codes) {
  switch (k) {  // the usual feature counts
    case 4: build_histograms_k<4>(codes, stride, samples, n, cand, k, hist, node_codes); break;
    case 5: build_histograms_k<5>(codes, stride, samples, n, cand, k, hist, node_codes); break;
    case 6: build_histograms_k<6>(codes, stride, samples, n, cand, k, hist, node_codes); break;
    default: build_histograms_k<0>(codes, stride, samples, n, cand, k, hist, node_codes); break;
  }
}

/// Stable partition of the n samples at sp + begin: those whose split code (codes[i * k], the
/// node's codes of sample i) goes left (code <= bin, or NaN and nan_left) move to the front in
/// order, the others follow in order (through `scratch`). Returns the index of the first right
/// sample. Branch-free: each sample is written to both places and only one cursor advances.
std::size_t partition(Sample* sp, Sample* scratch, std::size_t begin, std::size_t n, const std::uint8_t* codes, int k,
                      std::uint8_t bin, bool nan_left) {
  const auto stride = static_cast<std::size_t>(k);
  std::size_t lo = begin, n_right = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Sample s = sp[begin + i];
    const std::uint8_t c = codes[i * stride];
    const bool left = c == BinnedMatrix::kNanBin ? nan_left : c <= bin;
    sp[lo] = s;
    scratch[n_right] = s;
    lo += left ? 1 : 0;
    n_right += left ? 0 : 1;
  }
  std::copy_n(scratch, n_right, sp + lo);
  return lo;
}

struct StackEntry {
  std::int32_t node;
  std::size_t begin, end;
  int depth;
  Counts counts;
};

/// The in-bag draw of one tree: multiplicity of every position of `rows`. Consumes the first
/// random numbers of `rng` (grow_tree continues with the same generator for the features).
void draw_inbag(Xoshiro256& rng, const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
                const ForestParams& params, std::vector<std::uint32_t>& mult) {
  const auto n = static_cast<std::uint32_t>(rows.size());
  const Bootstrap sampling = effective_sampling(params);
  const std::uint32_t n_draws = draws_per_tree(params, n);
  if (sampling == Bootstrap::none) {
    mult.assign(n, 1);
    return;
  }
  mult.assign(n, 0);
  if (sampling == Bootstrap::standard) {
    for (std::uint32_t i = 0; i < n_draws; ++i) ++mult[rng.below(n)];
    return;
  }
  if (sampling == Bootstrap::subsample) {
    // Selection sampling (Knuth's algorithm S): every subset of n_draws positions is equally likely.
    // Branch-free (the choice is a coin flip the processor cannot predict); the same draws.
    std::uint32_t need = n_draws;
    for (std::uint32_t i = 0; i < n && need > 0; ++i) {
      const std::uint32_t take = rng.below(n - i) < need ? 1u : 0u;
      mult[i] = take;
      need -= take;
    }
    return;
  }
  // Balanced: n_draws/2 draws among the positives, the rest among the negatives.
  std::vector<std::uint32_t> pos[2];
  for (std::uint32_t i = 0; i < n; ++i) pos[y[rows[i]] & 1u].push_back(i);
  if (pos[0].empty() || pos[1].empty()) {
    throw Error("The class-balanced bootstrap needs both classes among the training rows, but " +
                std::to_string(pos[1].size()) + " of " + std::to_string(n) +
                " rows are positive; use bootstrap 'standard' or add rows of the missing class.");
  }
  const std::uint32_t draws[2] = {n_draws - n_draws / 2, n_draws / 2};
  for (int c = 0; c < 2; ++c) {
    const auto nc = static_cast<std::uint32_t>(pos[c].size());
    for (std::uint32_t i = 0; i < draws[c]; ++i) ++mult[pos[c][rng.below(nc)]];
  }
}

void validate(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
              const ForestParams& params, std::uint64_t tree_index) {
  if (rows.empty()) {
    throw Error("Cannot grow tree " + std::to_string(tree_index) +
                ": the set of training rows is empty; give at least one training row.");
  }
  if (y.size() != xb.n_rows()) {
    throw Error("The label vector has " + std::to_string(y.size()) + " entries but the binned "
                "feature matrix has " + std::to_string(xb.n_rows()) + " rows; give one 0/1 label "
                "per row.");
  }
  if (!(params.sample_fraction >= 0 && params.sample_fraction <= 1) || !(params.leaf_prior >= 0) ||
      !std::isfinite(params.leaf_prior)) {
    throw ParameterError("Invalid forest parameters (sample_fraction " + std::to_string(params.sample_fraction) +
                      ", leaf_prior " + std::to_string(params.leaf_prior) +
                      "); use 0 <= sample_fraction <= 1 and a finite leaf_prior >= 0.");
  }
  if (params.min_samples_leaf < 1 || params.max_depth < 0 || params.max_features < 0) {
    throw ParameterError("Invalid forest parameters (min_samples_leaf " +
                      std::to_string(params.min_samples_leaf) + ", max_depth " +
                      std::to_string(params.max_depth) + ", max_features " +
                      std::to_string(params.max_features) +
                      "); use min_samples_leaf >= 1, max_depth >= 0 and max_features >= 0.");
  }
  if (rows.size() > std::numeric_limits<std::uint32_t>::max() / 2) {
    throw Error("Cannot grow a tree on " + std::to_string(rows.size()) +
                " training rows (limit 2^31); subsample the training set.");
  }
}

/// A node's value: its class-weighted positive share with leaf_prior pseudo-rows at the root's
/// share (prior_w1 of them positive). The one formula of grow_tree and with_leaf_prior.
float node_value(std::uint64_t n0, std::uint64_t n1, double cw0, double cw1, double prior_w, double prior_w1) {
  const double w0 = static_cast<double>(n0) * cw0, w1 = static_cast<double>(n1) * cw1;
  return static_cast<float>((w1 + prior_w1) / (w0 + w1 + prior_w));
}

/// Records node `node`'s in-bag class counts (Tree::count0/count1, grown with keep_counts).
void keep_counts(Tree& tree, std::int32_t node, const Counts& c) {
  const auto i = static_cast<std::size_t>(node);
  if (tree.count0.size() <= i) {
    tree.count0.resize(tree.n_nodes(), 0);
    tree.count1.resize(tree.n_nodes(), 0);
  }
  tree.count0[i] = c.n0;
  tree.count1[i] = c.n1;
}

/// Positive pseudo-rows of `prior_w` pseudo-rows at the root's class-weighted positive share.
double prior_positive(double prior_w, std::uint64_t root_n0, std::uint64_t root_n1, double cw0, double cw1) {
  const double root_weight = static_cast<double>(root_n0) * cw0 + static_cast<double>(root_n1) * cw1;
  return root_weight > 0 ? prior_w * static_cast<double>(root_n1) * cw1 / root_weight : 0.0;
}


/// Checks every training row and label, and returns the class weights: balanced (n / (2 n_c))
/// or 1, and 1 under the class-balanced bootstrap (its draws balance the classes already).
std::array<double, 2> class_weights(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                                    const std::vector<std::uint32_t>& rows, const ForestParams& params) {
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
  std::array<double, 2> cw = {1.0, 1.0};
  if (params.class_weight == ClassWeight::balanced && effective_sampling(params) != Bootstrap::balanced) {
    const double n = static_cast<double>(rows.size());
    for (int c = 0; c < 2; ++c)
      cw[static_cast<std::size_t>(c)] = n_class[c] > 0 ? n / (2.0 * static_cast<double>(n_class[c])) : 1.0;
  }
  return cw;
}

/// The tree's in-bag rows with their multiplicity and class, in increasing row order (the first
/// random numbers of `rng`, see draw_inbag).
std::vector<Sample> inbag_samples(Xoshiro256& rng, const std::vector<std::uint8_t>& y,
                                  const std::vector<std::uint32_t>& rows, const ForestParams& params) {
  std::vector<std::uint32_t> mult;
  draw_inbag(rng, y, rows, params, mult);
  std::size_t n_in = 0;
  for (auto m : mult) n_in += m > 0;
  // Branch-free compaction: every row is written at the cursor, which advances when in-bag
  // (one spare slot for the last write).
  std::vector<Sample> samples(n_in + 1);
  std::size_t k = 0;
  for (std::size_t i = 0; i < mult.size(); ++i) {
    samples[k] = {rows[i], (mult[i] << 1) | y[rows[i]]};
    k += mult[i] > 0 ? 1 : 0;
  }
  samples.resize(n_in);
  return samples;
}

/// Features tried per split: max_features, or floor(sqrt(F)) when it is 0.
int features_per_split(const ForestParams& params, std::size_t n_features) {
  return params.max_features == 0
             ? std::max(1, static_cast<int>(std::floor(std::sqrt(static_cast<double>(n_features)))))
             : std::min(params.max_features, static_cast<int>(n_features));
}

/// Improves `best` with the splits of candidate feature f (the j-th of the node's candidates)
/// whose histogram is h (nb bins, NaN at code 255) in a node of counts nc: every bin boundary,
/// with the NaN rows on either side (once when there are none); both sides need min_leaf rows.
void scan_feature(const std::uint32_t* h, int nb, std::uint32_t f, int j, const Counts& nc, std::uint64_t min_leaf,
                  double cw0, double cw1, Split& best) {
  const Counts nan_c{h[2 * 255], h[2 * 255 + 1]};
  const bool has_nan = nan_c.total() > 0;
  const std::uint64_t present = nc.total() - nan_c.total();
  Counts left;  // non-NaN codes <= b
  for (int b = 0; b < nb; ++b) {
    if (b > 0 && b != nb - 1 && h[2 * b] == 0 && h[2 * b + 1] == 0) continue;  // = split at b-1
    left.n0 += h[2 * b];
    left.n1 += h[2 * b + 1];
    const bool last = left.total() == present;  // every present value is left from here on
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
      if (score > best.score) best = {static_cast<int>(f), j, b, nan_left, score, l, r};
    }
    if (last) break;  // later bins give the same split again
  }
}

/// Sets histogram h (nb bins and the NaN code) back to zero: by walking the node's codes of this
/// candidate (codes[i * k], i < n_node) for small nodes, wholesale otherwise.
void clear_histogram(std::uint32_t* h, int nb, const std::uint8_t* codes, int k, std::size_t n_node) {
  if (n_node < 128) {
    for (std::size_t i = 0; i < n_node; ++i) {
      const std::uint8_t c = codes[i * static_cast<std::size_t>(k)];
      h[2u * c] = h[2u * c + 1] = 0;
    }
  } else {
    std::memset(h, 0, sizeof(std::uint32_t) * 2 * static_cast<std::size_t>(nb));
    h[2 * 255] = h[2 * 255 + 1] = 0;
  }
}

/// Gives back the slack of vectors that grew by doubling (a forest of deep trees is most of the memory).
void shrink_to_fit(Tree& tree) {
  tree.feature.shrink_to_fit();
  tree.threshold.shrink_to_fit();
  tree.nan_left.shrink_to_fit();
  tree.left.shrink_to_fit();
  tree.right.shrink_to_fit();
  tree.value.shrink_to_fit();
  tree.bin.shrink_to_fit();
}

/// One tree's growth: depth-first from the root over the in-bag samples, each node split at the
/// best of k randomly drawn candidate features (Gini on class-weighted integer counts).
class TreeGrower {
 public:
  TreeGrower(const BinnedMatrix& xb, const ForestParams& params, std::array<double, 2> cw, Xoshiro256& rng,
             std::vector<Sample> samples)
      : xb_(xb), params_(params), cw0_(cw[0]), cw1_(cw[1]), rng_(rng), samples_(std::move(samples)),
        k_(features_per_split(params, xb.n_features())), min_leaf_(static_cast<std::uint64_t>(params.min_samples_leaf)),
        feature_order_(xb.n_features()), hist_(static_cast<std::size_t>(k_) * 512, 0),
        cand_(static_cast<std::size_t>(k_)), right_side_(samples_.size()),
        node_codes_(static_cast<std::size_t>(k_) * samples_.size()) {
    std::iota(feature_order_.begin(), feature_order_.end(), 0u);
  }

  Tree grow() {
    tree_.importance.assign(xb_.n_features(), 0.0);
    Counts root;
    for (const Sample& s : samples_) (s.count_cls & 1u ? root.n1 : root.n0) += s.count_cls >> 1;
    const double root_weight = static_cast<double>(root.n0) * cw0_ + static_cast<double>(root.n1) * cw1_;
    // Leaf shrinkage towards the root's (weighted) positive ratio: leaf_prior pseudo-rows at that ratio.
    prior_w1_ = prior_positive(params_.leaf_prior, root.n0, root.n1, cw0_, cw1_);
    stack_.push_back({tree_.add_node(), 0, samples_.size(), 0, root});
    while (!stack_.empty()) {
      const StackEntry e = stack_.back();
      stack_.pop_back();
      visit(e);
    }
    if (root_weight > 0)
      for (auto& v : tree_.importance) v /= root_weight;
    shrink_to_fit(tree_);
    if (params_.keep_counts) tree_.class_weight = {cw0_, cw1_};
    return std::move(tree_);
  }

 private:
  // Whether a node with these counts at this depth is split (else it is a leaf): not pure, not at
  // the depth limit, and room for two leaves of min_samples_leaf.
  bool splits(const Counts& c, int depth) const {
    return c.n0 > 0 && c.n1 > 0 && !(params_.max_depth > 0 && depth >= params_.max_depth) &&
           c.total() >= 2 * min_leaf_;
  }

  // The node's value, and its split with two children pushed on the stack when one improves it.
  void visit(const StackEntry& e) {
    const Counts& nc = e.counts;
    tree_.value[static_cast<std::size_t>(e.node)] = node_value(nc.n0, nc.n1, cw0_, cw1_, params_.leaf_prior, prior_w1_);
    if (params_.keep_counts) keep_counts(tree_, e.node, nc);
    if (!splits(nc, e.depth)) return;
    const double parent_score = purity_score(nc, cw0_, cw1_);
    const Split best = best_split(e, parent_score);
    if (best.feature >= 0) split(e, best, parent_score);  // else no split improves impurity
  }

  // Draws k distinct features (partial Fisher-Yates).
  void draw_candidates() {
    const auto n_features = static_cast<std::uint32_t>(feature_order_.size());
    for (int j = 0; j < k_; ++j) {
      const auto jj = static_cast<std::uint32_t>(j);
      const std::uint32_t pick = jj + rng_.below(n_features - jj);
      std::swap(feature_order_[jj], feature_order_[pick]);
      cand_[jj] = feature_order_[jj];
    }
  }

  // The best split over k fresh candidate features: histograms of all of them in one pass over
  // the node's samples (the codes of a row are contiguous: one cache line per sample), then a
  // scan of each; the histograms are left all-zero for the next node.
  Split best_split(const StackEntry& e, double parent_score) {
    Split best;
    best.score = parent_score + 1e-12 * std::abs(parent_score);
    draw_candidates();
    const std::size_t n_node = e.end - e.begin;
    build_histograms(xb_.row(0), xb_.row_stride(), samples_.data() + e.begin, n_node, cand_.data(), k_, hist_.data(),
                     node_codes_.data());
    for (int j = 0; j < k_; ++j) {
      const std::uint32_t f = cand_[static_cast<std::size_t>(j)];
      std::uint32_t* h = hist_.data() + static_cast<std::size_t>(j) * 512;
      scan_feature(h, xb_.n_bins(f), f, j, e.counts, min_leaf_, cw0_, cw1_, best);
      clear_histogram(h, xb_.n_bins(f), node_codes_.data() + static_cast<std::size_t>(j), k_, n_node);
    }
    return best;
  }

  // Records the split of node e and pushes its two children (left on top).
  void split(const StackEntry& e, const Split& best, double parent_score) {
    // Partition the samples, unless both children stay leaves (then their samples are not read).
    const auto bf = static_cast<std::size_t>(best.feature);
    const auto bin = static_cast<std::uint8_t>(best.bin);
    const bool split_again = splits(best.left, e.depth + 1) || splits(best.right, e.depth + 1);
    const std::size_t mid = split_again ? partition(samples_.data(), right_side_.data(), e.begin, e.end - e.begin,
                                                    node_codes_.data() + best.cand, k_, bin, best.nan_left)
                                        : e.begin;  // leaves: their sample ranges are never used
    const auto node = static_cast<std::size_t>(e.node);
    tree_.feature[node] = best.feature;
    tree_.threshold[node] = best.bin == xb_.n_bins(bf) - 1 ? std::numeric_limits<float>::infinity()
                                                           : xb_.upper_edge(bf, best.bin);
    tree_.nan_left[node] = best.nan_left ? 1 : 0;
    tree_.bin[node] = bin;
    tree_.importance[bf] += best.score - parent_score;
    const std::int32_t l = tree_.add_node();
    const std::int32_t r = tree_.add_node();
    tree_.left[node] = l;
    tree_.right[node] = r;
    stack_.push_back({r, mid, e.end, e.depth + 1, best.right});
    stack_.push_back({l, e.begin, mid, e.depth + 1, best.left});
  }

  const BinnedMatrix& xb_;
  const ForestParams& params_;
  const double cw0_, cw1_;
  Xoshiro256& rng_;
  std::vector<Sample> samples_;
  const int k_;
  const std::uint64_t min_leaf_;
  double prior_w1_ = 0;
  std::vector<std::uint32_t> feature_order_;
  // One histogram of integer counts per candidate feature: [code * 2 + class], code 255 = NaN.
  // Kept all-zero between nodes. 32-bit: a node's counts sum to at most the draws per tree
  // (< 2^31, checked in validate), so they are exact; the split search adds them in 64 bits.
  std::vector<std::uint32_t> hist_;
  std::vector<std::uint32_t> cand_;
  // Partition scratch: the right side of a split is copied out and back, so every node's samples
  // stay in increasing row order (the codes are then read front to back). Only the set of rows
  // of a node matters (integer counts), not their order, so this is the same tree.
  std::vector<Sample> right_side_;
  // Codes of the candidate features of the node being split, [sample of the node][candidate].
  std::vector<std::uint8_t> node_codes_;
  std::vector<StackEntry> stack_;
  Tree tree_;
};

}  // namespace

std::uint32_t draws_per_tree(const ForestParams& p, std::uint32_t n) {
  const Bootstrap sampling = effective_sampling(p);
  if (sampling == Bootstrap::none) return n;
  const double f = p.sample_fraction > 0 ? p.sample_fraction
                                         : (sampling == Bootstrap::subsample ? kDefaultSubsample : 1.0);
  const auto k = static_cast<std::uint32_t>(std::llround(f * static_cast<double>(n)));
  return std::min(n, std::max<std::uint32_t>(1, k));
}

std::vector<std::uint32_t> inbag_counts(const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
                                        const ForestParams& params, std::uint64_t tree_index) {
  Xoshiro256 rng(hash_seed(params.seed, tree_index));
  std::vector<std::uint32_t> mult;
  draw_inbag(rng, y, rows, params, mult);
  return mult;
}

Tree grow_tree(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
               const std::vector<std::uint32_t>& rows, const ForestParams& params,
               std::uint64_t tree_index) {
  validate(xb, y, rows, params, tree_index);
  const auto cw = class_weights(xb, y, rows, params);
  Xoshiro256 rng(hash_seed(params.seed, tree_index));
  TreeGrower g(xb, params, cw, rng, inbag_samples(rng, y, rows, params));
  return g.grow();
}

Tree with_leaf_prior(Tree tree, double leaf_prior) {
  if (tree.count0.size() != tree.n_nodes() || tree.count1.size() != tree.n_nodes() || tree.n_nodes() == 0) {
    throw Error("A tree without its node counts cannot take another leaf_prior; grow it with keep_counts.");
  }
  if (!(leaf_prior >= 0) || !std::isfinite(leaf_prior)) {
    throw ParameterError("Invalid leaf_prior " + std::to_string(leaf_prior) + "; use a finite leaf_prior >= 0.");
  }
  const auto [cw0, cw1] = tree.class_weight;
  const double prior_w1 = prior_positive(leaf_prior, tree.count0[0], tree.count1[0], cw0, cw1);
  for (std::size_t i = 0; i < tree.n_nodes(); ++i)
    tree.value[i] = node_value(tree.count0[i], tree.count1[i], cw0, cw1, leaf_prior, prior_w1);
  return tree;
}

std::int32_t Tree::add_node() {
  feature.push_back(-1);
  threshold.push_back(0.0f);
  nan_left.push_back(0);
  left.push_back(-1);
  right.push_back(-1);
  value.push_back(0.0f);
  bin.push_back(0);
  return static_cast<std::int32_t>(feature.size() - 1);
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

float Tree::predict_binned(const std::uint8_t* codes) const {
  std::size_t i = 0;
  while (left[i] >= 0) {
    const std::uint8_t c = codes[feature[i]];
    const bool go_left = c == BinnedMatrix::kNanBin ? nan_left[i] != 0 : c <= bin[i];
    i = static_cast<std::size_t>(go_left ? left[i] : right[i]);
  }
  return value[i];
}

}  // namespace ecgforest::forest
