// Operating-point search and tailored thresholds on hand-built probability traces; every
// expected value below is worked out in the comments, not taken from the code.
#include "ecgforest/eval/operating_point.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace ecgforest::eval {
namespace {

// One hour, windows ending every second at 1..3600, probability 0.1, a seizure [1000, 1060]
// with probability `sz` in windows ending 1005..1060, and a spurious bump `bump` for windows
// ending 2000..2000+bump_len-1.
RecordingProbabilities hour(float sz, float bump, int bump_len) {
  RecordingProbabilities r;
  r.name = "rec";
  r.patient = "p1";
  r.duration_s = 3600;
  for (int t = 1; t <= 3600; ++t) {
    r.window_end_s.push_back(t);
    float p = 0.1f;
    if (t >= 1005 && t <= 1060) p = sz;
    if (t >= 2000 && t < 2000 + bump_len) p = bump;
    r.prob.push_back(p);
  }
  r.ref = {{1000.0, 1060.0, 1.0}};
  return r;
}

PostprocessGrid small_grid(std::vector<double> thresholds) {
  PostprocessGrid g;
  g.smoothing_windows = {1};
  g.min_duration_s = {0.0};
  g.merge_gap_s = {10.0};
  g.thresholds = std::move(thresholds);
  return g;
}

PostprocessSettings budget(double fa) {
  PostprocessSettings s;
  s.fa_budget_per_24h = fa;
  return s;
}

TEST(OperatingPoint, PicksTheSensitiveSettingWithinTheBudget) {
  // 0.5: the 0.6 bump is a false alarm (24 per 24 h in one hour: over the budget); 0.65: seizure
  // (0.7) hit, bump quiet -> sensitivity 1, 0 FA; 0.8: seizure missed.
  const auto c = choose_postprocess({hour(0.7f, 0.6f, 3)}, 1.0, budget(1.0), {}, small_grid({0.5, 0.65, 0.8}));
  EXPECT_TRUE(c.fits_budget);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.65);
  EXPECT_EQ(c.chosen.smoothing, Smoothing::none);
  EXPECT_EQ(c.score.hits, 1u);
  EXPECT_EQ(c.score.false_alarms, 0u);
  EXPECT_DOUBLE_EQ(c.score.ovlp_sensitivity, 1.0);
  // First window at/above 0.65 ends at 1005, the event starts one hop earlier: 1004 - 1000 = 4 s.
  EXPECT_DOUBLE_EQ(c.score.latency_median_s, 4.0);
  EXPECT_DOUBLE_EQ(c.score.alarm_latency_median_s, 5.0);  // no minimum duration: that window's end
  ASSERT_EQ(c.curve.size(), 3u);
  EXPECT_DOUBLE_EQ(c.curve[0].ovlp_fa_per_24h, 24.0);
  EXPECT_EQ(c.n_candidates, 3u);
}

TEST(OperatingPoint, TheBudgetAllowsBudgetTimesHoursOver24Alarms) {
  // 48 one-hour recordings at 1 FA/24h: 48 x 1 / 24 = 2 alarms allowed. In the first n_bumps
  // recordings the seizure is weak (0.55) and a 0.6 bump is a false alarm at threshold 0.5; the
  // others have a clear seizure (0.7) and no bump.
  auto cohort = [](int n_bumps) {
    std::vector<RecordingProbabilities> v;
    for (int i = 0; i < 48; ++i) {
      v.push_back(i < n_bumps ? hour(0.55f, 0.6f, 3) : hour(0.7f, 0.1f, 0));
      v.back().name = "rec" + std::to_string(i);
      v.back().patient = "p" + std::to_string(i);
    }
    return v;
  };
  // 2 bumps: 0.5 hits all 48 seizures with 2 alarms, as many as allowed.
  const auto two = choose_postprocess(cohort(2), 1.0, budget(1.0), {}, small_grid({0.5, 0.65}));
  EXPECT_DOUBLE_EQ(two.chosen.threshold, 0.5);
  EXPECT_EQ(two.score.hits, 48u);
  EXPECT_EQ(two.score.false_alarms, 2u);
  // 3 bumps: 3 alarms are one too many; 0.65 misses the 3 weak seizures and raises none.
  const auto three = choose_postprocess(cohort(3), 1.0, budget(1.0), {}, small_grid({0.5, 0.65}));
  EXPECT_DOUBLE_EQ(three.chosen.threshold, 0.65);
  EXPECT_EQ(three.score.hits, 45u);
  EXPECT_EQ(three.score.false_alarms, 0u);
}

