// HRV features on sliding windows of the recording clock (default profile), and the dispatch to
// the old workflow's profiles (aura2021.cpp). Default profile = the hrvanalysis definitions of
// the 27 AURA features with the old workflow's defects fixed (README "HRV features").
#include "ecgforest/hrv/features.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <sstream>

#include <unsupported/Eigen/FFT>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/hrv/aura2021.hpp"
#include "beats.hpp"
#include "cardiac.hpp"

namespace ecgforest::hrv {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinRrMs = 300.0;
constexpr double kMaxRrMs = 1800.0;
constexpr double kMaxBridgeS = 3.0;    // longest span between NN beats the 4 Hz series interpolates
constexpr int kMaxEctopicRun = 3;      // after this many rejections the reference is the recent median
constexpr std::size_t kRecentRr = 8;   // in-range RR intervals that median looks at (even: see below)
constexpr std::ptrdiff_t kWindowsPerBlock = 256;
// Welch grid of the recording clock: 4 Hz, 256-sample (64 s) segments every 128 samples (32 s).
constexpr double kGridHz = 4.0;
constexpr std::size_t kSegLen = 256, kSegHop = 128, kNfft = 4096;
// Bins k (f = k/1024 Hz) of each band, half-open in frequency and adjacent: nothing is lost.
constexpr std::size_t kVlfLo = 4, kLfLo = 41, kHfLo = 154, kHfEnd = 410;

// Column indices of the default profile: the 27 AURA names, then the extras.
enum Col : int {
  kMeanNni, kSdnn, kSdsd, kNni50, kPnni50, kNni20, kPnni20, kRmssd, kMedianNni, kRangeNni,
  kCvsd, kCvnni, kMeanHr, kMaxHr, kMinHr, kStdHr, kLf, kHf, kVlf, kLfHfRatio, kCsi, kCvi,
  kModifiedCsi, kSampen, kSd1, kSd2, kRatioSd2Sd1, kNRr, kRrCoverage, kReason, kNumCols
};
// Then the cardiac seizure group (cardiac.hpp), columns kNumCols .. kAllCols - 1.
constexpr int kAllCols = static_cast<int>(kNumCols) + static_cast<int>(detail::kNumCardiac);

using detail::Beats;

// The last kRecentRr in-range RR intervals of the current stretch, accepted or not.
class RecentRr {
 public:
  void clear() { n_ = next_ = 0; }
  bool empty() const { return n_ == 0; }
  void push(double rr) {
    ring_[next_] = rr;
    next_ = (next_ + 1) % kRecentRr;
    n_ = std::min(n_ + 1, kRecentRr);
  }
  // Median; of an even count the mean of the middle two, so that in a bigeminy (coupling
  // interval and compensatory pause alternating, 4 of each) it lies between them.
  double median() const {
    std::array<double, kRecentRr> v{};
    for (std::size_t i = 0; i < n_; ++i) v[i] = ring_[(next_ + kRecentRr - n_ + i) % kRecentRr];
    std::sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n_));
    return n_ % 2 == 1 ? v[n_ / 2] : 0.5 * (v[n_ / 2 - 1] + v[n_ / 2]);
  }
  // At least three quarters of the intervals lie within 20 % of `med` (their median): one rate.
  bool settled(double med) const {
    std::size_t close = 0;
    for (std::size_t i = 0; i < n_; ++i) close += std::abs(ring_[i] - med) <= 0.2 * med ? 1 : 0;
    return 4 * close >= 3 * n_;
  }

 private:
  std::array<double, kRecentRr> ring_{};
  std::size_t next_ = 0, n_ = 0;
};

