// Cardiac seizure features of the default HRV profile (README "HRV features"), checked against
// values worked out by hand and by an independent numpy script (quoted below), never against
// output of the code under test.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ecgforest/hrv/features.hpp"

namespace hrv = ecgforest::hrv;

namespace {

const std::vector<std::string> kCardiac = {
    "hr_baseline", "hr_minus_baseline", "hr_ratio_baseline", "hr_z_baseline",
    "rmssd_ratio_baseline", "hr_slope_10b", "hr_slope_20s", "hr_rise_time_s", "csi100",
    "modcsi100f", "hr_slope_100f", "csi100_x_slope", "modcsi100f_x_slope", "hr_rise_30s",
    "tachy_onset", "hr_fg_bg_ratio", "rmssd20_ratio_baseline", "rmssd10_ratio_baseline"};

double at(const hrv::WindowFeatures& f, double end_s, const std::string& name) {
  const auto c = std::find(f.columns.begin(), f.columns.end(), name);
  EXPECT_NE(c, f.columns.end()) << name;
  const auto r = std::find(f.window_end_s.begin(), f.window_end_s.end(), end_s);
  EXPECT_NE(r, f.window_end_s.end()) << end_s;
  return static_cast<double>(f.values(r - f.window_end_s.begin(), c - f.columns.begin()));
}

unsigned reason(const hrv::WindowFeatures& f, double end_s) {
  return static_cast<unsigned>(at(f, end_s, "hrv_reason"));
}

// Peak samples at fs = 1000 Hz (samples are ms), first peak at 0, from RR in ms.
std::vector<std::int64_t> peaks_from_rr(const std::vector<int>& rr) {
  std::vector<std::int64_t> p = {0};
  for (int r : rr) p.push_back(p.back() + r);
  return p;
}

// The rise series: RR cycle 1000, 950, 1050 ms (HR 60, 63.158, 57.143 bpm, one beat each per 3 s)
// until the beat at 690 s, then 900 and 800 ms and 40 beats of 750 ms (80 bpm). All NN (every
// step < 20 %), no gaps.
std::vector<int> rise_rr() {
  std::vector<int> rr;
  for (int k = 0; k < 230; ++k) rr.insert(rr.end(), {1000, 950, 1050});
  rr.insert(rr.end(), {900, 800});
  rr.insert(rr.end(), 40, 750);
  return rr;
}

hrv::WindowFeatures rise_features(const hrv::WindowSpec& spec = {}) {
  return hrv::compute_window_features(peaks_from_rr(rise_rr()), 1000.0, 711.0, {}, spec);
}

void expect_rel(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 2e-6 * std::abs(want) + 1e-9) << what;
}

TEST(CardiacFeatures, ColumnsFollowHrvReasonAndAuraProfilesAreUnchanged) {
  const auto all = hrv::all_feature_columns(ecgforest::HrvProfile::default_);
  ASSERT_EQ(all.size(), 30u + kCardiac.size());
  EXPECT_EQ(all[29], "hrv_reason");
  EXPECT_EQ(std::vector<std::string>(all.begin() + 30, all.end()), kCardiac);
  EXPECT_EQ(hrv::all_feature_columns(ecgforest::HrvProfile::aura2021).size(), 27u);
  EXPECT_EQ(hrv::all_feature_columns(ecgforest::HrvProfile::head).size(), 27u);
}

