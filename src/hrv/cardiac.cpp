// Causal cardiac seizure features (default HRV profile). Definitions and sources: README
// "HRV features" (cardiac seizure features) and ../shared/design/cardiac-seizure-features.md.
#include "cardiac.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ecgforest/hrv/features.hpp"

namespace ecgforest::hrv::detail {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kNowS = 10.0;             // current heart rate: NN in [t - 10 s, t)
constexpr double kBaseFarS = 600.0;        // recent baseline: NN in [t - 600 s, t - 60 s)
constexpr double kBaseNearS = 60.0;
constexpr double kBaseMinSpanS = 240.0;    // baseline span clipped at the recording start >= 4 min
constexpr double kMinCoverage = 0.5;       // NN must cover >= half of every reference span
constexpr double kMadScale = 1.4826;       // MAD -> SD of a normal distribution
constexpr double kMadFloorBpm = 2.0;       // spread floor of hr_z_baseline
constexpr std::size_t kMinDiffs = 5;       // successive differences needed for each rmssd
constexpr double kRiseMarginBpm = 5.0;     // hr_rise_time_s: "at baseline" = <= baseline + 5 bpm
constexpr double kRiseCapS = 600.0;
constexpr double kMaxGapS = 3.0;           // as the 4 Hz series of the frequency features
constexpr std::size_t kSlopeBeats = 10;
constexpr double kSlopeSpanS = 20.0;
constexpr std::size_t kCsiBeats = 100;     // Jeppesen: 100 RR
constexpr double kCsiMaxAgeS = 200.0;      // ... timed in [t - 200 s, t)
constexpr std::size_t kCsiMinPairs = 50;
constexpr std::size_t kMedianTaps = 7;     // causal median filter of ModCSI100filtered
constexpr double kOnsetRiseS = 30.0;       // onset: max filtered HR in [t - 30 s, t) ...
constexpr double kOnsetRefS = 60.0;        // ... minus median HR in [t - 90 s, t - 30 s)
constexpr double kOnsetMinBpm = 10.0;
constexpr double kOnsetMinRatio = 1.1;
constexpr double kFisherBgS = 300.0;       // Fisher background: [t - 310 s, t - 10 s)
constexpr double kFisherMinSpanS = 120.0;

// RMSSD of the NN differences inside [t - window_s, t) against the baseline span's.
struct RmssdRatio {
  CardiacCol col;
  double window_s;
};
constexpr RmssdRatio kRmssdRatios[] = {
    {kRmssdRatioBaseline, 60.0}, {kRmssd20RatioBaseline, 20.0}, {kRmssd10RatioBaseline, 10.0}};

// k-th smallest (0-based) of the union of the ascending sequences a(0..na) and b(0..nb):
// binary search for the number i taken from a (the rest, k + 1 - i, from b).
template <class A, class B>
double kth_of_two(A a, std::size_t na, B b, std::size_t nb, std::size_t k) {
  std::size_t lo = k + 1 > nb ? k + 1 - nb : 0, hi = std::min(k + 1, na);
  while (lo < hi) {
    const std::size_t i = (lo + hi) / 2, j = k + 1 - i;
    if (j > 0 && i < na && b(j - 1) > a(i)) lo = i + 1;
    else hi = i;
  }
  const std::size_t j = k + 1 - lo;
  double x = -std::numeric_limits<double>::infinity();
  if (lo > 0) x = a(lo - 1);
  if (j > 0) x = std::max(x, b(j - 1));
  return x;
}

// Least-squares slope of y against t over n >= 2 points (NaN when all t are equal).
double ls_slope(const double* t, const double* y, std::size_t n) {
  double tm = 0.0, ym = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    tm += t[i];
    ym += y[i];
  }
  tm /= static_cast<double>(n);
  ym /= static_cast<double>(n);
  double sty = 0.0, stt = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    sty += (t[i] - tm) * (y[i] - ym);
    stt += (t[i] - tm) * (t[i] - tm);
  }
  return stt > 0.0 ? sty / stt : kNan;
}

struct PoincareSd {
  double sd1 = kNan, sd2 = kNan;
};