// Outliers (300-1800 ms), RR crossing a bad span, and ectopic beats are masked. Ectopic: > 20 %
// from the reference, which is the last *accepted* NN (reset after a gap) and, after
// kMaxEctopicRun rejections in a row, the median of the recent in-range RR intervals (accepted or
// not); and, while those recent intervals are not settled at one rate (fewer than 3/4 of them
// within 20 % of their median: a bigeminy, couplets, an irregular rhythm), also > 20 % from the
// other of the two. So a sustained change of rate is accepted once the recent beats show it, and
// a normal beat between ectopic ones is kept, while in a bigeminy (short, long, short, ...) both
// intervals stay out, as the beat codes would have it; the last-NN rule alone restarted its
// reference on one of them and then accepted every interval of that kind: every pause, or, in
// the other phase, every coupling interval (a false tachycardia: 133 bpm against a sinus rate of
// at most 87 on MIT-BIH 106, tests/hrv/ectopy_mitdb_test.cpp).
// `rr_ms[i-1]` is the RR interval ending at peak i (exact from sample indices when known).
bool off_by_20_percent(double rr, double ref) { return !std::isnan(ref) && std::abs(rr - ref) > 0.2 * ref; }

// The ectopic rule above for the in-range interval `rr`; `recent` does not hold it yet.
bool is_ectopic(double rr, double last_nn, int rejected_run, const RecentRr& recent) {
  const bool median_mode = rejected_run >= kMaxEctopicRun;
  if (!median_mode && off_by_20_percent(rr, last_nn)) return true;  // no median needed
  const double med = recent.empty() ? kNan : recent.median();
  const bool settled = recent.empty() || recent.settled(med);
  const double reference = median_mode ? med : last_nn;
  const double other = median_mode ? last_nn : med;
  return off_by_20_percent(rr, reference) || (!settled && off_by_20_percent(rr, other));
}

Beats accept_beats(const std::vector<double>& peak_s, const std::vector<double>& rr_ms,
                   std::vector<std::pair<double, double>> bad) {
  std::sort(bad.begin(), bad.end());
  std::vector<double> max_end(bad.size());
  double running = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < bad.size(); ++j) {
    running = std::max(running, bad[j].second);
    max_end[j] = running;
  }
  Beats out;
  std::size_t j = 0;
  bool prev_accepted = false;
  double ref = kNan;  // last accepted NN of the current continuous stretch
  int rejected_run = 0;
  RecentRr recent;
  for (std::size_t i = 1; i < peak_s.size(); ++i) {
    const double a = peak_s[i - 1], b = peak_s[i];
    if (!(b > a)) {
      std::ostringstream msg;
      msg << "R-peak times must be strictly increasing, but peak " << i << " (" << b
          << " s) does not follow peak " << i - 1 << " (" << a
          << " s); pass the detector output unchanged or fix the RR file (RR must be > 0).";
      throw Error(msg.str());
    }
    while (j < bad.size() && bad[j].first < b) ++j;
    const bool crosses_bad = j > 0 && max_end[j - 1] > a;
    const double rr = rr_ms[i - 1];
    if (crosses_bad || !(rr >= kMinRrMs && rr <= kMaxRrMs)) {
      prev_accepted = false;
      ref = kNan;  // a gap: the next beat starts a new stretch, nothing is spliced across
      rejected_run = 0;
      recent.clear();
      continue;
    }
    const bool ectopic = is_ectopic(rr, ref, rejected_run, recent);
    recent.push(rr);
    if (ectopic) {
      prev_accepted = false;
      ++rejected_run;
      continue;
    }
    const bool bridge = !out.t_s.empty() && !std::isnan(ref) && b - out.t_s.back() <= kMaxBridgeS;
    out.t_s.push_back(b);
    out.rr_ms.push_back(rr);
    out.follows.push_back(prev_accepted ? 1 : 0);
    out.bridge.push_back(bridge || prev_accepted ? 1 : 0);
    prev_accepted = true;
    ref = rr;
    rejected_run = 0;
  }
  return out;
}

// Band powers (ms^2) of the gap-free 64 s segments of the recording's 4 Hz NN series.
struct Segments {
  std::vector<double> vlf, lf, hf;
  std::vector<char> valid;
  double seg_s = static_cast<double>(kSegLen) / kGridHz;
  double hop_s = static_cast<double>(kSegHop) / kGridHz;
};

