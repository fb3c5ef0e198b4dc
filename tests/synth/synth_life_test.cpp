// Tests of the synthetic generator's daily life (tools/synth/life.hpp), premature beat runs,
// responder seizures and the --format beats output. Expected values are computed by hand from
// the model's definition (see each comment), not taken from the generator's output.
#include <gtest/gtest.h>

#if __has_include("synth.hpp")
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "synth.hpp"

namespace ecgforest::synth {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A model without any randomness in the RR: no wander, no jitter, no RSA/LF, no ectopy.
EcgModel steady_model(int duration_s, double hr) {
  EcgModel m;
  m.duration_s = duration_s;
  m.base_hr_bpm = hr;
  m.hr_walk_sd_bpm = 0.0;
  m.rr_jitter_s = 0.0;
  m.rsa_fraction = 0.0;
  m.lf_fraction = 0.0;
  m.ectopic_probability = 0.0;
  return m;
}

/// 60 / mean RR of the N-N intervals starting in [t0, t1).
double mean_hr(const std::vector<Beat>& b, double t0, double t1) {
  double sum = 0.0;
  int n = 0;
  for (std::size_t i = 0; i + 1 < b.size(); ++i)
    if (b[i].t >= t0 && b[i].t < t1 && b[i].symbol == 'N' && b[i + 1].symbol == 'N') {
      sum += b[i + 1].t - b[i].t;
      ++n;
    }
  return n ? 60.0 * n / sum : std::nan("");
}

/// RMSSD (s) of adjacent N-N intervals starting in [t0, t1).
double rmssd(const std::vector<Beat>& b, double t0, double t1) {
  double s2 = 0.0;
  int n = 0;
  for (std::size_t i = 0; i + 2 < b.size(); ++i)
    if (b[i].t >= t0 && b[i].t < t1) {
      const double d = (b[i + 2].t - b[i + 1].t) - (b[i + 1].t - b[i].t);
      s2 += d * d;
      ++n;
    }
  return std::sqrt(s2 / n);
}

TEST(SynthLife, EventShapeMatchesItsDefinition) {
  LifeEvent e;
  e.start_s = 100.0;
  e.rise_s = 10.0;
  e.peak_bpm = 20.0;
  e.settle_fraction = 0.5;
  e.settle_s = 30.0;
  e.hold_s = 60.0;
  e.fall_s = 20.0;
  EXPECT_EQ(e.end_s(), 190.0);
  EXPECT_EQ(life_event_bpm(e, 99.0), 0.0);
  EXPECT_NEAR(life_event_bpm(e, 105.0), 10.0, 1e-12);  // raised cosine at half the rise: peak / 2
  EXPECT_NEAR(life_event_bpm(e, 110.0), 20.0, 1e-12);
  // 30 s into the hold: 20 * (0.5 + 0.5 e^-1) = 13.6788 bpm.
  EXPECT_NEAR(life_event_bpm(e, 140.0), 13.678794, 1e-6);
  // Half way through the fall from the level at the end of the hold, 20 (0.5 + 0.5 e^-2) = 11.3534.
  EXPECT_NEAR(life_event_bpm(e, 180.0), 11.353353 / 2.0, 1e-6);
  EXPECT_EQ(life_event_bpm(e, 190.0), 0.0);
}

TEST(SynthLife, NightIsSlowerAndMoreVariableByTheModelledAmount) {
  // Day (knot offset 0, variability x1) until 1000 s, then 100 s into sleep: -12 bpm, x1.4.
  EcgModel m = steady_model(3000, 70.0);
  m.rsa_fraction = 0.04;
  m.resp_hz = 0.25;
  m.life.enabled = true;
  m.life.knots = {{0.0, 0.0, 1.0}, {1000.0, 0.0, 1.0}, {1100.0, -12.0, 1.4}, {3000.0, -12.0, 1.4}};
  Rng rng(1);
  const auto b = generate_beats(m, rng).beats;
  EXPECT_NEAR(mean_hr(b, 100.0, 900.0), 70.0, 0.3);
  EXPECT_NEAR(mean_hr(b, 1300.0, 2900.0), 58.0, 0.3);
  // RSA only: rr_k = R (1 + a v sin(2 pi f t_k)), beats R apart, so successive differences have an
  // RMS of R a v sqrt(2) sin(pi f R): day R = 60/70 s, v = 1 -> 30.2 ms; night R = 60/58 s,
  // v = 1.4 -> 59.5 ms.
  const auto expected = [](double hr, double v) {
    const double r = 60.0 / hr;
    return r * 0.04 * v * std::sqrt(2.0) * std::sin(std::numbers::pi * 0.25 * r);
  };
  EXPECT_NEAR(rmssd(b, 100.0, 900.0), expected(70.0, 1.0), 0.1 * expected(70.0, 1.0));
  EXPECT_NEAR(rmssd(b, 1300.0, 2900.0), expected(58.0, 1.4), 0.1 * expected(58.0, 1.4));
}

TEST(SynthLife, ExerciseBoutRaisesTheHeartRateByItsSize) {
  EcgModel m = steady_model(1500, 70.0);
  LifeEvent e;
  e.kind = LifeEventKind::exercise;
  e.start_s = 300.0;
  e.rise_s = 60.0;
  e.peak_bpm = 40.0;
  e.settle_fraction = 1.0;
  e.hold_s = 600.0;
  e.fall_s = 120.0;
  m.life.enabled = true;
  m.life.events = {e};
  m.life.max_event_s = e.end_s() - e.start_s;
  EXPECT_NEAR(life_hrv_scale(m.life, 600.0), std::exp(-1.0), 1e-12);  // exp(-40/40)
  Rng rng(2);
  const auto b = generate_beats(m, rng).beats;
  EXPECT_NEAR(mean_hr(b, 100.0, 290.0), 70.0, 0.2);
  EXPECT_NEAR(mean_hr(b, 400.0, 950.0), 110.0, 0.2);
  EXPECT_NEAR(mean_hr(b, 1100.0, 1450.0), 70.0, 0.2);
  // Half way up (330 s) the raised cosine gives +20 bpm: the beat interval there is 60/90 s.
  for (std::size_t i = 0; i + 1 < b.size(); ++i)
    if (b[i].t >= 330.0) {
      EXPECT_NEAR(b[i + 1].t - b[i].t, 60.0 / 90.0, 0.01);
      break;
    }
}

TEST(SynthLife, ActivitiesDoNotAddUpButArousalsDo) {
  DailyLife life;
  life.enabled = true;
  LifeEvent walk, up, arousal;
  walk.kind = LifeEventKind::walk;
  walk.start_s = 0.0, walk.rise_s = 10.0, walk.hold_s = 100.0, walk.peak_bpm = 25.0;
  up = walk;
  up.kind = LifeEventKind::posture;
  up.peak_bpm = 15.0;
  arousal = walk;
  arousal.kind = LifeEventKind::arousal;
  arousal.peak_bpm = 8.0;
  life.events = {walk, up, arousal};
  life.max_event_s = walk.end_s();
  EXPECT_NEAR(life_hr_offset(life, 50.0), 25.0 + 8.0, 1e-12);
}

TEST(SynthLife, DrawnEventsAndSleepFollowTheirRanges) {
  LifeTraits tr;
  tr.bedtime_hour = 23.0;
  tr.sleep_hours = 7.0;
  tr.exercise_per_day = 3.0;
  std::size_t counts[5] = {0, 0, 0, 0, 0};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    // Start at 08:00 for 48 h: nights start at 15 h and 39 h (+-0.5 h), each lasting 6.5-7.5 h.
    const DailyLife life = draw_daily_life(tr, 8.0, 48.0 * 3600.0, rng);
    EXPECT_TRUE(life_asleep(life, 18.0 * 3600.0));
    EXPECT_TRUE(life_asleep(life, 42.0 * 3600.0));
    EXPECT_FALSE(life_asleep(life, 4.0 * 3600.0));
    EXPECT_FALSE(life_asleep(life, 30.0 * 3600.0));
    for (const auto& s : life.sleep) {
      EXPECT_NEAR(std::fmod(s.start_s / 3600.0 + 8.0 + 48.0, 24.0), 23.0, 0.5 + 1e-9);
      EXPECT_GE(s.end_s - s.start_s, 6.5 * 3600.0 - 1e-6);
      EXPECT_LE(s.end_s - s.start_s, 7.5 * 3600.0 + 1e-6);
    }
    EXPECT_TRUE(std::is_sorted(life.events.begin(), life.events.end(),
                               [](const auto& a, const auto& b) { return a.start_s < b.start_s; }));
    for (const auto& e : life.events) {
      ++counts[static_cast<int>(e.kind)];
      switch (e.kind) {
        case LifeEventKind::posture:  // stand-up: 10-25 bpm over 10-20 s, then settles to 30-60 %
          EXPECT_GE(e.peak_bpm, 10.0); EXPECT_LE(e.peak_bpm, 25.0);
          EXPECT_GE(e.rise_s, 10.0); EXPECT_LE(e.rise_s, 20.0);
          EXPECT_GE(e.settle_fraction, 0.3); EXPECT_LE(e.settle_fraction, 0.6);
          break;
        case LifeEventKind::walk:
        case LifeEventKind::exercise:  // 15-60 bpm over 30-120 s, minutes long, minutes to recover
          EXPECT_GE(e.peak_bpm, 15.0); EXPECT_LE(e.peak_bpm, 60.0);
          EXPECT_GE(e.rise_s, 30.0); EXPECT_LE(e.rise_s, 120.0);
          EXPECT_GE(e.hold_s, 90.0); EXPECT_GE(e.fall_s, 60.0);
          EXPECT_FALSE(life_asleep(life, e.start_s));
          break;
        case LifeEventKind::arousal:  // 5-20 bpm over 2-5 s
          EXPECT_GE(e.peak_bpm, 5.0); EXPECT_LE(e.peak_bpm, 20.0);
          EXPECT_GE(e.rise_s, 2.0); EXPECT_LE(e.rise_s, 5.0);
          break;
        case LifeEventKind::burst:
          ADD_FAILURE() << "draw_daily_life draws no exertion bursts (add_exertion_bursts does)";
          break;
      }
    }
  }
  for (int k = 0; k < 4; ++k) EXPECT_GT(counts[k], 0u) << k;
}