// Window ending at t = 700 s (by hand; numpy agrees, see RiseSeriesMatchesNumpy):
//  current HR, NN in [690, 700): 57.142857 (the 1050 at 690), 66.666667, 75, 11 x 80
//    -> 1078.809524 / 14 = 77.0578231 bpm.
//  baseline, NN in [100, 640): 180 beats each of 57.142857, 60, 63.157895 -> median 60,
//    |dev| = 180 x 0, 180 x 2.857143, 180 x 3.157895 -> MAD 2.857143, spread 1.4826 MAD = 4.236000
//    -> minus 17.0578231, ratio 1.28429705, z 17.0578231 / 4.236000 = 4.02687.
//  rmssd: baseline 539 differences, 359 x -50 and 180 x +100 -> sqrt(2697500 / 539) = 70.74351;
//    [640, 700): 63 differences, 33 x -50, 17 x +100, -150, -100, -50, 10 x 0
//    -> sqrt(287500 / 63) = 67.55364; ratio 0.9549097. [680, 700): 22 differences, -150, -100,
//    7 x -50, 10 x 0, 3 x +100 -> sqrt(80000 / 22) = 60.30227; ratio 0.8524076. [690, 700): 13
//    differences, -150, -100, -50, 10 x 0 -> sqrt(35000 / 13) = 51.88745; ratio 0.7334593.
//  rise time: filtered HR (median of 7 RR) of the beat at 692.45 s is 60000/950 = 63.16 <= 65,
//    later beats 66.7, 75, 80 ... > 65 -> 700 - 692.45 = 7.55 s.
//  onset: median HR of [610, 670) = 60; max filtered HR of [670, 700) = 80 -> rise 20 bpm,
//    77.06 >= 1.1 x 60 -> tachy_onset 1. Fisher background [390, 690): 100 beats each of
//    57.142857, 60, 63.157895 -> mean 60.1002506 -> ratio 77.0578231 / 60.1002506 = 1.2821548.
TEST(CardiacFeatures, RiseSeriesMatchesHandComputedValues) {
  const auto f = rise_features();
  expect_rel(at(f, 700, "hr_baseline"), 60.0, "hr_baseline");
  expect_rel(at(f, 700, "hr_minus_baseline"), 1078.809524 / 14.0 - 60.0, "hr_minus_baseline");
  expect_rel(at(f, 700, "hr_ratio_baseline"), 1078.809524 / 14.0 / 60.0, "hr_ratio_baseline");
  expect_rel(at(f, 700, "hr_z_baseline"), (1078.809524 / 14.0 - 60.0) / (1.4826 * (60.0 - 60000.0 / 1050.0)),
             "hr_z_baseline");
  expect_rel(at(f, 700, "rmssd_ratio_baseline"), std::sqrt(287500.0 / 63.0) / std::sqrt(2697500.0 / 539.0),
             "rmssd_ratio_baseline");
  expect_rel(at(f, 700, "rmssd20_ratio_baseline"), std::sqrt(80000.0 / 22.0) / std::sqrt(2697500.0 / 539.0),
             "rmssd20_ratio_baseline");
  expect_rel(at(f, 700, "rmssd10_ratio_baseline"), std::sqrt(35000.0 / 13.0) / std::sqrt(2697500.0 / 539.0),
             "rmssd10_ratio_baseline");
  expect_rel(at(f, 700, "hr_rise_time_s"), 7.55, "hr_rise_time_s");
  expect_rel(at(f, 700, "hr_rise_30s"), 20.0, "hr_rise_30s");
  EXPECT_EQ(at(f, 700, "tachy_onset"), 1.0);
  const double bg = (60.0 + 60000.0 / 950.0 + 60000.0 / 1050.0) / 3.0;
  expect_rel(at(f, 700, "hr_fg_bg_ratio"), 1078.809524 / 14.0 / bg, "hr_fg_bg_ratio");
  EXPECT_NEAR(at(f, 700, "hr_slope_10b"), 0.0, 1e-6);  // last 10 beats all 750 ms
  EXPECT_EQ(reason(f, 700), 0u);
}

