// Robustness of the R-peak detector on generated ECG with known beat positions: inverted
// polarity at 128-1000 Hz, paced beats with pacing spikes, PVC bigeminy, 220 bpm, flat and
// saturated stretches, µV vs mV, chunked = whole-signal. Each case can fail: the expected beats
// come from the generator, never from the detector.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include <omp.h>

#include "ecgforest/signal/rpeaks.hpp"

namespace sig = ecgforest::signal;

namespace {

enum class Kind { normal, pvc, paced };
struct Beat {
  double t;  // true R-peak (main QRS deflection) time, seconds
  Kind kind;
};

double g(double t, double mu, double sigma) {
  const double z = (t - mu) / sigma;
  return std::exp(-0.5 * z * z);
}

// Renders beats in mV at fs with white noise (sd 0.02 mV) and 0.3 Hz baseline wander (0.2 mV).
// Paced beats get a 0.5 ms (at least one sample) +4 mV spike 40 ms before their R peak.
Eigen::VectorXd render(const std::vector<Beat>& beats, double fs, double duration_s, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  const auto n = static_cast<Eigen::Index>(std::floor(duration_s * fs));
  Eigen::VectorXd x(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    x[i] = 0.2 * std::sin(2.0 * std::numbers::pi * 0.3 * t) + noise(rng);
  }
  for (const Beat& b : beats) {
    const auto lo = std::max<Eigen::Index>(0, static_cast<Eigen::Index>((b.t - 0.5) * fs));
    const auto hi = std::min<Eigen::Index>(n, static_cast<Eigen::Index>((b.t + 0.6) * fs));
    for (Eigen::Index i = lo; i < hi; ++i) {
      const double t = static_cast<double>(i) / fs, c = b.t;
      switch (b.kind) {
        case Kind::normal:
          x[i] += 0.15 * g(t, c - 0.16, 0.025) - 0.12 * g(t, c - 0.03, 0.008) + 1.0 * g(t, c, 0.009) -
                  0.25 * g(t, c + 0.03, 0.009) + 0.3 * g(t, c + 0.25, 0.04);
          break;
        case Kind::pvc:  // wide, tall, no P wave, discordant T
          x[i] += 1.6 * g(t, c, 0.025) - 0.7 * g(t, c + 0.07, 0.03) - 0.45 * g(t, c + 0.32, 0.06);
          break;
        case Kind::paced:  // wide paced QRS, discordant T
          x[i] += 1.0 * g(t, c, 0.022) - 0.5 * g(t, c + 0.06, 0.025) - 0.3 * g(t, c + 0.3, 0.06);
          break;
      }
    }
    if (b.kind == Kind::paced) {
      const auto s = static_cast<Eigen::Index>(std::llround((b.t - 0.04) * fs));
      const auto w = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(0.0005 * fs)));
      for (Eigen::Index i = s; i < std::min(n, s + w); ++i) {
        if (i >= 0) x[i] += 4.0;
      }
    }
  }
  return x;
}

std::vector<Beat> regular(double rr_s, double duration_s, Kind kind, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.03, 0.03);
  std::vector<Beat> out;
  for (double t = 0.7; t < duration_s - 0.7; t += rr_s * (1.0 + jitter(rng))) out.push_back({t, kind});
  return out;
}

// Greedy closest-first one-to-one matching within tol samples; returns the matched count.
std::size_t matches(const std::vector<std::int64_t>& ref, const std::vector<std::int64_t>& det, std::int64_t tol) {
  std::vector<std::tuple<std::int64_t, std::size_t, std::size_t>> c;
  for (std::size_t r = 0; r < ref.size(); ++r) {
    for (std::size_t d = 0; d < det.size(); ++d) {
      if (std::abs(det[d] - ref[r]) <= tol) c.emplace_back(std::abs(det[d] - ref[r]), r, d);
    }
  }
  std::sort(c.begin(), c.end());
  std::vector<char> ur(ref.size(), 0), ud(det.size(), 0);
  std::size_t tp = 0;
  for (const auto& [dist, r, d] : c) {
    if (ur[r] || ud[d]) continue;
    ur[r] = ud[d] = 1;
    ++tp;
  }
  return tp;
}

std::vector<std::int64_t> truth(const std::vector<Beat>& beats, double fs) {
  std::vector<std::int64_t> out;
  for (const Beat& b : beats) out.push_back(std::llround(b.t * fs));
  return out;
}

