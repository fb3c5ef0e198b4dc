// Time-domain HRV features on sliding windows, checked against values worked out by hand.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/hrv/features.hpp"

namespace hrv = ecgforest::hrv;
namespace sig = ecgforest::signal;

namespace {

int col(const hrv::WindowFeatures& f, const std::string& name) {
  const auto it = std::find(f.columns.begin(), f.columns.end(), name);
  EXPECT_NE(it, f.columns.end()) << name;
  return static_cast<int>(it - f.columns.begin());
}

double at(const hrv::WindowFeatures& f, Eigen::Index row, const std::string& name) {
  return static_cast<double>(f.values(row, col(f, name)));
}

// Peaks (fs = 1000 Hz, so samples are ms) from a start and a list of RR in ms.
std::vector<std::int64_t> peaks_from_rr(std::int64_t start, const std::vector<int>& rr) {
  std::vector<std::int64_t> p = {start};
  for (int r : rr) p.push_back(p.back() + r);
  return p;
}

TEST(HrvFeatures, ColumnOrderIsStable) {
  // Default profile: the 27 AURA features in AURA's CSV order, then three extras, then the
  // cardiac seizure features (tests/hrv/cardiac_features_test.cpp).
  const std::vector<std::string> expect = {
      "mean_nni", "sdnn", "sdsd", "nni_50", "pnni_50", "nni_20", "pnni_20", "rmssd", "median_nni",
      "range_nni", "cvsd", "cvnni", "mean_hr", "max_hr", "min_hr", "std_hr", "lf", "hf", "vlf",
      "lf_hf_ratio", "csi", "cvi", "Modified_csi", "sampen", "sd1", "sd2", "ratio_sd2_sd1",
      "n_rr", "rr_coverage", "hrv_reason", "hr_baseline", "hr_minus_baseline", "hr_ratio_baseline",
      "hr_z_baseline", "rmssd_ratio_baseline", "hr_slope_10b", "hr_slope_20s", "hr_rise_time_s",
      "csi100", "modcsi100f", "hr_slope_100f", "csi100_x_slope", "modcsi100f_x_slope", "hr_rise_30s",
      "tachy_onset", "hr_fg_bg_ratio", "rmssd20_ratio_baseline", "rmssd10_ratio_baseline"};
  EXPECT_EQ(hrv::feature_columns({}), expect);
  const auto f = hrv::compute_window_features({}, 256.0, 20.0, {}, {});
  EXPECT_EQ(f.columns, expect);
  EXPECT_EQ(f.values.cols(), static_cast<Eigen::Index>(expect.size()));
}

TEST(HrvFeatures, FeatureSelectionKeepsTheRequestedOrderAndRejectsUnknownNames) {
  hrv::WindowSpec spec;
  spec.features = {"rmssd", "sampen", "lf"};
  EXPECT_EQ(hrv::feature_columns(spec), spec.features);
  const auto f = hrv::compute_window_features({}, 256.0, 20.0, {}, spec);
  EXPECT_EQ(f.values.cols(), 3);
  spec.features = {"rmssd", "no_such_feature"};
  EXPECT_THROW(hrv::feature_columns(spec), ecgforest::ParameterError);
  // A name of the default profile only is not produced by the aura2021 one.
  spec.profile = ecgforest::HrvProfile::aura2021;
  spec.features = {"rmssd", "hr_baseline"};
  EXPECT_THROW(hrv::feature_columns(spec), ecgforest::ParameterError);
}

TEST(HrvFeatures, AlternatingRrMatchesHandComputedValues) {
  // RR 800, 900, 800, 900 ms timed at 0.8, 1.7, 2.5, 3.4 s; the next RR (800) at 4.2 s.
  const auto peaks = peaks_from_rr(0, {800, 900, 800, 900, 800, 900, 800});
  hrv::WindowSpec spec;
  spec.window_s = 4.0;
  spec.step_s = 1.0;
  const auto f = hrv::compute_window_features(peaks, 1000.0, 4.0, {}, spec);
  ASSERT_EQ(f.values.rows(), 1);
  ASSERT_EQ(f.window_end_s, std::vector<double>{4.0});
  const double tol = 1e-3;
  EXPECT_NEAR(at(f, 0, "n_rr"), 4.0, 0.0);
  EXPECT_NEAR(at(f, 0, "mean_nni"), 850.0, tol);
  EXPECT_NEAR(at(f, 0, "sdnn"), std::sqrt(4.0 * 50.0 * 50.0 / 3.0), tol);
  EXPECT_NEAR(at(f, 0, "rmssd"), 100.0, tol);
  // diffs +100, -100, +100: mean 100/3, population std = 100 * sqrt(8) / 3.
  EXPECT_NEAR(at(f, 0, "sdsd"), 100.0 * std::sqrt(8.0) / 3.0, tol);
  EXPECT_NEAR(at(f, 0, "nni_50"), 3.0, 0.0);
  // pnni_* per successive difference (hrvanalysis: nni_50 / (n - 1)), 3 of 3 differences.
  EXPECT_NEAR(at(f, 0, "pnni_50"), 100.0, tol);
  EXPECT_NEAR(at(f, 0, "nni_20"), 3.0, 0.0);
  EXPECT_NEAR(at(f, 0, "pnni_20"), 100.0, tol);
  EXPECT_NEAR(at(f, 0, "median_nni"), 850.0, tol);
  EXPECT_NEAR(at(f, 0, "range_nni"), 100.0, tol);
  EXPECT_NEAR(at(f, 0, "cvsd"), 100.0 / 850.0, 1e-6);
  EXPECT_NEAR(at(f, 0, "cvnni"), std::sqrt(4.0 * 2500.0 / 3.0) / 850.0, 1e-6);
  const double h1 = 60000.0 / 800.0, h2 = 60000.0 / 900.0, hm = 0.5 * (h1 + h2);
  EXPECT_NEAR(at(f, 0, "mean_hr"), hm, tol);
  EXPECT_NEAR(at(f, 0, "max_hr"), 75.0, tol);
  EXPECT_NEAR(at(f, 0, "min_hr"), h2, tol);
  // std_hr with divisor n (hrvanalysis uses np.std with ddof = 0).
  EXPECT_NEAR(at(f, 0, "std_hr"), std::abs(h1 - hm), tol);
  EXPECT_NEAR(at(f, 0, "rr_coverage"), 3400.0 / 4000.0, 1e-6);
}

TEST(HrvFeatures, WindowTimingAndCount) {
  hrv::WindowSpec spec;  // 10 s window, 1 s step
  auto f = hrv::compute_window_features({}, 250.0, 25.5, {}, spec);
  ASSERT_EQ(f.values.rows(), 16);  // ends 10, 11, ..., 25
  EXPECT_DOUBLE_EQ(f.window_end_s.front(), 10.0);
  EXPECT_DOUBLE_EQ(f.window_end_s.back(), 25.0);
  EXPECT_EQ(hrv::compute_window_features({}, 250.0, 25.0, {}, spec).values.rows(), 16);
  EXPECT_EQ(hrv::compute_window_features({}, 250.0, 9.99, {}, spec).values.rows(), 0);
  spec.window_s = 5.0;
  spec.step_s = 2.5;
  f = hrv::compute_window_features({}, 250.0, 12.4, {}, spec);
  EXPECT_EQ(f.window_end_s, (std::vector<double>{5.0, 7.5, 10.0}));
}

TEST(HrvFeatures, WindowIsHalfOpenOnRrTimes) {
  // RR timed at exactly 1.0, 2.0, 3.0, 4.0 s (fs 1000): window [0, 3) holds the first two only.
  const std::vector<std::int64_t> peaks = {0, 1000, 2000, 3000, 4000};
  hrv::WindowSpec spec;
  spec.window_s = 3.0;
  spec.step_s = 1.0;
  const auto f = hrv::compute_window_features(peaks, 1000.0, 4.0, {}, spec);
  ASSERT_EQ(f.values.rows(), 2);
  EXPECT_EQ(at(f, 0, "n_rr"), 2.0);  // RR at 1 s and 2 s
  EXPECT_EQ(at(f, 1, "n_rr"), 3.0);  // [1, 4): RR at 1, 2, 3 s
}

TEST(HrvFeatures, RrAcrossBadSegmentIsNotUsedAndNotSpliced) {
  // RR 800, 900, [1000 crosses a bad segment], 700, 800 ms.
  const auto peaks = peaks_from_rr(0, {800, 900, 1000, 700, 800});
  const std::vector<sig::BadSegment> bad = {{1900, 2300, "flat"}};  // inside the 1700-2700 RR
  hrv::WindowSpec spec;
  spec.window_s = 5.0;
  spec.step_s = 1.0;
  const auto f = hrv::compute_window_features(peaks, 1000.0, 5.0, bad, spec);
  ASSERT_EQ(f.values.rows(), 1);
  EXPECT_EQ(at(f, 0, "n_rr"), 4.0);
  EXPECT_NEAR(at(f, 0, "mean_nni"), (800.0 + 900.0 + 700.0 + 800.0) / 4.0, 1e-3);
  // Successive differences only 900-800 and 800-700 (not 700-900 across the gap).
  EXPECT_NEAR(at(f, 0, "rmssd"), 100.0, 1e-3);
  EXPECT_NEAR(at(f, 0, "nni_50"), 2.0, 0.0);
  EXPECT_NEAR(at(f, 0, "range_nni"), 200.0, 1e-3);
  EXPECT_NEAR(at(f, 0, "rr_coverage"), 3200.0 / 5000.0, 1e-6);
}

TEST(HrvFeatures, OutlierRrAreDropped) {
  // 2000 ms (> 1800) and 250 ms (< 300) are outliers; 800 and 820 ms remain but are not
  // consecutive with each other (the 2000 lies between), so there is no successive difference.
  const auto peaks = peaks_from_rr(0, {800, 2000, 820, 250});
  hrv::WindowSpec spec;
  spec.window_s = 5.0;
  spec.step_s = 1.0;
  const auto f = hrv::compute_window_features(peaks, 1000.0, 5.0, {}, spec);
  ASSERT_EQ(f.values.rows(), 1);
  EXPECT_EQ(at(f, 0, "n_rr"), 2.0);
  EXPECT_NEAR(at(f, 0, "mean_nni"), 810.0, 1e-3);
  EXPECT_NEAR(at(f, 0, "sdnn"), std::sqrt(2.0 * 100.0 / 1.0), 1e-3);
  EXPECT_TRUE(std::isnan(at(f, 0, "rmssd")));
  EXPECT_TRUE(std::isnan(at(f, 0, "sdsd")));
  EXPECT_TRUE(std::isnan(at(f, 0, "pnni_50")));
}

// RR lists for the ectopic-rule tests: `n` copies of `rr`, or `n` (short, long) pairs.
std::vector<int> repeat(std::vector<int> v, int rr, int n) {
  v.insert(v.end(), static_cast<std::size_t>(n), rr);
  return v;
}
std::vector<int> bigeminy(std::vector<int> v, int short_rr, int long_rr, int pairs) {
  for (int i = 0; i < pairs; ++i) v.insert(v.end(), {short_rr, long_rr});
  return v;
}

hrv::WindowFeatures fixed_windows(const std::vector<int>& rr, double window_s) {
  hrv::WindowSpec spec;
  spec.window_s = window_s;
  spec.step_s = window_s;
  const auto peaks = peaks_from_rr(0, rr);
  return hrv::compute_window_features(peaks, 1000.0, static_cast<double>(peaks.back()) / 1000.0, {}, spec);
}

TEST(HrvFeatures, BigeminyIsRejectedNotTakenForATachycardia) {
  // 10 sinus RR of 800 ms (to 8 s), 15 bigeminy pairs 500/1100 (to 32 s), 20 sinus RR of 800.
  // Worked by hand: the first three bigeminy RR differ > 20 % from the last NN (800); then the
  // reference is the median of the recent 8 in-range RR (800, between 500 and 1100), so every
  // bigeminy RR stays out (the old rule restarted its reference on the 4th, a pause of 1100 ms,
  // and then accepted every pause: 54.5 bpm; in the other phase, as after a couplet or a gap, it
  // accepted every coupling interval: 120 bpm). Back in sinus rhythm the first RR of 800 is
  // within 20 % of that median and of the last NN (800): accepted at once.
  const auto f = fixed_windows(repeat(bigeminy(repeat({}, 800, 10), 500, 1100, 15), 800, 20), 8.0);
  ASSERT_EQ(f.values.rows(), 6);  // [0,8) [8,16) [16,24) [24,32) [32,40) [40,48)
  EXPECT_EQ(at(f, 2, "n_rr"), 0.0);
  EXPECT_EQ(at(f, 3, "n_rr"), 0.0);
  EXPECT_TRUE(std::isnan(at(f, 2, "mean_hr")));
  EXPECT_EQ(at(f, 4, "n_rr"), 9.0);  // RR at 32.8, 33.6, ..., 39.2 s
  EXPECT_EQ(at(f, 5, "n_rr"), 10.0);
  EXPECT_NEAR(at(f, 5, "mean_hr"), 75.0, 1e-3);
}

TEST(HrvFeatures, SustainedRateChangeIsAcceptedOnceTheRecentBeatsShowIt) {
  // 10 RR of 800 (to 8 s), then 20 of 600 (timed 8.6, 9.2, ...). The first three 600s are
  // > 20 % from the last NN; the 4th is judged against the median of the recent 8 (five 800,
  // three 600: 800, not settled) and rejected; the 5th (11.0 s) against four and four: median
  // 700, all 8 within 20 % of it, and 600 is within 20 % of 700: accepted, and every later one.
  const auto f = fixed_windows(repeat(repeat({}, 800, 10), 600, 20), 4.0);
  ASSERT_GE(f.values.rows(), 3);
  EXPECT_EQ(at(f, 2, "n_rr"), 3.0);  // [8, 12): 800 at 8.0 s, 600 at 11.0 and 11.6 s
  EXPECT_NEAR(at(f, 2, "mean_nni"), (800.0 + 600.0 + 600.0) / 3.0, 1e-3);
  EXPECT_EQ(at(f, 3, "n_rr"), 7.0);  // [12, 16): 600 at 12.2 ... 15.8 s, all accepted
}

TEST(HrvFeatures, IsolatedEctopicBeatAndBigeminyAfterAGap) {
  // One premature beat in sinus rhythm: its short RR and the compensatory pause are out.
  // RR of 800 to 8 s, 500 at 8.5 s, 1100 at 9.6 s, 800 from 10.4 to 20 s; [0, 20) holds 24 RR.
  auto f = fixed_windows(repeat(repeat(repeat(repeat({}, 800, 10), 500, 1), 1100, 1), 800, 13), 20.0);
  ASSERT_EQ(f.values.rows(), 1);
  EXPECT_EQ(at(f, 0, "n_rr"), 22.0);
  EXPECT_NEAR(at(f, 0, "mean_nni"), 800.0, 1e-3);
  // A stretch that starts (after an outlier RR) inside a bigeminy: its first RR is accepted (no
  // reference yet), the rest are not (the old rule accepted every second one).
  f = fixed_windows(bigeminy({800, 2000}, 500, 1100, 3), 7.0);
  ASSERT_EQ(f.values.rows(), 1);
  EXPECT_EQ(at(f, 0, "n_rr"), 2.0);  // the 800 and the first 500
  // The recent intervals start afresh after the gap: the stretch before it (800, 800, settled)
  // must not make the new one (500, 1100) look settled, or the second 500 would be accepted.
  // RR timed at 0.8, 1.6, (3.6: outlier), 4.1, 5.2, 5.7, 6.5 s; the window [0, 6) holds the first 6.
  f = fixed_windows({800, 800, 2000, 500, 1100, 500, 800}, 6.0);
  ASSERT_EQ(f.values.rows(), 1);
  EXPECT_EQ(at(f, 0, "n_rr"), 3.0);  // 800, 800 and the first 500
}

TEST(HrvFeatures, EmptyAndSingleRrWindowsAreNaN) {
  hrv::WindowSpec spec;
  spec.window_s = 4.0;
  spec.step_s = 2.0;
  const auto f = hrv::compute_window_features({}, 256.0, 8.0, {}, spec);
  ASSERT_EQ(f.values.rows(), 3);
  for (Eigen::Index r = 0; r < f.values.rows(); ++r) {
    EXPECT_EQ(at(f, r, "n_rr"), 0.0);
    EXPECT_EQ(at(f, r, "rr_coverage"), 0.0);
    for (const char* name : {"mean_nni", "sdnn", "rmssd", "mean_hr", "std_hr", "median_nni"}) {
      EXPECT_TRUE(std::isnan(at(f, r, name))) << name;
    }
  }
  const std::vector<std::int64_t> two = {1000, 1750};  // one RR of 750 ms at 1.75 s (fs 1000)
  const auto g = hrv::compute_window_features(two, 1000.0, 4.0, {}, spec);
  ASSERT_EQ(g.values.rows(), 1);
  EXPECT_EQ(at(g, 0, "n_rr"), 1.0);
  EXPECT_NEAR(at(g, 0, "mean_nni"), 750.0, 1e-3);
  EXPECT_NEAR(at(g, 0, "mean_hr"), 80.0, 1e-3);
  EXPECT_TRUE(std::isnan(at(g, 0, "sdnn")));
  EXPECT_TRUE(std::isnan(at(g, 0, "std_hr")));
  EXPECT_TRUE(std::isnan(at(g, 0, "rmssd")));
}

TEST(HrvFeatures, InvalidInputsThrow) {
  hrv::WindowSpec bad_spec;
  bad_spec.step_s = 0.0;
  EXPECT_THROW(hrv::compute_window_features({}, 256.0, 60.0, {}, bad_spec), ecgforest::Error);
  EXPECT_THROW(hrv::compute_window_features({}, 0.0, 60.0, {}, {}), ecgforest::Error);
  EXPECT_THROW(hrv::compute_window_features({10, 5}, 256.0, 60.0, {}, {}), ecgforest::Error);
}

TEST(HrvFeatures, ThreadCountDoesNotChangeResults) {
  std::vector<std::int64_t> peaks = {0};
  for (int i = 0; i < 20000; ++i) peaks.push_back(peaks.back() + 200 + (i * 37) % 90);  // fs 256
  const std::vector<sig::BadSegment> bad = {{100000, 120000, "noise"}};
  const double duration = static_cast<double>(peaks.back()) / 256.0 + 3.0;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto a = hrv::compute_window_features(peaks, 256.0, duration, bad, {});
  omp_set_num_threads(2);
  const auto b = hrv::compute_window_features(peaks, 256.0, duration, bad, {});
  omp_set_num_threads(saved);
  ASSERT_EQ(a.values.rows(), b.values.rows());
  ASSERT_GT(a.values.rows(), 1000);
  EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(),
                        sizeof(float) * static_cast<std::size_t>(a.values.size())),
            0);
}

}  // namespace

