#pragma once
// Random forest of CART classification trees (Gini) on pre-binned features.
// Pure numeric code: no MPI, no HDF5. `grow_trees`, `Forest::predict_proba(matrix)`,
// `accumulate_oob` and `accumulate_permutation` use OpenMP; their results are bitwise identical
// for any thread count (each tree is seeded from (seed, global tree index); sums over trees are
// done in fixed-point integers, whose addition does not depend on the order).
//
// NaN handling: a NaN feature value gets its own bin code (kNanBin) and every split learns on
// which side NaN rows go (nan_left); the side that gives the better Gini is chosen, and when a
// node has no NaN rows for that feature the NaN rows of later data go right. Values are never
// replaced by a sentinel such as -999. A feature that is NaN in every training row is never split.
#include <cstddef>
#include <functional>
#include <optional>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ecgforest/core/choices.hpp"
#include "ecgforest/core/huge_pages.hpp"

namespace ecgforest::forest {

using ClassWeight = ecgforest::ClassWeight;

/// standard: d draws with replacement from the n training rows (d = draws_per_tree, n by
/// default); balanced: d draws with replacement, half of them (d/2, rounded down) from the positive rows and the rest from the
/// negative rows (each class drawn uniformly; class weights are then 1, whatever class_weight
/// says, because the in-bag classes are already balanced); subsample: round(sample_fraction * n)
/// distinct rows drawn without replacement (each in-bag row counts once); none: every row once
/// (no OOB).
using Bootstrap = ecgforest::Bootstrap;

struct ForestParams {
  int n_trees = 100;
  int max_features = 0;      ///< features tried per split; 0 = floor(sqrt(F)), at least 1;
                             ///< values above F are clamped to F
  int max_depth = 0;         ///< 0 = unlimited
  int min_samples_leaf = 1;  ///< minimum training rows (with bootstrap multiplicity) per leaf
  bool bootstrap = true;     ///< false = all rows (same as sampling = Bootstrap::none)
  Bootstrap sampling = Bootstrap::standard;  ///< used when bootstrap is true
  ClassWeight class_weight = ClassWeight::balanced;
  std::uint64_t seed = 42;
  int max_bins = 256;        ///< 2..256; at most max_bins-1 real quantile bins per feature
                             ///< (codes are uint8, code 255 is reserved for NaN)
  /// Draws per tree as a fraction of the n training rows, in (0, 1]; 0 = the sampling's own
  /// default: 1 for standard/balanced (n draws with replacement), kDefaultSubsample for subsample.
  double sample_fraction = 0;
  /// Leaf shrinkage: a node's value is (w1 + leaf_prior * p) / (w + leaf_prior), where w1 and w
  /// are its (class-weighted, with multiplicity) positive and total counts and p is the same
  /// ratio at the tree's root; leaf_prior pseudo-rows at the root's rate pull small leaves
  /// towards it. 0 = the plain in-leaf ratio.
  double leaf_prior = 0;
  /// Not a model setting: grown trees keep every node's in-bag class counts and the class
  /// weights (Tree::count0/count1/class_weight), so with_leaf_prior can re-derive their values.
  bool keep_counts = false;
};

/// Subsample fraction when sample_fraction is 0: about the share of distinct rows in a bootstrap.
inline constexpr double kDefaultSubsample = 0.632;

/// Number of draws per tree for n training rows: max(1, round(fraction * n)) with the fraction
/// resolved as documented at ForestParams::sample_fraction (n for Bootstrap::none).
std::uint32_t draws_per_tree(const ForestParams& p, std::uint32_t n);

/// The sampling a tree really uses (bootstrap=false overrides `sampling`).
inline Bootstrap effective_sampling(const ForestParams& p) { return p.bootstrap ? p.sampling : Bootstrap::none; }

/// Features quantised once into <= max_bins quantile bins per feature (uint8 codes, stored
/// row-major: the codes of one row are contiguous, n_features bytes, rows row_stride() bytes
/// apart). NaN values get their own
/// code (kNanBin) and a learned direction at every split.
/// Can be filled in chunks of rows (edges first from a row sample, then set_rows), so the raw
/// float matrix never needs to be held whole.
class BinnedMatrix {
 public:
  static constexpr std::uint8_t kNanBin = 255;
  /// At most this many rows (every edge_sample_stride-th row) are sorted to place the edges.
  static constexpr std::size_t kMaxEdgeSampleRows = 100000;

