// The --tune selection rule (pipeline/tune_select.hpp) on hand-built gains and margins.
// Student-t quantiles: printed tables (t_{0.975,df}) and, for the Bonferroni levels, a Simpson
// integration of the t density in Python (independent of the series used in the code).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ecgforest/pipeline/tune_select.hpp"

namespace ecgforest::pipeline {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(StudentTQuantile, MatchesTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.3027, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 5), 2.5706, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.2281, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.95, 30), 1.6973, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.99, 3), 4.5407, 1e-4);
  EXPECT_NEAR(student_t_quantile(1 - 0.05 / 6, 39), 2.50166, 1e-4);
  EXPECT_NEAR(student_t_quantile(1 - 0.05 / 6, 2), 7.64880, 1e-4);
  EXPECT_NEAR(student_t_quantile(1 - 0.01 / 6, 19), 3.35404, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 100000), 1.95997, 1e-4);  // the normal quantile
}

TEST(TuneMargin, TQuantileTimesErrorWithAFloor) {
  // kTuneAlpha = 1 %. 11 patients (10 df), 2 alternatives: t_{0.995,10} = 3.1693 times the error.
  EXPECT_NEAR(tune_margin(0.001, 11, 2), 0.0031693, 1e-6);
  EXPECT_NEAR(tune_margin(0.01, 11, 2), 0.031693, 1e-5);
  // A tiny error: the floor kTuneMinGain.
  EXPECT_EQ(tune_margin(1e-6, 11, 2), 0.002);
  // 40 patients, 6 alternatives (the default grid): t_{1-0.01/6,39} = 3.1269 x error;
  // 20 patients: t_{1-0.01/6,19} = 3.3540.
  EXPECT_NEAR(tune_margin(0.002, 40, 6), 0.0062537, 1e-6);
  EXPECT_NEAR(tune_margin(0.002, 20, 6), 0.0067081, 1e-6);
  // No error estimate: nothing can win.
  EXPECT_EQ(tune_margin(kNaN, 40, 6), kInf);
  EXPECT_EQ(tune_margin(0.001, 1, 6), kInf);
}

TEST(ChooseTuned, GainsWithinTheirMarginsKeepTheConfiguredSetting) {
  EXPECT_EQ(choose_tuned({0, 0.003, -0.01, 0.0049}, {0, 0.004, 0.002, 0.005}), 0u);
  // Equal to the margin is not more than it (dyadic values: exact).
  EXPECT_EQ(choose_tuned({0, 0.0078125}, {0, 0.0078125}), 0u);
  // +0.0045 with error 0.002 over 40 patients, 6 alternatives (margin 0.0063): kept.
  EXPECT_EQ(choose_tuned({0, 0.0045}, {0, tune_margin(0.002, 40, 6)}), 0u);
  // The same gain with a tenth of the error is trusted (margin: the floor 0.002).
  EXPECT_EQ(choose_tuned({0, 0.0045}, {0, tune_margin(0.0002, 40, 6)}), 1u);
}

TEST(ChooseTuned, LargestLowerBoundWinsNotLargestGain) {
  // Bounds: 0.0625 - 0.046875 = 0.015625; 0.03125 - 0.0078125 = 0.0234375.
  EXPECT_EQ(choose_tuned({0, 0.0625, 0.03125}, {0, 0.046875, 0.0078125}), 2u);
}

TEST(ChooseTuned, TiesGoToTheFirstCandidate) {
  EXPECT_EQ(choose_tuned({0, 0.5, 0.75, 0.25}, {0, 0.25, 0.5, 0.25}), 1u);
}

TEST(ChooseTuned, NaNGainsAndInfiniteMarginsNeverWin) {
  EXPECT_EQ(choose_tuned({0, kNaN, 0.5}, {0, 0.001, kInf}), 0u);
  EXPECT_EQ(choose_tuned({kNaN, kNaN, 0.5, 0.25}, {0, kNaN, 0.125, 0.25}), 2u);
}

}  // namespace
}  // namespace ecgforest::pipeline
