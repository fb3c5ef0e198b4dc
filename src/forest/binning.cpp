// Quantile binning of the feature matrix into uint8 codes (BinnedMatrix::build).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/forest/sort_values.hpp"

namespace ecgforest::forest {
namespace {

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

BinnedMatrix::BinnedMatrix(std::vector<std::vector<float>> upper_edges, std::size_t n_rows)
    : n_rows_(n_rows), n_features_(upper_edges.size()), stride_(row_stride_for(n_features_)),
      upper_edges_(std::move(upper_edges)) {
  if (n_rows > std::numeric_limits<std::uint32_t>::max()) {
    throw Error("Cannot bin " + std::to_string(n_rows) + " rows: row indices are 32-bit; split "
                "the training set.");
  }
  codes_.assign(n_rows_ * stride_, 0);
}

std::size_t BinnedMatrix::row_stride_for(std::size_t n_features) {
  std::size_t p = 1;
  while (p < n_features && p < 64) p *= 2;
  return p >= n_features && 4 * (p - n_features) <= n_features ? p : n_features;
}

std::size_t BinnedMatrix::edge_sample_stride(std::size_t n_rows) {
  return std::max<std::size_t>(1, (n_rows + kMaxEdgeSampleRows - 1) / kMaxEdgeSampleRows);
}

std::vector<std::vector<float>> BinnedMatrix::compute_edges(const float* sample, std::size_t n_sample,
                                                            std::size_t n_features, int max_bins) {
  if (max_bins < 2 || max_bins > 256) {
    throw ParameterError("The forest max_bins is " + std::to_string(max_bins) +
                      ", but it must lie in 2..256 (codes are uint8 and code 255 is reserved for "
                      "NaN); set max_bins to e.g. 256.");
  }
  if (n_sample == 0 || n_features == 0) {
    throw Error("Cannot bin an empty feature matrix (" + std::to_string(n_sample) + " rows x " +
                std::to_string(n_features) + " features); provide at least one row and one "
                "feature.");
  }
  const std::size_t max_real_bins = static_cast<std::size_t>(max_bins) - 1;
  std::vector<std::vector<float>> out(n_features);
  // Features are independent: OpenMP over features gives the same edges.
  const auto nf = static_cast<std::int64_t>(n_features);
#pragma omp parallel if (n_sample * n_features >= 65536)
  {
    std::vector<float> values;
    values.reserve(n_sample);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t ff = 0; ff < nf; ++ff) {
      const auto f = static_cast<std::size_t>(ff);
      values.clear();
      for (std::size_t r = 0; r < n_sample; ++r) {
        const float v = sample[r * n_features + f];
        if (!std::isnan(v)) values.push_back(v);
      }
      sort_values(values);
      out[f] = edges_from_sorted(values, max_real_bins);
    }
  }
  return out;
}

void sort_values(std::vector<float>& v) {
  // Non-NaN floats that compare equal have the same bits, except -0 and +0: without both zeros
  // every correct sort gives the same bytes, so a radix sort (LSD, 8 bits a pass, on keys that
  // order like the values) may stand in for std::sort.
  bool pos_zero = false, neg_zero = false;
  for (float x : v) {
    if (x == 0.0f) (std::signbit(x) ? neg_zero : pos_zero) = true;
  }
  const std::size_t n = v.size();
  if ((pos_zero && neg_zero) || n < 512) {
    std::sort(v.begin(), v.end());
    return;
  }
  std::vector<std::uint32_t> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t u;
    std::memcpy(&u, &v[i], sizeof u);
    a[i] = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  }
  for (int shift = 0; shift < 32; shift += 8) {
    std::size_t count[257] = {};
    for (std::size_t i = 0; i < n; ++i) ++count[((a[i] >> shift) & 255u) + 1];
    bool one_bucket = false;
    for (int k = 1; k <= 256; ++k) one_bucket = one_bucket || count[k] == n;
    if (one_bucket) continue;  // this byte is the same in every key
    for (int k = 0; k < 256; ++k) count[k + 1] += count[k];
    for (std::size_t i = 0; i < n; ++i) b[count[(a[i] >> shift) & 255u]++] = a[i];
    a.swap(b);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = a[i];
    const std::uint32_t u = (k & 0x80000000u) ? (k & 0x7FFFFFFFu) : ~k;
    std::memcpy(&v[i], &u, sizeof u);
  }
}