TEST(OperatingPoint, AnEventSpanningTheRecordingIsNotOneHitWithoutFalseAlarms) {
  // Two hours; the second one's seizure has the background's probability 0.1, so only a
  // threshold at or below 0.1 finds it, and then as one event over the whole hour (windows end
  // 1..3600, the event runs from 0 to 3600). NEDC OVLP scores that event a hit and no false alarm
  // (both hours: sensitivity 2/2, 0 FA). The budget splits it into 12 pieces of 300 s (SzCORE's
  // maxEventDuration); only [900, 1200) overlaps the seizure [1000, 1060], so 11 alarms per
  // hour, 22 in all, against 2/24 allowed. 0.5 finds the first seizure only, with no alarm.
  RecordingProbabilities hard = hour(0.1f, 0.1f, 0);
  hard.name = "rec2";
  const auto c = choose_postprocess({hour(0.7f, 0.6f, 0), hard}, 1.0, budget(1.0), {}, small_grid({0.05, 0.5}));
  ASSERT_EQ(c.curve.size(), 2u);
  EXPECT_EQ(c.curve[0].hits, 2u);
  EXPECT_EQ(c.curve[0].false_alarms, 0u);
  EXPECT_EQ(c.curve[0].budget_alarms, 22u);
  EXPECT_TRUE(c.fits_budget);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.5);
  EXPECT_EQ(c.score.hits, 1u);
  EXPECT_EQ(c.score.budget_alarms, 0u);
}

TEST(OperatingPoint, TiesGiveTheMiddleOfThePlateau) {
  // 0.62, 0.65, 0.68 all find the seizure without false alarms: the middle one is kept.
  const auto c = choose_postprocess({hour(0.7f, 0.6f, 3)}, 1.0, budget(1.0), {}, small_grid({0.62, 0.65, 0.68}));
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.65);
}

TEST(OperatingPoint, MinimumDurationRemovesAShortBump) {
  // At 0.5 the 3-window bump is the event (1999, 2002]: 3 s. With min_duration 5 it is dropped,
  // the 56-window seizure event stays; so (0.5, 5 s) fits the budget and (0.5, 0 s) does not.
  auto g = small_grid({0.5});
  g.min_duration_s = {0.0, 5.0};
  const auto c = choose_postprocess({hour(0.7f, 0.6f, 3)}, 1.0, budget(1.0), {}, g);
  EXPECT_TRUE(c.fits_budget);
  EXPECT_DOUBLE_EQ(c.chosen.min_duration_s, 5.0);
  EXPECT_EQ(c.score.false_alarms, 0u);
}

TEST(OperatingPoint, FixedKeysKeepTheirValue) {
  PostprocessSettings base = budget(1.0);
  base.threshold = 0.5;
  FixedPostprocess fixed;
  fixed.threshold = true;
  const auto c = choose_postprocess({hour(0.7f, 0.6f, 3)}, 1.0, base, fixed, small_grid({0.65, 0.8}));
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.5);
  EXPECT_EQ(c.n_candidates, 1u);
  // The bump is one false alarm at 0.5: a budget of 1 per 24 h allows 1/24 alarm in one hour, so
  // it does not fit (no leeway for short CVs); 24 per 24 h allows exactly one, and it fits.
  EXPECT_FALSE(c.fits_budget);
  base.fa_budget_per_24h = 24.0;
  EXPECT_TRUE(choose_postprocess({hour(0.7f, 0.6f, 3)}, 1.0, base, fixed, small_grid({0.65})).fits_budget);
  base.fa_budget_per_24h = 0.0;
  EXPECT_FALSE(choose_postprocess({hour(0.7f, 0.6f, 3)}, 1.0, base, fixed, small_grid({0.65})).fits_budget);
}