/// The events of `life` other than exertion bursts, in order.
std::vector<LifeEvent> without_bursts(const DailyLife& life) {
  std::vector<LifeEvent> out;
  for (const auto& e : life.events)
    if (e.kind != LifeEventKind::burst) out.push_back(e);
  return out;
}

TEST(SynthLife, ExertionBurstsFollowTheirRangesAndRateAndLeaveTheRestAlone) {
  LifeTraits tr;
  tr.bedtime_hour = 23.0;
  tr.sleep_hours = 7.0;
  tr.activity = 0.5;
  tr.max_rise_bpm = 40.0;
  double bursts = 0.0, awake_h = 0.0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed), burst_rng(1000 + seed);
    DailyLife life = draw_daily_life(tr, 8.0, 48.0 * 3600.0, rng);
    const std::vector<LifeEvent> before = life.events;
    add_exertion_bursts(tr, 4.0, 48.0 * 3600.0, burst_rng, life);
    const std::vector<LifeEvent> rest = without_bursts(life);
    ASSERT_EQ(rest.size(), before.size());  // the other events are untouched
    for (std::size_t i = 0; i < rest.size(); ++i) {
      EXPECT_EQ(rest[i].kind, before[i].kind);
      EXPECT_EQ(rest[i].start_s, before[i].start_s);
      EXPECT_EQ(rest[i].peak_bpm, before[i].peak_bpm);
    }
    EXPECT_TRUE(std::is_sorted(life.events.begin(), life.events.end(),
                               [](const auto& a, const auto& b) { return a.start_s < b.start_s; }));
    for (const auto& e : life.events) {
      if (e.kind != LifeEventKind::burst) continue;
      // 25-45 bpm capped at max_rise (40 here), within 10-30 s, held 30-150 s, 40-120 s to recover.
      EXPECT_GE(e.peak_bpm, 25.0); EXPECT_LE(e.peak_bpm, 40.0);
      EXPECT_GE(e.rise_s, 10.0); EXPECT_LE(e.rise_s, 30.0);
      EXPECT_GE(e.hold_s, 30.0); EXPECT_LE(e.hold_s, 150.0);
      EXPECT_GE(e.fall_s, 40.0); EXPECT_LE(e.fall_s, 120.0);
      EXPECT_GE(e.settle_fraction, 0.85); EXPECT_LE(e.settle_fraction, 1.0);
      EXPECT_FALSE(life_asleep(life, e.start_s)) << e.start_s;
      EXPECT_GE(life.max_event_s, e.end_s() - e.start_s);
      if (e.start_s >= 0.0 && e.start_s < 48.0 * 3600.0) bursts += 1.0;
    }
    for (int m = 0; m < 48 * 60; ++m) awake_h += life_asleep(life, m * 60.0 + 30.0) ? 0.0 : 1.0 / 60.0;
  }
  // Poisson rate 4 per awake hour x activity 0.5 = 2 per awake hour (about 1300 bursts in all:
  // one standard deviation is 0.06 per hour).
  EXPECT_NEAR(bursts / awake_h, 2.0, 0.2);
}

