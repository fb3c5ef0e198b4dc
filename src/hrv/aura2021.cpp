// The AURA workflow (hrvanalysis 1.0.4/1.0.5 + nolds 0.5.2/0.6.1) reproduced step by step from
// ../shared/data/hrv/SPEC.md. Operation order follows numpy exactly (pairwise sums, sequential
// cumsum, (x-mean)*(x-mean) squares); see SPEC section 11.
#include "ecgforest/hrv/aura2021.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <fstream>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>

#include <unsupported/Eigen/FFT>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/core/omp_exception.hpp"

namespace ecgforest::hrv {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kNfft = 4096;
constexpr double kFsResample = 4.0;
constexpr double kBinHz = 1.0 / 1024.0;  // fs / nfft, exact in binary
// Bins with lo <= k/1024 < hi (SPEC 7.6): VLF 4..40, LF 41..153, HF 154..409.
constexpr std::size_t kVlfLo = 4, kVlfHi = 40, kLfLo = 41, kLfHi = 153, kHfLo = 154, kHfHi = 409;

double pairwise(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

double np_mean(const double* a, std::size_t n) { return numpy_sum(a, n) / static_cast<double>(n); }

// numpy std with ddof; `scratch` is reused.
double np_std(const double* a, std::size_t n, int ddof, std::vector<double>& scratch) {
  const double m = np_mean(a, n);
  scratch.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double d = a[i] - m;
    scratch[i] = d * d;
  }
  const double denom = static_cast<double>(n > static_cast<std::size_t>(ddof) ? n - static_cast<std::size_t>(ddof) : 0);
  return std::sqrt(numpy_sum(scratch.data(), n) / denom);
}

// Python builtin max/min: keep the first element unless a later one compares greater/smaller.
double py_max(const double* a, std::size_t n) {
  double c = a[0];
  for (std::size_t i = 1; i < n; ++i) if (a[i] > c) c = a[i];
  return c;
}
double py_min(const double* a, std::size_t n) {
  double c = a[0];
  for (std::size_t i = 1; i < n; ++i) if (a[i] < c) c = a[i];
  return c;
}

// pandas Series.interpolate(method="linear", limit_direction="forward") on index positions.
void interpolate_forward(std::vector<double>& v) {
  const std::size_t n = v.size();
  std::size_t first = 0;
  while (first < n && std::isnan(v[first])) ++first;
  if (first == n) return;  // all NaN (or empty): unchanged
  std::size_t lo = first;
  for (std::size_t i = first + 1; i < n; ++i) {
    if (!std::isnan(v[i])) {
      if (i > lo + 1) {
        const double slope = (v[i] - v[lo]) / (static_cast<double>(i) - static_cast<double>(lo));
        for (std::size_t k = lo + 1; k < i; ++k) {
          v[k] = slope * (static_cast<double>(k) - static_cast<double>(lo)) + v[lo];
        }
      }
      lo = i;
    }
  }
  for (std::size_t k = lo + 1; k < n; ++k) v[k] = v[lo];  // trailing: last valid value
}

// interpolate_nan_values; returns false (IndexError) where the head profile raises.
bool interpolate_nan_values(std::vector<double>& v, AuraProfile profile) {
  if (profile == AuraProfile::head) {
    if (v.empty()) return false;
    if (std::isnan(v[0])) {
      std::size_t k = 0;
      while (k < v.size() && std::isnan(v[k])) ++k;
      if (k == v.size()) return false;
      for (std::size_t i = 0; i < k; ++i) v[i] = v[k];
    }
  }
  interpolate_forward(v);
  return true;
}

const char* kIndexError = "IndexError: list index out of range";

// Cleaning chain on raw RR values [a, a+n); the nn values land in `c.nn`.
void clean_into(const double* a, std::size_t n, AuraProfile profile, AuraCleaning& c) {
  c.error.clear();
  c.after_remove_outliers.assign(a, a + n);
  for (double& v : c.after_remove_outliers) {
    if (!(v >= 300.0 && v <= 1800.0)) v = kNan;
  }
  c.after_interpolate_1 = c.after_remove_outliers;
  c.after_malik.clear();
  c.nn.clear();
  if (!interpolate_nan_values(c.after_interpolate_1, profile)) {
    c.after_interpolate_1.clear();  // the stage raised: it produced nothing
    c.error = kIndexError;
    return;
  }
  if (n == 0) {  // Malik reads element 0 of the (empty) interpolated list
    c.error = kIndexError;
    return;
  }
  const std::vector<double>& v = c.after_interpolate_1;
  c.after_malik.resize(n);
  c.after_malik[0] = v[0];
  bool skip = false;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (skip) {
      c.after_malik[i + 1] = v[i + 1];
      skip = false;
    } else if (std::abs(v[i] - v[i + 1]) <= 0.2 * v[i]) {
      c.after_malik[i + 1] = v[i + 1];
    } else {
      c.after_malik[i + 1] = kNan;
      skip = true;
    }
  }
  c.nn = c.after_malik;
  if (!interpolate_nan_values(c.nn, profile)) c.error = kIndexError;
}