std::uint8_t BinnedMatrix::bin_value(const std::vector<float>& edges, float v) {
  if (std::isnan(v)) return kNanBin;
  // std::lower_bound(edges.begin(), edges.end() - 1, v) without branches on the comparisons
  // (the same index: the first of the first n edges that is >= v, n when none is).
  const float* first = edges.data();
  std::size_t n = edges.size() - 1;
  if (n == 0) return 0;
  const float* base = first;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = base[half] < v ? base + half : base;
    n -= half;
  }
  return static_cast<std::uint8_t>((base - first) + (*base < v ? 1 : 0));
}

namespace {

/// Codes of non-NaN values by a branch-free search of fixed length: table = the first n edges of
/// a feature (those bin_value searches), padded with +inf to 256 entries. The count of table
/// entries < v is std::lower_bound's index, so the code equals bin_value's.
std::uint8_t code_in_table(const float* table, float v) {
  if (std::isnan(v)) return BinnedMatrix::kNanBin;
  std::size_t idx = 0;
  for (std::size_t step = 128; step > 0; step /= 2) idx += table[idx + step - 1] < v ? step : 0;
  return static_cast<std::uint8_t>(idx);
}

}  // namespace

void BinnedMatrix::set_rows(std::size_t first_row, const float* x, std::size_t n) {
  if (first_row + n > n_rows_) {
    throw Error("Cannot bin rows [" + std::to_string(first_row) + ", " + std::to_string(first_row + n) +
                "): the binned matrix has " + std::to_string(n_rows_) + " rows.");
  }
  bool tables_fit = true;  // at most 256 edges per feature (always, for edges from compute_edges)
  for (const auto& e : upper_edges_) tables_fit = tables_fit && !e.empty() && e.size() <= 256;
  std::vector<float> tables(tables_fit ? n_features_ * 256 : 0, std::numeric_limits<float>::infinity());
  for (std::size_t f = 0; f < n_features_ && tables_fit; ++f)
    std::copy(upper_edges_[f].begin(), upper_edges_[f].end() - 1, tables.begin() + static_cast<std::ptrdiff_t>(f * 256));
  // Each code depends on its value alone: OpenMP over rows gives the same bytes.
  const auto nn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (nn >= 4096)
  for (std::int64_t rr = 0; rr < nn; ++rr) {
    const auto r = static_cast<std::size_t>(rr);
    std::uint8_t* out = codes_.data() + (first_row + r) * stride_;
    const float* in = x + r * n_features_;
    for (std::size_t f = 0; f < n_features_; ++f)
      out[f] = tables_fit ? code_in_table(tables.data() + f * 256, in[f]) : bin_value(upper_edges_[f], in[f]);
  }
}

bool BinnedMatrix::all_nan(std::size_t f) const {
  return upper_edges_[f].size() == 1 && std::isinf(upper_edges_[f][0]) && upper_edges_[f][0] > 0;
}

BinnedMatrix BinnedMatrix::build(const float* x, std::size_t n_rows, std::size_t n_features,
                                 int max_bins) {
  if (n_rows == 0 || n_features == 0) {
    throw Error("Cannot bin an empty feature matrix (" + std::to_string(n_rows) + " rows x " +
                std::to_string(n_features) + " features); provide at least one row and one "
                "feature.");
  }
  const std::size_t stride = edge_sample_stride(n_rows);
  std::vector<std::vector<float>> edges;
  if (stride == 1) {
    edges = compute_edges(x, n_rows, n_features, max_bins);
  } else {
    std::vector<float> sample;
    sample.reserve((n_rows / stride + 1) * n_features);
    for (std::size_t r = 0; r < n_rows; r += stride)
      sample.insert(sample.end(), x + r * n_features, x + (r + 1) * n_features);
    edges = compute_edges(sample.data(), sample.size() / n_features, n_features, max_bins);
  }
  BinnedMatrix m(std::move(edges), n_rows);
  m.set_rows(0, x, n_rows);
  return m;
}

}  // namespace ecgforest::forest