// The rest from an independent numpy script of the definitions (np.polyfit for slopes,
// np.std(ddof=1) of (b -+ a)/sqrt(2) over the 99 pairs of the last 100 NN, np.median over
// rr[max(0, i-6) : i+1] for the filter):
//   700: slope20 1.52976291 csi100 2.35616062 modcsi100f 4110.14761 slope100f 0.100175895
//        csi_x 0.236030498 mod_x 411.737715
//   693: hr_z 0.930383087 rmssd_ratio 1.03375496 rise_time 0 slope10 2.03272779
//        slope20 0.469911037 csi100 0.93406775 modcsi100f 70.4867674 slope100f 0.00368773273
//        rise30 3.15789474 tachy 0 fgbg 1.06390742
//   693: rmssd20_ratio 1.10782533 (20 differences in [673, 693))
//   693: rmssd10_ratio 1.20296687 (9 differences in [683, 693): -150, -100, 5 x -50, 2 x +100)
//   710: rmssd20_ratio 0.519356523 (26 differences in [690, 710): -150, -100, -50, 23 x 0)
//   710: rmssd10_ratio 0 (12 differences in [700, 710), all 0: defined, the baseline's is not 0)
//   710: hr_z 4.72143532 rise_time 17.55 csi100 3.38531638 modcsi100f 9006.46067
//        slope100f 0.209908731 mod_x 1890.53473 fgbg 1.31382479
TEST(CardiacFeatures, RiseSeriesMatchesNumpy) {
  const auto f = rise_features();
  expect_rel(at(f, 700, "hr_slope_20s"), 1.52976291, "700 slope20");
  expect_rel(at(f, 700, "csi100"), 2.35616062, "700 csi100");
  expect_rel(at(f, 700, "modcsi100f"), 4110.14761, "700 modcsi100f");
  expect_rel(at(f, 700, "hr_slope_100f"), 0.100175895, "700 slope100f");
  expect_rel(at(f, 700, "csi100_x_slope"), 0.236030498, "700 csi_x");
  expect_rel(at(f, 700, "modcsi100f_x_slope"), 411.737715, "700 mod_x");
  expect_rel(at(f, 693, "hr_z_baseline"), 0.930383087, "693 z");
  expect_rel(at(f, 693, "rmssd_ratio_baseline"), 1.03375496, "693 rmssd ratio");
  EXPECT_EQ(at(f, 693, "hr_rise_time_s"), 0.0);  // 63.94 bpm is not above 60 + 5
  expect_rel(at(f, 693, "hr_slope_10b"), 2.03272779, "693 slope10");
  expect_rel(at(f, 693, "hr_slope_20s"), 0.469911037, "693 slope20");
  expect_rel(at(f, 693, "csi100"), 0.93406775, "693 csi100");
  expect_rel(at(f, 693, "modcsi100f"), 70.4867674, "693 modcsi100f");
  expect_rel(at(f, 693, "hr_slope_100f"), 0.00368773273, "693 slope100f");
  expect_rel(at(f, 693, "hr_rise_30s"), 3.15789474, "693 rise30");
  EXPECT_EQ(at(f, 693, "tachy_onset"), 0.0);
  expect_rel(at(f, 693, "hr_fg_bg_ratio"), 1.06390742, "693 fgbg");
  expect_rel(at(f, 693, "rmssd20_ratio_baseline"), 1.10782533, "693 rmssd20 ratio");
  expect_rel(at(f, 710, "rmssd20_ratio_baseline"), 0.519356523, "710 rmssd20 ratio");
  expect_rel(at(f, 693, "rmssd10_ratio_baseline"), 1.20296687, "693 rmssd10 ratio");
  EXPECT_EQ(at(f, 710, "rmssd10_ratio_baseline"), 0.0);
  expect_rel(at(f, 710, "hr_z_baseline"), 4.72143532, "710 z");
  expect_rel(at(f, 710, "hr_rise_time_s"), 17.55, "710 rise time");
  expect_rel(at(f, 710, "csi100"), 3.38531638, "710 csi100");
  expect_rel(at(f, 710, "modcsi100f"), 9006.46067, "710 modcsi100f");
  expect_rel(at(f, 710, "hr_slope_100f"), 0.209908731, "710 slope100f");
  expect_rel(at(f, 710, "modcsi100f_x_slope"), 1890.53473, "710 mod_x");
  expect_rel(at(f, 710, "hr_fg_bg_ratio"), 1.31382479, "710 fgbg");
}

