// Signal-quality index on generated ECG: clean windows high, flat/saturated/noisy windows low.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <vector>

#include "ecgforest/signal/rpeaks.hpp"
#include "ecgforest/signal/sqi.hpp"

namespace sig = ecgforest::signal;

namespace {

// mV ECG, RR 0.8 s +-3 %, white noise 0.02 mV, baseline wander 0.2 mV.
Eigen::VectorXd ecg(double fs, double duration_s, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  std::uniform_real_distribution<double> jit(-0.03, 0.03);
  std::vector<double> beats;
  for (double t = 0.6; t < duration_s - 0.6; t += 0.8 * (1.0 + jit(rng))) beats.push_back(t);
  const auto n = static_cast<Eigen::Index>(duration_s * fs);
  Eigen::VectorXd x(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    double v = 0.2 * std::sin(2.0 * std::numbers::pi * 0.3 * t) + noise(rng);
    for (double c : beats) {
      if (std::abs(t - c) > 0.5) continue;
      auto g = [&](double mu, double s) { return std::exp(-0.5 * (t - mu) * (t - mu) / (s * s)); };
      v += 0.15 * g(c - 0.16, 0.025) + g(c, 0.009) - 0.25 * g(c + 0.03, 0.009) + 0.3 * g(c + 0.25, 0.04);
    }
    x[i] = v;
  }
  return x;
}

TEST(Sqi, CleanHighFlatZeroNoiseLow) {
  const double fs = 250.0, dur = 120.0;
  Eigen::VectorXd x = ecg(fs, dur, 3);
  // 40-55 s: flat line (electrode off); 80-95 s: heavy muscle-like noise (white, sd 0.6 mV,
  // high-passed by differencing so it looks like EMG bursts).
  x.segment(static_cast<Eigen::Index>(40 * fs), static_cast<Eigen::Index>(15 * fs)).setConstant(0.1);
  std::mt19937 rng(5);
  std::normal_distribution<double> emg(0.0, 0.6);
  double prev = 0.0;
  for (auto i = static_cast<Eigen::Index>(80 * fs); i < static_cast<Eigen::Index>(95 * fs); ++i) {
    const double e = emg(rng);
    x[i] += e - prev;
    prev = e;
  }
  const auto peaks = sig::detect_rpeaks(x, fs);
  const auto q = sig::beat_quality(x, fs, peaks);
  ASSERT_EQ(q.size(), peaks.sample.size());
  std::vector<double> ends;
  for (double e = 10.0; e <= dur; e += 1.0) ends.push_back(e);
  const auto s = sig::window_sqi(q, peaks, fs, ends, 10.0);
  ASSERT_EQ(s.size(), ends.size());
  float clean_min = 1.0f, noisy_max = 0.0f;
  for (std::size_t w = 0; w < ends.size(); ++w) {
    const double a = ends[w] - 10.0, b = ends[w];
    EXPECT_GE(s[w], 0.0f);
    EXPECT_LE(s[w], 1.0f);
    const bool clean = (b < 39.5) || (a > 55.5 && b < 79.5) || a > 95.5;
    if (clean) {
      EXPECT_GT(s[w], 0.85f) << "clean window ending " << b;
      clean_min = std::min(clean_min, s[w]);
    }
    if (a >= 40.0 && b <= 55.0) {
      EXPECT_EQ(s[w], 0.0f) << "flat window ending " << b;
    }
    if (a >= 80.0 && b <= 95.0) {
      EXPECT_LT(s[w], 0.5f) << "noisy window ending " << b;
      noisy_max = std::max(noisy_max, s[w]);
    }
    if (a >= 35.0 && b <= 50.0) {
      EXPECT_LT(s[w], 0.7f) << "half-flat window ending " << b;
    }
  }
  std::printf("sqi: clean windows >= %.3f, noisy windows <= %.3f\n", static_cast<double>(clean_min),
              static_cast<double>(noisy_max));
}

TEST(Sqi, FewerThanThreeBeatsGiveZeroAndEmptyInputsWork) {
  sig::RPeaks p;
  p.sample = {100, 300};
  const Eigen::VectorXd x = Eigen::VectorXd::Zero(1000);
  const auto q = sig::beat_quality(x, 100.0 * 2.5, p);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(sig::window_sqi(q, p, 250.0, {4.0}, 4.0), std::vector<float>{0.0f});
  EXPECT_TRUE(sig::window_sqi({}, sig::RPeaks{}, 250.0, {}, 10.0).empty());
}

}  // namespace
