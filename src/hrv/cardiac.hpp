#pragma once
// Causal cardiac seizure features of the default HRV profile (README "HRV features", group
// "cardiac seizure features"): heart rate against the recording's own recent baseline, heart-rate
// slopes and rise time, CSI100 / filtered ModCSI100 and their products with the slope (Jeppesen),
// and a tachycardia-onset detector. Only NN beats timed before the window end are used; nothing
// is interpolated across a gap. Internal header (src/hrv).
#include <cstddef>
#include <string>
#include <vector>

#include "beats.hpp"

namespace ecgforest::hrv::detail {

// Column order of the group (appended after hrv_reason in the default profile).
enum CardiacCol : int {
  kHrBaseline, kHrMinusBaseline, kHrRatioBaseline, kHrZBaseline, kRmssdRatioBaseline,
  kHrSlope10b, kHrSlope20s, kHrRiseTime, kCsi100, kModCsi100f, kHrSlope100f, kCsi100xSlope,
  kModCsi100fxSlope, kHrRise30s, kTachyOnset, kHrFgBgRatio, kRmssd20RatioBaseline,
  kRmssd10RatioBaseline, kNumCardiac
};

/// Names of the group's columns, in CardiacCol order.
const std::vector<std::string>& cardiac_feature_names();

/// Per-recording series derived once from the NN beats (serially, so that window values do not
/// depend on the thread count): beat heart rate, the causal 7-NN median-filtered RR, gap-free runs
/// and prefix sums.
struct CardiacSeries {
  explicit CardiacSeries(const Beats& nn);
  const Beats& nn;
  std::vector<double> hr;         // 60000 / rr_ms, bpm
  std::vector<double> rr_f;       // median of this NN and the <= 6 before it in its run, ms
  std::vector<double> hr_f;       // 60000 / rr_f
  std::vector<std::size_t> run_start;  // first beat of the gap-free run (bridge chain) of beat i
  std::vector<double> sum_hr, sum_rr, sum_d2;  // prefix sums over beats [0, i)
  std::vector<double> n_d;        // prefix count of successive differences (follows) over [0, i)
};

/// Values v[lo, hi) of a beat series kept in ascending order between calls: moving the range
/// forward inserts/erases only the beats that enter/leave it (a sort when it jumps), so the median
/// and MAD of a sliding span cost O(log n) plus a memmove instead of a selection per window. The
/// content, hence every statistic, depends only on [lo, hi).
class SortedWindow {
 public:
  void update(const std::vector<double>& v, std::size_t lo, std::size_t hi);
  double median() const;
  double mad(double med) const;  ///< median of |x - med| over the window

 private:
  std::vector<double> sorted_;
  std::size_t lo_ = 0, hi_ = 0;
  bool have_ = false;
};

/// Per-thread evaluator (one SortedWindow for the recent baseline, one for the onset reference).
class CardiacWindow {
 public:
  explicit CardiacWindow(const CardiacSeries& s) : s_(s) {}
  /// Writes the kNumCardiac values of the window ending at end_s to f (NaN where undefined) and
  /// ORs the HrvReason bits of the NaNs into reason. Values depend only on end_s.
  void compute(double end_s, double* f, unsigned& reason);

 private:
  std::size_t at(double time) const;
  bool covered(std::size_t a, std::size_t b, double span_s) const;
  double mean_hr(std::size_t a, std::size_t b) const;
  double rmssd(std::size_t a, std::size_t b) const;
  double rise_start(double end, std::size_t hi, double level) const;
  void baseline_group(double end, std::size_t hi, double hr_now, double* f);
  void slope_group(double end, std::size_t hi, double* f) const;
  void csi_group(double end, std::size_t hi, double* f) const;
  void onset_group(double end, std::size_t hi, double hr_now, double* f);
  const CardiacSeries& s_;
  SortedWindow baseline_, onset_ref_;
};

}  // namespace ecgforest::hrv::detail