TEST(OperatingPoint, NothingFitsKeepsTheFewestFalseAlarms) {
  // Bump 0.9 above the seizure's 0.7: 0.5 and 0.65 raise 1 FA (both hit), 0.95 raises none but
  // misses. Budget 0: nothing with a false alarm fits; 0.95 has 0 FA and fits (sensitivity 0).
  auto c = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, budget(0.0), {}, small_grid({0.5, 0.65, 0.95}));
  EXPECT_TRUE(c.fits_budget);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.95);
  EXPECT_DOUBLE_EQ(c.score.ovlp_sensitivity, 0.0);
  // Without 0.95 nothing fits: both have 1 FA and sensitivity 1 -> middle of the two = index 1.
  c = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, budget(0.0), {}, small_grid({0.5, 0.65}));
  EXPECT_FALSE(c.fits_budget);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.65);
  EXPECT_DOUBLE_EQ(c.score.ovlp_fa_per_24h, 24.0);
}

TEST(OperatingPoint, AlarmLatencyLimit) {
  // Seizure windows 1005..1060 at 0.7 (event start 1004), a 3-window bump of 0.9 at 2000, threshold
  // 0.5. Minimum durations 20 and 30 drop the bump at k=1 and the 10-window mean keeps it below
  // 0.34, so all four settings find the seizure without a false alarm. Alarms: k=1 at 1004 + 20 =
  // 1024 (24 s) and 1034 (34 s); k=10 (start 1010, see SmoothingIsSearched) at 1030 (30 s) and
  // 1040 (40 s). Without a limit the four tie: the middle one (grid order k1d20, k1d30, k10d20,
  // k10d30 -> index 2) is k=10, 20 s.
  auto g = small_grid({0.5});
  g.smoothing_windows = {1, 10};
  g.min_duration_s = {20.0, 30.0};
  auto base = budget(1.0);
  auto c = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, base, {}, g);
  EXPECT_EQ(c.chosen.smoothing_windows, 10);
  EXPECT_DOUBLE_EQ(c.chosen.min_duration_s, 20.0);
  EXPECT_DOUBLE_EQ(c.score.alarm_latency_median_s, 30.0);
  EXPECT_TRUE(c.meets_alarm_latency);
  // Limit 25 s: only k=1, 20 s (24 s) meets it.
  base.max_alarm_latency_s = 25.0;
  c = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, base, {}, g);
  EXPECT_TRUE(c.fits_budget);
  EXPECT_TRUE(c.meets_alarm_latency);
  EXPECT_EQ(c.chosen.smoothing_windows, 1);
  EXPECT_DOUBLE_EQ(c.chosen.min_duration_s, 20.0);
  EXPECT_DOUBLE_EQ(c.score.alarm_latency_median_s, 24.0);
  JsonWriter j;
  write_choice_json(j, c, 1.0);
  EXPECT_NE(j.str().find("\"max_alarm_latency_s\":25,\"meets_alarm_latency\":true"), std::string::npos) << j.str();
  // Limit 10 s: none meets it; the choice is the one without a limit, and says so.
  base.max_alarm_latency_s = 10.0;
  c = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, base, {}, g);
  EXPECT_TRUE(c.fits_budget);
  EXPECT_FALSE(c.meets_alarm_latency);
  EXPECT_EQ(c.chosen.smoothing_windows, 10);
  EXPECT_DOUBLE_EQ(c.chosen.min_duration_s, 20.0);
}

