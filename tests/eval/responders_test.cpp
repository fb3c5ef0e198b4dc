// Ictal heart-rate rise and responder sensitivity on hand-built heart-rate traces.
#include "ecgforest/eval/responders.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ecgforest::eval {
namespace {

// 20 minutes, one window per second; baseline HR 70 bpm, and from `from` to `to` HR = 70 + rise.
RecordingHeartRate trace(const std::string& name, const std::string& patient, double rise, double from, double to) {
  RecordingHeartRate r;
  r.name = name;
  r.patient = patient;
  for (int t = 1; t <= 1200; ++t) {
    r.window_end_s.push_back(t);
    r.mean_hr.push_back(static_cast<float>(t >= from && t <= to ? 70.0 + rise : 70.0));
  }
  return r;
}

TEST(Responders, RiseIsIctalPeakMinusPreictalMedian) {
  auto r = trace("a", "p", 30.0, 610, 700);
  // Baseline windows end in [600-300, 600-60] = [300, 540]: all 70 -> median 70.
  // Ictal windows end in [600, 690+60]: peak 100 -> rise 30.
  const auto sr = seizure_response(r.window_end_s, r.mean_hr, {600.0, 690.0, 1.0}, {});
  EXPECT_TRUE(sr.measurable);
  EXPECT_DOUBLE_EQ(sr.baseline_bpm, 70.0);
  EXPECT_DOUBLE_EQ(sr.ictal_bpm, 100.0);
  EXPECT_DOUBLE_EQ(sr.rise_bpm, 30.0);
  EXPECT_TRUE(sr.responds);
  // A rise entirely in the baseline window is not ictal: the peak during the seizure is 70.
  r = trace("a", "p", 30.0, 400, 450);
  const auto quiet = seizure_response(r.window_end_s, r.mean_hr, {600.0, 690.0, 1.0}, {});
  EXPECT_DOUBLE_EQ(quiet.rise_bpm, 0.0);
  EXPECT_FALSE(quiet.responds);
  // Seizure at 100 s: no baseline windows (they would end before 40 s... [−200, 40] has 1..40):
  // baseline exists (windows 1..40) -> measurable; at 30 s onset, [−270, −30] has none.
  const auto early = seizure_response(r.window_end_s, r.mean_hr, {30.0, 60.0, 1.0}, {});
  EXPECT_FALSE(early.measurable);
  EXPECT_TRUE(std::isnan(early.rise_bpm));
}

TEST(Responders, ARiseOfExactlyTheThresholdResponds) {
  // Defaults: a responder rises by at least 10 bpm ("rise >= 10"); 9.5 does not.
  const ResponderSettings s;
  ASSERT_DOUBLE_EQ(s.rise_bpm, 10.0);
  auto r = trace("a", "p", 10.0, 610, 700);
  EXPECT_DOUBLE_EQ(seizure_response(r.window_end_s, r.mean_hr, {600.0, 690.0, 1.0}, s).rise_bpm, 10.0);
  EXPECT_TRUE(seizure_response(r.window_end_s, r.mean_hr, {600.0, 690.0, 1.0}, s).responds);
  r = trace("a", "p", 9.5, 610, 700);
  EXPECT_FALSE(seizure_response(r.window_end_s, r.mean_hr, {600.0, 690.0, 1.0}, s).responds);
}

TEST(Responders, SensitivityOverResponderPatients) {
  // Patient R: two seizures with a 25 bpm rise, one detected. Patient N: one seizure, no rise,
  // detected. Overall 2/3; responders (patient R) 1/2; responding seizures 1/2.
  auto r1 = trace("r1", "R", 25.0, 600, 700);
  r1.ref = {{600.0, 690.0, 1.0}};
  r1.hyp = {{610.0, 640.0, 0.9}};
  auto r2 = trace("r2", "R", 25.0, 600, 700);
  r2.ref = {{600.0, 690.0, 1.0}};
  auto n1 = trace("n1", "N", 0.0, 0, 0);
  n1.ref = {{600.0, 690.0, 1.0}};
  n1.hyp = {{680.0, 700.0, 0.9}};
  const auto s = summarize_responders({r1, r2, n1});
  EXPECT_EQ(s.n_ref, 3u);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_TRUE(s.patients.at("R").responder);
  EXPECT_FALSE(s.patients.at("N").responder);
  EXPECT_DOUBLE_EQ(s.patients.at("R").median_rise_bpm, 25.0);
  EXPECT_EQ(s.n_ref_responders, 2u);
  EXPECT_EQ(s.hits_responders, 1u);
  EXPECT_DOUBLE_EQ(s.sensitivity_responders, 0.5);
  EXPECT_DOUBLE_EQ(s.sensitivity, 2.0 / 3.0);
  EXPECT_EQ(s.n_ref_responding, 2u);
  EXPECT_DOUBLE_EQ(s.sensitivity_responding, 0.5);
  // A 9 bpm rise is below the default 10 bpm.
  auto w = trace("w", "W", 9.0, 600, 700);
  w.ref = {{600.0, 690.0, 1.0}};
  EXPECT_FALSE(summarize_responders({w}).patients.at("W").responder);
  EXPECT_TRUE(std::isnan(summarize_responders({w}).sensitivity_responders));
}

TEST(Responders, MarkedRespondersFollowJeppesenFiftyBpm) {
  // Patient M: rises 55 and 60 bpm (both > 50), one detected; patient R: rises 25 and 50 bpm
  // (50 is not > 50), both detected; patient H: rises 60 and 20 (one of two > 50: half -> marked).
  auto seizure = [](const std::string& name, const std::string& patient, double rise, bool hit) {
    auto r = trace(name, patient, rise, 600, 700);
    r.ref = {{600.0, 690.0, 1.0}};
    if (hit) r.hyp = {{620.0, 650.0, 0.9}};
    return r;
  };
  const auto s = summarize_responders({seizure("m1", "M", 55.0, true), seizure("m2", "M", 60.0, false),
                                       seizure("r1", "R", 25.0, true), seizure("r2", "R", 50.0, true),
                                       seizure("h1", "H", 60.0, false), seizure("h2", "H", 20.0, false)});
  EXPECT_TRUE(s.patients.at("M").marked_responder);
  EXPECT_FALSE(s.patients.at("R").marked_responder);
  EXPECT_TRUE(s.patients.at("H").marked_responder);
  EXPECT_EQ(s.patients.at("R").n_marked, 0u);
  EXPECT_EQ(s.n_ref_marked, 4u);  // M's two and H's two
  EXPECT_EQ(s.hits_marked, 1u);
  EXPECT_DOUBLE_EQ(s.sensitivity_marked, 0.25);
  EXPECT_EQ(s.n_ref_responders, 6u);  // every patient responds at >= 10 bpm
  EXPECT_DOUBLE_EQ(s.sensitivity_responders, 0.5);
  // Another threshold moves the verdicts: at 20 bpm, R (25 > 20, 50 > 20) is marked too.
  ResponderSettings low;
  low.marked_rise_bpm = 20.0;
  const auto l = summarize_responders({seizure("r1", "R", 25.0, true), seizure("r2", "R", 50.0, true)}, low);
  EXPECT_EQ(l.hits_marked, 2u);
  EXPECT_DOUBLE_EQ(l.sensitivity_marked, 1.0);
}

TEST(Responders, JsonNamesTheFigures) {
  auto r1 = trace("r1", "R", 25.0, 600, 700);
  r1.ref = {{600.0, 690.0, 1.0}};
  JsonWriter j;
  write_responders_json(j, summarize_responders({r1}));
  const auto& t = j.str();
  EXPECT_NE(t.find("\"ovlp_sensitivity_responders\":0"), std::string::npos) << t;
  EXPECT_NE(t.find("\"R\":{\"responder\":true,\"marked_responder\":false"), std::string::npos) << t;
  EXPECT_NE(t.find("\"marked_rise_bpm\":50,\"n_ref_marked_responders\":0,\"hits_marked_responders\":0"),
            std::string::npos) << t;
}

}  // namespace
}  // namespace ecgforest::eval