// Every true beat found within tol_ms and no other detection.
void expect_all(const std::vector<Beat>& beats, const sig::RPeaks& r, double fs, double tol_ms) {
  const auto ref = truth(beats, fs);
  const auto tol = static_cast<std::int64_t>(std::floor(tol_ms * 1e-3 * fs));
  EXPECT_EQ(r.sample.size(), ref.size()) << "extra or missing detections";
  EXPECT_EQ(matches(ref, r.sample, tol), ref.size()) << "beats not found within " << tol_ms << " ms";
}

class InvertedAtRate : public ::testing::TestWithParam<double> {};

TEST_P(InvertedAtRate, FlipsAndFindsEveryBeatOnTheRPeak) {
  const double fs = GetParam();
  const auto beats = regular(0.85, 40.0, Kind::normal, 21);
  const Eigen::VectorXd x = -render(beats, fs, 40.0, 22);
  const auto r = sig::detect_rpeaks(x, fs);
  EXPECT_TRUE(r.inverted);
  expect_all(beats, r, fs, 1000.0 / fs + 5.0);  // within one sample + 5 ms
}

INSTANTIATE_TEST_SUITE_P(Rates, InvertedAtRate, ::testing::Values(128.0, 200.0, 256.0, 500.0, 1000.0));

TEST(RPeaksRobust, PacedBeatsCountedOnceEach) {
  for (double fs : {250.0, 360.0, 1000.0}) {
    SCOPED_TRACE(fs);
    const auto beats = regular(0.857, 60.0, Kind::paced, 31);  // 70 bpm pacing
    const auto r = sig::detect_rpeaks(render(beats, fs, 60.0, 32), fs);
    // One detection per beat, on the paced QRS (the spike is 40 ms earlier and 4x taller).
    expect_all(beats, r, fs, 15.0);
  }
}

TEST(RPeaksRobust, PvcBigeminyFindsNormalAndEctopicBeats) {
  // Normal beat, then a PVC at 60 % of the RR, then a compensatory pause: N V N V ...
  std::vector<Beat> beats;
  const double rr = 0.9;
  for (double t = 0.7; t < 59.0; t += 2.0 * rr) {
    beats.push_back({t, Kind::normal});
    beats.push_back({t + 0.6 * rr, Kind::pvc});
  }
  const double fs = 360.0;
  const auto r = sig::detect_rpeaks(render(beats, fs, 60.0, 41), fs);
  EXPECT_FALSE(r.inverted);
  expect_all(beats, r, fs, 30.0);
}

// Electrode pops: a step of `amp` mV reached over 10 ms (raised cosine) that relaxes back with a
// 0.15 s time constant, at each time in `at_s`.
void add_pops(Eigen::VectorXd& x, double fs, const std::vector<double>& at_s, double amp) {
  for (double t0 : at_s) {
    const auto a = static_cast<Eigen::Index>(std::llround(t0 * fs));
    for (Eigen::Index i = std::max<Eigen::Index>(0, a); i < x.size(); ++i) {
      const double k = static_cast<double>(i - a) / fs;
      if (k > 2.0) break;
      const double rise = k < 0.01 ? 0.5 - 0.5 * std::cos(std::numbers::pi * k / 0.01) : 1.0;
      x[i] += amp * rise * std::exp(-std::max(0.0, k - 0.01) / 0.15);
    }
  }
}

TEST(RPeaksRobust, ElectrodePopsBetweenBeatsAreNotBeats) {
  // 70 bpm with a 0.35 mV electrode pop (a third of the R wave, a 10 ms edge) at 45 % of every
  // third RR: every beat is found and no pop is taken for one.
  const double fs = 360.0, duration = 120.0;
  const auto beats = regular(0.857, duration, Kind::normal, 51);
  std::vector<double> pops;
  for (std::size_t k = 0; k + 1 < beats.size(); k += 3) pops.push_back(beats[k].t + 0.45 * (beats[k + 1].t - beats[k].t));
  Eigen::VectorXd x = render(beats, fs, duration, 52);
  add_pops(x, fs, pops, 0.35);
  expect_all(beats, sig::detect_rpeaks(x, fs), fs, 20.0);
}