TEST(SynthLife, NoExertionBurstsAtRateZeroOrWithoutDailyLife) {
  LifeTraits tr;
  Rng rng(3), burst_rng(4);
  DailyLife life = draw_daily_life(tr, 8.0, 24.0 * 3600.0, rng);
  const std::size_t n = life.events.size();
  add_exertion_bursts(tr, 0.0, 24.0 * 3600.0, burst_rng, life);
  EXPECT_EQ(life.events.size(), n);
  DailyLife off;  // disabled daily life
  add_exertion_bursts(tr, 4.0, 24.0 * 3600.0, burst_rng, off);
  EXPECT_TRUE(off.events.empty());
}

/// A daily life with one posture event (rise 10 s to 30 bpm, no settling, held to t = 1010 s) and
/// one arousal (+8 bpm from t = 40 s over 20 s, held 20 s), no knots.
DailyLife one_rise_and_an_arousal() {
  DailyLife life;
  life.enabled = true;
  LifeEvent e;
  e.kind = LifeEventKind::posture;
  e.start_s = 0.0;
  e.rise_s = 10.0;
  e.peak_bpm = 30.0;
  e.settle_fraction = 1.0;
  e.hold_s = 1000.0;
  e.fall_s = 10.0;
  LifeEvent a;
  a.kind = LifeEventKind::arousal;
  a.start_s = 40.0;
  a.rise_s = 20.0;
  a.peak_bpm = 8.0;
  a.settle_fraction = 1.0;
  a.hold_s = 20.0;
  a.fall_s = 10.0;
  life.events = {e, a};
  life.max_event_s = e.end_s();
  return life;
}