Segments welch_segments(const Beats& nn, double duration_s) {
  Segments seg;
  if (!(duration_s > 0.0)) return seg;
  const auto n_grid = static_cast<std::size_t>(std::floor(duration_s * kGridHz)) + 1;
  std::vector<double> v(n_grid, kNan);
  // Linear interpolation in time between bridgeable consecutive NN beats.
  for (std::size_t i = 1; i < nn.t_s.size(); ++i) {
    if (!nn.bridge[i]) continue;
    const double t0 = nn.t_s[i - 1], t1 = nn.t_s[i];
    const auto g0 = static_cast<std::size_t>(std::ceil(t0 * kGridHz));
    for (std::size_t g = g0; g < n_grid && static_cast<double>(g) / kGridHz <= t1; ++g) {
      const double t = static_cast<double>(g) / kGridHz;
      v[g] = nn.rr_ms[i - 1] + (nn.rr_ms[i] - nn.rr_ms[i - 1]) * (t - t0) / (t1 - t0);
    }
  }
  const std::size_t n_seg = n_grid >= kSegLen ? (n_grid - kSegLen) / kSegHop + 1 : 0;
  seg.vlf.assign(n_seg, kNan);
  seg.lf.assign(n_seg, kNan);
  seg.hf.assign(n_seg, kNan);
  seg.valid.assign(n_seg, 0);
  std::vector<double> w(kSegLen);
  double w2 = 0.0;
  for (std::size_t i = 0; i < kSegLen; ++i) {  // periodic Hann, as scipy's get_window("hann")
    w[i] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(kSegLen));
    w2 += w[i] * w[i];
  }
  const double scale = 1.0 / (kGridHz * w2);
  const double df = kGridHz / static_cast<double>(kNfft);
  OmpExceptionCatcher catcher;
#pragma omp parallel
  {
    Eigen::FFT<double> fft;
    fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
    std::vector<double> buf(kNfft, 0.0);
    std::vector<std::complex<double>> spec;
#pragma omp for schedule(static)
    for (std::ptrdiff_t s = 0; s < static_cast<std::ptrdiff_t>(n_seg); ++s) {
      catcher.run([&] {
        const double* x = v.data() + static_cast<std::size_t>(s) * kSegHop;
        double mean = 0.0;
        for (std::size_t i = 0; i < kSegLen; ++i) {
          if (std::isnan(x[i])) return;  // touches a gap: segment unusable
          mean += x[i];
        }
        mean /= static_cast<double>(kSegLen);
        for (std::size_t i = 0; i < kSegLen; ++i) buf[i] = w[i] * (x[i] - mean);
        fft.fwd(spec, buf);
        double band[3] = {0.0, 0.0, 0.0};
        for (std::size_t k = kVlfLo; k < kHfEnd; ++k) {
          const double p = 2.0 * std::norm(spec[k]) * scale;
          band[k < kLfLo ? 0 : (k < kHfLo ? 1 : 2)] += p * df;  // rectangle rule: bands tile
        }
        const auto u = static_cast<std::size_t>(s);
        seg.vlf[u] = band[0];
        seg.lf[u] = band[1];
        seg.hf[u] = band[2];
        seg.valid[u] = 1;
      });
    }
  }
  catcher.rethrow();
  return seg;
}

struct Template {  // the sample-entropy template (x[g], x[g+1], x[g+2]) of NN g
  double t0, t1, t2;
  std::size_t g;
};

