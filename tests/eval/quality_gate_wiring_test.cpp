// The quality gate as predict and train's CV scoring use it (gated_smoothing, gated_postprocess,
// and the `usable` flags of RecordingProbabilities in the threshold sweep). Expected values are
// worked out by hand in the comments: windows end every 1 s (step 1 s), so window i stands for
// (end_i - 1, end_i].
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/eval/quality_gate.hpp"

namespace ecgforest::eval {
namespace {

std::vector<double> ends(std::size_t n) {
  std::vector<double> t;
  for (std::size_t i = 0; i < n; ++i) t.push_back(static_cast<double>(i + 1));  // 1, 2, 3, ...
  return t;
}

PostprocessSettings mean3(double threshold, double min_duration_s, double merge_gap_s) {
  PostprocessSettings s;
  s.smoothing = Smoothing::mean;
  s.smoothing_windows = 3;
  s.threshold = threshold;
  s.min_duration_s = min_duration_s;
  s.merge_gap_s = merge_gap_s;
  return s;
}

TEST(QualityFlags, BadWindowsAreWidenedAndShortGoodStretchesBetweenThemDropped) {
  // 20 windows, sqi below the gate 0.5 at windows 6 and 12 (NaN), min_run 4: each bad window is
  // widened by 2 on each side (4..8 and 10..14); window 9 is then a good stretch of 1 < 4
  // between bad ones and goes too. Windows 0..3 and 15..19 stay usable.
  std::vector<float> sqi(20, 0.9f);
  sqi[6] = 0.2f;
  sqi[12] = std::nanf("");
  std::vector<std::uint8_t> want(20, 1);
  for (std::size_t i = 4; i <= 14; ++i) want[i] = 0;
  EXPECT_EQ(quality_flags(sqi, 0.5, 4), want);
  // min_run 1: no widening, nothing dropped: just the two bad windows.
  std::vector<std::uint8_t> plain(20, 1);
  plain[6] = plain[12] = 0;
  EXPECT_EQ(quality_flags(sqi, 0.5, 1), plain);
  EXPECT_EQ(quality_flags(sqi, 0.0, 4), std::vector<std::uint8_t>(20, 1));  // gate off
}

TEST(GatedSmoothing, UnusableWindowsAreMissingData) {
  // usable 1 1 0 0 1 1: the usable series 0.0, 0.3, 0.3, 0.0 smoothed (mean of up to 3) gives
  // 0.0, 0.15, 0.2, 0.2; the unusable ones among themselves 0.9, 0.9.
  const std::vector<float> p = {0.0f, 0.3f, 0.9f, 0.9f, 0.3f, 0.0f};
  const auto s = gated_smoothing(p, {1, 1, 0, 0, 1, 1}, Smoothing::mean, 3);
  const std::vector<float> want = {0.0f, 0.15f, 0.9f, 0.9f, 0.2f, 0.2f};
  ASSERT_EQ(s.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(s[i], want[i], 1e-6) << i;
  // Without flags: plain causal smoothing; window 4 = (0.9 + 0.9 + 0.3) / 3 = 0.7.
  EXPECT_NEAR(gated_smoothing(p, {}, Smoothing::mean, 3)[4], 0.7f, 1e-6);
  EXPECT_THROW(gated_smoothing(p, {1, 1}, Smoothing::mean, 3), Error);
}

TEST(GatedPostprocess, ArtefactStretchNeitherStartsNorExtendsNorLeaksIntoAnEvent) {
  // Ten windows: a true seizure in windows 0..3 (p 0.9), an artefact in windows 4..6 (p 1.0,
  // sqi 0.1), then clean background (p 0). Threshold 0.7, mean over 3, no minimum, merge 0.
  const std::vector<float> p = {0.9f, 0.9f, 0.9f, 0.9f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f};
  const std::vector<float> sqi = {0.9f, 0.95f, 0.9f, 0.8f, 0.1f, 0.1f, 0.2f, 0.9f, 0.9f, 0.9f};
  const auto usable = quality_mask(sqi, 0.5);
  ASSERT_EQ(usable, (std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0, 0, 1, 1, 1}));
  // Ungated: smoothed stays >= 0.7 through window 6 (1.0; window 7 = (1 + 1 + 0) / 3 = 0.67),
  // so one event (0, 7] runs 3 s past the seizure through the artefact.
  const auto ungated = gated_postprocess(ends(10), p, {}, 1.0, mean3(0.7, 0.0, 0.0));
  ASSERT_EQ(ungated.size(), 1u);
  EXPECT_DOUBLE_EQ(ungated[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(ungated[0].stop_s, 7.0);
  // Gated: the seizure (0, 4] only; window 7 is smoothed with the usable windows 2, 3 before the
  // artefact: (0.9 + 0.9 + 0) / 3 = 0.6 < 0.7, no event after the artefact.
  const auto gated = gated_postprocess(ends(10), p, usable, 1.0, mean3(0.7, 0.0, 0.0));
  ASSERT_EQ(gated.size(), 1u);
  EXPECT_DOUBLE_EQ(gated[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(gated[0].stop_s, 4.0);
  EXPECT_NEAR(gated[0].probability, 0.9, 1e-6);
}

TEST(GatedPostprocess, ArtefactAloneRaisesNoAlarmAndGateOffChangesNothing) {
  // Background 0.1 with an artefact (p 0.95, sqi 0) in windows 3..8: ungated (or gate off) the
  // smoothed value is 0.38 at window 3, >= 0.5 from window 4 (0.67) to window 9 (0.67), 0.38 at
  // window 10: one event (end_4 - 1, end_9] = (4, 10]; gated none.
  std::vector<float> p(14, 0.1f), sqi(14, 0.97f);
  for (std::size_t i = 3; i <= 8; ++i) {
    p[i] = 0.95f;
    sqi[i] = 0.0f;
  }
  const auto s = mean3(0.5, 0.0, 0.0);
  const auto ungated = gated_postprocess(ends(14), p, quality_mask(sqi, 0.0), 1.0, s);
  ASSERT_EQ(ungated.size(), 1u);
  EXPECT_DOUBLE_EQ(ungated[0].start_s, 4.0);
  EXPECT_DOUBLE_EQ(ungated[0].stop_s, 10.0);
  EXPECT_TRUE(gated_postprocess(ends(14), p, quality_mask(sqi, 0.5), 1.0, s).empty());
}

TEST(GatedSweep, ThresholdSweepHonoursTheFlags) {
  // One recording of 100 s, reference seizure (10, 20]; windows 10..19 p 0.9, an artefact in
  // windows 50..59 p 0.9. No smoothing, no minimum, no merging. Ungated every threshold up to
  // 0.9 gives 1 hit and 1 false alarm (864 FA/24h over 100 s); gated 1 hit and none.
  RecordingProbabilities r;
  r.name = "r";
  r.duration_s = 100.0;
  r.window_end_s = ends(100);
  r.prob.assign(100, 0.0f);
  for (std::size_t i = 10; i < 20; ++i) r.prob[i] = 0.9f;
  for (std::size_t i = 50; i < 60; ++i) r.prob[i] = 0.9f;
  r.ref = {{10.0, 20.0, 1.0}};
  PostprocessSettings s;
  s.smoothing = Smoothing::none;
  s.min_duration_s = 0;
  s.merge_gap_s = 0;
  const auto off = sweep_thresholds({r}, 1.0, s, {0.5});
  ASSERT_EQ(off.size(), 1u);
  EXPECT_DOUBLE_EQ(off[0].ovlp_sensitivity, 1.0);
  EXPECT_NEAR(off[0].ovlp_fa_per_24h, 864.0, 1e-9);
  r.usable.assign(100, 1);
  for (std::size_t i = 50; i < 60; ++i) r.usable[i] = 0;
  const auto on = sweep_thresholds({r}, 1.0, s, {0.5});
  EXPECT_DOUBLE_EQ(on[0].ovlp_sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(on[0].ovlp_fa_per_24h, 0.0);
}

}  // namespace
}  // namespace ecgforest::eval