TEST(SynthLife, EffortIrregularityFollowsItsDefinition) {
  DailyLife life = one_rise_and_an_arousal();
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 30.0), 30.0);  // smooth: the rise alone
  // Variability with effort: exp(-30 / effort_hrv_bpm) (no knots: multiplier 1).
  EXPECT_NEAR(life_hrv_scale(life, 30.0), std::exp(-30.0 / 40.0), 1e-12);
  life.effort_hrv_bpm = 120.0;
  EXPECT_NEAR(life_hrv_scale(life, 30.0), std::exp(-0.25), 1e-12);
  life.effort_gain = 0.25;
  life.effort_noise.assign(2000, 0.0F);
  life.effort_noise[32] = 1.0F;   // t = 30 s (index t + 2)
  life.effort_noise[33] = -1.0F;  // t = 31 s
  // a = 30 bpm: a + 0.25 x min(30, 20) x n = 30 + 5 n.
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 30.0), 35.0);
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 30.5), 30.0);  // linear between the seconds
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 31.0), 25.0);
  // During the rise (t = 5 s: a = 30 x (0.5 - 0.5 cos(pi/2)) = 15 bpm, under the 20-bpm cap).
  life.effort_noise[7] = 2.0F;
  EXPECT_NEAR(life_hr_offset(life, 5.0), 15.0 + 0.25 * 15.0 * 2.0, 1e-12);
  // Never below zero: gain 2 and n = -1 would give 30 - 40.
  life.effort_gain = 2.0;
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 31.0), 0.0);
  // The arousal is added as it is (t = 70 s: fully risen, 8 bpm; n = 0 there): 30 + 8.
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 70.0), 38.0);
  life.effort_noise[72] = 0.5F;  // 30 + 2 x 20 x 0.5 + 8
  EXPECT_DOUBLE_EQ(life_hr_offset(life, 70.0), 58.0);
}

TEST(SynthLife, EffortNoiseHasUnitVarianceAndItsTwoTimeConstants) {
  DailyLife life = one_rise_and_an_arousal();
  Rng rng(5);
  add_effort_irregularity(1.0, 400000.0, rng, life);
  EXPECT_GE(life.effort_gain, 0.12);
  EXPECT_LT(life.effort_gain, 0.27);
  ASSERT_EQ(life.effort_noise.size(), 400005u);
  const auto& n = life.effort_noise;
  double mean = 0.0;
  for (const float v : n) mean += static_cast<double>(v);
  mean /= static_cast<double>(n.size());
  const auto cov = [&](std::size_t lag) {
    double c = 0.0;
    for (std::size_t i = lag; i < n.size(); ++i)
      c += (static_cast<double>(n[i]) - mean) * (static_cast<double>(n[i - lag]) - mean);
    return c / static_cast<double>(n.size() - lag);
  };
  const double var = cov(0);
  EXPECT_NEAR(mean, 0.0, 0.05);
  EXPECT_NEAR(var, 1.0, 0.06);
  // Equal-variance OU mix: autocorrelation (exp(-lag/6) + exp(-lag/40)) / 2.
  EXPECT_NEAR(cov(1) / var, (std::exp(-1.0 / 6.0) + std::exp(-1.0 / 40.0)) / 2.0, 0.01);  // 0.911
  EXPECT_NEAR(cov(6) / var, (std::exp(-1.0) + std::exp(-6.0 / 40.0)) / 2.0, 0.02);        // 0.614
  EXPECT_NEAR(cov(40) / var, (std::exp(-40.0 / 6.0) + std::exp(-1.0)) / 2.0, 0.03);       // 0.185
  // Scale 0 or a disabled daily life: nothing drawn.
  DailyLife smooth = one_rise_and_an_arousal();
  add_effort_irregularity(0.0, 1000.0, rng, smooth);
  EXPECT_TRUE(smooth.effort_noise.empty());
  EXPECT_EQ(smooth.effort_gain, 0.0);
  DailyLife off;
  add_effort_irregularity(1.0, 1000.0, rng, off);
  EXPECT_TRUE(off.effort_noise.empty());
}