// SD1/SD2 (ddof = 1) of the pairs (v[j-1], v[j]) of adjacent NN j in (lo, hi): the pair formula
// of the design note, sd of (b - a)/sqrt2 and of (b + a)/sqrt2.
PoincareSd pair_sds(const std::vector<double>& v, const std::vector<char>& follows, std::size_t lo,
                    std::size_t hi, std::size_t n_pairs) {
  double xm = 0.0, ym = 0.0;
  for (std::size_t j = lo + 1; j < hi; ++j) {
    if (!follows[j]) continue;
    xm += v[j] + v[j - 1];
    ym += v[j] - v[j - 1];
  }
  xm /= static_cast<double>(n_pairs);
  ym /= static_cast<double>(n_pairs);
  double sx = 0.0, sy = 0.0;
  for (std::size_t j = lo + 1; j < hi; ++j) {
    if (!follows[j]) continue;
    const double x = v[j] + v[j - 1] - xm, y = v[j] - v[j - 1] - ym;
    sx += x * x;
    sy += y * y;
  }
  const double dof = 2.0 * static_cast<double>(n_pairs - 1);  // the 1/sqrt2 scaling, squared
  return {std::sqrt(sy / dof), std::sqrt(sx / dof)};
}

}  // namespace

const std::vector<std::string>& cardiac_feature_names() {
  static const std::vector<std::string> names = {
      "hr_baseline", "hr_minus_baseline", "hr_ratio_baseline", "hr_z_baseline",
      "rmssd_ratio_baseline", "hr_slope_10b", "hr_slope_20s", "hr_rise_time_s", "csi100",
      "modcsi100f", "hr_slope_100f", "csi100_x_slope", "modcsi100f_x_slope", "hr_rise_30s",
      "tachy_onset", "hr_fg_bg_ratio", "rmssd20_ratio_baseline", "rmssd10_ratio_baseline"};
  return names;
}

CardiacSeries::CardiacSeries(const Beats& beats) : nn(beats) {
  const std::size_t n = nn.t_s.size();
  hr.assign(n, 0.0);
  rr_f.assign(n, 0.0);
  hr_f.assign(n, 0.0);
  run_start.assign(n, 0);
  sum_hr.assign(n + 1, 0.0);
  sum_rr.assign(n + 1, 0.0);
  sum_d2.assign(n + 1, 0.0);
  n_d.assign(n + 1, 0.0);
  double taps[kMedianTaps];
  for (std::size_t i = 0; i < n; ++i) {
    hr[i] = 60000.0 / nn.rr_ms[i];
    run_start[i] = i > 0 && nn.bridge[i] ? run_start[i - 1] : i;
    const std::size_t first = std::max(run_start[i], i + 1 >= kMedianTaps ? i + 1 - kMedianTaps : 0);
    const std::size_t m = i + 1 - first;
    for (std::size_t k = 0; k < m; ++k) {  // insertion sort of the <= 7 taps
      const double x = nn.rr_ms[first + k];
      std::size_t q = k;
      for (; q > 0 && taps[q - 1] > x; --q) taps[q] = taps[q - 1];
      taps[q] = x;
    }
    rr_f[i] = m % 2 == 1 ? taps[m / 2] : 0.5 * (taps[m / 2 - 1] + taps[m / 2]);
    hr_f[i] = 60000.0 / rr_f[i];
    const bool diff = i > 0 && nn.follows[i];
    const double d = diff ? nn.rr_ms[i] - nn.rr_ms[i - 1] : 0.0;
    sum_hr[i + 1] = sum_hr[i] + hr[i];
    sum_rr[i + 1] = sum_rr[i] + nn.rr_ms[i];
    sum_d2[i + 1] = sum_d2[i] + d * d;
    n_d[i + 1] = n_d[i] + (diff ? 1.0 : 0.0);
  }
}

void SortedWindow::update(const std::vector<double>& v, std::size_t lo, std::size_t hi) {
  const bool slide = have_ && lo >= lo_ && hi >= hi_ && lo <= hi_ && (lo - lo_) + (hi - hi_) <= 64;
  if (!slide) {
    sorted_.assign(v.begin() + static_cast<std::ptrdiff_t>(lo), v.begin() + static_cast<std::ptrdiff_t>(hi));
    std::sort(sorted_.begin(), sorted_.end());
  } else {
    for (std::size_t j = lo_; j < lo; ++j) {  // the same double was inserted: exact match
      sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), v[j]));
    }
    for (std::size_t j = hi_; j < hi; ++j) {
      sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), v[j]), v[j]);
    }
  }
  lo_ = lo;
  hi_ = hi;
  have_ = true;
}

double SortedWindow::median() const {
  const std::size_t n = sorted_.size();
  return n % 2 == 1 ? sorted_[n / 2] : 0.5 * (sorted_[n / 2 - 1] + sorted_[n / 2]);
}