// Recording A: seizure windows at 0.7 and a 3-window bump of 0.9; recording B: seizure windows
// 1005..1060 at 0.97, no bump. The grid: k = 1 or 10, threshold 0.5 or 0.95, minimum duration 0,
// merge gap 10.
struct TwoRecordings {
  std::vector<RecordingProbabilities> recs;
  PostprocessGrid grid;
};
TwoRecordings quick_and_slow() {
  auto b = hour(0.97f, 0.1f, 0);
  b.name = "rec_b";
  TwoRecordings t{{hour(0.7f, 0.9f, 3), b}, small_grid({0.5, 0.95})};
  t.grid.smoothing_windows = {1, 10};
  return t;
}

TEST(OperatingPoint, AlarmLatencyLimitOutranksSensitivity) {
  // quick_and_slow():
  //   k=1, 0.5: A's bump is a false alarm -> over the budget.
  //   k=1, 0.95: B only (alarm at its first window, 1005: 5 s); sensitivity 1/2.
  //   k=10, 0.5: bump mean 0.34, no alarm; A alarms at 1011 (11 s, SmoothingIsSearched); B's mean
  //     n*0.97 + (10-n)*0.1 >= 5 from n = 5, window 1009 (9 s); median 10 s; sensitivity 1.
  //   k=10, 0.95: A missed; B's mean needs all 10 windows, 1014 (14 s); sensitivity 1/2.
  auto [recs, g] = quick_and_slow();
  auto base = budget(1.0);
  auto c = choose_postprocess(recs, 1.0, base, {}, g);
  EXPECT_EQ(c.chosen.smoothing_windows, 10);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.5);
  EXPECT_DOUBLE_EQ(c.score.alarm_latency_median_s, 10.0);
  // Limit 12 s: k=10, 0.5 meets it and is the most sensitive.
  base.max_alarm_latency_s = 12.0;
  c = choose_postprocess(recs, 1.0, base, {}, g);
  EXPECT_EQ(c.chosen.smoothing_windows, 10);
  EXPECT_TRUE(c.meets_alarm_latency);
  // Limit 8 s: only k=1, 0.95 (5 s) meets it: chosen at half the sensitivity.
  base.max_alarm_latency_s = 8.0;
  c = choose_postprocess(recs, 1.0, base, {}, g);
  EXPECT_TRUE(c.meets_alarm_latency);
  EXPECT_EQ(c.chosen.smoothing_windows, 1);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, 0.95);
  EXPECT_EQ(c.score.hits, 1u);
  EXPECT_DOUBLE_EQ(c.score.alarm_latency_median_s, 5.0);
  // Only 0.99 (nothing detected: NaN latency) meets no limit: the choice without one, flagged.
  g.thresholds = {0.99};
  g.smoothing_windows = {1};
  c = choose_postprocess(recs, 1.0, base, {}, g);
  EXPECT_TRUE(c.fits_budget);
  EXPECT_TRUE(std::isnan(c.score.alarm_latency_median_s));
  EXPECT_FALSE(c.meets_alarm_latency);
}

// The chosen smoothing window count, threshold and count of seizures alarmed in time.
void expect_choice(const PostprocessChoice& c, int k, double threshold, std::size_t alarmed_within) {
  EXPECT_EQ(c.chosen.smoothing_windows, k);
  EXPECT_DOUBLE_EQ(c.chosen.threshold, threshold);
  EXPECT_EQ(c.score.alarmed_within, alarmed_within);
}