// The valid sample-entropy templates of an NN range [lo, hi), sorted by t0. Template g exists
// when g + 2 < hi and NN g+1 and g+2 follow their predecessors. Consecutive windows share most
// templates, so a range that only moves forward drops the templates before lo and merges the new
// ones in (linear) instead of sorting the window again; any other range is built anew.
class SortedTemplates {
 public:
  const std::vector<Template>& update(const Beats& nn, std::size_t lo, std::size_t hi) {
    const bool forward = hi_ > 0 && lo >= lo_ && hi >= hi_ && lo < hi_;
    std::size_t from = lo;
    if (forward) {
      std::erase_if(sorted_, [lo](const Template& t) { return t.g < lo; });
      from = std::max(lo, hi_ - std::min<std::size_t>(hi_, 2));
    } else {
      sorted_.clear();
    }
    added_.clear();
    for (std::size_t g = from; g + 2 < hi; ++g) {
      if (!nn.follows[g + 1] || !nn.follows[g + 2]) continue;
      added_.push_back({nn.rr_ms[g], nn.rr_ms[g + 1], nn.rr_ms[g + 2], g});
    }
    std::sort(added_.begin(), added_.end(), by_t0);
    merged_.resize(sorted_.size() + added_.size());  // a kept buffer: no allocation per window
    std::merge(sorted_.begin(), sorted_.end(), added_.begin(), added_.end(), merged_.begin(), by_t0);
    sorted_.swap(merged_);
    lo_ = lo;
    hi_ = hi;
    return sorted_;
  }

 private:
  static bool by_t0(const Template& a, const Template& b) { return a.t0 < b.t0; }
  std::vector<Template> sorted_, added_, merged_;
  std::size_t lo_ = 0, hi_ = 0;
};

struct Scratch {
  std::vector<double> a, b;
  SortedTemplates templates;
};

double mean_of(const double* x, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += x[i];
  return s / static_cast<double>(n);
}

double std_of(const double* x, std::size_t n, double mean, int ddof) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += (x[i] - mean) * (x[i] - mean);
  return std::sqrt(s / static_cast<double>(n - static_cast<std::size_t>(ddof)));
}

// Time-domain group on NN [lo, hi).
void time_domain(const Beats& nn, std::size_t lo, std::size_t hi, double window_ms, Scratch& s,
                 double* f, unsigned& reason) {
  const std::size_t n = hi - lo;
  const double* x = nn.rr_ms.data() + lo;
  f[kNRr] = static_cast<double>(n);
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += x[i];
  f[kRrCoverage] = std::min(1.0, sum / window_ms);
  if (n < 2) reason |= kReasonTimeFewRr;
  if (n >= 1) {
    const double mean = sum / static_cast<double>(n);
    f[kMeanNni] = mean;
    const auto [mn, mx] = std::minmax_element(x, x + n);
    f[kRangeNni] = *mx - *mn;
    f[kMaxHr] = 60000.0 / *mn;
    f[kMinHr] = 60000.0 / *mx;
    s.a.assign(x, x + n);
    auto mid = s.a.begin() + static_cast<std::ptrdiff_t>(n / 2);
    std::nth_element(s.a.begin(), mid, s.a.end());
    f[kMedianNni] = n % 2 == 1 ? *mid : 0.5 * (*std::max_element(s.a.begin(), mid) + *mid);
    s.b.resize(n);
    for (std::size_t i = 0; i < n; ++i) s.b[i] = 60000.0 / x[i];
    const double hr_mean = mean_of(s.b.data(), n);
    f[kMeanHr] = hr_mean;
    if (n >= 2) {
      f[kSdnn] = std_of(x, n, mean, 1);
      f[kCvnni] = f[kSdnn] / mean;
      f[kStdHr] = std_of(s.b.data(), n, hr_mean, 0);  // ddof = 0, as hrvanalysis
    }
  }
  // Successive differences only between adjacent accepted NN (never across a gap).
  std::size_t nd = 0, n50 = 0, n20 = 0;
  double dsum = 0.0, dsq = 0.0;
  for (std::size_t i = lo + 1; i < hi; ++i) {
    if (!nn.follows[i]) continue;
    const double d = nn.rr_ms[i] - nn.rr_ms[i - 1];
    ++nd;
    dsum += d;
    dsq += d * d;
    n50 += std::abs(d) > 50.0 ? 1 : 0;
    n20 += std::abs(d) > 20.0 ? 1 : 0;
  }
  if (nd == 0) {
    reason |= kReasonNoSuccessive;
    return;
  }
  const double dmean = dsum / static_cast<double>(nd);
  double dvar = 0.0;
  for (std::size_t i = lo + 1; i < hi; ++i) {
    if (!nn.follows[i]) continue;
    const double d = nn.rr_ms[i] - nn.rr_ms[i - 1] - dmean;
    dvar += d * d;
  }
  f[kSdsd] = std::sqrt(dvar / static_cast<double>(nd));  // ddof = 0, as hrvanalysis
  f[kRmssd] = std::sqrt(dsq / static_cast<double>(nd));
  f[kCvsd] = f[kRmssd] / f[kMeanNni];
  f[kNni50] = static_cast<double>(n50);
  f[kNni20] = static_cast<double>(n20);
  f[kPnni50] = 100.0 * static_cast<double>(n50) / static_cast<double>(nd);  // per difference
  f[kPnni20] = 100.0 * static_cast<double>(n20) / static_cast<double>(nd);
}