  BinnedMatrix() = default;
  /// Empty matrix (all codes 0) with the given per-feature upper edges; fill with set_rows.
  BinnedMatrix(std::vector<std::vector<float>> upper_edges, std::size_t n_rows);

  /// `x` is row-major [n_rows, n_features] in original units, NaN allowed.
  /// Edges come from the rows 0, s, 2s, ... with s = edge_sample_stride(n_rows) (see
  /// compute_edges); then every row is binned. Throws ParameterError for max_bins outside 2..256
  /// and Error for an empty matrix.
  static BinnedMatrix build(const float* x, std::size_t n_rows, std::size_t n_features,
                            int max_bins = 256);
  /// Stride of the edge sample for n_rows rows: ceil(n_rows / kMaxEdgeSampleRows), at least 1.
  static std::size_t edge_sample_stride(std::size_t n_rows);
  /// Upper edges per feature from the non-NaN values of the sample rows `sample` (row-major
  /// [n_sample, n_features]): with at most max_bins-1 distinct values one bin per value, cut
  /// half-way between neighbours; otherwise quantile cuts. The last edge is the largest sampled
  /// value; larger values still get the last code. Constant features get one bin; all-NaN
  /// features one bin with edge +inf. Throws ParameterError for max_bins outside 2..256, Error
  /// for an empty sample.
  static std::vector<std::vector<float>> compute_edges(const float* sample, std::size_t n_sample,
                                                       std::size_t n_features, int max_bins);
  /// Code of the value v for the increasing edges `edges`: kNanBin for NaN, else the first bin
  /// whose edge is >= v (values above the last edge: the last bin).
  static std::uint8_t bin_value(const std::vector<float>& edges, float v);
  /// Bins n raw rows (row-major [n, n_features]) into rows [first_row, first_row + n).
  void set_rows(std::size_t first_row, const float* x, std::size_t n);

  std::size_t n_rows() const { return n_rows_; }
  std::size_t n_features() const { return n_features_; }
  /// Code of row r, feature f: 0..n_bins(f)-1, or kNanBin.
  std::uint8_t code(std::size_t r, std::size_t f) const { return codes_[r * stride_ + f]; }
  /// The n_features codes of row r.
  const std::uint8_t* row(std::size_t r) const { return codes_.data() + r * stride_; }
  /// Bytes from one row's codes to the next: n_features, or the next power of two when that
  /// adds at most a quarter (27 -> 32): then no row straddles two 64-byte cache lines, and
  /// grow_tree, which reads the rows of a node at scattered places, touches one line per row.
  /// The padding bytes are 0.
  std::size_t row_stride() const { return stride_; }
  static std::size_t row_stride_for(std::size_t n_features);
  /// Writable codes of rows r, r+1, ... (row_stride() bytes apart): for filling rows binned
  /// elsewhere, e.g. gathered from other ranks (codes must be what set_rows would give: < n_bins
  /// or kNanBin; padding 0).
  std::uint8_t* mutable_rows(std::size_t r) { return codes_.data() + r * stride_; }
  int n_bins(std::size_t f) const { return static_cast<int>(upper_edges_[f].size()); }
  /// Upper edge of bin b of feature f in original units: x <= edge(f, b) falls in bin <= b.
  float upper_edge(std::size_t f, int b) const { return upper_edges_[f][static_cast<std::size_t>(b)]; }
  const std::vector<std::vector<float>>& upper_edges() const { return upper_edges_; }
  /// True when feature f had no non-NaN value in the edge sample (it is never split on).
  bool all_nan(std::size_t f) const;

