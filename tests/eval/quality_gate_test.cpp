// Signal-quality gate on seizure events. Expected events are worked out by hand in the comments
// (windows end every 2 s, step 2 s, threshold 0.5: window i covers (end_i - 2, end_i]).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/quality_gate.hpp"

namespace ecgforest::eval {
namespace {

std::vector<double> ends(std::size_t n) {
  std::vector<double> t;
  for (std::size_t i = 0; i < n; ++i) t.push_back(2.0 * static_cast<double>(i + 1));  // 2, 4, 6, ...
  return t;
}

TEST(QualityMask, ThresholdAndNaNAndOff) {
  const std::vector<float> sqi = {0.9f, 0.2f, std::nanf(""), 0.5f};
  EXPECT_EQ(quality_mask(sqi, 0.5), (std::vector<std::uint8_t>{1, 0, 0, 1}));
  EXPECT_EQ(quality_mask(sqi, 0.0), (std::vector<std::uint8_t>{1, 1, 1, 1}));  // gate off keeps all
}

TEST(QualityGate, LowQualityWindowsCannotStartAnEvent) {
  // Windows 2..4 (ends 6, 8, 10) are above threshold but unusable: no event at all, whereas the
  // ungated events are one event (4, 10].
  const std::vector<float> p = {0.1f, 0.1f, 0.9f, 0.9f, 0.9f, 0.1f};
  const std::vector<std::uint8_t> ok = {1, 1, 0, 0, 0, 1};
  EXPECT_TRUE(quality_gated_events(ends(6), p, ok, 2.0, 0.5, 0.0, 0.0).empty());
  const auto ungated = windows_to_events(ends(6), p, 2.0, 0.5, 0.0, 0.0);
  ASSERT_EQ(ungated.size(), 1u);
  EXPECT_DOUBLE_EQ(ungated[0].start_s, 4.0);
  EXPECT_DOUBLE_EQ(ungated[0].stop_s, 10.0);
}

TEST(QualityGate, LowQualityWindowsCannotExtendOrBridgeAnEvent) {
  // Windows 1..5 above threshold; window 3 (end 8) and 4 (end 10) unusable. Gated: the run
  // windows 1..2 = (2, 6], then window 5 alone = (10, 12]; the 4-s gap would be merged with
  // merge_gap_s = 10 if it were not unusable windows, so the gate keeps two events.
  const std::vector<float> p = {0.1f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.1f};
  const std::vector<std::uint8_t> ok = {1, 1, 1, 0, 0, 1, 1};
  const auto ev = quality_gated_events(ends(7), p, ok, 2.0, 0.5, 0.0, 10.0);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_DOUBLE_EQ(ev[0].start_s, 2.0);
  EXPECT_DOUBLE_EQ(ev[0].stop_s, 6.0);
  EXPECT_DOUBLE_EQ(ev[1].start_s, 10.0);
  EXPECT_DOUBLE_EQ(ev[1].stop_s, 12.0);
  // min_duration_s = 3 drops the 2-s event (10, 12] and keeps the 4-s one.
  const auto longer = quality_gated_events(ends(7), p, ok, 2.0, 0.5, 3.0, 10.0);
  ASSERT_EQ(longer.size(), 1u);
  EXPECT_DOUBLE_EQ(longer[0].stop_s, 6.0);
}

TEST(QualityGate, AllUsableEqualsUngatedAndLengthsAreChecked) {
  // Two runs (2, 4] and (8, 10] merged by merge_gap_s = 5 into (2, 10], probability 0.8.
  const std::vector<float> p = {0.1f, 0.7f, 0.2f, 0.2f, 0.8f};
  const auto ev = quality_gated_events(ends(5), p, std::vector<std::uint8_t>(5, 1), 2.0, 0.5, 0.0, 5.0);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].start_s, 2.0);
  EXPECT_DOUBLE_EQ(ev[0].stop_s, 10.0);
  EXPECT_FLOAT_EQ(static_cast<float>(ev[0].probability), 0.8f);
  EXPECT_THROW(quality_gated_events(ends(5), p, std::vector<std::uint8_t>(4, 1), 2.0, 0.5, 0.0, 5.0), Error);
}

}  // namespace
}  // namespace ecgforest::eval