// Sample-entropy match counts over the unordered pairs of templates: a = pairs with |t0 diff| < r
// and |t1 diff| < r, b = those that also have |t2 diff| < r. The templates are sorted by t0, so
// the partners of template i with |t0 diff| < r are the run after it that ends at the first
// t0[j] - t0[i] >= r (rounding is monotone, and |a - b| == b - a exactly for b >= a): about a
// tenth of all pairs at r = 0.2 std, the same comparisons on them, so the same counts as the
// all-pairs loop (tests HrvFeatures.SampleEntropy*; benchmarks/hrv_bench). Within the run the
// t1/t2 checks stay branch-free; only the run's end is a branch.
std::pair<long long, long long> sampen_pair_counts(const std::vector<Template>& t, double r) {
  const std::size_t m = t.size();
  long long a = 0, b = 0;
  for (std::size_t i = 0; i + 1 < m; ++i) {
    const Template u = t[i];
    long long ca = 0, cb = 0;
    for (std::size_t j = i + 1; j < m && t[j].t0 - u.t0 < r; ++j) {
      const bool two = std::abs(u.t1 - t[j].t1) < r;
      ca += two;
      cb += two & (std::abs(u.t2 - t[j].t2) < r);
    }
    a += ca;
    b += cb;
  }
  return {a, b};
}

// Non-linear group (Poincaré, CSI/CVI, sample entropy) on NN [lo, hi).
void nonlinear(const Beats& nn, std::size_t lo, std::size_t hi, Scratch& s, double* f, unsigned& reason) {
  const std::size_t n = hi - lo;
  const double* x = nn.rr_ms.data() + lo;
  std::size_t nd = 0;
  double dsum = 0.0;
  for (std::size_t i = lo + 1; i < hi; ++i) {
    if (nn.follows[i]) {
      ++nd;
      dsum += nn.rr_ms[i] - nn.rr_ms[i - 1];
    }
  }
  if (n < 3 || nd < 2) {
    reason |= kReasonNonlinearFewRr;
    return;
  }
  const double mean = mean_of(x, n);
  const double sx = std_of(x, n, mean, 1);
  const double dmean = dsum / static_cast<double>(nd);
  double dss = 0.0;
  for (std::size_t i = lo + 1; i < hi; ++i) {
    if (nn.follows[i]) {
      const double d = nn.rr_ms[i] - nn.rr_ms[i - 1] - dmean;
      dss += d * d;
    }
  }
  const double sd_var = dss / static_cast<double>(nd - 1);
  const double sd1 = std::sqrt(0.5 * sd_var);
  const double rad = 2.0 * sx * sx - 0.5 * sd_var;
  f[kSd1] = sd1;
  if (rad < 0.0 || !(sd1 > 0.0)) {
    reason |= kReasonPoincareDegenerate;
    if (rad >= 0.0) f[kSd2] = std::sqrt(rad);
  } else {
    const double sd2 = std::sqrt(rad);
    f[kSd2] = sd2;
    f[kRatioSd2Sd1] = sd2 / sd1;
    const double t = 4.0 * sd1, l = 4.0 * sd2;
    f[kCsi] = l / t;
    if (l * t > 0.0) f[kCvi] = std::log10(l * t);
    else reason |= kReasonPoincareDegenerate;
    f[kModifiedCsi] = l * l / t;
  }
  // Sample entropy, m = 2, r = 0.2 * population std; templates of 3 consecutive adjacent NN.
  // Template i (0 <= i < n-2) exists when NN i+1 and i+2 follow their predecessors.
  const double r = 0.2 * std_of(x, n, mean, 0);
  const auto [a, b] = sampen_pair_counts(s.templates.update(nn, lo, hi), r);
  if (a > 0 && b > 0) {
    f[kSampen] = -std::log(static_cast<double>(b) / static_cast<double>(a));
  } else {
    reason |= kReasonSampenNoMatch;
  }
}