// Skewed baseline with many distinct values: RR_k = 900 + (37 k mod 101) ms (steps +37 / -64 ms,
// all NN). numpy (tb = cumsum(rr) / 1000, b = 60000 / rr over [0, T - 60), np.median, MAD =
// np.median(|b - median|), z with max(1.4826 MAD, 2)):
//   T = 380: 336 beats, median 63.1578947368 (= 60000/950), MAD 1.68248490078,
//            minus -0.0991132581196, z -0.039733477972
//   T = 381: 337 beats (odd), same median and MAD, minus -0.117149702559, z -0.0469641016185
TEST(CardiacFeatures, BaselineMedianAndMadMatchNumpy) {
  std::vector<int> rr;
  for (int k = 0; k < 420; ++k) rr.push_back(900 + (k * 37) % 101);
  const auto f = hrv::compute_window_features(peaks_from_rr(rr), 1000.0, 390.0, {}, {});
  for (const double t : {380.0, 381.0}) {
    expect_rel(at(f, t, "hr_baseline"), 60000.0 / 950.0, "baseline");
  }
  expect_rel(at(f, 380, "hr_minus_baseline"), -0.0991132581196, "minus 380");
  expect_rel(at(f, 380, "hr_z_baseline"), -0.0991132581196 / (1.4826 * 1.68248490078), "z 380");
  expect_rel(at(f, 381, "hr_minus_baseline"), -0.117149702559, "minus 381");
  expect_rel(at(f, 381, "hr_z_baseline"), -0.0469641016185, "z 381");
}

TEST(CardiacFeatures, NaNWithAReasonUntilEnoughHistory) {
  const auto f = rise_features();
  // Baseline [0, t - 60) needs 240 s: NaN at 299 s, defined at 300 s.
  for (const auto& name :
       {"hr_baseline", "hr_z_baseline", "hr_rise_time_s", "rmssd_ratio_baseline", "rmssd20_ratio_baseline",
        "rmssd10_ratio_baseline"}) {
    EXPECT_TRUE(std::isnan(at(f, 299, name))) << name;
    EXPECT_FALSE(std::isnan(at(f, 300, name))) << name;
  }
  EXPECT_TRUE(reason(f, 299) & hrv::kReasonBaseline);
  EXPECT_FALSE(reason(f, 300) & hrv::kReasonBaseline);
  // 40 s: about 40 NN, fewer than 50 adjacent pairs for CSI100; the onset reference needs 90 s;
  // the Fisher background [0, 30) is shorter than 120 s.
  for (const auto& name : {"csi100", "modcsi100f", "hr_slope_100f", "csi100_x_slope", "hr_rise_30s",
                           "tachy_onset", "hr_fg_bg_ratio"}) {
    EXPECT_TRUE(std::isnan(at(f, 40, name))) << name;
  }
  EXPECT_EQ(reason(f, 40) & (hrv::kReasonCsi100 | hrv::kReasonOnset), hrv::kReasonCsi100 | hrv::kReasonOnset);
  EXPECT_FALSE(std::isnan(at(f, 40, "hr_slope_10b")));
}

// A slow rhythm, RR alternating 1700 / 1750 ms (beats at 1.70, 3.45, ... s; every difference
// +-50 ms, so every RMSSD is 50 ms): [390, 400) holds 5 NN (beats at 391.55 ... 398.45 s), 4
// differences, fewer than the 5 an RMSSD needs, so the 10-s ratio is NaN and hrv_reason has bit
// 256 although the baseline and the 20-s ratio (11 NN in [380, 400)) are defined; [391, 401) holds
// 6 NN, 5 differences.
TEST(CardiacFeatures, ShortRmssdWindowNeedsFiveDifferences) {
  std::vector<int> rr;
  for (int k = 0; k < 270; ++k) rr.insert(rr.end(), {1700, 1750});
  const auto f = hrv::compute_window_features(peaks_from_rr(rr), 1000.0, 410.0, {}, {});
  EXPECT_TRUE(std::isnan(at(f, 400, "rmssd10_ratio_baseline")));
  EXPECT_TRUE(reason(f, 400) & hrv::kReasonBaseline);
  expect_rel(at(f, 400, "rmssd20_ratio_baseline"), 1.0, "400 rmssd20 ratio");
  expect_rel(at(f, 400, "rmssd_ratio_baseline"), 1.0, "400 rmssd ratio");
  // 197 baseline beats in [0, 340), 99 of 1700 ms and 98 of 1750 ms: the median is 60000 / 1700.
  expect_rel(at(f, 400, "hr_baseline"), 60000.0 / 1700.0, "400 baseline");
  expect_rel(at(f, 401, "rmssd10_ratio_baseline"), 1.0, "401 rmssd10 ratio");
  EXPECT_FALSE(reason(f, 401) & hrv::kReasonBaseline);
}

