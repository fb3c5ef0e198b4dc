// Quantile binning: edges, codes, NaN code, constant and all-NaN columns.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/forest/sort_values.hpp"

namespace ecgforest::forest {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();

TEST(ForestBinning, FewDistinctValuesCutHalfWay) {
  const std::vector<float> x = {3, 1, 2, kNan, 2, 5};
  const BinnedMatrix b = BinnedMatrix::build(x.data(), x.size(), 1);
  ASSERT_EQ(b.n_bins(0), 4);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 0), 1.5f);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 1), 2.5f);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 2), 4.0f);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 3), 5.0f);
  const std::vector<int> expected = {2, 0, 1, BinnedMatrix::kNanBin, 1, 3};
  for (std::size_t r = 0; r < x.size(); ++r) EXPECT_EQ(b.code(r, 0), expected[r]) << "row " << r;
}

TEST(ForestBinning, ConstantAndAllNanColumnsHaveOneBin) {
  // Row-major 3 x 3: column 0 constant, column 1 all NaN, column 2 two values.
  const std::vector<float> x = {7, kNan, 0, 7, kNan, 1, 7, kNan, 0};
  const BinnedMatrix b = BinnedMatrix::build(x.data(), 3, 3);
  EXPECT_EQ(b.n_bins(0), 1);
  EXPECT_EQ(b.n_bins(1), 1);
  EXPECT_EQ(b.n_bins(2), 2);
  for (std::size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(b.code(r, 0), 0);
    EXPECT_EQ(b.code(r, 1), BinnedMatrix::kNanBin);
  }
  EXPECT_FLOAT_EQ(b.upper_edge(2, 0), 0.5f);
  EXPECT_EQ(b.code(1, 2), 1);
  EXPECT_EQ(b.code(2, 2), 0);
  // Row-major storage: row(r) holds the codes of one row.
  EXPECT_EQ(b.row(1)[2], 1);
  EXPECT_TRUE(b.all_nan(1));
  EXPECT_FALSE(b.all_nan(0));
}

TEST(ForestBinning, ChunkedFillEqualsWholeBuild) {
  // 250001 rows (> kMaxEdgeSampleRows, so the edges come from every 3rd row); binning the rows in
  // three uneven chunks with set_rows must give the same codes as build().
  const std::size_t n = 250001, F = 2;
  std::vector<float> x(n * F);
  for (std::size_t r = 0; r < n; ++r) {
    x[r * F] = static_cast<float>((r * 7919) % 100003);
    x[r * F + 1] = (r % 11 == 0) ? kNan : static_cast<float>(r % 17);
  }
  const BinnedMatrix whole = BinnedMatrix::build(x.data(), n, F);
  ASSERT_EQ(BinnedMatrix::edge_sample_stride(n), 3u);
  std::vector<float> sample;
  for (std::size_t r = 0; r < n; r += 3) sample.insert(sample.end(), x.begin() + r * F, x.begin() + (r + 1) * F);
  BinnedMatrix chunked(BinnedMatrix::compute_edges(sample.data(), sample.size() / F, F, 256), n);
  chunked.set_rows(0, x.data(), 1000);
  chunked.set_rows(1000, x.data() + 1000 * F, 200000);
  chunked.set_rows(201000, x.data() + 201000 * F, n - 201000);
  EXPECT_EQ(whole.upper_edges(), chunked.upper_edges());
  EXPECT_EQ(whole.n_bins(1), 17);  // 17 distinct values: one bin each
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t f = 0; f < F; ++f) ASSERT_EQ(whole.code(r, f), chunked.code(r, f)) << r << "," << f;
  EXPECT_THROW(chunked.set_rows(n - 1, x.data(), 2), Error);
  // bin_value: the first bin whose edge is >= v.
  const std::vector<float> edges = {1.0f, 2.0f, 5.0f};
  EXPECT_EQ(BinnedMatrix::bin_value(edges, 0.5f), 0);
  EXPECT_EQ(BinnedMatrix::bin_value(edges, 1.0f), 0);
  EXPECT_EQ(BinnedMatrix::bin_value(edges, 1.5f), 1);
  EXPECT_EQ(BinnedMatrix::bin_value(edges, 5.0f), 2);
  EXPECT_EQ(BinnedMatrix::bin_value(edges, 99.0f), 2);
  EXPECT_EQ(BinnedMatrix::bin_value(edges, kNan), BinnedMatrix::kNanBin);
}