TEST(OperatingPoint, SeizuresAlarmedInTimeOutrankSensitivity) {
  // quick_and_slow(). Alarm latencies per setting:
  //   k=1, 0.5: A 5 s (window 1005), B 5 s, but A's bump is a false alarm: over the budget.
  //   k=1, 0.95: B 5 s (A missed).        k=10, 0.5: A 11 s, B 9 s.     k=10, 0.95: B 14 s.
  const auto [recs, g] = quick_and_slow();
  auto base = budget(1.0);
  // Within 8 s: k=1, 0.95 alarms 1 in time, k=10, 0.5 none: the first is chosen at half the
  // sensitivity; k=1, 0.5 alarms 2 in time but breaks the budget.
  base.alarm_within_s = 8.0;
  auto c = choose_postprocess(recs, 1.0, base, {}, g);
  EXPECT_TRUE(c.fits_budget);
  expect_choice(c, 1, 0.95, 1);
  EXPECT_EQ(c.score.hits, 1u);
  JsonWriter j;
  write_choice_json(j, c, 1.0);
  EXPECT_NE(j.str().find("\"alarm_within_s\":8,"), std::string::npos) << j.str();
  EXPECT_NE(j.str().find("\"alarmed_within\":1}"), std::string::npos) << j.str();
  // Within 9 s (inclusive): B at 9 s counts, 1 against 1: the tie goes to sensitivity, k=10, 0.5.
  base.alarm_within_s = 9.0;
  c = choose_postprocess(recs, 1.0, base, {}, g);
  expect_choice(c, 10, 0.5, 1);
  // Within 12 s: k=10, 0.5 alarms both in time.
  base.alarm_within_s = 12.0;
  c = choose_postprocess(recs, 1.0, base, {}, g);
  expect_choice(c, 10, 0.5, 2);
  // With a latency limit of 8 s as well, only k=1, 0.95 (median 5 s) is on the limit's level:
  // chosen although k=10, 0.5 alarms both seizures within 12 s (the limit ranks first).
  base.max_alarm_latency_s = 8.0;
  c = choose_postprocess(recs, 1.0, base, {}, g);
  expect_choice(c, 1, 0.95, 1);
  base.max_alarm_latency_s = 0.0;
  // Off (0): nothing is counted and the JSON carries no count.
  base.alarm_within_s = 0.0;
  c = choose_postprocess(recs, 1.0, base, {}, g);
  EXPECT_EQ(c.score.alarmed_within, 0u);
  JsonWriter off;
  write_choice_json(off, c, 1.0);
  EXPECT_EQ(off.str().find("alarmed_within"), std::string::npos) << off.str();
}

TEST(OperatingPoint, SmoothingIsSearched) {
  // A 3-window bump of 0.9 against a 56-window seizure of 0.7: with a 10-window mean the bump
  // peaks at (3*0.9 + 7*0.1)/10 = 0.34 while the seizure plateau reaches 0.7. k=10, threshold
  // 0.5 finds the seizure without a false alarm; k=1 at 0.5 raises one.
  auto g = small_grid({0.5});
  g.smoothing_windows = {1, 10};
  const auto c = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, budget(1.0), {}, g);
  EXPECT_TRUE(c.fits_budget);
  EXPECT_EQ(c.chosen.smoothing_windows, 10);
  EXPECT_EQ(c.chosen.smoothing, Smoothing::mean);
  // The 10-window mean first reaches 0.5 at the window ending 1009: (5*0.7 + 5*0.1)/10 = 0.40 at
  // 1009? -> windows 1005..1009 are 0.7 (5 of 10): 0.40; at 1011: 7*0.7+3*0.1 = 0.52 >= 0.5.
  // Event start = 1011 - 1 = 1010: latency 10 s.
  EXPECT_DOUBLE_EQ(c.score.latency_median_s, 10.0);
  EXPECT_DOUBLE_EQ(c.score.alarm_latency_median_s, 11.0);
  // A minimum duration of 20 s leaves the event start but delays the alarm to the window ending
  // 1010 + 20 = 1030: 30 s.
  g.min_duration_s = {20.0};
  const auto d = choose_postprocess({hour(0.7f, 0.9f, 3)}, 1.0, budget(1.0), {}, g);
  EXPECT_EQ(d.chosen.smoothing_windows, 10);
  EXPECT_DOUBLE_EQ(d.score.latency_median_s, 10.0);
  EXPECT_DOUBLE_EQ(d.score.alarm_latency_median_s, 30.0);
}