struct Scratch {
  std::vector<double> a, b, c, d;
  std::vector<double> seg;
  std::vector<std::complex<double>> spec;
  Eigen::FFT<double> fft;
  AuraCleaning cleaning;
  Scratch() { fft.SetFlag(Eigen::FFT<double>::HalfSpectrum); }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Poincaré (SPEC 4): {sd1, sd2, ratio}.
std::array<double, 3> poincare(const double* x, std::size_t n, Scratch& s) {
  s.c.resize(n > 0 ? n - 1 : 0);
  for (std::size_t i = 0; i + 1 < n; ++i) s.c[i] = x[i + 1] - x[i];
  const double sd_d = np_std(s.c.data(), s.c.size(), 1, s.d);
  const double sd_x = np_std(x, n, 1, s.d);
  const double sd1 = std::sqrt(sd_d * sd_d * 0.5);
  const double sd2 = std::sqrt(2.0 * (sd_x * sd_x) - 0.5 * (sd_d * sd_d));
  return {sd1, sd2, sd2 / sd1};
}

// Welch PSD into `psd` (2049 bins); `interp` receives the 4 Hz series. False on NaN time axis.
bool welch_psd(const double* x, std::size_t n, Scratch& s, std::vector<double>& interp,
               std::vector<double>& psd) {
  // 7.1 time axis: cumsum / 1000 - first.
  std::vector<double>& t = s.a;
  t.resize(n);
  double acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += x[i];
    t[i] = acc / 1000.0;
  }
  const double t0 = t[0];
  for (std::size_t i = 0; i < n; ++i) t[i] = t[i] - t0;
  const double t_last = t[n - 1];
  if (std::isnan(t_last)) return false;
  const auto m = static_cast<std::size_t>(std::ceil(t_last / 0.25));
  interp.resize(m);
  std::size_t j = 0;
  for (std::size_t g = 0; g < m; ++g) {
    const double gv = 0.25 * static_cast<double>(g);
    while (j + 1 < n && t[j + 1] <= gv) ++j;
    if (gv == t[j]) {
      interp[g] = x[j];
    } else {
      const double slope = (x[j + 1] - x[j]) / (t[j + 1] - t[j]);
      interp[g] = slope * (gv - t[j]) + x[j];
    }
  }
  psd.assign(kNfft / 2 + 1, 0.0);
  if (m == 0) return true;
  const double mean = np_mean(interp.data(), m);
  std::vector<double>& z = s.b;
  z.resize(m);
  for (std::size_t i = 0; i < m; ++i) z[i] = interp[i] - mean;
  const std::size_t len = std::min<std::size_t>(256, m);
  const std::size_t overlap = len / 2, step = len - overlap;
  const std::size_t k_seg = (m - overlap) / step;
  std::vector<double>& w = s.c;
  w.resize(len);
  if (len == 1) {
    w[0] = 1.0;
  } else {
    const double pi = std::numbers::pi;
    const double dstep = (pi - (-pi)) / static_cast<double>(len);
    for (std::size_t i = 0; i < len; ++i) {
      const double fac = static_cast<double>(i) * dstep + (-pi);
      w[i] = (0.0 + 0.5 * std::cos(0.0 * fac)) + 0.5 * std::cos(fac);
    }
  }
  std::vector<double>& w2 = s.d;
  w2.resize(len);
  for (std::size_t i = 0; i < len; ++i) w2[i] = w[i] * w[i];
  const double scale = 1.0 / (kFsResample * numpy_sum(w2.data(), len));
  s.seg.assign(kNfft, 0.0);
  for (std::size_t seg = 0; seg < k_seg; ++seg) {
    const double* zs = z.data() + seg * step;
    const double sm = np_mean(zs, len);
    for (std::size_t i = 0; i < len; ++i) s.seg[i] = w[i] * (zs[i] - sm);
    s.fft.fwd(s.spec, s.seg);
    for (std::size_t k = 0; k <= kNfft / 2; ++k) {
      const double re = s.spec[k].real(), im = s.spec[k].imag();
      double p = (re * re + im * im) * scale;
      if (k != 0 && k != kNfft / 2) p *= 2.0;
      psd[k] += p;
    }
  }
  if (k_seg > 1) {
    for (double& p : psd) p /= static_cast<double>(k_seg);
  }
  return true;
}

