#include "ecgforest/pipeline/tune_select.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace ecgforest::pipeline {
namespace {

/// A(t | df) = P(|T| < t) for t >= 0 (Abramowitz & Stegun 26.7.3 odd df, 26.7.4 even df).
double t_two_sided(double t, std::size_t df) {
  const double theta = std::atan(t / std::sqrt(static_cast<double>(df)));
  const double s = std::sin(theta), c2 = std::cos(theta) * std::cos(theta);
  if (df % 2 == 1) {
    double term = std::cos(theta), sum = df > 1 ? term : 0.0;
    for (std::size_t k = 3; k + 2 <= df; k += 2) {  // cos^k theta, k = 3..df-2
      term *= c2 * static_cast<double>(k - 1) / static_cast<double>(k);
      sum += term;
    }
    return 2.0 / std::numbers::pi * (theta + s * sum);
  }
  double term = 1.0, sum = 1.0;
  for (std::size_t k = 2; k + 2 <= df; k += 2) {  // cos^k theta, k = 2..df-2
    term *= c2 * static_cast<double>(k - 1) / static_cast<double>(k);
    sum += term;
  }
  return s * sum;
}

}  // namespace

double student_t_quantile(double p, std::size_t df) {
  const double target = 2.0 * p - 1.0;  // P(|T| < t) for the one-sided p
  double lo = 0.0, hi = 1e6;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (t_two_sided(mid, df) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double tune_margin(double se, std::size_t clusters, std::size_t alternatives) {
  if (std::isnan(se) || clusters < 2 || alternatives == 0) return std::numeric_limits<double>::infinity();
  const double q = student_t_quantile(1.0 - kTuneAlpha / static_cast<double>(alternatives), clusters - 1);
  return std::max(kTuneMinGain, q * se);
}

std::size_t choose_tuned(const std::vector<double>& gains, const std::vector<double>& margins) {
  std::size_t chosen = 0;
  double best = 0.0;  // the lower bound gain - margin must be > 0
  for (std::size_t i = 1; i < gains.size() && i < margins.size(); ++i) {
    const double bound = gains[i] - margins[i];
    if (bound > best) {  // false for NaN
      best = bound;
      chosen = i;
    }
  }
  return chosen;
}

}  // namespace ecgforest::pipeline
