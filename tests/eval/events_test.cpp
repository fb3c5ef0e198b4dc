// Event-level scoring and post-processing. Every expected count is derived by hand in the
// comment next to it (NEDC definitions: see README "Scoring").
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval {
namespace {

std::vector<Event> ev(std::initializer_list<std::pair<double, double>> l) {
  std::vector<Event> out;
  for (auto [a, b] : l) out.push_back({a, b, 1.0});
  return out;
}

// ref A=[10,20] B=[40,50] C=[100,110]; hyp h1=[15,25] (half of A), h2=[30,35] (nothing),
// h3=[49,55] (last second of B). Recording 120 s.
struct PartialCase {
  std::vector<Event> ref = ev({{10, 20}, {40, 50}, {100, 110}});
  std::vector<Event> hyp = ev({{15, 25}, {30, 35}, {49, 55}});
};

TEST(EventsOvlp, PartialOverlapsCountOncePerEvent) {
  PartialCase c;
  const auto o = score_ovlp(c.ref, c.hyp);
  EXPECT_EQ(o.n_ref, 3u);
  EXPECT_EQ(o.n_hyp, 3u);
  EXPECT_EQ(o.hits, 2u);          // A (h1) and B (h3)
  EXPECT_EQ(o.misses, 1u);        // C
  EXPECT_EQ(o.false_alarms, 1u);  // h2
}

TEST(EventsOvlp, TouchingIsNotOverlapping) {
  // hyp ends exactly where the reference starts: no shared time → miss + false alarm.
  const auto o = score_ovlp(ev({{10, 20}}), ev({{5, 10}}));
  EXPECT_EQ(o.hits, 0u);
  EXPECT_EQ(o.false_alarms, 1u);
}

TEST(EventsTaes, PartialOverlapsAreFractional) {
  PartialCase c;
  const auto t = score_taes(c.ref, c.hyp);
  // A,h1: h1 starts inside and ends after: hit (20-15)/10 = 0.5, fa (25-20)/10 = 0.5, miss 0.5.
  // B,h3: hit (50-49)/10 = 0.1, fa (55-50)/10 = 0.5, miss 0.9.
  // C unmatched: miss 1. h2 unmatched: fa 1.
  EXPECT_NEAR(t.hits, 0.6, 1e-12);
  EXPECT_NEAR(t.misses, 2.4, 1e-12);
  EXPECT_NEAR(t.false_alarms, 2.0, 1e-12);
}

TEST(EventsTaes, OneHypothesisSpanningTwoSeizures) {
  // ref A=[10,20] B=[30,40]; hyp [5,45] covers both.
  const auto ref = ev({{10, 20}, {30, 40}});
  const auto hyp = ev({{5, 45}});
  const auto o = score_ovlp(ref, hyp);
  EXPECT_EQ(o.hits, 2u);  // any-overlap: both seizures are touched
  EXPECT_EQ(o.false_alarms, 0u);
  const auto t = score_taes(ref, hyp);
  // A: hit 1, fa ((45-20)+(10-5))/10 = 3 → capped at 1; B: a further reference of the same
  // hypothesis → one full miss.
  EXPECT_NEAR(t.hits, 1.0, 1e-12);
  EXPECT_NEAR(t.misses, 1.0, 1e-12);
  EXPECT_NEAR(t.false_alarms, 1.0, 1e-12);
  const auto lat = detection_latencies(ref, hyp);
  ASSERT_EQ(lat.size(), 2u);
  EXPECT_EQ(lat[0], 0.0);  // detection already running at onset
  EXPECT_EQ(lat[1], 0.0);
}

TEST(EventsTaes, SeizuresAtFileEdgesAndTwoHypothesesInOne) {
  // 300 s file: A=[0,20] at the start, C=[100,200], B=[280,300] at the end.
  // hyp h1=[0,10], h3=[110,120], h4=[150,170], h2=[290,300].
  const auto ref = ev({{0, 20}, {100, 200}, {280, 300}});
  const auto hyp = ev({{0, 10}, {110, 120}, {150, 170}, {290, 300}});
  const auto o = score_ovlp(ref, hyp);
  EXPECT_EQ(o.hits, 3u);
  EXPECT_EQ(o.false_alarms, 0u);
  const auto t = score_taes(ref, hyp);
  // A,h1: starts with A, ends inside: hit 10/20 = 0.5, fa 0.
  // C,h3 inside: 10/100 = 0.1; h4 also inside C: + 20/100 = 0.2 → hit 0.3, miss 0.7.
  // B,h2: starts inside, ends with B: hit 10/20 = 0.5.
  EXPECT_NEAR(t.hits, 1.3, 1e-12);
  EXPECT_NEAR(t.misses, 1.7, 1e-12);
  EXPECT_NEAR(t.false_alarms, 0.0, 1e-12);
  const auto e = score_epoch(ref, hyp, 300.0);
  // 1200 samples at 0.125 + 0.25 i. ref: 20 s + 100 s + 20 s = 140 s = 560 samples;
  // hyp: 10 + 10 + 20 + 10 = 50 s = 200 samples, all inside references.
  EXPECT_EQ(e.tp, 200u);
  EXPECT_EQ(e.fp, 0u);
  EXPECT_EQ(e.fn, 360u);
  EXPECT_EQ(e.tn, 640u);
  const auto lat = detection_latencies(ref, hyp);
  ASSERT_EQ(lat.size(), 3u);
  EXPECT_DOUBLE_EQ(lat[0], 0.0);
  EXPECT_DOUBLE_EQ(lat[1], 10.0);
  EXPECT_DOUBLE_EQ(lat[2], 10.0);
}

TEST(EventsEpoch, PartialCaseCounts) {
  PartialCase c;
  const auto e = score_epoch(c.ref, c.hyp, 120.0, 0.25);
  // 480 samples; ref 30 s = 120 samples; hyp 10 + 5 + 6 s = 84 samples;
  // overlap [15,20] (20 samples) + [49,50] (4 samples) = 24.
  EXPECT_EQ(e.tp, 24u);
  EXPECT_EQ(e.fp, 60u);
  EXPECT_EQ(e.fn, 96u);
  EXPECT_EQ(e.tn, 300u);
}

TEST(EventsScore, EmptyFiles) {
  // No reference, no hypothesis: nothing to detect, nothing falsely detected.
  const auto o = score_ovlp({}, {});
  EXPECT_EQ(o.hits + o.misses + o.false_alarms, 0u);
  const auto t = score_taes({}, {});
  EXPECT_EQ(t.hits + t.misses + t.false_alarms, 0.0);
  const auto e = score_epoch({}, {}, 3600.0);
  EXPECT_EQ(e.tn, 14400u);  // 3600 / 0.25
  EXPECT_EQ(e.tp + e.fp + e.fn, 0u);
  // Reference only: all misses. Hypothesis only: one false alarm each.
  EXPECT_EQ(score_ovlp(ev({{1, 2}, {5, 6}}), {}).misses, 2u);
  EXPECT_EQ(score_taes(ev({{1, 2}, {5, 6}}), {}).misses, 2.0);
  EXPECT_EQ(score_ovlp({}, ev({{1, 2}})).false_alarms, 1u);
  EXPECT_EQ(score_taes({}, ev({{1, 2}})).false_alarms, 1.0);

  ScoredRecording none{"empty", "p0", 3600.0, {}, {}};
  const auto s = score_recordings({none});
  EXPECT_TRUE(std::isnan(s.ovlp_sensitivity));  // undefined without reference seizures
  EXPECT_EQ(s.ovlp_fa_per_24h, 0.0);
  EXPECT_TRUE(std::isnan(s.latency_median_s));
}

TEST(EventsScore, PooledRatesOverRecordings) {
  PartialCase c;
  // 120 s with the partial case + 86280 s without any event = exactly one day.
  const std::vector<ScoredRecording> recs = {{"a", "p1", 120.0, c.ref, c.hyp}, {"b", "p2", 86280.0, {}, {}}};
  const auto s = score_recordings(recs);
  EXPECT_EQ(s.n_recordings, 2u);
  EXPECT_DOUBLE_EQ(s.total_s, 86400.0);
  EXPECT_NEAR(s.ovlp_sensitivity, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.ovlp_fa_per_24h, 1.0, 1e-12);  // one false alarm in one day
  EXPECT_NEAR(s.taes_sensitivity, 0.2, 1e-12);  // 0.6 / 3
  EXPECT_NEAR(s.taes_fa_per_24h, 2.0, 1e-12);
  // epoch: tp 24, fn 96 in rec a; rec b adds 345120 true negatives.
  EXPECT_NEAR(s.epoch_sensitivity, 0.2, 1e-12);
  EXPECT_NEAR(s.epoch_specificity, (300.0 + 345120.0) / (360.0 + 345120.0), 1e-12);
  EXPECT_NEAR(s.epoch_fa_per_24h, 60 * 0.25, 1e-9);  // 60 false epochs of 0.25 s in one day
  // latencies 5 s (A) and 9 s (B): median 7, p90 = 5 + 0.9 * 4 = 8.6.
  EXPECT_NEAR(s.latency_median_s, 7.0, 1e-12);
  EXPECT_NEAR(s.latency_p90_s, 8.6, 1e-12);
  ASSERT_EQ(s.per_patient.size(), 2u);
  EXPECT_NEAR(s.per_patient.at("p1").sensitivity, 2.0 / 3.0, 1e-12);
  EXPECT_TRUE(std::isnan(s.per_patient.at("p2").sensitivity));

  const auto json = score_json(s);
  for (const char* key : {"ovlp_sensitivity", "ovlp_fa_per_24h", "taes_sensitivity", "taes_fa_per_24h",
                          "epoch_sensitivity", "epoch_specificity", "n_ref_events", "n_hyp_events", "total_hours",
                          "latency_median_s", "per_patient"}) {
    EXPECT_NE(json.find(std::string("\"") + key + "\""), std::string::npos) << key;
  }
  EXPECT_NE(json.find("\"total_hours\":24"), std::string::npos) << json;
}

TEST(EventsEpoch, SampleOnABoundaryBelongsToTheEarlierEvent) {
  // Seizure [0.375, 0.625] in 1 s: samples 0.125, 0.375 (its start: the background before it
  // wins), 0.625 (its stop: the seizure wins), 0.875 → one seizure epoch, missed.
  const auto e = score_epoch(ev({{0.375, 0.625}}), {}, 1.0);
  EXPECT_EQ(e.fn, 1u);
  EXPECT_EQ(e.tn, 3u);
  // A seizure from 0: its stop sample 0.125 is its own.
  const auto z = score_epoch(ev({{0.0, 0.125}}), ev({{0.0, 0.125}}), 0.5, 0.25);
  EXPECT_EQ(z.tp, 1u);  // 0.125 is its stop
  EXPECT_EQ(z.tn, 1u);  // 0.375
}

TEST(EventsEpoch, CohenKappa) {
  // tp 2, fp 1, fn 1, tn 4: observed 6/8, chance (3*3 + 5*5)/64 = 34/64 → (48 - 34) / (64 - 34) = 7/15.
  EpochCounts c;
  c.tp = 2, c.fp = 1, c.fn = 1, c.tn = 4;
  EXPECT_NEAR(cohen_kappa(c), 7.0 / 15.0, 1e-15);
  EpochCounts all_bckg;
  all_bckg.tn = 10;
  EXPECT_EQ(cohen_kappa(all_bckg), 1.0);  // both agreements 1 (NEDC)
  EXPECT_TRUE(std::isnan(cohen_kappa(EpochCounts{})));
}

TEST(EventsTaes, WholeSecondOverlapAsNedc) {
  // Seizure [10, 20]; hypotheses [12, 14] (inside) and [20.5, 25] (after it, same whole second 20).
  // NEDC: the first gives hit 0.2; the ref ends after it, so later hypotheses touching [10, 20]
  // on whole seconds join: [20.5, 25] adds hit (20 - 20.5)/10 = -0.05 and FA 5/10 = 0.5.
  const auto n = score_taes(ev({{10, 20}}), ev({{12, 14}, {20.5, 25}}));
  EXPECT_NEAR(n.hits, 0.15, 1e-12);
  EXPECT_NEAR(n.misses, 0.85, 1e-12);
  EXPECT_NEAR(n.false_alarms, 0.5, 1e-12);
  // Exact overlap: [20.5, 25] touches nothing: hit 0.2, miss 0.8, 1 false alarm.
  const auto x = score_taes(ev({{10, 20}}), ev({{12, 14}, {20.5, 25}}), TaesOverlap::exact);
  EXPECT_NEAR(x.hits, 0.2, 1e-12);
  EXPECT_NEAR(x.misses, 0.8, 1e-12);
  EXPECT_NEAR(x.false_alarms, 1.0, 1e-12);
}

TEST(EventsPostprocess, RunsMergeAndMinimumDuration) {
  std::vector<double> t;
  for (int i = 1; i <= 20; ++i) t.push_back(i);
  std::vector<float> p(20, 0.0f);
  p[2] = p[3] = 0.9f;                     // windows ending at 3, 4 → [2, 4]
  p[5] = 0.8f;                            // window ending at 6 → [5, 6]
  p[9] = p[10] = p[11] = p[12] = 0.5f;    // windows ending at 10..13 (>= threshold) → [9, 13]
  auto e = windows_to_events(t, p, 1.0, 0.5, 0.0, 0.0);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_DOUBLE_EQ(e[0].start_s, 2.0);
  EXPECT_DOUBLE_EQ(e[0].stop_s, 4.0);
  EXPECT_NEAR(e[0].probability, 0.9, 1e-6);
  EXPECT_DOUBLE_EQ(e[1].start_s, 5.0);
  EXPECT_DOUBLE_EQ(e[2].start_s, 9.0);
  EXPECT_DOUBLE_EQ(e[2].stop_s, 13.0);
  // Gap 5 - 4 = 1 < 2 → merged into [2, 6]; gap 9 - 6 = 3 → kept apart.
  e = windows_to_events(t, p, 1.0, 0.5, 0.0, 2.0);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_DOUBLE_EQ(e[0].start_s, 2.0);
  EXPECT_DOUBLE_EQ(e[0].stop_s, 6.0);
  // Minimum duration 2 s: [5, 6] (1 s) is dropped, [2, 4] (2 s) kept.
  e = windows_to_events(t, p, 1.0, 0.5, 2.0, 0.0);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_DOUBLE_EQ(e[1].start_s, 9.0);
  // Higher threshold: only the 0.9 run survives.
  e = windows_to_events(t, p, 1.0, 0.85, 0.0, 0.0);
  ASSERT_EQ(e.size(), 1u);
}

// The alarm time is when an online detector knows the event: the end of the first window at
// which the event has lasted min_duration_s; start_s dates the event back to its first window.
TEST(EventsPostprocess, AlarmTimeIsWhenTheMinimumDurationIsReached) {
  std::vector<double> t;
  for (int i = 1; i <= 30; ++i) t.push_back(i);
  std::vector<float> p(30, 0.0f);
  for (int i = 9; i <= 13; ++i) p[i] = 0.9f;   // windows ending at 10..14 → [9, 14]
  for (int i = 17; i <= 24; ++i) p[i] = 0.9f;  // windows ending at 18..25 → [17, 25]
  // No minimum duration: the alarm comes with the first window (ends at 10, start 9).
  auto e = windows_to_events(t, p, 1.0, 0.5, 0.0, 0.0);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_DOUBLE_EQ(e[0].alarm_s, 10.0);
  EXPECT_DOUBLE_EQ(e[1].alarm_s, 18.0);
  // 3 s: [9, 14] has lasted 3 s at the window ending at 12; [17, 25] at 20.
  e = windows_to_events(t, p, 1.0, 0.5, 3.0, 0.0);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_DOUBLE_EQ(e[0].start_s, 9.0);
  EXPECT_DOUBLE_EQ(e[0].alarm_s, 12.0);
  EXPECT_DOUBLE_EQ(e[1].alarm_s, 20.0);
  // Merged (gap 17 - 14 = 3 < 5) into [9, 25], minimum 8 s: the first run ends at 14 (5 s), the
  // windows of the gap (15..17) are below threshold, so the alarm is the window ending at 18
  // (9 s >= 8), not 17.
  e = windows_to_events(t, p, 1.0, 0.5, 8.0, 5.0);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_DOUBLE_EQ(e[0].stop_s, 25.0);
  EXPECT_DOUBLE_EQ(e[0].alarm_s, 18.0);
  // Minimum 12 s: first window end >= 21 → 21.
  e = windows_to_events(t, p, 1.0, 0.5, 12.0, 5.0);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_DOUBLE_EQ(e[0].alarm_s, 21.0);
  // Merging keeps the earlier alarm; a reference (no alarm time) does not replace it.
  Event a{0, 10, 1.0};
  a.alarm_s = 6.0;
  Event b{5, 20, 1.0};
  b.alarm_s = 4.0;
  EXPECT_DOUBLE_EQ(merge_overlapping({a, b})[0].alarm_s, 4.0);
  EXPECT_DOUBLE_EQ(merge_overlapping({a, Event{2, 12, 1.0}})[0].alarm_s, 6.0);
  EXPECT_TRUE(std::isnan(Event{}.alarm_s));
}

TEST(EventsScore, AlarmLatencies) {
  // ref A=[8,40] B=[100,130] C=[200,210]; hyp h1=[9,25] alarm 20 (overlaps A), h2=[5,12]
  // alarm 30 (overlaps A, starts earlier, alarms later), h3=[125,160] alarm 150 (overlaps B,
  // alarm after B ended), h4=[205,206] read from a file (no alarm time; overlaps C).
  const auto ref = ev({{8, 40}, {100, 130}, {200, 210}});
  auto hyp = ev({{9, 25}, {5, 12}, {125, 160}, {205, 206}});
  hyp[0].alarm_s = 20;
  hyp[1].alarm_s = 30;
  hyp[2].alarm_s = 150;
  // Detection latency: A max(0, 5 - 8) = 0, B 25, C 5. Alarm latency: A 20 - 8 = 12 (the
  // earliest alarm), B 150 - 100 = 50, C left out (no alarm time).
  EXPECT_EQ(detection_latencies(ref, hyp), (std::vector<double>{0, 25, 5}));
  EXPECT_EQ(alarm_latencies(ref, hyp), (std::vector<double>{12, 50}));
  const auto s = score_recordings({{"a", "p", 300.0, ref, hyp}});
  EXPECT_DOUBLE_EQ(s.latency_median_s, 5.0);
  EXPECT_DOUBLE_EQ(s.alarm_latency_median_s, 31.0);        // (12 + 50) / 2
  EXPECT_DOUBLE_EQ(s.alarm_latency_p90_s, 12 + 0.9 * 38);  // 46.2
  EXPECT_NE(score_json(s).find("\"alarm_latency_median_s\":31"), std::string::npos) << score_json(s);
  // Hypotheses read from annotation files carry no alarm times: NaN, not the event starts.
  const auto f = score_recordings({{"a", "p", 300.0, ref, ev({{9, 25}})}});
  EXPECT_DOUBLE_EQ(f.latency_median_s, 1.0);
  EXPECT_TRUE(std::isnan(f.alarm_latency_median_s));
}

TEST(EventsPostprocess, FileStartAndGapsInWindows) {
  const std::vector<double> t = {1, 2, 3, 10, 11};
  const std::vector<float> p = {1, 1, 1, 1, 1};
  const auto e = windows_to_events(t, p, 1.0, 0.5, 0.0, 0.0);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_DOUBLE_EQ(e[0].start_s, 0.0);  // first window owns (0, 1]
  EXPECT_DOUBLE_EQ(e[0].stop_s, 3.0);
  EXPECT_DOUBLE_EQ(e[1].start_s, 9.0);  // 7 s without windows breaks the run
  EXPECT_DOUBLE_EQ(e[1].stop_s, 11.0);
  EXPECT_TRUE(windows_to_events({}, {}, 1.0, 0.5, 0, 0).empty());
}

TEST(EventsPostprocess, Smoothing) {
  const std::vector<float> p = {0, 0, 3, 0, 0, 6};
  // Causal mean over 3: [0, 0/2, 3/3, 3/3, 3/3, 6/3].
  const auto m = smooth_probabilities(p, Smoothing::mean, 3);
  const std::vector<float> em = {0, 0, 1, 1, 1, 2};
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_FLOAT_EQ(m[i], em[i]) << i;
  // Causal median over 3: [0, (0+0)/2, median(0,0,3)=0, 0, 0, median(0,0,6)=0].
  const auto d = smooth_probabilities(p, Smoothing::median, 3);
  for (float v : d) EXPECT_FLOAT_EQ(v, 0.0f);
  // Median of two values is their mean: window {3, 0} at index 3 → 1.5.
  EXPECT_FLOAT_EQ(smooth_probabilities(p, Smoothing::median, 2)[3], 1.5f);
  EXPECT_EQ(smooth_probabilities(p, Smoothing::none, 5), p);
  EXPECT_THROW(smooth_probabilities(p, Smoothing::mean, 0), Error);
}

TEST(EventsSweep, BestOperatingPointUnderBudget) {
  // The last field is the budget's count (long events in 5-min pieces); 0.1 finds everything
  // with no NEDC false alarm but 20 per 24 h as the budget counts them: never within 1 or 10.
  const std::vector<OperatingPoint> pts = {{0.1, 1.0, 0.0, 0, 0, 0, 20.0},
                                           {0.3, 0.9, 5.0, 0, 0, 0, 5.0},
                                           {0.5, 0.8, 1.0, 0, 0, 0, 1.0},
                                           {0.7, 0.8, 0.5, 0, 0, 0, 0.5},
                                           {0.9, 0.2, 0.0, 0, 0, 0, 0.0}};
  EXPECT_EQ(best_under_budget(pts, 1.0), std::optional<std::size_t>(3));  // 0.8 at 0.5 FA beats 0.8 at 1.0
  EXPECT_EQ(best_under_budget(pts, 0.1), std::optional<std::size_t>(4));
  EXPECT_EQ(best_under_budget(pts, 10.0), std::optional<std::size_t>(1));
  EXPECT_EQ(best_under_budget(pts, 20.0), std::optional<std::size_t>(0));
  EXPECT_FALSE(best_under_budget(pts, -1.0).has_value());
}

TEST(EventsSweep, TheBudgetCountsAnEventOverTheWholeRecordingInPieces) {
  // One hour, windows ending 1..3600, background 0.3; seizure [1000, 1060] at 0.9 (windows ending
  // 1005..1060) and seizure [2000, 2060] at the background's 0.3. At 0.2 one event covers the hour:
  // NEDC OVLP, both seizures hit and no false alarm; in 5-min pieces [0, 300), ..., [3300, 3600)
  // only [900, 1200) and [1800, 2100) overlap a seizure: 10 alarms in 1 h = 240 per 24 h. At 0.5
  // the event (1004, 1060] hits the first seizure only, no alarm either way. Best within 1 FA/24h:
  // 0.5 (the whole-hour event would win on NEDC's count, sensitivity 1 at 0 FA/24h).
  RecordingProbabilities r;
  r.name = "r";
  r.duration_s = 3600;
  for (int i = 1; i <= 3600; ++i) {
    r.window_end_s.push_back(i);
    r.prob.push_back(i >= 1005 && i <= 1060 ? 0.9f : 0.3f);
  }
  r.ref = ev({{1000, 1060}, {2000, 2060}});
  PostprocessSettings s;
  s.smoothing = Smoothing::none;
  const auto pts = sweep_thresholds({r}, 1.0, s, {0.2, 0.5});
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[0].ovlp_sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(pts[0].ovlp_fa_per_24h, 0.0);
  EXPECT_DOUBLE_EQ(pts[0].budget_fa_per_24h, 240.0);
  EXPECT_DOUBLE_EQ(pts[1].ovlp_sensitivity, 0.5);
  EXPECT_DOUBLE_EQ(pts[1].budget_fa_per_24h, 0.0);
  EXPECT_EQ(best_under_budget(pts, 1.0), std::optional<std::size_t>(1));
}

TEST(EventsSweep, ThresholdsOnOneRecording) {
  // 100 windows ending at 1..100 s; 0.9 for windows ending 10..19 (the seizure [9, 19]) and a
  // 0.6 bump for windows ending 50..54.
  RecordingProbabilities r;
  r.name = "r";
  r.duration_s = 100;
  for (int i = 1; i <= 100; ++i) {
    r.window_end_s.push_back(i);
    r.prob.push_back(i >= 10 && i <= 19 ? 0.9f : (i >= 50 && i <= 54 ? 0.6f : 0.1f));
  }
  r.ref = ev({{9, 19}});
  PostprocessSettings s;
  s.smoothing = Smoothing::none;
  const auto pts = sweep_thresholds({r}, 1.0, s, {0.5, 0.7, 0.95});
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_DOUBLE_EQ(pts[0].ovlp_sensitivity, 1.0);
  EXPECT_NEAR(pts[0].ovlp_fa_per_24h, 864.0, 1e-9);  // 1 false alarm in 100 s
  EXPECT_NEAR(pts[0].budget_fa_per_24h, 864.0, 1e-9);  // a short event: the same count
  EXPECT_EQ(pts[0].n_hyp, 2u);
  EXPECT_DOUBLE_EQ(pts[1].ovlp_sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(pts[1].ovlp_fa_per_24h, 0.0);
  EXPECT_DOUBLE_EQ(pts[1].taes_sensitivity, 1.0);  // [9, 19] exactly
  EXPECT_DOUBLE_EQ(pts[2].ovlp_sensitivity, 0.0);
  EXPECT_EQ(best_under_budget(pts, 1.0), std::optional<std::size_t>(1));
  const auto json = score_json(score_recordings({}), pts, std::optional<std::size_t>(1), 1.0);
  EXPECT_NE(json.find("\"best_operating_point\":{\"threshold\":0.7"), std::string::npos) << json;
}

TEST(EventsSweep, ScoresOnlyFromScoredFromOn) {
  // The recording of ThresholdsOnOneRecording with a second seizure [69, 79] and its detection;
  // the first 40 s are a tailoring baseline (scored_from_s = 40): the seizure [9, 19] in it is not
  // counted, the bump at 50..54 (a false alarm) and the seizure at 69..79 are, on 60 s.
  RecordingProbabilities r;
  r.name = "r";
  r.duration_s = 100;
  for (int i = 1; i <= 100; ++i) {
    r.window_end_s.push_back(i);
    const bool high = (i >= 10 && i <= 19) || (i >= 70 && i <= 79);
    r.prob.push_back(high ? 0.9f : (i >= 50 && i <= 54 ? 0.6f : 0.1f));
  }
  r.ref = ev({{9, 19}, {69, 79}});
  r.scored_from_s = 40;
  PostprocessSettings s;
  s.smoothing = Smoothing::none;
  const auto pts = sweep_thresholds({r}, 1.0, s, {0.5, 0.7});
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[0].ovlp_sensitivity, 1.0);             // 1 of 1 scored seizure
  EXPECT_NEAR(pts[0].ovlp_fa_per_24h, 1440.0, 1e-9);          // 1 false alarm in 60 s
  EXPECT_EQ(pts[0].n_hyp, 2u);                                // the baseline's detection is not counted
  EXPECT_NEAR(pts[1].taes_sensitivity, 1.0, 1e-12);           // [69, 79] exactly, shifted by 40 s
  EXPECT_DOUBLE_EQ(pts[1].ovlp_fa_per_24h, 0.0);
  // A seizure across the cut counts with its scored part only; the detection before the cut does not hit it.
  r.ref = ev({{15, 45}, {69, 79}});
  const auto cut = sweep_thresholds({r}, 1.0, s, {0.7});
  EXPECT_DOUBLE_EQ(cut[0].ovlp_sensitivity, 0.5);  // [40, 45] missed (whole, [9, 19] would hit it), [69, 79] hit
}

}  // namespace
}  // namespace ecgforest::eval
