// Time-domain HRV features on sliding windows (names and formulas of the Python package
// hrvanalysis, get_time_domain_features), computed from valid RR intervals only.
#include "ecgforest/hrv/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"

namespace ecgforest::hrv {
namespace {

constexpr double kMinRrMs = 300.0;
constexpr double kMaxRrMs = 1800.0;
constexpr std::ptrdiff_t kWindowsPerBlock = 256;

enum Column : int {
  kMeanNni,
  kSdnn,
  kSdsd,
  kNni50,
  kPnni50,
  kNni20,
  kPnni20,
  kRmssd,
  kMedianNni,
  kRangeNni,
  kCvsd,
  kCvnni,
  kMeanHr,
  kMaxHr,
  kMinHr,
  kStdHr,
  kNRr,
  kRrCoverage,
  kNumColumns
};

// Valid RR intervals of a recording, in peak order.
struct RrSeries {
  std::vector<double> time_s;  // timed at the later peak, seconds from the first sample
  std::vector<double> rr_ms;
  std::vector<char> follows;   // 1 when the previous valid RR is the immediately preceding RR
};

RrSeries valid_rr(const std::vector<std::int64_t>& peak, double fs,
                  const std::vector<signal::BadSegment>& bad_in) {
  std::vector<signal::BadSegment> bad = bad_in;
  std::sort(bad.begin(), bad.end(), [](const signal::BadSegment& a, const signal::BadSegment& b) {
    return a.begin_sample < b.begin_sample;
  });
  // prefix max of end_sample so that "any segment starting before x ends after y" is O(1).
  std::vector<std::int64_t> max_end(bad.size());
  std::int64_t running = std::numeric_limits<std::int64_t>::min();
  for (std::size_t j = 0; j < bad.size(); ++j) {
    running = std::max(running, bad[j].end_sample);
    max_end[j] = running;
  }
  RrSeries out;
  out.time_s.reserve(peak.size());
  out.rr_ms.reserve(peak.size());
  out.follows.reserve(peak.size());
  std::size_t j = 0;  // bad[0..j) begin before the current later peak
  bool prev_valid = false;
  for (std::size_t i = 1; i < peak.size(); ++i) {
    const std::int64_t a = peak[i - 1], b = peak[i];
    if (b <= a) {
      std::ostringstream msg;
      msg << "R-peak sample indices must be strictly increasing, but peak " << i << " (sample "
          << b << ") does not follow peak " << i - 1 << " (sample " << a
          << "); pass the output of signal::detect_rpeaks unchanged.";
      throw Error(msg.str());
    }
    while (j < bad.size() && bad[j].begin_sample < b) ++j;
    // A segment overlaps the span [a, b] when it begins before b and ends after a.
    const bool crosses_bad = j > 0 && max_end[j - 1] > a;
    const double rr = static_cast<double>(b - a) * 1000.0 / fs;
    const bool valid = !crosses_bad && rr >= kMinRrMs && rr <= kMaxRrMs;
    if (valid) {
      out.time_s.push_back(static_cast<double>(b) / fs);
      out.rr_ms.push_back(rr);
      out.follows.push_back(prev_valid ? 1 : 0);
    }
    prev_valid = valid;
  }
  return out;
}

// Features of the valid RR [lo, hi) of a window of `window_ms`; `scratch` holds >= hi-lo values.
void window_row(const RrSeries& s, std::size_t lo, std::size_t hi, double window_ms,
                std::vector<double>& scratch, float* row) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double f[kNumColumns];
  std::fill(f, f + kNumColumns, nan);
  const std::size_t n = hi - lo;
  f[kNRr] = static_cast<double>(n);
  double sum = 0.0;
  for (std::size_t i = lo; i < hi; ++i) sum += s.rr_ms[i];
  f[kRrCoverage] = std::min(1.0, sum / window_ms);
  if (n >= 1) {
    const double mean = sum / static_cast<double>(n);
    f[kMeanNni] = mean;
    double mn = s.rr_ms[lo], mx = s.rr_ms[lo], hr_sum = 0.0;
    for (std::size_t i = lo; i < hi; ++i) {
      mn = std::min(mn, s.rr_ms[i]);
      mx = std::max(mx, s.rr_ms[i]);
      hr_sum += 60000.0 / s.rr_ms[i];
    }
    f[kRangeNni] = mx - mn;
    f[kMaxHr] = 60000.0 / mn;
    f[kMinHr] = 60000.0 / mx;
    const double hr_mean = hr_sum / static_cast<double>(n);
    f[kMeanHr] = hr_mean;
    scratch.assign(s.rr_ms.begin() + static_cast<std::ptrdiff_t>(lo),
                   s.rr_ms.begin() + static_cast<std::ptrdiff_t>(hi));
    std::sort(scratch.begin(), scratch.end());
    f[kMedianNni] = n % 2 == 1 ? scratch[n / 2] : 0.5 * (scratch[n / 2 - 1] + scratch[n / 2]);
    if (n >= 2) {
      double ss = 0.0, hr_ss = 0.0;
      for (std::size_t i = lo; i < hi; ++i) {
        ss += (s.rr_ms[i] - mean) * (s.rr_ms[i] - mean);
        const double d = 60000.0 / s.rr_ms[i] - hr_mean;
        hr_ss += d * d;
      }
      f[kSdnn] = std::sqrt(ss / static_cast<double>(n - 1));
      f[kStdHr] = std::sqrt(hr_ss / static_cast<double>(n - 1));
      f[kCvnni] = f[kSdnn] / mean;
    }
    // Successive differences between consecutive valid RR, both inside the window.
    std::size_t nd = 0, n50 = 0, n20 = 0;
    double dsum = 0.0, dsq = 0.0;
    for (std::size_t i = lo + 1; i < hi; ++i) {
      if (!s.follows[i]) continue;
      const double d = s.rr_ms[i] - s.rr_ms[i - 1];
      ++nd;
      dsum += d;
      dsq += d * d;
      if (std::abs(d) > 50.0) ++n50;
      if (std::abs(d) > 20.0) ++n20;
    }
    if (nd >= 1) {
      const double dmean = dsum / static_cast<double>(nd);
      double dvar = 0.0;
      for (std::size_t i = lo + 1; i < hi; ++i) {
        if (!s.follows[i]) continue;
        const double d = s.rr_ms[i] - s.rr_ms[i - 1] - dmean;
        dvar += d * d;
      }
      f[kSdsd] = std::sqrt(dvar / static_cast<double>(nd));  // ddof = 0, as hrvanalysis
      f[kRmssd] = std::sqrt(dsq / static_cast<double>(nd));
      f[kCvsd] = f[kRmssd] / mean;
      f[kNni50] = static_cast<double>(n50);
      f[kNni20] = static_cast<double>(n20);
      f[kPnni50] = 100.0 * static_cast<double>(n50) / static_cast<double>(n);
      f[kPnni20] = 100.0 * static_cast<double>(n20) / static_cast<double>(n);
    }
  }
  for (int c = 0; c < kNumColumns; ++c) row[c] = static_cast<float>(f[c]);
}

}  // namespace