TEST(RPeaksRobust, PlainDetectorAgreesOnCleanEctopicRhythm) {
  // The beat-template stage must not drop ectopic beats: on PVC bigeminy (half the beats have a
  // second morphology) "elgendi-plain" (no template stage) finds every beat too.
  std::vector<Beat> beats;
  for (double t = 0.7; t < 59.0; t += 1.8) {
    beats.push_back({t, Kind::normal});
    beats.push_back({t + 0.54, Kind::pvc});
  }
  const double fs = 360.0;
  const Eigen::VectorXd x = render(beats, fs, 60.0, 43);
  sig::DetectorOptions plain;
  plain.detector = ecgforest::Detector::elgendi_plain;
  expect_all(beats, sig::detect_rpeaks(x, fs, plain), fs, 30.0);
  expect_all(beats, sig::detect_rpeaks(x, fs), fs, 30.0);
}

TEST(RPeaksRobust, Tachycardia220Bpm) {
  for (double fs : {128.0, 256.0, 1000.0}) {
    SCOPED_TRACE(fs);
    const auto beats = regular(60.0 / 220.0, 30.0, Kind::normal, 51);
    const auto r = sig::detect_rpeaks(render(beats, fs, 30.0, 52), fs);
    expect_all(beats, r, fs, 1000.0 / fs + 5.0);
  }
}

TEST(RPeaksRobust, FlatAndSaturatedStretchesAreMarkedWithoutBeats) {
  const double fs = 256.0;
  const auto beats = regular(0.8, 60.0, Kind::normal, 61);
  Eigen::VectorXd x = render(beats, fs, 60.0, 62) * 1000.0;  // µV
  const double hi = x.maxCoeff() * 1.2, lo = x.minCoeff() * 1.2;
  // Amplifier rail at +-hi: saturate 20-23 s at the top rail, 40-41 s at the bottom one; flat
  // line (electrode off) 30-35 s.
  x.segment(static_cast<Eigen::Index>(20 * fs), static_cast<Eigen::Index>(3 * fs)).setConstant(hi);
  x.segment(static_cast<Eigen::Index>(40 * fs), static_cast<Eigen::Index>(1 * fs)).setConstant(lo);
  x.segment(static_cast<Eigen::Index>(30 * fs), static_cast<Eigen::Index>(5 * fs)).setConstant(12.5);
  const auto r = sig::detect_rpeaks(x, fs);
  const std::vector<std::pair<double, double>> stretches{{20, 23}, {30, 35}, {40, 41}};
  // Each stretch lies inside one bad segment no more than 0.3 s wider on each side.
  for (const auto& [a, b] : stretches) {
    bool covered = false;
    for (const auto& s : r.bad) {
      const double sa = static_cast<double>(s.begin_sample) / fs, sb = static_cast<double>(s.end_sample) / fs;
      if (sa <= a + 1e-9 && sb >= b - 1e-9 && sa >= a - 0.3 && sb <= b + 0.3) covered = true;
    }
    EXPECT_TRUE(covered) << "stretch " << a << "-" << b << " s not marked";
  }
  // No detection inside (or within 0.1 s of) a stretch; every beat 0.3 s away from them found.
  std::vector<Beat> outside;
  for (const Beat& bt : beats) {
    bool far = true;
    for (const auto& [a, b] : stretches) far = far && (bt.t < a - 0.3 || bt.t > b + 0.3);
    if (far) outside.push_back(bt);
  }
  for (auto p : r.sample) {
    const double t = static_cast<double>(p) / fs;
    for (const auto& [a, b] : stretches) EXPECT_FALSE(t > a - 0.1 && t < b + 0.1) << "false beat at " << t << " s";
  }
  const auto ref = truth(outside, fs);
  EXPECT_EQ(matches(ref, r.sample, static_cast<std::int64_t>(0.01 * fs)), ref.size());
  EXPECT_LE(r.sample.size(), ref.size() + 6);  // beats cut by a stretch edge may be kept
}

TEST(RPeaksRobust, NonFiniteSamplesAreMarkedAsNoiseWithoutBeats) {
  const double fs = 500.0;
  const auto beats = regular(0.8, 40.0, Kind::normal, 91);
  Eigen::VectorXd x = render(beats, fs, 40.0, 92);
  x.segment(static_cast<Eigen::Index>(10 * fs), static_cast<Eigen::Index>(2 * fs)).setConstant(std::nan(""));
  x[static_cast<Eigen::Index>(25 * fs)] = INFINITY;  // a single corrupt sample
  const auto r = sig::detect_rpeaks(x, fs);
  ASSERT_EQ(r.bad.size(), 2u);
  EXPECT_EQ(r.bad[0].reason, "noise");
  EXPECT_LE(r.bad[0].begin_sample, static_cast<std::int64_t>(10 * fs));
  EXPECT_GE(r.bad[0].end_sample, static_cast<std::int64_t>(12 * fs));
  std::vector<Beat> outside;
  for (const Beat& b : beats) {
    if ((b.t < 9.9 || b.t > 12.1) && std::abs(b.t - 25.0) > 0.1) outside.push_back(b);
  }
  for (auto p : r.sample) {
    EXPECT_FALSE(p >= r.bad[0].begin_sample && p < r.bad[0].end_sample);
    EXPECT_FALSE(p >= r.bad[1].begin_sample && p < r.bad[1].end_sample);
  }
  const auto ref = truth(outside, fs);
  EXPECT_EQ(matches(ref, r.sample, static_cast<std::int64_t>(0.01 * fs)), ref.size());
  EXPECT_LE(r.sample.size(), ref.size() + 3);
}