void frequency(const Segments& seg, double end_s, double window_s, double* f, unsigned& reason) {
  if (end_s + 1e-9 < window_s) {
    reason |= kReasonFreqNotFull;
    return;
  }
  const double begin = end_s - window_s;
  // Segments s with begin <= s*hop and s*hop + seg_s <= end (all inside the window).
  const auto s0 = static_cast<std::ptrdiff_t>(std::ceil(begin / seg.hop_s - 1e-9));
  const auto s1 = static_cast<std::ptrdiff_t>(std::floor((end_s - seg.seg_s) / seg.hop_s + 1e-9));
  double vlf = 0.0, lf = 0.0, hf = 0.0;
  int k = 0;
  for (std::ptrdiff_t s = std::max<std::ptrdiff_t>(s0, 0); s <= s1 && s < static_cast<std::ptrdiff_t>(seg.valid.size()); ++s) {
    const auto u = static_cast<std::size_t>(s);
    if (!seg.valid[u]) continue;
    vlf += seg.vlf[u];
    lf += seg.lf[u];
    hf += seg.hf[u];
    ++k;
  }
  if (k == 0) {
    reason |= kReasonFreqNoSegment;
    return;
  }
  f[kVlf] = vlf / k;
  f[kLf] = lf / k;
  f[kHf] = hf / k;
  if (hf > 0.0) f[kLfHfRatio] = lf / hf;
  else reason |= kReasonHfZero;
}

std::vector<int> selected_indices(const WindowSpec& spec, const std::vector<std::string>& all) {
  const auto cols = feature_columns(spec);
  std::vector<int> idx;
  for (const auto& c : cols) idx.push_back(static_cast<int>(std::find(all.begin(), all.end(), c) - all.begin()));
  return idx;
}

void check_spec(const WindowSpec& spec) {
  for (double v : {spec.window_s, spec.step_s, spec.nonlinear_window_s, spec.frequency_window_s}) {
    if (!(v > 0.0) || !std::isfinite(v)) {
      throw Error("HRV window lengths and step must be positive finite seconds, but window_s = " +
                  std::to_string(spec.window_s) + ", step_s = " + std::to_string(spec.step_s) +
                  ", nonlinear_window_s = " + std::to_string(spec.nonlinear_window_s) +
                  " and frequency_window_s = " + std::to_string(spec.frequency_window_s) +
                  " were given; fix the window settings in the configuration.");
    }
  }
}