// |x - med| runs upward on both sides of med: left med - x[p-1-i], right x[p+j] - med.
double SortedWindow::mad(double med) const {
  const std::vector<double>& x = sorted_;
  const std::size_t n = x.size();
  const auto p = static_cast<std::size_t>(std::lower_bound(x.begin(), x.end(), med) - x.begin());
  const auto left = [&](std::size_t i) { return med - x[p - 1 - i]; };
  const auto right = [&](std::size_t j) { return x[p + j] - med; };
  const double upper = kth_of_two(left, p, right, n - p, n / 2);
  return n % 2 == 1 ? upper : 0.5 * (kth_of_two(left, p, right, n - p, n / 2 - 1) + upper);
}

std::size_t CardiacWindow::at(double time) const {  // first beat timed at or after `time`
  const auto& t = s_.nn.t_s;
  return static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), time) - t.begin());
}

// NN [a, b) cover at least kMinCoverage of a span of span_s seconds.
bool CardiacWindow::covered(std::size_t a, std::size_t b, double span_s) const {
  return a < b && s_.sum_rr[b] - s_.sum_rr[a] >= kMinCoverage * span_s * 1000.0;
}

double CardiacWindow::mean_hr(std::size_t a, std::size_t b) const {
  return (s_.sum_hr[b] - s_.sum_hr[a]) / static_cast<double>(b - a);
}

// RMSSD of the successive differences inside NN [a, b) (NaN with fewer than kMinDiffs).
double CardiacWindow::rmssd(std::size_t a, std::size_t b) const {
  if (b <= a + 1) return kNan;
  const double nd = s_.n_d[b] - s_.n_d[a + 1];
  return nd >= static_cast<double>(kMinDiffs) ? std::sqrt((s_.sum_d2[b] - s_.sum_d2[a + 1]) / nd) : kNan;
}

void CardiacWindow::compute(double end, double* f, unsigned& reason) {
  std::fill(f, f + kNumCardiac, kNan);
  const std::size_t hi = at(end);
  const std::size_t now_lo = at(end - kNowS);
  const double hr_now = now_lo < hi ? mean_hr(now_lo, hi) : kNan;
  baseline_group(end, hi, hr_now, f);
  bool baseline_nan = std::isnan(f[kHrBaseline]);
  for (const auto& r : kRmssdRatios) baseline_nan = baseline_nan || std::isnan(f[r.col]);
  if (baseline_nan) reason |= kReasonBaseline;
  slope_group(end, hi, f);
  if (std::isnan(f[kHrSlope10b]) || std::isnan(f[kHrSlope20s])) reason |= kReasonSlopeGap;
  csi_group(end, hi, f);
  if (std::isnan(f[kCsi100xSlope]) || std::isnan(f[kModCsi100fxSlope])) reason |= kReasonCsi100;
  onset_group(end, hi, hr_now, f);
  if (std::isnan(f[kHrRise30s]) || std::isnan(f[kHrFgBgRatio])) reason |= kReasonOnset;
}

// Heart rate and RMSSD (over the last 60, 20 and 10 s) against the recent baseline
// [t - 600 s, t - 60 s), and the rise time.
void CardiacWindow::baseline_group(double end, std::size_t hi, double hr_now, double* f) {
  const double b0 = std::max(0.0, end - kBaseFarS), b1 = end - kBaseNearS;
  const std::size_t blo = at(b0), bhi = at(b1);
  if (!(b1 - b0 >= kBaseMinSpanS && covered(blo, bhi, b1 - b0) && !std::isnan(hr_now))) return;
  baseline_.update(s_.hr, blo, bhi);
  const double base = baseline_.median();
  const double spread = std::max(kMadScale * baseline_.mad(base), kMadFloorBpm);
  f[kHrBaseline] = base;
  f[kHrMinusBaseline] = hr_now - base;
  f[kHrRatioBaseline] = hr_now / base;
  f[kHrZBaseline] = (hr_now - base) / spread;
  const double rb = rmssd(blo, bhi);
  if (rb > 0.0) {
    for (const auto& r : kRmssdRatios) f[r.col] = rmssd(at(end - r.window_s), hi) / rb;
  }
  f[kHrRiseTime] = hr_now > base + kRiseMarginBpm ? end - rise_start(end, hi, base + kRiseMarginBpm) : 0.0;
}