TEST(RPeaksRobust, MicrovoltsAndMillivoltsGiveTheSameBeats) {
  const double fs = 250.0;
  const auto beats = regular(0.75, 40.0, Kind::normal, 71);
  const Eigen::VectorXd mv = render(beats, fs, 40.0, 72);
  const auto a = sig::detect_rpeaks(mv, fs);
  const auto b = sig::detect_rpeaks(mv * 1000.0, fs);
  const auto c = sig::detect_rpeaks(mv * 1e-3, fs);  // volts, an unusual but valid unit
  expect_all(beats, a, fs, 8.0);
  EXPECT_EQ(a.sample, b.sample);
  EXPECT_EQ(a.sample, c.sample);
}

}  // namespace

namespace {

// 10 minutes with a flat stretch and a saturated stretch placed across chunk boundaries.
Eigen::VectorXd long_recording(double fs, std::vector<Beat>& beats) {
  beats = regular(0.8, 600.0, Kind::normal, 81);
  for (std::size_t i = 5; i < beats.size(); i += 9) beats[i].kind = Kind::pvc;
  Eigen::VectorXd x = render(beats, fs, 600.0, 82);
  x.segment(static_cast<Eigen::Index>(58 * fs), static_cast<Eigen::Index>(4 * fs)).setConstant(0.05);
  x.segment(static_cast<Eigen::Index>(239.5 * fs), static_cast<Eigen::Index>(1 * fs)).setConstant(x.maxCoeff());
  return x;
}

TEST(RPeaksRobust, ChunkedProcessingEqualsWholeSignal) {
  const double fs = 250.0;
  std::vector<Beat> beats;
  const Eigen::VectorXd x = long_recording(fs, beats);
  sig::DetectorOptions whole, small;
  whole.chunk_s = 1e6;  // one chunk
  small.chunk_s = 7.0;  // 86 chunks, most band-passed 8 at a time
  const auto a = sig::detect_rpeaks(x, fs);  // default 60-s chunks
  const auto b = sig::detect_rpeaks(x, fs, whole);
  const auto c = sig::detect_rpeaks(x, fs, small);
  EXPECT_EQ(a.sample, b.sample);
  EXPECT_EQ(a.sample, c.sample);
  ASSERT_EQ(a.bad.size(), b.bad.size());
  for (std::size_t i = 0; i < a.bad.size(); ++i) {
    EXPECT_EQ(a.bad[i].begin_sample, b.bad[i].begin_sample);
    EXPECT_EQ(a.bad[i].end_sample, b.bad[i].end_sample);
  }
  // And the beats are right: all beats 0.5 s away from the two stretches, nothing else inside.
  std::size_t expected = 0;
  for (const Beat& bt : beats) expected += (bt.t < 57.5 || bt.t > 62.5) && (bt.t < 239.0 || bt.t > 241.0);
  EXPECT_GE(a.sample.size(), expected);
  EXPECT_LE(a.sample.size(), expected + 4);
}

TEST(RPeaksRobust, SameBeatsForAnyThreadCount) {
  const double fs = 360.0;
  std::vector<Beat> beats;
  const Eigen::VectorXd x = long_recording(fs, beats);
  sig::DetectorOptions o;
  o.chunk_s = 20.0;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = sig::detect_rpeaks(x, fs, o);
  omp_set_num_threads(2);
  const auto two = sig::detect_rpeaks(x, fs, o);
  omp_set_num_threads(3);
  const auto three = sig::detect_rpeaks(x, fs, o);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.sample, two.sample);
  EXPECT_EQ(one.sample, three.sample);
  EXPECT_EQ(one.inverted, three.inverted);
  EXPECT_GT(one.sample.size(), 700u);
}

}  // namespace