TEST(SynthLife, ArousalsAreMoreFrequentAsleep) {
  LifeTraits tr;
  tr.arousals_per_h_sleep = 8.0;
  tr.arousals_per_h_awake = 1.0;
  double asleep_n = 0, awake_n = 0, asleep_h = 0, awake_h = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Rng rng(100 + seed);
    const DailyLife life = draw_daily_life(tr, 12.0, 24.0 * 3600.0, rng);
    for (const auto& e : life.events)
      if (e.kind == LifeEventKind::arousal && e.start_s >= 0.0 && e.start_s < 24.0 * 3600.0)
        (life_asleep(life, e.start_s) ? asleep_n : awake_n) += 1;
    for (int m = 0; m < 24 * 60; ++m) (life_asleep(life, m * 60.0 + 30.0) ? asleep_h : awake_h) += 1.0 / 60.0;
  }
  // Poisson rates 8/h asleep (none in the first 15 min of sleep) and 1/h awake.
  EXPECT_NEAR(asleep_n / asleep_h, 8.0 * (1.0 - 0.25 / 7.5), 1.0);
  EXPECT_NEAR(awake_n / awake_h, 1.0, 0.25);
}

TEST(SynthLife, PrematureBeatsSitWhereTheModelPutsThem) {
  EcgModel m = steady_model(3600, 60.0);  // sinus RR exactly 1 s
  m.ectopic_probability = 0.02;
  m.pac_probability = 0.02;
  m.run_probability = 0.3;
  Rng rng(7);
  const auto b = generate_beats(m, rng).beats;
  int singles_v = 0, singles_a = 0, runs = 0;
  for (std::size_t i = 1; i + 1 < b.size();) {
    if (b[i].symbol == 'N') {
      ++i;
      continue;
    }
    const std::size_t first = i;
    while (i < b.size() && b[i].symbol == b[first].symbol) ++i;
    ASSERT_LT(i, b.size());
    const std::size_t len = i - first;
    ASSERT_EQ(b[first - 1].symbol, 'N');
    ASSERT_EQ(b[i].symbol, 'N') << "a run is followed by a sinus beat";
    EXPECT_GE(len, 1u);
    EXPECT_LE(len, 5u);
    for (std::size_t k = first; k < i; ++k) {  // premature: 55-70 % of the sinus RR (1 s)
      EXPECT_GE(b[k].t - b[k - 1].t, 0.55 - 1e-9);
      EXPECT_LE(b[k].t - b[k - 1].t, 0.70 + 1e-9);
    }
    const double origin = b[first - 1].t, last = b[i - 1].t;
    if (b[first].symbol == 'V') {
      // Compensatory: the next sinus beat falls on the sinus grid (whole seconds after the origin),
      // the first one at least half an RR after the last premature beat; a single one: 2 RR.
      const double k = std::ceil(last + 0.5 - origin);
      EXPECT_NEAR(b[i].t - origin, k, 1e-9);
      if (len == 1) {
        EXPECT_NEAR(b[i].t - origin, 2.0, 1e-9);
        ++singles_v;
      }
    } else {
      EXPECT_NEAR(b[i].t - last, 1.1, 1e-9);  // reset: 1.1 RR after the last premature beat
      if (len == 1) {
        ++singles_a;
      }
    }
    if (len > 1) ++runs;
  }
  // About 0.04 events per sinus beat of ~3400: ~130 events, 30 % of them runs.
  EXPECT_GT(singles_v, 20);
  EXPECT_GT(singles_a, 20);
  EXPECT_GT(runs, 15);
  // The rendered ECG labels its R peaks with the same symbols.
  EcgModel mr = m;
  mr.duration_s = 120;
  Rng r1(7), r2(7);
  const BeatTrain train = generate_beats(mr, r1);
  const EcgSignal e = generate_ecg(mr, r2);
  std::vector<char> inside;
  for (const auto& beat : train.beats) {  // peaks at least 25 ms (6 samples at 256 Hz) inside the ends
    const long c = std::lround(beat.t * 256.0);
    if (c - 6 >= 1 && c + 6 <= 120 * 256 - 2) inside.push_back(beat.symbol);
  }
  EXPECT_EQ(e.symbol, inside);
}