// `seconds` one-second windows of probability 0.1 with a 10-window bump of `bump` from `bump_at`.
RecordingProbabilities quiet_trace(const std::string& patient, int seconds, int bump_at, float bump) {
  RecordingProbabilities r;
  r.name = "base";
  r.patient = patient;
  r.duration_s = seconds;
  for (int t = 1; t <= seconds; ++t) {
    r.window_end_s.push_back(t);
    r.prob.push_back(t >= bump_at && t < bump_at + 10 ? bump : 0.1f);
  }
  return r;
}

// Raw probabilities, no minimum duration, budget 1 FA/24h.
PostprocessSettings raw_settings() {
  PostprocessSettings s;
  s.smoothing = Smoothing::none;
  s.min_duration_s = 0;
  s.fa_budget_per_24h = 1.0;
  return s;
}

TEST(Tailor, LowestQuietThresholdTimesMargin) {
  // Two hours of 0.1 with a 10-window bump of 0.3: budget 1/24 h allows floor(2/24) = 0 alarms.
  // 0.30 still fires on the bump (0.3f >= 0.30), 0.31 is quiet -> 0.31 x 1.05 = 0.3255.
  auto r = quiet_trace("", 7200, 4000, 0.3f);
  const auto s = raw_settings();
  auto t = tailor_threshold({r}, 1.0, s);
  EXPECT_NEAR(t.lowest_quiet, 0.31, 1e-12);
  EXPECT_NEAR(t.threshold, 0.3255, 1e-12);
  EXPECT_EQ(t.baseline_alarms, 0u);
  EXPECT_NEAR(t.baseline_hours, 2.0, 1e-12);
  // An annotated seizure [3000, 3060] with probability 0.9 is excluded with 300 s margin: windows
  // ending in (2700, 3360) = 2701..3359 = 659 windows x 1 s; the threshold is unchanged.
  for (int i = 2999; i < 3060; ++i) r.prob[static_cast<std::size_t>(i)] = 0.9f;
  r.ref = {{3000.0, 3060.0, 1.0}};
  t = tailor_threshold({r}, 1.0, s);
  EXPECT_NEAR(t.threshold, 0.3255, 1e-12);
  EXPECT_NEAR(t.baseline_hours, (7200.0 - 659.0) / 3600.0, 1e-12);
  // A floor: a baseline that is quiet at 0.01 still gets the floor threshold.
  r.prob.assign(r.prob.size(), 0.0f);
  r.ref.clear();
  t = tailor_threshold({r}, 1.0, s, 1.05, 0.2);
  EXPECT_NEAR(t.threshold, 0.2, 1e-12);
}

TEST(Tailor, LowersOnlyWithEnoughQuietHours) {
  // One patient, 3 h at 0.1 with a 0.3 bump in the first hour; the first 2 h are the baseline.
  // Quiet from 0.31 -> 0.3255 (105 %). With a budget of 1/24 h, lowering needs 72 quiet hours
  // (lowering_evidence_hours): 2 h only allow raising, so the patient-independent 0.5 stays.
  const auto r = quiet_trace("P", 10800, 3000, 0.3f);
  auto pp = raw_settings();
  pp.threshold = 0.5;
  EXPECT_DOUBLE_EQ(lowering_evidence_hours(1.0), 72.0);
  EXPECT_DOUBLE_EQ(lowering_evidence_hours(36.0), 2.0);
  EXPECT_TRUE(std::isinf(lowering_evidence_hours(0.0)));
  auto d = detect_tailored({r}, 1.0, pp, 2.0, 1.05);
  EXPECT_FALSE(d.per_patient.at("P").may_lower);
  EXPECT_DOUBLE_EQ(d.per_patient.at("P").threshold, 0.5);
  // A bump of 0.6 in the baseline raises it: quiet from 0.61 -> 0.6405, above 0.5.
  d = detect_tailored({quiet_trace("P", 10800, 3000, 0.6f)}, 1.0, pp, 2.0, 1.05);
  EXPECT_NEAR(d.per_patient.at("P").threshold, 0.6405, 1e-12);
  // A budget of 36/24 h needs only 2 quiet hours, so the baseline may lower the threshold: it
  // allows 36 x 2 / 24 = 3 alarms. From 0.01 to 0.10 the whole baseline is one 2-h event, which
  // the budget counts as 24 alarms of 5 min (SzCORE's maxEventDuration; NEDC OVLP would count
  // 1); at 0.11 only the 0.3 bump fires (1 alarm), so the lowest quiet threshold is 0.11, x 1.05.
  pp.fa_budget_per_24h = 36.0;
  d = detect_tailored({r}, 1.0, pp, 2.0, 1.05);
  EXPECT_TRUE(d.per_patient.at("P").may_lower);
  EXPECT_NEAR(d.per_patient.at("P").threshold, 0.11 * 1.05, 1e-12);
}