WindowFeatures aura_profile_windows(const std::vector<double>& peak_s, double duration_s,
                                    const WindowSpec& spec) {
  WindowFeatures out;
  out.columns = feature_columns(spec);
  const auto idx = selected_indices(spec, aura_feature_names());
  std::vector<double> rr;
  for (std::size_t i = 1; i < peak_s.size(); ++i) rr.push_back((peak_s[i] - peak_s[i - 1]) * 1000.0);
  const AuraTable t =
      aura_windowed_table(rr, spec.profile == HrvProfile::head ? AuraProfile::head : AuraProfile::aura2021);
  if (!t.error.empty()) {
    throw Error("The " + choice_name(spec.profile) + " HRV profile raised " + t.error + " at table row " +
                std::to_string(t.error_row) + " (" + t.error_window +
                " window holds only outliers), as the old library does; use profile aura2021 or default.");
  }
  std::vector<Eigen::Index> rows;
  for (Eigen::Index r = 0; r < t.values.rows(); ++r) {
    const double end = peak_s.front() + static_cast<double>(r);
    if (end <= duration_s) rows.push_back(r);
  }
  out.values.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(idx.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    out.window_end_s.push_back(peak_s.front() + static_cast<double>(rows[k]));
    for (std::size_t c = 0; c < idx.size(); ++c) {
      out.values(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)) =
          static_cast<float>(t.values(rows[k], idx[c] + 2));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> all_feature_columns(HrvProfile profile) {
  std::vector<std::string> c = aura_feature_names();
  if (profile == HrvProfile::default_) {
    c.insert(c.end(), {"n_rr", "rr_coverage", "hrv_reason"});
    const auto& cardiac = detail::cardiac_feature_names();
    c.insert(c.end(), cardiac.begin(), cardiac.end());
    return c;
  }
  return c;  // aura2021, head
}

std::vector<std::string> feature_columns(const WindowSpec& spec) {
  const auto all = all_feature_columns(spec.profile);
  if (spec.features.empty()) return all;
  for (const auto& name : spec.features) {
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      std::string valid;
      for (const auto& a : all) valid += (valid.empty() ? "" : " ") + a;
      throw ParameterError("HRV feature '" + name + "' is not produced by profile " + choice_name(spec.profile) +
                        "; valid names are: " + valid + ".");
    }
  }
  return spec.features;
}

namespace {
WindowFeatures default_windows(const std::vector<double>& peak_s, const std::vector<double>& rr_ms,
                               double duration_s, const std::vector<std::pair<double, double>>& bad_s,
                               const WindowSpec& spec);
}  // namespace

WindowFeatures compute_window_features_s(const std::vector<double>& peak_s, double duration_s,
                                         const std::vector<std::pair<double, double>>& bad_s,
                                         const WindowSpec& spec) {
  check_spec(spec);
  // RR from peak-time differences, rounded to 1 ns so that e.g. 0.8 s steps give exactly 800 ms.
  std::vector<double> rr(peak_s.size() > 1 ? peak_s.size() - 1 : 0);
  for (std::size_t i = 1; i < peak_s.size(); ++i) rr[i - 1] = std::round((peak_s[i] - peak_s[i - 1]) * 1e6) / 1e3;
  return default_windows(peak_s, rr, duration_s, bad_s, spec);
}

namespace {

WindowFeatures default_windows(const std::vector<double>& peak_s, const std::vector<double>& rr_ms,
                               double duration_s, const std::vector<std::pair<double, double>>& bad_s,
                               const WindowSpec& spec) {
  if (spec.profile != HrvProfile::default_) {
    if (peak_s.size() < 2) {
      WindowFeatures out;
      out.columns = feature_columns(spec);
      out.values.resize(0, static_cast<Eigen::Index>(out.columns.size()));
      return out;
    }
    return aura_profile_windows(peak_s, duration_s, spec);
  }
  WindowFeatures out;
  out.columns = feature_columns(spec);
  const auto idx = selected_indices(spec, all_feature_columns(HrvProfile::default_));
  std::ptrdiff_t n_windows = 0;
  if (std::isfinite(duration_s) && duration_s >= spec.window_s) {
    n_windows = static_cast<std::ptrdiff_t>(std::floor((duration_s - spec.window_s) / spec.step_s + 1e-9)) + 1;
  }
  out.window_end_s.resize(static_cast<std::size_t>(n_windows));
  for (std::ptrdiff_t k = 0; k < n_windows; ++k) {
    out.window_end_s[static_cast<std::size_t>(k)] = spec.window_s + static_cast<double>(k) * spec.step_s;
  }
  out.values.resize(n_windows, static_cast<Eigen::Index>(idx.size()));
  if (n_windows == 0) return out;

  const Beats nn = accept_beats(peak_s, rr_ms, bad_s);
  const Segments seg = welch_segments(nn, duration_s);
  const detail::CardiacSeries cardiac(nn);
  // The cardiac group (columns from kNumCols on) is skipped when none of its columns is selected.
  const bool want_cardiac = std::any_of(idx.begin(), idx.end(), [](int i) { return i >= kNumCols; });
  const double window_ms = spec.window_s * 1000.0;
  const std::ptrdiff_t n_blocks = (n_windows + kWindowsPerBlock - 1) / kWindowsPerBlock;
  OmpExceptionCatcher catcher;
#pragma omp parallel
  {
    Scratch scratch;
    detail::CardiacWindow cardiac_window(cardiac);
#pragma omp for schedule(static)
    for (std::ptrdiff_t blk = 0; blk < n_blocks; ++blk) {
      catcher.run([&] {
        const std::ptrdiff_t k1 = std::min(n_windows, (blk + 1) * kWindowsPerBlock);
        for (std::ptrdiff_t k = blk * kWindowsPerBlock; k < k1; ++k) {
          const double end = out.window_end_s[static_cast<std::size_t>(k)];
          auto range = [&](double len) {
            const auto lo = std::lower_bound(nn.t_s.begin(), nn.t_s.end(), end - len) - nn.t_s.begin();
            const auto hi = std::lower_bound(nn.t_s.begin(), nn.t_s.end(), end) - nn.t_s.begin();
            return std::pair<std::size_t, std::size_t>(static_cast<std::size_t>(lo), static_cast<std::size_t>(hi));
          };
          double f[kAllCols];
          std::fill(f, f + kAllCols, kNan);
          unsigned reason = 0;
          const auto [tlo, thi] = range(spec.window_s);
          time_domain(nn, tlo, thi, window_ms, scratch, f, reason);
          const auto [nlo, nhi] = range(spec.nonlinear_window_s);
          nonlinear(nn, nlo, nhi, scratch, f, reason);
          frequency(seg, end, spec.frequency_window_s, f, reason);
          if (want_cardiac) cardiac_window.compute(end, f + kNumCols, reason);
          f[kReason] = static_cast<double>(reason);
          for (std::size_t c = 0; c < idx.size(); ++c) {
            out.values(k, static_cast<Eigen::Index>(c)) = static_cast<float>(f[idx[c]]);
          }
        }
      });
    }
  }
  catcher.rethrow();
  return out;
}

}  // namespace

WindowFeatures compute_window_features(const std::vector<std::int64_t>& peak_sample, double fs_hz,
                                       double duration_s,
                                       const std::vector<signal::BadSegment>& bad,
                                       const WindowSpec& spec) {
  if (!(fs_hz > 0.0) || !std::isfinite(fs_hz)) {
    throw Error("HRV features need a positive finite sampling rate, but fs = " +
                std::to_string(fs_hz) + " Hz was given; pass the ECG channel's rate.");
  }
  check_spec(spec);
  std::vector<double> peak_s(peak_sample.size());
  for (std::size_t i = 0; i < peak_sample.size(); ++i) {
    if (i > 0 && peak_sample[i] <= peak_sample[i - 1]) {
      std::ostringstream msg;
      msg << "R-peak sample indices must be strictly increasing, but peak " << i << " (sample "
          << peak_sample[i] << ") does not follow peak " << i - 1 << " (sample " << peak_sample[i - 1]
          << "); pass the output of signal::detect_rpeaks unchanged.";
      throw Error(msg.str());
    }
    peak_s[i] = static_cast<double>(peak_sample[i]) / fs_hz;
  }
  std::vector<double> rr(peak_s.size() > 1 ? peak_s.size() - 1 : 0);
  for (std::size_t i = 1; i < peak_s.size(); ++i) {
    rr[i - 1] = static_cast<double>(peak_sample[i] - peak_sample[i - 1]) * 1000.0 / fs_hz;
  }
  std::vector<std::pair<double, double>> bad_s;
  for (const auto& b : bad) {
    bad_s.emplace_back(static_cast<double>(b.begin_sample) / fs_hz, static_cast<double>(b.end_sample) / fs_hz);
  }
  if (spec.profile != HrvProfile::default_) return compute_window_features_s(peak_s, duration_s, bad_s, spec);
  return default_windows(peak_s, rr, duration_s, bad_s, spec);
}

}  // namespace ecgforest::hrv