std::vector<Beat> parse_beats_csv(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "time_s,symbol");
  std::vector<Beat> out;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    EXPECT_EQ(line.size() - comma, 2u) << line;
    EXPECT_EQ(comma - line.find('.'), 5u) << "4 decimals: " << line;
    Beat b;
    b.t = std::strtod(line.substr(0, comma).c_str(), nullptr);
    b.symbol = line[comma + 1];
    out.push_back(b);
  }
  return out;
}

TEST(SynthLife, BeatsCsvRoundTripsExactly) {
  EcgModel m = steady_model(600, 75.0);
  m.rr_jitter_s = 0.01;
  m.ectopic_probability = 0.01;
  m.pac_probability = 0.01;
  Rng rng(3);
  const auto listed = beat_list(generate_beats(m, rng).beats, 600.0);
  const auto parsed = parse_beats_csv(beats_csv_text(listed));
  ASSERT_EQ(parsed.size(), listed.size());
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(parsed[i].t, listed[i].t) << i;  // exact: the listed times are already rounded to 0.1 ms
    EXPECT_EQ(parsed[i].symbol, listed[i].symbol) << i;
    EXPECT_GE(listed[i].t, 0.0);
    EXPECT_LT(listed[i].t, 600.0);
  }
}

TEST(SynthLife, BeatsCohortIsTheSameBeatTrainAsTheEdfCohort) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_beats_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 2;
  o.recordings = 1;
  o.minutes = 4.0;
  o.seed = 12;
  o.eeg_channels = 1;
  o.seizure_rate_per_h = 20.0;
  o.out_dir = base / "edf";
  const CohortSummary edf = generate_cohort(o);
  o.format = "beats";
  o.out_dir = base / "beats";
  const CohortSummary beats = generate_cohort(o);
  o.out_dir = base / "beats2";
  generate_cohort(o);
  ASSERT_EQ(beats.recordings.size(), 2u);
  for (std::size_t r = 0; r < 2; ++r) {
    const auto& rb = beats.recordings[r];
    const auto& re = edf.recordings[r];
    EXPECT_EQ(rb.path, rb.patient + "/" + rb.patient + "_s001_t000_beats.csv");
    EXPECT_FALSE(fs::exists(base / "beats" / (rb.patient + "/" + rb.patient + "_s001_t000.edf")));
    const std::string tse = rb.patient + "/" + rb.patient + "_s001_t000.tse_bi";
    EXPECT_EQ(slurp(base / "beats" / tse), slurp(base / "edf" / tse));
    EXPECT_EQ(slurp(base / "beats" / rb.path), slurp(base / "beats2" / rb.path));
    const auto parsed = parse_beats_csv(slurp(base / "beats" / rb.path));
    EXPECT_EQ(parsed.size(), rb.n_beats);
    EXPECT_EQ(static_cast<std::size_t>(std::count_if(parsed.begin(), parsed.end(), [](const Beat& b) { return b.symbol == 'V'; })),
              rb.n_pvc);
    // Every true R peak of the EDF (sample of the largest QRS value) lies within 1.5 samples of
    // a listed beat time; the beat list has the same beats plus those within 25 ms of the ends.
    std::ifstream csv(base / "edf" / (re.path.substr(0, re.path.size() - 4) + ".rpeaks.csv"));
    std::string line;
    std::getline(csv, line);
    std::size_t j = 0, n = 0;
    while (std::getline(csv, line)) {
      const double t = std::stod(line.substr(line.find(',') + 1));
      while (j < parsed.size() && parsed[j].t < t - 1.5 / re.fs_hz) ++j;
      ASSERT_LT(j, parsed.size());
      EXPECT_NEAR(parsed[j].t, t, 1.5 / re.fs_hz) << line;
      ++n;
    }
    EXPECT_EQ(n, re.n_beats);
    EXPECT_LE(parsed.size() - n, 2u);
  }
  const std::string json = slurp(base / "beats" / "cohort.json");
  EXPECT_NE(json.find("\"format\": \"beats\""), std::string::npos);
  EXPECT_NE(json.find("\"responder\": "), std::string::npos);
  fs::remove_all(base);
}