TEST(OperatingPoint, CvShowsTheBudgetOnlyFrom72OverBudgetHours) {
  // No alarm in T hours bounds the rate below 72/T per 24 h (95 %): 72 h for 1/24 h, 36 h for 2.
  EXPECT_FALSE(cv_shows_budget(8.0, 1.0));
  EXPECT_FALSE(cv_shows_budget(71.9, 1.0));
  EXPECT_TRUE(cv_shows_budget(72.0, 1.0));
  EXPECT_TRUE(cv_shows_budget(36.0, 2.0));
  EXPECT_FALSE(cv_shows_budget(35.0, 2.0));
  EXPECT_FALSE(cv_shows_budget(1000.0, 0.0));  // no finite CV shows a rate of zero
}

TEST(Tailor, WholeBaselineRecordingsAreTheFirstHoursOfTheirPatient) {
  // Patient P: a 3-h baseline recording (bump 0.6) and a 2-h recording to score; patient Q: only a
  // recording to score. Budget 36/24 h: 3 h allow 4 alarms and need 2 quiet hours to lower.
  auto pp = raw_settings();
  pp.threshold = 0.5;
  pp.fa_budget_per_24h = 36.0;
  auto base = quiet_trace("P", 10800, 3000, 0.6f);
  auto later = quiet_trace("P", 7200, 100, 0.9f);
  later.name = "later";
  auto other = quiet_trace("Q", 7200, 100, 0.9f);
  other.name = "other";
  const auto whole = detect_tailored({base, later, other}, 1.0, pp, 0.0, 1.05, {true, false, false});
  // P's threshold is the one its first 3 h give (tailor_hours 3 over [base, later]).
  const auto first = detect_tailored({base, later}, 1.0, pp, 3.0, 1.05);
  ASSERT_EQ(whole.per_patient.count("P"), 1u);
  EXPECT_EQ(whole.per_patient.count("Q"), 0u);  // no baseline: patient-independent threshold
  EXPECT_DOUBLE_EQ(whole.per_patient.at("P").threshold, first.per_patient.at("P").threshold);
  EXPECT_NEAR(whole.per_patient.at("P").baseline_hours, 3.0, 1e-12);
  EXPECT_FALSE(whole.per_patient.at("P").fallback);
  EXPECT_DOUBLE_EQ(whole.baseline_hours, 3.0);
  // Scored: `later` and `other`, both whole (from 0 s), never the baseline recording.
  ASSERT_EQ(whole.index, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(whole.from_s, (std::vector<double>{0.0, 0.0}));
  EXPECT_DOUBLE_EQ(whole.tailored[0].duration_s, 7200.0);
  // Q is detected with 0.5: its 0.9 bump is one event in both variants.
  EXPECT_EQ(whole.tailored[1].hyp.size(), 1u);
  EXPECT_EQ(whole.independent[1].hyp.size(), 1u);
}

}  // namespace
}  // namespace ecgforest::eval