// Gap: RR 1000 ms up to the beat at 700 s, one RR of 2500 ms (an outlier > 1800 ms: masked, not
// bridged), then 750 ms beats at 703.25, 704.00, ... 709.25 s (9 NN before 710 s).
TEST(CardiacFeatures, GapsAreNotBridged) {
  std::vector<int> rr(700, 1000);
  rr.push_back(2500);
  rr.insert(rr.end(), 20, 750);
  const auto f = hrv::compute_window_features(peaks_from_rr(rr), 1000.0, 711.0, {}, {});
  // Current HR [700, 710): 60 (beat at 700) and 9 x 80 -> 78; baseline 60, MAD 0 -> floor 2 bpm.
  expect_rel(at(f, 710, "hr_minus_baseline"), 18.0, "minus");
  expect_rel(at(f, 710, "hr_z_baseline"), 9.0, "z");
  // The rise is only known since the first beat after the gap: 710 - 703.25 (not 10 s).
  expect_rel(at(f, 710, "hr_rise_time_s"), 6.75, "rise time");
  // Only 9 NN since the gap: no 10-beat slope; the 20 s stretch starts 13.25 s late.
  EXPECT_TRUE(std::isnan(at(f, 710, "hr_slope_10b")));
  EXPECT_TRUE(std::isnan(at(f, 710, "hr_slope_20s")));
  EXPECT_TRUE(reason(f, 710) & hrv::kReasonSlopeGap);
  EXPECT_FALSE(std::isnan(at(f, 711, "hr_slope_10b")));  // 10th NN after the gap at 710 s
  // 10-beat slope 1 s later: beats 703.25 ... 710.0 all 80 bpm -> 0.
  EXPECT_NEAR(at(f, 711, "hr_slope_10b"), 0.0, 1e-6);
  // Constant 1000 ms before the gap: sd1 = 0 -> CSI100 undefined.
  EXPECT_TRUE(std::isnan(at(f, 650, "csi100")));
  EXPECT_TRUE(reason(f, 650) & hrv::kReasonCsi100);
  // rmssd of a constant baseline is 0: no ratio, over any window.
  for (const auto& name : {"rmssd_ratio_baseline", "rmssd20_ratio_baseline", "rmssd10_ratio_baseline"}) {
    EXPECT_TRUE(std::isnan(at(f, 650, name))) << name;
  }
}

TEST(CardiacFeatures, SameValuesFromSecondsEntryPointSelectionAndAnyThreadCount) {
  const auto rr = rise_rr();
  std::vector<double> peak_s = {0.0};
  for (int r : rr) peak_s.push_back(peak_s.back() + r / 1000.0);
  const auto a = rise_features();
  const auto b = hrv::compute_window_features_s(peak_s, 711.0, {}, {});
  hrv::WindowSpec sel;
  sel.features = {"modcsi100f_x_slope", "hr_z_baseline"};
  const auto c = rise_features(sel);
  ASSERT_EQ(a.values.rows(), b.values.rows());
  // (At 300 s the 7-RR median of the 1000/950/1050 cycle is a constant 1000 ms: modcsi100f NaN.)
  EXPECT_TRUE(std::isnan(at(a, 300, "modcsi100f")));
  for (const double t : {300.0, 693.0, 700.0, 710.0}) {
    for (const auto& name : kCardiac) {  // NaN in both, or equal within the float32 rounding
      const double x = at(a, t, name), y = at(b, t, name);
      EXPECT_TRUE((std::isnan(x) && std::isnan(y)) || std::abs(x - y) <= 1e-5 * std::abs(x)) << name << " at " << t;
    }
    for (const auto& name : sel.features) {
      const double x = at(a, t, name), y = at(c, t, name);
      EXPECT_TRUE((std::isnan(x) && std::isnan(y)) || x == y) << name << " at " << t;
    }
  }
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = rise_features();
  omp_set_num_threads(3);
  const auto three = rise_features();
  omp_set_num_threads(saved);
  ASSERT_EQ(one.values.size(), three.values.size());
  EXPECT_EQ(std::memcmp(one.values.data(), three.values.data(), sizeof(float) * static_cast<std::size_t>(one.values.size())), 0);
}

}  // namespace
