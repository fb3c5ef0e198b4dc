// Quantile binning of the feature matrix into uint8 codes (BinnedMatrix::build).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {
namespace {

/// At most this many non-NaN values per feature are sorted to place the bin edges.
constexpr std::size_t kMaxEdgeSample = 200000;

/// A cut between two consecutive sorted values a < b: their midpoint, but never >= b (when a and
/// b are adjacent floats the rounded midpoint can equal b; then a itself is the cut).
float cut_between(float a, float b) {
  const float mid = static_cast<float>((static_cast<double>(a) + static_cast<double>(b)) * 0.5);
  if (!(mid < b) || mid < a) return a;
  return mid;
}

/// Upper edges (increasing, distinct) of at most `max_real_bins` bins for the sorted non-NaN
/// values `v`. The last edge is the largest value; an empty `v` gives one bin with edge +inf.
std::vector<float> edges_from_sorted(const std::vector<float>& v, std::size_t max_real_bins) {
  std::vector<float> edges;
  if (v.empty()) {
    edges.push_back(std::numeric_limits<float>::infinity());
    return edges;
  }
  std::vector<float> distinct;
  distinct.reserve(std::min(v.size(), max_real_bins + 1));
  for (float x : v) {
    if (distinct.empty() || x > distinct.back()) {
      distinct.push_back(x);
      if (distinct.size() > max_real_bins) break;
    }
  }
  if (distinct.size() <= max_real_bins) {
    // Few distinct values: one bin per value, cut half-way between neighbours.
    for (std::size_t i = 0; i + 1 < distinct.size(); ++i)
      edges.push_back(cut_between(distinct[i], distinct[i + 1]));
  } else {
    // Quantile cuts: the cut i sits between sorted positions idx-1 and idx, idx = i*m/bins.
    const std::size_t m = v.size();
    for (std::size_t i = 1; i < max_real_bins; ++i) {
      const std::size_t idx = i * m / max_real_bins;
      if (idx == 0 || idx >= m) continue;
      const float a = v[idx - 1], b = v[idx];
      const float cut = (a < b) ? cut_between(a, b) : a;  // ties: all copies of a go left
      if (cut >= v.back()) continue;  // the last bin is closed by the maximum below
      if (edges.empty() || cut > edges.back()) edges.push_back(cut);
    }
  }
  edges.push_back(v.back());
  return edges;
}

}  // namespace

BinnedMatrix BinnedMatrix::build(const float* x, std::size_t n_rows, std::size_t n_features,
                                 int max_bins) {
  if (max_bins < 2 || max_bins > 256) {
    throw ConfigError("The forest max_bins is " + std::to_string(max_bins) +
                      ", but it must lie in 2..256 (codes are uint8 and code 255 is reserved for "
                      "NaN); set max_bins to e.g. 256.");
  }
  if (n_rows == 0 || n_features == 0) {
    throw Error("Cannot bin an empty feature matrix (" + std::to_string(n_rows) + " rows x " +
                std::to_string(n_features) + " features); provide at least one row and one "
                "feature.");
  }
  if (n_rows > std::numeric_limits<std::uint32_t>::max()) {
    throw Error("Cannot bin " + std::to_string(n_rows) + " rows: row indices are 32-bit; split "
                "the training set.");
  }
  const std::size_t max_real_bins = static_cast<std::size_t>(max_bins) - 1;

  BinnedMatrix m;
  m.n_rows_ = n_rows;
  m.n_features_ = n_features;
  m.codes_.resize(n_rows * n_features);
  m.upper_edges_.resize(n_features);

  std::vector<float> values;
  values.reserve(std::min(n_rows, kMaxEdgeSample + 1));
  for (std::size_t f = 0; f < n_features; ++f) {
    // Count non-NaN values, then take every stride-th of them (deterministic subsample).
    std::size_t n_valid = 0;
    for (std::size_t r = 0; r < n_rows; ++r)
      if (!std::isnan(x[r * n_features + f])) ++n_valid;
    const std::size_t stride = n_valid > kMaxEdgeSample ? (n_valid + kMaxEdgeSample - 1) / kMaxEdgeSample : 1;
    values.clear();
    std::size_t k = 0;
    for (std::size_t r = 0; r < n_rows; ++r) {
      const float v = x[r * n_features + f];
      if (std::isnan(v)) continue;
      if (k++ % stride == 0) values.push_back(v);
    }
    std::sort(values.begin(), values.end());
    std::vector<float> edges = edges_from_sorted(values, max_real_bins);

    // Code = first bin whose upper edge is >= x; values above the second-to-last edge (including
    // values above the last edge, which a subsample may miss) go to the last bin.
    std::uint8_t* col = m.codes_.data() + f * n_rows;
    const auto search_end = edges.end() - 1;
    for (std::size_t r = 0; r < n_rows; ++r) {
      const float v = x[r * n_features + f];
      if (std::isnan(v)) {
        col[r] = kNanBin;
      } else {
        col[r] = static_cast<std::uint8_t>(std::lower_bound(edges.begin(), search_end, v) - edges.begin());
      }
    }
    m.upper_edges_[f] = std::move(edges);
  }
  return m;
}

}  // namespace ecgforest::forest