namespace {

// Sample entropy (m = 2, r = 0.2 population std) of x by the textbook all-pairs count.
double all_pairs_sampen(const std::vector<double>& x) {
  const std::size_t n = x.size();
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(n);
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double r = 0.2 * std::sqrt(ss / static_cast<double>(n));
  long long a = 0, b = 0;
  for (std::size_t i = 0; i + 2 < n; ++i) {
    for (std::size_t j = i + 1; j + 2 < n; ++j) {
      if (std::abs(x[i] - x[j]) < r && std::abs(x[i + 1] - x[j + 1]) < r) {
        ++a;
        if (std::abs(x[i + 2] - x[j + 2]) < r) ++b;
      }
    }
  }
  return -std::log(static_cast<double>(b) / static_cast<double>(a));
}

}  // namespace

TEST(HrvFeatures, SampleEntropyEqualsTheAllPairsCountWithManyTies) {
  // 420 RR of 780..900 ms in 1 ms steps (equal values, so ties at the sort; r about 7 ms),
  // none ectopic, so every NN follows its predecessor and every 60 s window holds all templates.
  std::vector<int> rr;
  std::uint64_t state = 7;
  for (int i = 0; i < 420; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    rr.push_back(780 + static_cast<int>((state >> 33) % 121));
  }
  const auto peaks = peaks_from_rr(0, rr);
  const double duration = static_cast<double>(peaks.back()) / 1000.0 + 0.5;
  const auto f = hrv::compute_window_features(peaks, 1000.0, duration, {}, {});
  int checked = 0;
  for (Eigen::Index k = 0; k < f.values.rows(); k += 37) {
    const double end = f.window_end_s[static_cast<std::size_t>(k)];
    if (end < 60.0) continue;
    std::vector<double> x;  // NN timed in [end - 60, end)
    for (std::size_t i = 1; i < peaks.size(); ++i) {
      const double t = static_cast<double>(peaks[i]) / 1000.0;
      if (t >= end - 60.0 && t < end) x.push_back(static_cast<double>(rr[i - 1]));
    }
    ASSERT_GE(x.size(), 60u);
    EXPECT_EQ(at(f, k, "sampen"), static_cast<double>(static_cast<float>(all_pairs_sampen(x)))) << "window end " << end;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(HrvFeatures, WindowsSharingBeatsEqualWindowsComputedAlone) {
  // Consecutive windows reuse the previous window's sorted sample-entropy templates (and other
  // running state); windows 61 s apart share no beats and are computed from scratch. Every
  // feature of a window must be the same either way, also across ectopic beats (which break
  // templates) and a bad segment (a gap).
  std::vector<int> rr;
  std::uint64_t state = 11;
  for (int i = 0; i < 900; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int base = 760 + static_cast<int>((state >> 33) % 97);
    rr.push_back(i % 53 == 17 ? base * 6 / 10 : base);  // a premature beat now and then
  }
  const auto peaks = peaks_from_rr(0, rr);
  const double duration = static_cast<double>(peaks.back()) / 1000.0 + 0.5;
  const std::vector<std::pair<double, double>> bad = {{300.0, 312.5}};
  hrv::WindowSpec every;  // default step 1 s
  hrv::WindowSpec apart;
  apart.step_s = 61.0;
  std::vector<double> peak_s;
  for (auto p : peaks) peak_s.push_back(static_cast<double>(p) / 1000.0);
  const auto f1 = hrv::compute_window_features_s(peak_s, duration, bad, every);
  const auto f61 = hrv::compute_window_features_s(peak_s, duration, bad, apart);
  ASSERT_GE(f61.values.rows(), 10);
  int finite_sampen = 0;
  for (Eigen::Index k = 0; k < f61.values.rows(); ++k) {
    const double end = f61.window_end_s[static_cast<std::size_t>(k)];
    const auto k1 = static_cast<Eigen::Index>(std::lround(end - every.window_s));  // ends 10, 11, ...
    ASSERT_EQ(f1.window_end_s[static_cast<std::size_t>(k1)], end);
    for (Eigen::Index c = 0; c < f1.values.cols(); ++c) {
      const float a = f1.values(k1, c), b = f61.values(k, c);
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << f1.columns[static_cast<std::size_t>(c)] << " at " << end;
    }
    finite_sampen += std::isfinite(at(f61, k, "sampen")) ? 1 : 0;
  }
  EXPECT_GE(finite_sampen, 8);
}

TEST(HrvFeatures, SampleEntropyLeavesOutPairsExactlyRApart) {
  // 62 RR of 800 + d ms with d from {-10, -8, 8, 10} x 11 and {-12, 12} x 9 (shuffled): mean
  // exactly 800, population std exactly 10, so r = 0.2 * 10 = 2.0 exactly, and many template pairs
  // differ by exactly r (8 vs 10, -10 vs -8, ...). The tolerance is strict (|diff| < r): 43
  // two-point and 7 three-point matches (a brute-force count outside this code; with <= it would
  // be 249 and 94), sampen = -ln(7 / 43).
  const std::vector<int> d = {-8, -8, -8, -8, -10, -12, 10, -8, -10, 8, -8, -12, 10, 10, -10, 10,
                              10, -10, 12, 8, 8, -8, 12, 12, 10, 12, -12, 8, 10, 8, 12, 8,
                              8, -12, -12, -10, -8, 10, -12, -8, -8, -12, 12, 12, 12, -10, 8, 10,
                              -10, 12, -10, -12, -10, -12, -10, 8, 8, 10, -10, 8, -8, 10};
  std::vector<int> rr;
  for (int v : d) rr.push_back(800 + v);
  const auto peaks = peaks_from_rr(0, rr);  // last beat at 49.6 s
  const auto f = hrv::compute_window_features(peaks, 1000.0, 50.1, {}, {});
  ASSERT_EQ(f.window_end_s.back(), 50.0);  // its 60 s non-linear window holds all 62 RR
  const auto last = f.values.rows() - 1;
  EXPECT_EQ(at(f, last, "sampen"), static_cast<double>(static_cast<float>(-std::log(7.0 / 43.0))));
  std::vector<double> x(rr.begin(), rr.end());
  EXPECT_EQ(all_pairs_sampen(x), -std::log(7.0 / 43.0));
}