TEST(SynthLife, DailyLifeSwitchKeepsSeizuresAndChangesTheHeartRate) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_switch_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 8;
  o.recordings = 1;
  o.minutes = 60.0;
  o.seed = 5;
  o.format = "beats";
  o.seizure_rate_per_h = 3.0;
  o.start_hour = 2.0;  // asleep for most patients (bedtime 22-01:30)
  o.out_dir = base / "on";
  const CohortSummary on = generate_cohort(o);
  o.daily_life = false;
  o.out_dir = base / "off";
  const CohortSummary off = generate_cohort(o);
  int non_responders = 0, asleep_recordings = 0;
  for (std::size_t r = 0; r < on.recordings.size(); ++r) {
    const auto& a = on.recordings[r];
    const auto& b = off.recordings[r];
    ASSERT_EQ(a.seizures.size(), b.seizures.size());
    for (std::size_t s = 0; s < a.seizures.size(); ++s) {
      EXPECT_EQ(a.seizures[s].start_s, b.seizures[s].start_s);
      EXPECT_EQ(a.seizures[s].hr_rise_bpm, b.seizures[s].hr_rise_bpm);
      if (!a.responder_patient) {
        EXPECT_FALSE(a.seizures[s].responder());
      }
    }
    EXPECT_TRUE(a.life.enabled);
    EXPECT_FALSE(b.life.enabled);
    EXPECT_EQ(a.start_hour, 2.0);
    non_responders += a.responder_patient ? 0 : 1;
    // At 02:00 the sleeping heart beats more slowly than the resting one of the same patient.
    // (Seizures add the same rise to both.)
    if (life_asleep(a.life, 0.0) && life_asleep(a.life, 3600.0)) {
      EXPECT_LT(a.n_beats, b.n_beats) << a.path;
      ++asleep_recordings;
    }
  }
  EXPECT_EQ(non_responders, 2);  // round(0.25 * 8)
  EXPECT_GE(asleep_recordings, 4);
  fs::remove_all(base);
}

TEST(SynthLife, ExertionBurstsChangeOnlyTheHeartRateAndAreCounted) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_bursts_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 4;
  o.recordings = 1;
  o.minutes = 24.0 * 60.0;
  o.seed = 9;
  o.format = "beats";
  o.exertion_bursts = 0.0;
  o.out_dir = base / "off";
  const CohortSummary off = generate_cohort(o);
  o.exertion_bursts = 2.0;
  o.out_dir = base / "on";
  const CohortSummary on = generate_cohort(o);
  std::size_t bursts = 0;
  for (std::size_t r = 0; r < on.recordings.size(); ++r) {
    const auto& a = on.recordings[r];
    const auto& b = off.recordings[r];
    ASSERT_EQ(a.seizures.size(), b.seizures.size());
    for (std::size_t s = 0; s < a.seizures.size(); ++s) EXPECT_EQ(a.seizures[s].start_s, b.seizures[s].start_s);
    EXPECT_EQ(without_bursts(a.life).size(), b.life.events.size());
    for (const auto& e : a.life.events) bursts += e.kind == LifeEventKind::burst ? 1 : 0;
    // A day of bursts at 2 per awake hour x activity: more heart beats than without them.
    EXPECT_GT(a.n_beats, b.n_beats) << a.path;
  }
  EXPECT_GT(bursts, 20u);
  const std::string with = slurp(base / "on" / "cohort.json"), without = slurp(base / "off" / "cohort.json");
  EXPECT_NE(with.find("\"exertion_bursts\": 2"), std::string::npos);
  EXPECT_NE(with.find("\"n_burst\": "), std::string::npos);
  EXPECT_EQ(without.find("exertion_bursts"), std::string::npos);  // rate 0: the manifest as before bursts
  EXPECT_EQ(without.find("n_burst"), std::string::npos);
  fs::remove_all(base);
}

TEST(SynthLife, ValidateNamesTheNewOptions) {
  SynthOptions o;
  o.out_dir = "/tmp/x";
  o.format = "wav";
  EXPECT_THROW(validate(o), ConfigError);
  o.format = "edf";
  o.minutes = 2000.0;
  try {
    validate(o);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("use --format beats"), std::string::npos) << e.what();
  }
  o.format = "beats";
  EXPECT_NO_THROW(validate(o));
  o.start_hour = 24.0;
  EXPECT_THROW(validate(o), ConfigError);
  o.start_hour = 23.5;
  EXPECT_NO_THROW(validate(o));
  o.age_min = 80.0;
  o.age_max = 60.0;
  EXPECT_THROW(validate(o), ConfigError);
  o.age_min = 18.0;
  o.age_max = 70.0;
  for (const double bad : {-0.1, 10.5, std::nan("")}) {
    o.exertion_bursts = bad;
    EXPECT_THROW(validate(o), ConfigError) << bad;
  }
  o.exertion_bursts = 0.0;
  EXPECT_NO_THROW(validate(o));
  for (const double bad : {-0.1, 3.5, std::nan("")}) {
    o.effort_irregularity = bad;
    EXPECT_THROW(validate(o), ConfigError) << bad;
  }
  o.effort_irregularity = 0.0;
  EXPECT_NO_THROW(validate(o));
  for (const double bad : {5.0, 2000.0, std::nan("")}) {
    o.effort_hrv_bpm = bad;
    EXPECT_THROW(validate(o), ConfigError) << bad;
  }
  o.effort_hrv_bpm = 40.0;
  EXPECT_NO_THROW(validate(o));
  for (const double bad : {-0.1, 1.5, std::nan("")}) {
    o.ictal_vagal_withdrawal = bad;
    EXPECT_THROW(validate(o), ConfigError) << bad;
  }
  o.ictal_vagal_withdrawal = 0.0;
  EXPECT_NO_THROW(validate(o));
  for (const double bad : {-0.1, 1.5, std::nan("")}) {
    o.weak_withdrawal_fraction = bad;
    EXPECT_THROW(validate(o), ConfigError) << bad;
  }
  o.weak_withdrawal_fraction = 1.0;
  EXPECT_NO_THROW(validate(o));
}

