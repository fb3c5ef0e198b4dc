// Property tests of the HRV profiles on generated series: constant rhythm, one beat, only
// outliers, hours-long recordings and gaps. Expected values come from formulas, not the code.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "ecgforest/hrv/aura2021.hpp"
#include "ecgforest/hrv/features.hpp"

namespace hrv = ecgforest::hrv;

namespace {

double at(const hrv::WindowFeatures& f, Eigen::Index row, const std::string& name) {
  const auto it = std::find(f.columns.begin(), f.columns.end(), name);
  EXPECT_NE(it, f.columns.end()) << name;
  return static_cast<double>(f.values(row, static_cast<Eigen::Index>(it - f.columns.begin())));
}
unsigned reason(const hrv::WindowFeatures& f, Eigen::Index row) {
  return static_cast<unsigned>(at(f, row, "hrv_reason"));
}

// Peak times (s) of RR values (ms), first peak at t0.
std::vector<double> peaks(double t0, const std::vector<double>& rr) {
  std::vector<double> p = {t0};
  for (double r : rr) p.push_back(p.back() + r / 1000.0);
  return p;
}

TEST(HrvProperties, ConstantRhythmHasZeroVariabilityAndReasonCodesForUndefinedRatios) {
  const auto p = peaks(0.5, std::vector<double>(300, 800.0));  // 240 s
  const auto f = hrv::compute_window_features_s(p, 240.0, {}, {});
  const Eigen::Index r = f.values.rows() - 1;  // window ending at 240 s: every family is full
  EXPECT_EQ(at(f, r, "mean_nni"), 800.0);
  EXPECT_EQ(at(f, r, "sdnn"), 0.0);
  EXPECT_EQ(at(f, r, "rmssd"), 0.0);
  EXPECT_EQ(at(f, r, "pnni_50"), 0.0);
  EXPECT_FLOAT_EQ(at(f, r, "mean_hr"), 75.0);
  EXPECT_EQ(at(f, r, "lf"), 0.0);
  EXPECT_EQ(at(f, r, "hf"), 0.0);
  EXPECT_TRUE(std::isnan(at(f, r, "lf_hf_ratio")));
  EXPECT_TRUE(std::isnan(at(f, r, "sampen")));
  EXPECT_TRUE(std::isnan(at(f, r, "csi")));
  EXPECT_TRUE(std::isnan(at(f, r, "cvi")));  // the old workflow gives -inf here
  // Cardiac group: no 4-min baseline before 300 s, and CSI100 has sd1 = 0.
  EXPECT_EQ(reason(f, r), hrv::kReasonHfZero | hrv::kReasonSampenNoMatch | hrv::kReasonPoincareDegenerate |
                              hrv::kReasonBaseline | hrv::kReasonCsi100);
  // Before 150 s the frequency family is not full yet.
  EXPECT_TRUE(reason(f, 0) & hrv::kReasonFreqNotFull);
  EXPECT_TRUE(std::isnan(at(f, 0, "lf")));
}

TEST(HrvProperties, OneBeatGivesNaNEverywhereWithReasons) {
  const auto f = hrv::compute_window_features_s({3.0}, 200.0, {}, {});
  ASSERT_GT(f.values.rows(), 0);
  for (Eigen::Index r = 0; r < f.values.rows(); r += 37) {
    EXPECT_EQ(at(f, r, "n_rr"), 0.0);
    for (const char* n : {"mean_nni", "sdnn", "rmssd", "sampen", "sd1", "lf", "lf_hf_ratio"}) {
      EXPECT_TRUE(std::isnan(at(f, r, n))) << n;
    }
    const unsigned want = hrv::kReasonTimeFewRr | hrv::kReasonNoSuccessive | hrv::kReasonNonlinearFewRr;
    EXPECT_EQ(reason(f, r) & want, want);
  }
  // aura2021 on one beat (SPEC 8.4 table, n = 1): time domain NaN, band powers 0.0.
  const auto w = hrv::aura_whole_series({812.5}, hrv::AuraProfile::aura2021);
  EXPECT_TRUE(std::isnan(w.features[0]));
  EXPECT_EQ(w.features[16], 0.0);
  EXPECT_TRUE(std::isnan(w.features[19]));
}

TEST(HrvProperties, AllOutliersAreMaskedInDefaultAndPropagateAsInTheOldWorkflow) {
  std::vector<double> rr(150, 2000.0);  // every RR above 1800 ms, 300 s
  const auto f = hrv::compute_window_features_s(peaks(0.0, rr), 300.0, {}, {});
  for (Eigen::Index r = 0; r < f.values.rows(); r += 50) {
    EXPECT_EQ(at(f, r, "n_rr"), 0.0);
    EXPECT_TRUE(std::isnan(at(f, r, "mean_nni")));
    EXPECT_TRUE(reason(f, r) & hrv::kReasonTimeFewRr);
  }
  EXPECT_TRUE(reason(f, f.values.rows() - 1) & hrv::kReasonFreqNoSegment);
  // aura2021: all-NaN NN; counts 0, pnni 0 (n >= 2), sampen +inf, frequency NaN (SPEC 8.5).
  const auto t = hrv::aura_windowed_table(rr, hrv::AuraProfile::aura2021);
  ASSERT_TRUE(t.error.empty());
  const Eigen::Index row = 160;
  EXPECT_EQ(t.values(row, 2 + 3), 0.0);   // nni_50
  EXPECT_EQ(t.values(row, 2 + 4), 0.0);   // pnni_50
  EXPECT_TRUE(std::isnan(t.values(row, 2 + 0)));
  EXPECT_TRUE(std::isinf(t.values(row, 2 + 23)));  // sampen
  EXPECT_TRUE(std::isnan(t.values(row, 2 + 16)));  // lf
  // head raises at the first short window (row 10), like the library.
  const auto h = hrv::aura_windowed_table(rr, hrv::AuraProfile::head);
  EXPECT_EQ(h.error_row, 10);
  EXPECT_EQ(h.error_window, "short");
}

TEST(HrvProperties, HoursLongSeriesRecoversTheVarianceOfAnLfOscillation) {
  // 3 h of RR = 850 + 40 sin(2 pi 0.1 t) ms: LF power = variance = 40^2 / 2 = 800 ms^2,
  // HF and VLF ~ 0. Checks the band scaling (no power lost at band edges) and the window count.
  std::vector<double> p = {0.0};
  while (p.back() < 3 * 3600.0) p.push_back(p.back() + (850.0 + 40.0 * std::sin(2.0 * std::numbers::pi * 0.1 * p.back())) / 1000.0);
  const double duration = 3 * 3600.0;
  const auto f = hrv::compute_window_features_s(p, duration, {}, {});
  ASSERT_EQ(f.values.rows(), static_cast<Eigen::Index>(std::floor(duration - 10.0)) + 1);
  for (Eigen::Index r = 200; r < f.values.rows(); r += 997) {
    EXPECT_NEAR(at(f, r, "lf"), 800.0, 0.05 * 800.0) << "window " << r;
    EXPECT_LT(at(f, r, "hf"), 0.01 * 800.0);
    EXPECT_LT(at(f, r, "vlf"), 0.01 * 800.0);
    EXPECT_NEAR(at(f, r, "mean_nni"), 850.0, 40.0);
    EXPECT_EQ(reason(f, r), r + 10 < 300 ? hrv::kReasonBaseline : 0u);  // baseline needs 300 s
  }
}

TEST(HrvProperties, GapsAreMaskedNotSpliced) {
  // 400 s of alternating 800/840 ms with a 40 s bad span at 200-240 s.
  std::vector<double> rr;
  for (int i = 0; i < 490; ++i) rr.push_back(i % 2 ? 840.0 : 800.0);
  const auto p = peaks(0.0, rr);
  const std::vector<std::pair<double, double>> bad = {{200.0, 240.0}};
  const auto f = hrv::compute_window_features_s(p, 400.0, bad, {});
  // Window ending at 235 s lies inside the gap: no RR at all.
  const Eigen::Index in_gap = 235 - 10;
  EXPECT_EQ(at(f, in_gap, "n_rr"), 0.0);
  EXPECT_TRUE(reason(f, in_gap) & hrv::kReasonTimeFewRr);
  // Window ending at 245 s: RR after the gap only; every successive difference is +-40 ms
  // (a splice across the gap would add one difference of another size).
  const Eigen::Index after = 245 - 10;
  EXPECT_GT(at(f, after, "n_rr"), 2.0);
  EXPECT_NEAR(at(f, after, "rmssd"), 40.0, 1e-3);
  // Frequency window ending at 300 s contains only segments that touch the gap: NaN + reason.
  EXPECT_TRUE(reason(f, 300 - 10) & hrv::kReasonFreqNoSegment);
  EXPECT_TRUE(std::isnan(at(f, 300 - 10, "hf")));
  // The alternation is at 0.6 Hz-ish per beat (above 0.4 Hz): before the gap hf stays finite.
  EXPECT_FALSE(std::isnan(at(f, 190 - 10, "hf")));
}

}  // namespace