// Time of the latest NN before `end` whose filtered HR was <= level; a run start (gap) ends the
// search (the rise is at least that old: nothing is bridged); at most kRiseCapS back.
double CardiacWindow::rise_start(double end, std::size_t hi, double level) const {
  const auto& t = s_.nn.t_s;
  for (std::size_t j = hi; j-- > 0 && t[j] >= end - kRiseCapS;) {
    if (s_.hr_f[j] <= level || s_.run_start[j] == j) return t[j];
  }
  return end - kRiseCapS;
}

// Least-squares HR slopes (bpm/s) over gap-free stretches that reach the window end.
void CardiacWindow::slope_group(double end, std::size_t hi, double* f) const {
  const auto& t = s_.nn.t_s;
  const bool live = hi > 0 && end - t[hi - 1] <= kMaxGapS;
  if (!live) return;
  if (hi >= kSlopeBeats && s_.run_start[hi - 1] <= hi - kSlopeBeats) {
    f[kHrSlope10b] = ls_slope(t.data() + hi - kSlopeBeats, s_.hr.data() + hi - kSlopeBeats, kSlopeBeats);
  }
  const std::size_t lo = at(end - kSlopeSpanS);
  if (hi >= lo + 3 && s_.run_start[hi - 1] <= lo && t[lo] - (end - kSlopeSpanS) <= kMaxGapS) {
    f[kHrSlope20s] = ls_slope(t.data() + lo, s_.hr.data() + lo, hi - lo);
  }
}

// CSI100 (raw NN) and ModCSI100 on the 7-NN median-filtered RR over the last 100 NN, the slope of
// the filtered HR over the same beats (bpm/s), and their products with |slope|.
void CardiacWindow::csi_group(double end, std::size_t hi, double* f) const {
  const std::size_t lo = std::max(hi >= kCsiBeats ? hi - kCsiBeats : 0, at(end - kCsiMaxAgeS));
  std::size_t n_pairs = 0;
  for (std::size_t j = lo + 1; j < hi; ++j) n_pairs += s_.nn.follows[j] ? 1 : 0;
  if (n_pairs < kCsiMinPairs) return;
  const PoincareSd raw = pair_sds(s_.nn.rr_ms, s_.nn.follows, lo, hi, n_pairs);
  const PoincareSd filt = pair_sds(s_.rr_f, s_.nn.follows, lo, hi, n_pairs);
  f[kHrSlope100f] = ls_slope(s_.nn.t_s.data() + lo, s_.hr_f.data() + lo, hi - lo);
  const double slope = std::abs(f[kHrSlope100f]);
  if (raw.sd1 > 0.0) f[kCsi100] = (4.0 * raw.sd2) / (4.0 * raw.sd1);
  if (filt.sd1 > 0.0) f[kModCsi100f] = (4.0 * filt.sd2) * (4.0 * filt.sd2) / (4.0 * filt.sd1);
  f[kCsi100xSlope] = f[kCsi100] * slope;
  f[kModCsi100fxSlope] = f[kModCsi100f] * slope;
}

// Tachycardia onset: rise of the filtered HR in the last 30 s over the median HR of the 60 s
// before; Fisher-style foreground (10 s) / background (300 s before it) mean-HR ratio.
void CardiacWindow::onset_group(double end, std::size_t hi, double hr_now, double* f) {
  const std::size_t rlo = at(end - kOnsetRiseS - kOnsetRefS), rhi = at(end - kOnsetRiseS);
  if (end >= kOnsetRiseS + kOnsetRefS && covered(rlo, rhi, kOnsetRefS) && rhi < hi) {
    onset_ref_.update(s_.hr, rlo, rhi);
    const double ref = onset_ref_.median();
    const double peak = *std::max_element(s_.hr_f.begin() + static_cast<std::ptrdiff_t>(rhi),
                                           s_.hr_f.begin() + static_cast<std::ptrdiff_t>(hi));
    f[kHrRise30s] = peak - ref;
    f[kTachyOnset] = peak - ref >= kOnsetMinBpm && hr_now >= kOnsetMinRatio * ref ? 1.0 : 0.0;
  }
  const double g0 = std::max(0.0, end - kNowS - kFisherBgS), g1 = end - kNowS;
  const std::size_t glo = at(g0), ghi = at(g1);
  if (g1 - g0 >= kFisherMinSpanS && covered(glo, ghi, g1 - g0)) f[kHrFgBgRatio] = hr_now / mean_hr(glo, ghi);
}

}  // namespace ecgforest::hrv::detail