TEST(SynthLife, WeakWithdrawalPatientsWithdrawLittleAndAreListed) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_weak_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 4;
  o.recordings = 1;
  o.minutes = 6.0 * 60.0;
  o.seed = 6;
  o.format = "beats";
  o.seizure_rate_per_h = 2.0;
  o.no_hr_change_fraction = 0.0;
  o.weak_withdrawal_fraction = 1.0;
  o.out_dir = base / "weak";
  const CohortSummary weak = generate_cohort(o);
  o.weak_withdrawal_fraction = 0.0;
  o.out_dir = base / "strong";
  const CohortSummary strong = generate_cohort(o);
  std::size_t n = 0;
  for (std::size_t r = 0; r < weak.recordings.size(); ++r) {
    EXPECT_TRUE(weak.recordings[r].weak_withdrawal_patient);
    EXPECT_FALSE(strong.recordings[r].weak_withdrawal_patient);
    const auto& a = weak.recordings[r].seizures;
    const auto& b = strong.recordings[r].seizures;
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t s = 0; s < a.size(); ++s) {
      EXPECT_EQ(a[s].start_s, b[s].start_s);  // the same seizures, only the withdrawal differs
      if (!a[s].hr_change) continue;
      const double k = std::min(1.0, a[s].hr_rise_bpm / 20.0);
      EXPECT_LT(a[s].vagal_drop, 0.2 * k);
      EXPECT_GE(b[s].vagal_drop, 0.3 * k);
      ++n;
    }
  }
  EXPECT_GT(n, 10u);
  EXPECT_NE(slurp(base / "weak" / "cohort.json").find("\"weak_withdrawal_patient\": true"), std::string::npos);
  EXPECT_EQ(slurp(base / "strong" / "cohort.json").find("\"weak_withdrawal_patient\": true"), std::string::npos);
  fs::remove_all(base);
}

TEST(SynthLife, EffortIrregularityChangesOnlyTheHeartRateAndIsListed) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_effort_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 3;
  o.recordings = 1;
  o.minutes = 12.0 * 60.0;
  o.seed = 4;
  o.format = "beats";
  o.effort_irregularity = 0.0;
  o.out_dir = base / "off";
  const CohortSummary off = generate_cohort(o);
  o.effort_irregularity = 1.5;
  o.out_dir = base / "on";
  const CohortSummary on = generate_cohort(o);
  for (std::size_t r = 0; r < on.recordings.size(); ++r) {
    const auto& a = on.recordings[r];
    const auto& b = off.recordings[r];
    ASSERT_EQ(a.seizures.size(), b.seizures.size());
    for (std::size_t s = 0; s < a.seizures.size(); ++s) EXPECT_EQ(a.seizures[s].start_s, b.seizures[s].start_s);
    ASSERT_EQ(a.life.events.size(), b.life.events.size());  // the same day, only less smooth
    for (std::size_t e = 0; e < a.life.events.size(); ++e) EXPECT_EQ(a.life.events[e].start_s, b.life.events[e].start_s);
    EXPECT_TRUE(b.life.effort_noise.empty());
    EXPECT_GE(a.life.effort_gain, 1.5 * 0.12);
    EXPECT_LT(a.life.effort_gain, 1.5 * 0.27);
    EXPECT_NE(a.n_beats, b.n_beats) << a.path;
  }
  const std::string with = slurp(base / "on" / "cohort.json"), without = slurp(base / "off" / "cohort.json");
  EXPECT_NE(with.find("\"effort_irregularity\": 1.5"), std::string::npos);
  EXPECT_EQ(without.find("effort_irregularity"), std::string::npos);  // 0: the manifest as before
  fs::remove_all(base);
}

}  // namespace
}  // namespace ecgforest::synth

#else
TEST(SynthLife, NeedsSynthLibrary) { GTEST_SKIP() << "ecgforest_unit_tests does not link ecgforest_synth."; }
#endif