 private:
  std::size_t n_rows_ = 0, n_features_ = 0, stride_ = 0;
  // Row-major [n_rows, n_features]; huge pages: grow_tree reads rows at random places.
  std::vector<std::uint8_t, HugePageAllocator<std::uint8_t>> codes_;
  std::vector<std::vector<float>> upper_edges_;   // per feature, increasing
};

/// One tree as flat arrays; node 0 is the root. A node is a leaf when left[i] < 0.
/// Split rule (original units): go left when x <= threshold, or when x is NaN and nan_left[i].
/// Thresholds are bin upper edges of the BinnedMatrix the tree was grown on, so raw-unit
/// prediction reproduces the binned training partition exactly; threshold +inf (with
/// nan_left = 0) is the split "value present vs NaN". bin[i] is the same split on codes of that
/// BinnedMatrix (left when code <= bin, or code is kNanBin and nan_left).
struct Tree {
  std::vector<std::int32_t> feature;
  std::vector<float> threshold;
  std::vector<std::uint8_t> nan_left;
  std::vector<std::int32_t> left;
  std::vector<std::int32_t> right;
  std::vector<float> value;  ///< at leaves: P(class 1) from (weighted) training rows
  std::vector<std::uint8_t> bin;  ///< split bin code (0 at leaves); may be empty in loaded models
  /// Impurity (weighted Gini) decrease per feature summed over the tree's splits, divided by the
  /// root's weighted row count (so one tree's importances sum to at most its root Gini).
  /// Empty for loaded models.
  std::vector<double> importance;
  /// Only when grown with ForestParams::keep_counts (else empty / zero): every node's in-bag
  /// class counts with bootstrap multiplicity, and the class weights of the tree's rows.
  std::vector<std::uint64_t> count0, count1;
  std::array<double, 2> class_weight{0.0, 0.0};

  std::size_t n_nodes() const { return feature.size(); }
  /// Appends a leaf (feature -1, no children, value 0, bin 0) and returns its index.
  std::int32_t add_node();
  /// `row` points at n_features raw feature values.
  float predict(const float* row) const;
  /// `codes` points at the n_features bin codes of a row of the BinnedMatrix the tree was grown
  /// on (requires `bin`). Same leaf as predict() on the raw row.
  float predict_binned(const std::uint8_t* codes) const;
};

/// The same tree grown with leaf_prior `leaf_prior` instead (the structure does not depend on it,
/// only the node values do): values re-derived from the kept counts, bit for bit those of
/// grow_tree. Throws Error for a tree grown without keep_counts, ParameterError for a negative or
/// non-finite leaf_prior.
Tree with_leaf_prior(Tree tree, double leaf_prior);

/// Bootstrap multiplicity (in-bag count) of every position of `rows` for tree `tree_index`, the
/// same draw grow_tree uses. Bootstrap::none gives all ones.
std::vector<std::uint32_t> inbag_counts(const std::vector<std::uint8_t>& y,
                                        const std::vector<std::uint32_t>& rows,
                                        const ForestParams& params, std::uint64_t tree_index);

/// Grows the tree with global index `tree_index` (seeded from (params.seed, tree_index)) on the
/// training rows `rows` (indices into xb / y). y holds 0/1 labels for every row of xb.
/// Single-threaded, deterministic. Balanced class weights are n / (2 n_c) over `rows`; a class
/// absent from `rows` gives a single-leaf tree. Throws Error for empty rows, a label vector of
/// the wrong size, out-of-range row indices or labels other than 0/1, ParameterError for negative
/// max_depth / max_features, min_samples_leaf < 1, sample_fraction outside [0, 1] or a negative /
/// non-finite leaf_prior, and Error for balanced bootstrap when a
/// class is absent from `rows`.
Tree grow_tree(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
               const std::vector<std::uint32_t>& rows, const ForestParams& params,
               std::uint64_t tree_index);

/// Grows trees with global indices [first_tree, last_tree); OpenMP over trees. Returned in
/// index order. Output identical for any OMP_NUM_THREADS.
std::vector<Tree> grow_trees(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                             const std::vector<std::uint32_t>& rows, const ForestParams& params,
                             std::uint64_t first_tree, std::uint64_t last_tree);

/// Fixed-point accumulator of tree votes for one row: the high 40 bits hold the sum of
/// round(p * 2^24) over the votes, the low 24 bits the number of votes. Integer addition is
/// order-independent, so partial sums from threads and ranks add up to the same bits.
/// Limits: at most 2^16 votes per row.
inline std::uint64_t vote(float p) {
  const auto q = static_cast<std::uint64_t>(static_cast<double>(p) * 16777216.0 + 0.5);
  return (q << 24) | 1u;
}
/// Mean vote (NaN when there is none).
double vote_mean(std::uint64_t acc);
inline std::uint32_t vote_count(std::uint64_t acc) { return static_cast<std::uint32_t>(acc & 0xFFFFFFu); }

/// Trees laid out for fast prediction on binned rows (the BinnedMatrix they were grown on): one
/// 16-byte node per split or leaf, leaves pointing at themselves with their vote() precomputed,
/// so a block of rows walks a tree in lockstep for the tree's depth without branches on the
/// path. Same leaves, hence the same votes, as Tree::predict_binned. Trees need `bin`.
class BinnedVoter {
 public:
  explicit BinnedVoter(const std::vector<Tree>& trees);
  /// acc[i] += sum over the trees of vote(leaf value) for row rows[i] of xb, i in [0, n).
  void add_votes(const BinnedMatrix& xb, const std::uint32_t* rows, std::size_t n, std::uint64_t* acc) const;

