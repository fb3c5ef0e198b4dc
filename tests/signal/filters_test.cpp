// Butterworth design, zero-phase filtering and moving averages.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/signal/filters.hpp"

namespace sig = ecgforest::signal;

namespace {

// |H(e^{jw})| of the cascade at frequency f (Hz), evaluated from the coefficients.
double magnitude(const std::vector<sig::Biquad>& c, double f, double fs) {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * f / fs);
  const std::complex<double> z2 = z1 * z1;
  std::complex<double> h = 1.0;
  for (const auto& s : c) h *= (s.b0 + s.b1 * z1 + s.b2 * z2) / (1.0 + s.a1 * z1 + s.a2 * z2);
  return std::abs(h);
}

TEST(Filters, ButterworthHasMinus3dBAtCutoffAndFlatPassband) {
  for (int order : {2, 4}) {
    const auto lp = sig::butterworth_lowpass(order, 20.0, 360.0);
    EXPECT_EQ(lp.size(), static_cast<std::size_t>(order / 2));
    EXPECT_NEAR(magnitude(lp, 0.0, 360.0), 1.0, 1e-12);
    EXPECT_NEAR(magnitude(lp, 20.0, 360.0), std::sqrt(0.5), 1e-9);
    EXPECT_LT(magnitude(lp, 80.0, 360.0), 0.1);
    const auto hp = sig::butterworth_highpass(order, 8.0, 250.0);
    EXPECT_NEAR(magnitude(hp, 8.0, 250.0), std::sqrt(0.5), 1e-9);
    EXPECT_NEAR(magnitude(hp, 125.0, 250.0), 1.0, 1e-9);
    EXPECT_LT(magnitude(hp, 0.5, 250.0), 0.01);
  }
  EXPECT_THROW(sig::butterworth_lowpass(3, 20.0, 360.0), ecgforest::Error);
  EXPECT_THROW(sig::butterworth_lowpass(2, 200.0, 360.0), ecgforest::Error);
}

TEST(Filters, FiltfiltKeepsPhaseAndRemovesOffset) {
  const double fs = 500.0;
  const std::size_t n = 5000;
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = 3.0 + std::sin(2.0 * std::numbers::pi * 10.0 * static_cast<double>(i) / fs);
  }
  auto band = sig::butterworth_highpass(2, 2.0, fs);
  for (const auto& s : sig::butterworth_lowpass(2, 40.0, fs)) band.push_back(s);
  sig::filtfilt(band, x.data(), y.data(), n);
  const double g = magnitude(band, 10.0, fs) * magnitude(band, 10.0, fs);  // squared by filtfilt
  for (std::size_t i = 1000; i < 4000; ++i) {
    EXPECT_NEAR(y[i], g * (x[i] - 3.0), 1e-3) << i;
  }
}

TEST(Filters, MovingAverageIsCentredAndShrinksAtEdges) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7};
  std::vector<double> y(x.size());
  sig::moving_average(x.data(), y.data(), x.size(), 3);
  const std::vector<double> expect = {1.5, 2, 3, 4, 5, 6, 6.5};
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_DOUBLE_EQ(y[i], expect[i]);
  sig::moving_average(x.data(), y.data(), x.size(), 5);
  const std::vector<double> expect5 = {2, 2.5, 3, 4, 5, 5.5, 6};
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_DOUBLE_EQ(y[i], expect5[i]);
  sig::moving_average(x.data(), y.data(), x.size(), 99);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_DOUBLE_EQ(y[i], 4.0);
}

TEST(Filters, FloatAndLaneFiltfiltMatchTheDoubleFiltfilt) {
  // 8-20 Hz band-pass (the detector's) on 8 different signals: the float filtfilt stays within
  // 1e-4 (relative to the signal scale) of the double one, and each lane of filtfilt_lanes
  // matches the float filtfilt of its signal.
  const double fs = 360.0;
  auto band = sig::butterworth_highpass(2, 8.0, fs);
  for (const auto& s : sig::butterworth_lowpass(2, 20.0, fs)) band.push_back(s);
  const std::size_t n = 5000;
  const auto lanes_n = static_cast<std::size_t>(sig::kLanes);
  std::vector<float> lanes(n * lanes_n);
  std::vector<std::vector<float>> want(lanes_n);
  for (std::size_t g = 0; g < lanes_n; ++g) {
    std::vector<double> xd(n), yd(n);
    std::vector<float> xf(n), yf(n);
    const double scale = 1.0 + 50.0 * static_cast<double>(g);
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / fs;
      xd[i] = scale + std::sin(2.0 * std::numbers::pi * (3.0 + 2.0 * static_cast<double>(g)) * t) +
              0.5 * std::cos(2.0 * std::numbers::pi * 31.0 * t);
      xf[i] = static_cast<float>(xd[i]);
      lanes[i * lanes_n + g] = xf[i];
    }
    sig::filtfilt(band, xd.data(), yd.data(), n);
    sig::filtfilt(band, xf.data(), yf.data(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(static_cast<double>(yf[i]), yd[i], 1e-4 * scale) << g << " " << i;
    want[g] = yf;
  }
  sig::filtfilt_lanes(band, lanes.data(), n);
  for (std::size_t g = 0; g < lanes_n; ++g) {
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(lanes[i * lanes_n + g], want[g][i], 1e-6f * (1.0f + std::abs(want[g][i]))) << "lane " << g << " sample " << i;
    }
  }
}

}  // namespace
