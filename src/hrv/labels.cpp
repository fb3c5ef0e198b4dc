// Window labels from seizure annotations. See include/ecgforest/hrv/labels.hpp.
#include "ecgforest/hrv/labels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ecgforest/core/error.hpp"

namespace ecgforest::hrv {

namespace {

struct Interval {
  double start = 0.0;  ///< seconds
  double stop = 0.0;   ///< seconds, > start
};

/// Seizure events merged into disjoint intervals sorted by start (touching ones joined).
std::vector<Interval> merged_seizures(const std::vector<AnnotationEvent>& events) {
  std::vector<Interval> iv;
  iv.reserve(events.size());
  for (const auto& e : events) {
    if (!is_seizure_label(e.label)) continue;
    if (!std::isfinite(e.start_s) || !std::isfinite(e.stop_s) || !(e.stop_s > e.start_s)) continue;
    iv.push_back({e.start_s, e.stop_s});
  }
  std::sort(iv.begin(), iv.end(), [](const Interval& a, const Interval& b) {
    return a.start < b.start || (a.start == b.start && a.stop < b.stop);
  });
  std::vector<Interval> merged;
  for (const Interval& x : iv) {
    if (!merged.empty() && x.start <= merged.back().stop) {
      merged.back().stop = std::max(merged.back().stop, x.stop);
    } else {
      merged.push_back(x);
    }
  }
  return merged;
}

}  // namespace

std::vector<float> seizure_fraction(const std::vector<AnnotationEvent>& events,
                                    const std::vector<double>& window_end_s, double window_s) {
  if (!(window_s > 0.0) || !std::isfinite(window_s)) {
    throw ParameterError("The label window length must be a positive number of seconds, got " +
                      std::to_string(window_s) + "; fix the window length in the configuration.");
  }
  const std::vector<Interval> iv = merged_seizures(events);
  // cum[k] = total length of intervals 0..k-1 (seconds).
  std::vector<double> cum(iv.size() + 1, 0.0);
  for (std::size_t k = 0; k < iv.size(); ++k) cum[k + 1] = cum[k] + (iv[k].stop - iv[k].start);

  std::vector<float> out(window_end_s.size());
  for (std::size_t w = 0; w < window_end_s.size(); ++w) {
    const double end = window_end_s[w];
    if (!std::isfinite(end) || end <= 0.0) {
      out[w] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    const double lo = std::max(0.0, end - window_s);
    const double len = end - lo;
    // Intervals i..j-1 overlap (lo, end): first with stop > lo, first with start >= end.
    const auto i = static_cast<std::size_t>(
        std::partition_point(iv.begin(), iv.end(),
                             [lo](const Interval& x) { return x.stop <= lo; }) -
        iv.begin());
    const auto j = static_cast<std::size_t>(
        std::partition_point(iv.begin(), iv.end(),
                             [end](const Interval& x) { return x.start < end; }) -
        iv.begin());
    double covered = 0.0;
    if (j > i) {
      auto clipped = [&](const Interval& x) {
        return std::min(x.stop, end) - std::max(x.start, lo);
      };
      if (j - i == 1) {
        covered = clipped(iv[i]);
      } else {
        // Ends clipped, interior intervals i+1..j-2 whole (from the prefix sums).
        covered = clipped(iv[i]) + clipped(iv[j - 1]) + (cum[j - 1] - cum[i + 1]);
      }
    }
    const double frac = std::clamp(covered / len, 0.0, 1.0);
    out[w] = static_cast<float>(frac);
  }
  return out;
}

}  // namespace ecgforest::hrv