double trapz_band(const std::vector<double>& psd, std::size_t lo, std::size_t hi, std::vector<double>& tmp) {
  tmp.resize(hi - lo);
  for (std::size_t k = lo; k < hi; ++k) tmp[k - lo] = kBinHz * (psd[k + 1] + psd[k]) / 2.0;
  return numpy_sum(tmp.data(), tmp.size());
}

// Fills the three groups of `f` from NN [x, x+n) as AURA's short/medium/large calls would.
// Returns printed messages via `printed` (prefixed by "Interval <row> - ").
void time_group(const double* x, std::size_t n, AuraFeatures& f) {
  const auto td = aura_time_domain(x, n);
  for (std::size_t i = 0; i < 16; ++i) f[i] = td[i];
}

void medium_group(const double* x, std::size_t n, AuraProfile profile, long long row,
                  AuraFeatures& f, std::string& printed, Scratch& s) {
  const auto pc = poincare(x, n, s);
  const double t = 4.0 * pc[0], l = 4.0 * pc[1];
  f[20] = l / t;
  f[21] = std::log10(l * t);
  f[22] = (l * l) / t;
  if (n < 3) {
    printed += "Interval " + std::to_string(row) +
               " - computation issue on medium window features cannot embed data of length " +
               std::to_string(n) + " with embedding dimension 3 and lag 1, minimum required length is 3\n";
    return;
  }
  f[23] = aura_sampen(x, n, profile);
  f[24] = pc[0];
  f[25] = pc[1];
  f[26] = pc[2];
}

void large_group(const double* x, std::size_t n, long long row, AuraFeatures& f,
                 std::string& printed) {
  std::array<double, 4> b{};
  if (aura_welch_bands(x, n, b)) {
    f[16] = b[0];
    f[17] = b[1];
    f[18] = b[2];
    f[19] = b[3];
  } else {
    printed += "Interval " + std::to_string(row) +
               " - computation issue on large window features arange: cannot compute length\n";
  }
}

AuraFeatures nan_features() {
  AuraFeatures f;
  f.fill(kNan);
  return f;
}

}  // namespace

double numpy_sum(const double* a, std::size_t n) { return 0.0 + pairwise(a, n); }

AuraProfile parse_aura_profile(const std::string& name) {
  if (name == "aura2021") return AuraProfile::aura2021;
  if (name == "head") return AuraProfile::head;
  throw ParameterError("Unknown AURA HRV profile '" + name +
                    "'; valid names are aura2021 (what the AURA pipeline ran) and head "
                    "(current hrv-analysis and nolds).");
}

const std::vector<std::string>& aura_feature_names() {
  static const std::vector<std::string> names = {
      "mean_nni", "sdnn",   "sdsd",   "nni_50",      "pnni_50", "nni_20", "pnni_20",
      "rmssd",    "median_nni", "range_nni", "cvsd", "cvnni",   "mean_hr", "max_hr",
      "min_hr",   "std_hr", "lf",     "hf",          "vlf",     "lf_hf_ratio", "csi",
      "cvi",      "Modified_csi", "sampen", "sd1",   "sd2",     "ratio_sd2_sd1"};
  return names;
}

const std::vector<std::string>& aura_table_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c = {"interval_index", "interval_start_time"};
    for (const auto& n : aura_feature_names()) c.push_back(n);
    return c;
  }();
  return cols;
}

AuraCleaning aura_clean(const std::vector<double>& rr_ms, AuraProfile profile) {
  AuraCleaning c;
  clean_into(rr_ms.data(), rr_ms.size(), profile, c);
  return c;
}