std::vector<std::string> feature_columns(const WindowSpec& /*spec*/) {
  return {"mean_nni", "sdnn",      "sdsd",   "nni_50",  "pnni_50", "nni_20",
          "pnni_20",  "rmssd",     "median_nni", "range_nni", "cvsd",  "cvnni",
          "mean_hr",  "max_hr",    "min_hr", "std_hr",  "n_rr",    "rr_coverage"};
}

WindowFeatures compute_window_features(const std::vector<std::int64_t>& peak_sample, double fs_hz,
                                       double duration_s,
                                       const std::vector<signal::BadSegment>& bad,
                                       const WindowSpec& spec) {
  if (!(fs_hz > 0.0) || !std::isfinite(fs_hz)) {
    throw Error("HRV features need a positive finite sampling rate, but fs = " +
                std::to_string(fs_hz) + " Hz was given; pass the ECG channel's rate.");
  }
  if (!(spec.window_s > 0.0) || !std::isfinite(spec.window_s) || !(spec.step_s > 0.0) ||
      !std::isfinite(spec.step_s)) {
    throw Error("HRV window length and step must be positive finite seconds, but window_s = " +
                std::to_string(spec.window_s) + " and step_s = " + std::to_string(spec.step_s) +
                " were given; fix the window settings in the configuration.");
  }
  WindowFeatures out;
  out.columns = feature_columns(spec);
  std::ptrdiff_t n_windows = 0;
  if (std::isfinite(duration_s) && duration_s >= spec.window_s) {
    n_windows = static_cast<std::ptrdiff_t>(
                    std::floor((duration_s - spec.window_s) / spec.step_s + 1e-9)) + 1;
  }
  out.window_end_s.resize(static_cast<std::size_t>(n_windows));
  for (std::ptrdiff_t k = 0; k < n_windows; ++k) {
    out.window_end_s[static_cast<std::size_t>(k)] = spec.window_s + static_cast<double>(k) * spec.step_s;
  }
  out.values.resize(n_windows, kNumColumns);
  if (n_windows == 0) return out;

  const RrSeries s = valid_rr(peak_sample, fs_hz, bad);
  const double window_ms = spec.window_s * 1000.0;
  const std::ptrdiff_t n_blocks = (n_windows + kWindowsPerBlock - 1) / kWindowsPerBlock;
  OmpExceptionCatcher catcher;
#pragma omp parallel
  {
    std::vector<double> scratch;
    scratch.reserve(64);
#pragma omp for schedule(static)
    for (std::ptrdiff_t blk = 0; blk < n_blocks; ++blk) {
      catcher.run([&] {
        const std::ptrdiff_t k0 = blk * kWindowsPerBlock;
        const std::ptrdiff_t k1 = std::min(n_windows, k0 + kWindowsPerBlock);
        // Two pointers over the RR times, positioned by binary search at the block start.
        const double first_end = out.window_end_s[static_cast<std::size_t>(k0)];
        auto lo = static_cast<std::size_t>(
            std::lower_bound(s.time_s.begin(), s.time_s.end(), first_end - spec.window_s) -
            s.time_s.begin());
        std::size_t hi = lo;
        for (std::ptrdiff_t k = k0; k < k1; ++k) {
          const double end = out.window_end_s[static_cast<std::size_t>(k)];
          const double begin = end - spec.window_s;
          while (lo < s.time_s.size() && s.time_s[lo] < begin) ++lo;
          if (hi < lo) hi = lo;
          while (hi < s.time_s.size() && s.time_s[hi] < end) ++hi;
          window_row(s, lo, hi, window_ms, scratch, out.values.row(k).data());
        }
      });
    }
  }
  catcher.rethrow();
  return out;
}

}  // namespace ecgforest::hrv