 private:
  struct Node {
    std::uint32_t feature;
    std::uint8_t bin, nan_left, unused[2];
    std::int32_t child[2];  ///< [0] left, [1] right; a leaf's own index at a leaf
  };
  void add_block(const BinnedMatrix& xb, const std::uint32_t* rows, std::size_t n, std::uint64_t* acc) const;
  std::vector<Node> nodes_;
  std::vector<std::uint64_t> votes_;  ///< vote(value) per node (used at leaves)
  std::vector<std::int32_t> root_;    ///< first node of each tree
  std::vector<int> depth_;            ///< longest root-to-leaf path of each tree (edges)
};

/// Adds the out-of-bag votes of `trees` (global indices first_tree, first_tree+1, ...; grown on
/// xb/y/rows with params) into acc[i] for position i of `rows` (acc.size() == rows.size()).
/// OpenMP over trees (atomic integer adds).
void accumulate_oob(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                    const std::vector<std::uint32_t>& rows, const ForestParams& params,
                    const std::vector<Tree>& trees, std::uint64_t first_tree,
                    std::vector<std::uint64_t>& acc, const std::function<void()>& tree_done = {});

/// Out-of-bag votes with one feature permuted: for evaluation positions eval_pos (indices into
/// `rows`) and every feature f, the row's code of f is replaced by the code of the row at
/// eval_pos[perm[f][k]] (perm[f] is a permutation of 0..eval_pos.size()-1). Adds into
/// acc[f * eval_pos.size() + k]. OpenMP over trees (atomic integer adds). Both call `tree_done`
/// (when set) after each tree, from the worker thread (progress lines).
void accumulate_permutation(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<std::uint32_t>& rows, const ForestParams& params,
                            const std::vector<Tree>& trees, std::uint64_t first_tree,
                            const std::vector<std::uint32_t>& eval_pos,
                            const std::vector<std::vector<std::uint32_t>>& perm,
                            std::vector<std::uint64_t>& acc, const std::function<void()>& tree_done = {});

struct Forest {
  std::vector<Tree> trees;
  std::vector<std::string> feature_names;
  /// Set for gradient-boosted trees (boost.hpp): leaf values are margins and P(seizure) =
  /// logistic(base margin + the sum of the trees' leaf values, in tree order). Unset: a random
  /// forest, P = the mean of the trees' leaf probabilities.
  std::optional<double> boosted_base_margin;
  /// P(seizure) for one row of raw feature values (see boosted_base_margin).
  float predict_proba(const float* row) const;
  /// Row-major [n_rows, feature_names.size()] → one probability per row (OpenMP over rows).
  /// Bitwise equal to the single-row version. Throws Error when there are no trees or no
  /// feature names (the row length is feature_names.size()).
  std::vector<float> predict_proba(const float* x, std::size_t n_rows) const;

 private:
  /// P(seizure) from the sum of a row's leaf values.
  float from_sum(double sum) const;
};

}  // namespace ecgforest::forest