std::array<double, 16> aura_time_domain(const double* x, std::size_t n) {
  std::array<double, 16> f;
  f.fill(kNan);
  if (n < 2) return f;  // ZeroDivisionError in pnni: the whole group stays NaN
  Scratch& s = scratch();
  std::vector<double>& d = s.a;
  d.resize(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) d[i] = x[i + 1] - x[i];
  const double mean_nni = np_mean(x, n);
  double median = kNan;
  bool any_nan = false;
  for (std::size_t i = 0; i < n; ++i) any_nan = any_nan || std::isnan(x[i]);
  if (!any_nan) {
    s.b.assign(x, x + n);
    auto mid = s.b.begin() + static_cast<std::ptrdiff_t>(n / 2);
    std::nth_element(s.b.begin(), mid, s.b.end());
    const double hi = *mid;
    if (n % 2 == 1) {
      median = hi;
    } else {
      const double lo = *std::max_element(s.b.begin(), mid);
      median = (0.0 + lo + hi) / 2.0;
    }
  }
  const double range = py_max(x, n) - py_min(x, n);
  const double sdsd = np_std(d.data(), n - 1, 0, s.c);
  s.b.resize(n - 1);
  std::size_t n50 = 0, n20 = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    s.b[i] = d[i] * d[i];
    if (std::abs(d[i]) > 50.0) ++n50;
    if (std::abs(d[i]) > 20.0) ++n20;
  }
  const double rmssd = std::sqrt(np_mean(s.b.data(), n - 1));
  const double pnni50 = static_cast<double>(100 * n50) / static_cast<double>(n - 1);
  const double pnni20 = static_cast<double>(100 * n20) / static_cast<double>(n - 1);
  const double sdnn = np_std(x, n, 1, s.c);
  s.b.resize(n);
  for (std::size_t i = 0; i < n; ++i) s.b[i] = 60000.0 / x[i];
  const double mean_hr = np_mean(s.b.data(), n);
  const double min_hr = py_min(s.b.data(), n);
  const double max_hr = py_max(s.b.data(), n);
  const double std_hr = np_std(s.b.data(), n, 0, s.c);
  f = {mean_nni, sdnn, sdsd, static_cast<double>(n50), pnni50, static_cast<double>(n20), pnni20,
       rmssd, median, range, rmssd / mean_nni, sdnn / mean_nni, mean_hr, max_hr, min_hr, std_hr};
  return f;
}

bool aura_welch_psd(const double* nn, std::size_t n, std::vector<double>& interpolated,
                    std::vector<double>& psd) {
  if (n == 0) return false;
  return welch_psd(nn, n, scratch(), interpolated, psd);
}

bool aura_welch_bands(const double* nn, std::size_t n, std::array<double, 4>& out) {
  Scratch& s = scratch();
  thread_local std::vector<double> interp, psd, tmp;
  if (n == 0 || !welch_psd(nn, n, s, interp, psd)) return false;
  if (interp.empty()) {
    out = {0.0, 0.0, 0.0, kNan};
    return true;
  }
  const double lf = trapz_band(psd, kLfLo, kLfHi, tmp);
  const double hf = trapz_band(psd, kHfLo, kHfHi, tmp);
  const double vlf = trapz_band(psd, kVlfLo, kVlfHi, tmp);
  out = {lf, hf, vlf, lf / hf};
  return true;
}

double aura_sampen(const double* x, std::size_t n, AuraProfile profile, double* tolerance,
                   long long* count_m2, long long* count_m3) {
  Scratch& s = scratch();
  double r;
  if (profile == AuraProfile::aura2021) {
    r = 0.2 * np_std(x, n, 0, s.d);
  } else {
    r = np_std(x, n, 1, s.d) * 0.1164 * (0.5627 * std::log(2.0) + 1.3334);
  }
  long long a = 0, b = 0;
  const std::size_t nt = n >= 2 ? n - 2 : 0;
  for (std::size_t i = 0; i < nt; ++i) {
    const double x0 = x[i], x1 = x[i + 1], x2 = x[i + 2];
    for (std::size_t j = i + 1; j < nt; ++j) {
      if (std::abs(x0 - x[j]) < r && std::abs(x1 - x[j + 1]) < r) {
        ++a;
        if (std::abs(x2 - x[j + 2]) < r) ++b;
      }
    }
  }
  if (tolerance) *tolerance = r;
  if (count_m2) *count_m2 = a;
  if (count_m3) *count_m3 = b;
  if (a > 0 && b > 0) return -std::log(1.0 * static_cast<double>(b) / static_cast<double>(a));
  if (a == 0 && b == 0 && profile == AuraProfile::head) return kNan;
  return kInf;
}

AuraWholeResult aura_whole_series(const std::vector<double>& rr_ms, AuraProfile profile) {
  AuraWholeResult out;
  out.cleaning = aura_clean(rr_ms, profile);
  out.features = nan_features();
  if (!out.cleaning.error.empty()) return out;
  const double* x = out.cleaning.nn.data();
  const std::size_t n = out.cleaning.nn.size();
  time_group(x, n, out.features);
  medium_group(x, n, profile, 0, out.features, out.printed, scratch());
  large_group(x, n, 0, out.features, out.printed);
  return out;
}