TEST(ForestBinning, SortValuesGivesStdSortsBytes) {
  // Random values with ties, infinities, denormals and one kind of zero (radix path), both zeros
  // (std::sort path) and short inputs: the bytes equal std::sort's.
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  const float inf = std::numeric_limits<float>::infinity();
  for (int round = 0; round < 6; ++round) {
    const std::size_t n = round == 5 ? 100 : 5000 + 3000 * static_cast<std::size_t>(round);
    std::vector<float> v(n);
    for (auto& x : v) {
      const std::uint32_t r = next();
      x = r % 7 == 0 ? static_cast<float>(r % 13) - 6.0f                      // ties
          : static_cast<float>(static_cast<std::int32_t>(r)) * 1e-3f;        // spread, both signs
    }
    v[1] = inf;
    v[2] = -inf;
    v[3] = std::numeric_limits<float>::denorm_min();
    v[4] = -std::numeric_limits<float>::denorm_min();
    for (auto& x : v)
      if (x == 0.0f) x = round % 2 ? -0.0f : 0.0f;  // one kind of zero
    if (round == 4) v[5] = -0.0f, v[6] = 0.0f;       // both kinds
    std::vector<float> want = v;
    std::sort(want.begin(), want.end());
    sort_values(v);
    ASSERT_EQ(std::memcmp(v.data(), want.data(), n * sizeof(float)), 0) << "round " << round;
  }
}

TEST(ForestBinning, BinValueIsTheLowerBoundOfTheEdgesButTheLast) {
  // The branch-free search gives std::lower_bound's index over all edges but the last, for every
  // edge count 1..255 and values below, on, between and above the edges (also +-inf, +-0).
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t m = 1; m <= 255; ++m) {
    std::vector<float> edges(m);
    for (std::size_t i = 0; i < m; ++i) edges[i] = static_cast<float>(i) * 2.0f - 10.0f;
    std::vector<float> probes = {-inf, inf, -0.0f, 0.0f, -11.0f, 1e9f};
    for (float e : edges) {
      probes.push_back(e);
      probes.push_back(e + 1.0f);
      probes.push_back(std::nextafter(e, -inf));
    }
    for (float v : probes) {
      const auto want = static_cast<int>(std::lower_bound(edges.begin(), edges.end() - 1, v) - edges.begin());
      ASSERT_EQ(BinnedMatrix::bin_value(edges, v), want) << "edges " << m << ", value " << v;
    }
  }
  EXPECT_EQ(BinnedMatrix::bin_value({std::numeric_limits<float>::infinity()}, 3.0f), 0);  // all-NaN column
}

TEST(ForestBinning, SetRowsCodesEqualBinValue) {
  // set_rows searches a +inf-padded 256-entry table per feature: the same code as bin_value for
  // every edge count 1..256 (256 edges: more than compute_edges gives, for edges made elsewhere)
  // and values below, on, between and above the edges, +-inf, +-0 and NaN.
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t m = 1; m <= 256; ++m) {
    std::vector<float> edges(m);
    for (std::size_t i = 0; i < m; ++i) edges[i] = static_cast<float>(i) * 2.0f - 10.0f;
    if (m > 3) edges[m - 2] = inf;  // an infinite edge among the searched ones
    std::vector<float> probes = {-inf, inf, -0.0f, 0.0f, -11.0f, 1e9f, kNan};
    for (float e : edges) {
      probes.push_back(e);
      probes.push_back(e + 1.0f);
      probes.push_back(std::nextafter(e, -inf));
    }
    BinnedMatrix b({edges, {1.0f}}, probes.size());  // 2 features: the second one has one bin
    std::vector<float> x;
    for (float v : probes) x.insert(x.end(), {v, v});
    b.set_rows(0, x.data(), probes.size());
    for (std::size_t r = 0; r < probes.size(); ++r) {
      ASSERT_EQ(b.code(r, 0), BinnedMatrix::bin_value(edges, probes[r])) << "edges " << m << ", value " << probes[r];
      ASSERT_EQ(b.code(r, 1), std::isnan(probes[r]) ? BinnedMatrix::kNanBin : 0);
    }
  }
}

