#pragma once
// Random forest of CART classification trees (Gini) on pre-binned features.
// Pure numeric code: no MPI, no HDF5. `grow_trees` may use OpenMP over trees; the model must be
// bitwise identical for any thread count (each tree is seeded from (seed, global tree index)).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecgforest::forest {

enum class ClassWeight { none, balanced };

struct ForestParams {
  int n_trees = 100;
  int max_features = 0;      ///< features tried per split; 0 = floor(sqrt(F)), at least 1;
                             ///< values above F are clamped to F
  int max_depth = 0;         ///< 0 = unlimited
  int min_samples_leaf = 1;  ///< minimum training rows (with bootstrap multiplicity) per leaf
  bool bootstrap = true;     ///< sample n rows with replacement per tree; false = all rows
  ClassWeight class_weight = ClassWeight::balanced;
  std::uint64_t seed = 42;
  int max_bins = 256;        ///< 2..256; at most max_bins-1 real quantile bins per feature
                             ///< (codes are uint8, code 255 is reserved for NaN)
};

/// Features quantised once into <= max_bins quantile bins per feature (uint8 codes).
/// NaN values get their own code (kNanBin) and a learned direction at every split.
class BinnedMatrix {
 public:
  static constexpr std::uint8_t kNanBin = 255;
  /// `x` is row-major [n_rows, n_features] in original units, NaN allowed.
  /// Edges come from the sorted non-NaN values of each feature (a deterministic stride
  /// subsample of at most 200k of them): with at most max_bins-1 distinct values one bin per
  /// value, cut half-way between neighbours; otherwise quantile cuts. The last edge is the
  /// largest (sampled) value; larger values still get the last code. Constant features get one
  /// bin; all-NaN features one bin with edge +inf. Throws ConfigError for max_bins outside
  /// 2..256 and Error for an empty matrix.
  static BinnedMatrix build(const float* x, std::size_t n_rows, std::size_t n_features,
                            int max_bins = 256);
  std::size_t n_rows() const { return n_rows_; }
  std::size_t n_features() const { return n_features_; }
  /// Code of row r, feature f: 0..n_bins(f)-1, or kNanBin.
  std::uint8_t code(std::size_t r, std::size_t f) const { return codes_[f * n_rows_ + r]; }
  const std::uint8_t* column(std::size_t f) const { return codes_.data() + f * n_rows_; }
  int n_bins(std::size_t f) const { return static_cast<int>(upper_edges_[f].size()); }
  /// Upper edge of bin b of feature f in original units: x <= edge(f, b) falls in bin <= b.
  float upper_edge(std::size_t f, int b) const { return upper_edges_[f][static_cast<std::size_t>(b)]; }
  const std::vector<std::vector<float>>& upper_edges() const { return upper_edges_; }

 private:
  std::size_t n_rows_ = 0, n_features_ = 0;
  std::vector<std::uint8_t> codes_;               // column-major
  std::vector<std::vector<float>> upper_edges_;   // per feature, increasing
};

/// One tree as flat arrays; node 0 is the root. A node is a leaf when left[i] < 0.
/// Split rule (original units): go left when x <= threshold, or when x is NaN and nan_left[i].
/// Thresholds are bin upper edges of the BinnedMatrix the tree was grown on, so raw-unit
/// prediction reproduces the binned training partition exactly; threshold +inf (with
/// nan_left = 0) is the split "value present vs NaN".
struct Tree {
  std::vector<std::int32_t> feature;
  std::vector<float> threshold;
  std::vector<std::uint8_t> nan_left;
  std::vector<std::int32_t> left;
  std::vector<std::int32_t> right;
  std::vector<float> value;  ///< at leaves: P(class 1) from (weighted) training rows

  std::size_t n_nodes() const { return feature.size(); }
  /// `row` points at n_features raw feature values.
  float predict(const float* row) const;
};

/// Grows the tree with global index `tree_index` (seeded from (params.seed, tree_index)) on the
/// training rows `rows` (indices into xb / y). y holds 0/1 labels for every row of xb.
/// Single-threaded, deterministic. Balanced class weights are n / (2 n_c) over `rows`; a class
/// absent from `rows` gives a single-leaf tree. Throws Error for empty rows, a label vector of
/// the wrong size, out-of-range row indices or labels other than 0/1, ConfigError for negative
/// max_depth / max_features or min_samples_leaf < 1.
Tree grow_tree(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
               const std::vector<std::uint32_t>& rows, const ForestParams& params,
               std::uint64_t tree_index);

/// Grows trees with global indices [first_tree, last_tree); OpenMP over trees. Returned in
/// index order. Output identical for any OMP_NUM_THREADS.
std::vector<Tree> grow_trees(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                             const std::vector<std::uint32_t>& rows, const ForestParams& params,
                             std::uint64_t first_tree, std::uint64_t last_tree);

struct Forest {
  std::vector<Tree> trees;
  std::vector<std::string> feature_names;
  /// Mean of the trees' leaf probabilities for one row of raw feature values.
  float predict_proba(const float* row) const;
  /// Row-major [n_rows, feature_names.size()] → one probability per row (OpenMP over rows).
  /// Bitwise equal to the single-row version. Throws Error when there are no trees or no
  /// feature names (the row length is feature_names.size()).
  std::vector<float> predict_proba(const float* x, std::size_t n_rows) const;
};

}  // namespace ecgforest::forest