AuraTable aura_windowed_table(const std::vector<double>& rr_ms, AuraProfile profile,
                              const AuraWindowing& win) {
  AuraTable table;
  const std::size_t n = rr_ms.size();
  std::vector<double> ts(n);
  double acc = 0.0;
  bool monotonic = true;
  for (std::size_t k = 0; k < n; ++k) {
    acc += rr_ms[k];
    ts[k] = acc;
    if (k > 0 && !(ts[k] >= ts[k - 1])) monotonic = false;
  }
  if (n == 0) {
    table.values.resize(0, 29);
    return table;
  }
  const auto n_rows = static_cast<long long>(ts[n - 1] / win.sliding_ms + 1.0);
  table.values.setConstant(std::max<long long>(n_rows, 0), 29, kNan);
  const double sizes[3] = {win.short_ms, win.medium_ms, win.large_ms};
  const char* names[3] = {"short", "medium", "large"};
  std::vector<std::string> printed(static_cast<std::size_t>(std::max<long long>(n_rows, 0)));
  // First error (row-major, then short/medium/large) for the head profile; one slot per row.
  std::vector<int> err_window(printed.size(), -1);
  OmpExceptionCatcher catcher;
#pragma omp parallel for schedule(dynamic, 16)
  for (long long i = 0; i < n_rows; ++i) {
    catcher.run([&] {
      Scratch& s = scratch();
      std::vector<double> sel;
      AuraFeatures f = nan_features();
      auto& out_print = printed[static_cast<std::size_t>(i)];
      const double end = static_cast<double>(i) * win.sliding_ms;
      for (int w = 0; w < 3; ++w) {
        if (!(end >= sizes[w])) continue;
        const double begin = end - sizes[w];
        sel.clear();
        if (monotonic) {
          const auto lo = std::lower_bound(ts.begin(), ts.end(), begin) - ts.begin();
          const auto hi = std::lower_bound(ts.begin(), ts.end(), end) - ts.begin();
          sel.assign(rr_ms.begin() + lo, rr_ms.begin() + std::max(lo, hi));
        } else {
          for (std::size_t k = 0; k < n; ++k) {
            if (ts[k] >= begin && ts[k] < end) sel.push_back(rr_ms[k]);
          }
        }
        if (sel.empty()) continue;  // "No RR intervals"
        clean_into(sel.data(), sel.size(), profile, s.cleaning);
        if (!s.cleaning.error.empty()) {
          err_window[static_cast<std::size_t>(i)] = w;
          return;
        }
        const double* x = s.cleaning.nn.data();
        const std::size_t m = s.cleaning.nn.size();
        if (w == 0) time_group(x, m, f);
        if (w == 1) medium_group(x, m, profile, i, f, out_print, s);
        if (w == 2) large_group(x, m, i, f, out_print);
      }
      auto row = table.values.row(i);
      row(0) = static_cast<double>(i);
      row(1) = end;
      for (std::size_t c = 0; c < kAuraFeatureCount; ++c) row(static_cast<Eigen::Index>(c + 2)) = f[c];
    });
  }
  catcher.rethrow();
  for (std::size_t i = 0; i < printed.size(); ++i) {
    if (err_window[i] >= 0) {
      table.error = kIndexError;
      table.error_row = static_cast<long long>(i);
      table.error_window = names[err_window[i]];
      table.values.resize(0, 29);
      table.printed.clear();
      return table;
    }
    table.printed += printed[i];
  }
  return table;
}

std::vector<double> aura_labels(const std::vector<AnnotationEvent>& events, std::size_t n_rows) {
  // Integer nanoseconds as consolidate_feats_and_annot.py holds them (pandas timedeltas).
  const auto ns = [](double s) { return static_cast<long long>(s * 1e9); };
  std::vector<double> out(n_rows, kNan);
  for (std::size_t i = 0; i < n_rows; ++i) {
    const long long s = static_cast<long long>(i) * 1000000000LL;
    const long long e = s + 1000000000LL;
    double seiz = 0.0, other = 0.0;
    for (const auto& ev : events) {
      const long long a = ns(ev.start_s) <= s ? s : ns(ev.start_s);
      const long long b = ns(ev.stop_s) > e ? e : ns(ev.stop_s);
      const double ov = std::max(0.0, static_cast<double>(b - a) / 1e9);
      if (ev.label == "seiz") seiz += ov; else other += ov;
    }
    double ratio = seiz / (seiz + other);
    ratio = std::nearbyint(ratio * 100.0) / 100.0;
    if (ratio > 0.9) ratio = 1.0;
    out[i] = ratio;
  }
  return out;
}

}  // namespace ecgforest::hrv