TEST(ForestBinning, RowsArePaddedToAPowerOfTwoWhenThatAddsAtMostAQuarter) {
  EXPECT_EQ(BinnedMatrix::row_stride_for(1), 1u);
  EXPECT_EQ(BinnedMatrix::row_stride_for(3), 3u);    // 4 would add 1 > 3/4
  EXPECT_EQ(BinnedMatrix::row_stride_for(7), 8u);
  EXPECT_EQ(BinnedMatrix::row_stride_for(5), 5u);    // 8 would add 3 > 5/4
  EXPECT_EQ(BinnedMatrix::row_stride_for(27), 32u);  // 5 <= 27/4
  EXPECT_EQ(BinnedMatrix::row_stride_for(32), 32u);
  EXPECT_EQ(BinnedMatrix::row_stride_for(47), 47u);  // 64 would add 17 > 47/4
  EXPECT_EQ(BinnedMatrix::row_stride_for(52), 64u);
  EXPECT_EQ(BinnedMatrix::row_stride_for(100), 100u);
  // Codes of row r start at row(0) + r * stride; the padding stays 0.
  std::vector<float> x(3 * 27);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7);
  const BinnedMatrix b = BinnedMatrix::build(x.data(), 3, 27);
  ASSERT_EQ(b.row_stride(), 32u);
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t f = 0; f < 27; ++f) EXPECT_EQ(b.row(0)[r * 32 + f], b.code(r, f));
    for (std::size_t f = 27; f < 32; ++f) EXPECT_EQ(b.row(0)[r * 32 + f], 0);
  }
}

TEST(ForestBinning, QuantileBinsWhenTooManyValues) {
  // Values 0..99 (shuffled order) with max_bins 5 → 4 real bins of 25 values: cuts 24.5, 49.5,
  // 74.5 and the maximum 99; code = value / 25.
  std::vector<float> x(100);
  for (int i = 0; i < 100; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>((i * 37) % 100);
  const BinnedMatrix b = BinnedMatrix::build(x.data(), x.size(), 1, 5);
  ASSERT_EQ(b.n_bins(0), 4);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 0), 24.5f);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 1), 49.5f);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 2), 74.5f);
  EXPECT_FLOAT_EQ(b.upper_edge(0, 3), 99.0f);
  for (std::size_t r = 0; r < x.size(); ++r)
    EXPECT_EQ(b.code(r, 0), static_cast<int>(x[r]) / 25) << "value " << x[r];
}

TEST(ForestBinning, AtMost255RealBinsAndConsistentCodes) {
  std::vector<float> x(3000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i) * 0.37f) * 100.0f;
  x[5] = kNan;
  const BinnedMatrix b = BinnedMatrix::build(x.data(), x.size(), 1, 256);
  ASSERT_LE(b.n_bins(0), 255);
  ASSERT_GE(b.n_bins(0), 200);
  for (int k = 1; k < b.n_bins(0); ++k) EXPECT_LT(b.upper_edge(0, k - 1), b.upper_edge(0, k));
  for (std::size_t r = 0; r < x.size(); ++r) {
    const int c = b.code(r, 0);
    if (std::isnan(x[r])) {
      EXPECT_EQ(c, BinnedMatrix::kNanBin);
      continue;
    }
    ASSERT_LT(c, b.n_bins(0));
    EXPECT_LE(x[r], b.upper_edge(0, c));
    if (c > 0) {
      EXPECT_GT(x[r], b.upper_edge(0, c - 1));
    }
  }
}

TEST(ForestBinning, ValuesAboveSubsampledMaximumGoToLastBin) {
  // 300002 distinct values: edges come from a stride-4 row sample (0, 4, ..., 300000), so the
  // value 300001 (last row) is above the last edge and must still land in the last bin.
  std::vector<float> x(300002);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  const BinnedMatrix b = BinnedMatrix::build(x.data(), x.size(), 1);
  EXPECT_EQ(b.code(x.size() - 1, 0), b.n_bins(0) - 1);
  EXPECT_EQ(b.code(0, 0), 0);
}

TEST(ForestBinning, RejectsBadArguments) {
  const std::vector<float> x = {1, 2, 3};
  EXPECT_THROW(BinnedMatrix::build(x.data(), 3, 1, 1), ParameterError);
  EXPECT_THROW(BinnedMatrix::build(x.data(), 3, 1, 257), ParameterError);
  EXPECT_THROW(BinnedMatrix::build(x.data(), 0, 1), Error);
}

}  // namespace
}  // namespace ecgforest::forest
