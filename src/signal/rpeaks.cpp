// R-peak detection after Elgendi et al. (2013), "Fast QRS detection with an optimized knowledge-
// based method", PLoS ONE 8(9): e73557, with additions: local (not global) energy offset,
// 200 ms refractory period, RR-based searchback for missed beats, a recording-level polarity
// decision and refinement of every detection onto the R peak of the lightly filtered signal.
//
// Pipeline (n samples, all buffers allocated once, every stage O(n)):
//   1. bad segments: flat (range < 1 % of the typical 1-s range for >= 1 s), saturated (stuck
//      at the recording's min or max for >= 0.2 s), non-finite samples ("noise"); bridged by a
//      straight line in the working copy so that filters see no steps.
//   2. zero-phase Butterworth band-pass 8-20 Hz, squared -> QRS energy.
//   3. MA_qrs (97 ms) and MA_beat (611 ms) centred moving averages of the energy; blocks of
//      interest where MA_qrs > MA_beat + beta * (local mean energy over 2 s); blocks at least
//      one QRS window wide are QRS candidates, located at their energy maximum.
//   4. refractory 200 ms (the stronger candidate wins); a candidate < 360 ms or < 0.5 RR after
//      the previous beat with less than half its energy is dropped (T wave / noise);
//      searchback in RR gaps > 1.66 x the running RR with a lowered threshold.
//   5. polarity from the median signed dominant deflection, then each detection moves to the
//      extremum of the polarity-corrected 0.5-40 Hz signal within +-50 ms.
#include "ecgforest/signal/rpeaks.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/signal/filters.hpp"

namespace ecgforest::signal {
namespace {

using Index = std::int64_t;

constexpr double kMinFs = 128.0;
constexpr double kMaxFs = 1000.0;

struct Params {
  double band_lo_hz = 8.0;
  double band_hi_hz = 20.0;
  double qrs_window_s = 0.097;
  double beat_window_s = 0.611;
  double offset_window_s = 2.0;
  double beta = 0.35;  // Elgendi's 0.08 used a global mean; tuned on MIT-BIH for a 2-s local mean
  double refractory_s = 0.2;
  double searchback_factor = 1.66;
  double refine_half_s = 0.05;
  double twave_s = 0.36;
  double early_factor = 0.5;
  double twave_ratio = 0.5;
  double flat_min_s = 1.0;
  double flat_rel_tol = 0.01;
  double saturated_min_s = 0.2;
  double saturated_rel_tol = 0.002;
  double guard_s = 0.05;
};

Index to_samples(double seconds, double fs) { return static_cast<Index>(std::llround(seconds * fs)); }

std::size_t odd_width(double seconds, double fs) {
  auto w = static_cast<std::size_t>(std::llround(seconds * fs));
  if (w < 1) w = 1;
  if (w % 2 == 0) ++w;
  return w;
}

void add_segment(std::vector<BadSegment>& out, Index b, Index e, const char* reason) {
  if (e > b) out.push_back(BadSegment{b, e, reason});
}

// Bad stretches of the raw signal (unpadded, possibly overlapping; merged by the caller).
std::vector<BadSegment> find_bad_segments(const double* x, Index n, double fs, const Params& p) {
  std::vector<BadSegment> bad;
  // Non-finite samples.
  for (Index i = 0; i < n;) {
    if (std::isfinite(x[i])) {
      ++i;
      continue;
    }
    Index j = i;
    while (j < n && !std::isfinite(x[j])) ++j;
    add_segment(bad, i, j, "noise");
    i = j;
  }
  // Typical 1-s range (90th percentile over blocks) and global extremes of finite samples.
  const Index block = std::max<Index>(1, to_samples(1.0, fs));
  std::vector<double> ranges;
  ranges.reserve(static_cast<std::size_t>(n / block + 1));
  double gmin = INFINITY, gmax = -INFINITY;
  for (Index b = 0; b < n; b += block) {
    double mn = INFINITY, mx = -INFINITY;
    for (Index i = b; i < std::min(n, b + block); ++i) {
      if (!std::isfinite(x[i])) continue;
      mn = std::min(mn, x[i]);
      mx = std::max(mx, x[i]);
    }
    if (mx >= mn) {
      ranges.push_back(mx - mn);
      gmin = std::min(gmin, mn);
      gmax = std::max(gmax, mx);
    }
  }
  if (ranges.empty()) return bad;
  const auto k = static_cast<std::size_t>(0.9 * static_cast<double>(ranges.size() - 1));
  std::nth_element(ranges.begin(), ranges.begin() + static_cast<std::ptrdiff_t>(k), ranges.end());
  const double typical = ranges[k];
  const double flat_tol = p.flat_rel_tol * typical;
  const double span = gmax - gmin;

  // Saturation: runs stuck at the global min or max.
  if (span > 0.0) {
    const Index min_len = std::max<Index>(2, to_samples(p.saturated_min_s, fs));
    const double tol = p.saturated_rel_tol * span;
    for (Index i = 0; i < n;) {
      const bool hi = x[i] >= gmax - tol;
      const bool lo = x[i] <= gmin + tol;
      if (!hi && !lo) {
        ++i;
        continue;
      }
      Index j = i;
      while (j < n && (hi ? x[j] >= gmax - tol : x[j] <= gmin + tol)) ++j;
      if (j - i >= min_len) add_segment(bad, i, j, "saturated");
      i = j;
    }
  }
  // Flat: greedy runs whose range stays within flat_tol.
  {
    const Index min_len = std::max<Index>(2, to_samples(p.flat_min_s, fs));
    Index start = 0;
    double mn = x[0], mx = x[0];
    for (Index i = 1; i <= n; ++i) {
      bool extend = false;
      if (i < n && std::isfinite(x[i]) && std::isfinite(mn)) {
        const double nmn = std::min(mn, x[i]);
        const double nmx = std::max(mx, x[i]);
        if (nmx - nmn <= flat_tol) {
          mn = nmn;
          mx = nmx;
          extend = true;
        }
      }
      if (!extend) {
        if (i - start >= min_len && std::isfinite(mn)) add_segment(bad, start, i, "flat");
        if (i < n) {
          start = i;
          mn = mx = x[i];
        }
      }
    }
  }
  return bad;
}

// Pads by `guard` samples, clips to [0, n), sorts and merges overlapping/touching segments.
std::vector<BadSegment> merge_segments(std::vector<BadSegment> bad, Index n, Index guard) {
  for (auto& s : bad) {
    s.begin_sample = std::max<Index>(0, s.begin_sample - guard);
    s.end_sample = std::min<Index>(n, s.end_sample + guard);
  }
  std::sort(bad.begin(), bad.end(),
            [](const BadSegment& a, const BadSegment& b) { return a.begin_sample < b.begin_sample; });
  std::vector<BadSegment> out;
  for (auto& s : bad) {
    if (!out.empty() && s.begin_sample <= out.back().end_sample) {
      out.back().end_sample = std::max(out.back().end_sample, s.end_sample);
    } else {
      out.push_back(std::move(s));
    }
  }
  return out;
}

// Replaces each bad stretch in w by a straight line between its neighbouring good samples.
void bridge_segments(double* w, Index n, const std::vector<BadSegment>& bad) {
  for (const auto& s : bad) {
    const Index b = s.begin_sample, e = s.end_sample;
    const bool has_left = b > 0, has_right = e < n;
    const double left = has_left ? w[b - 1] : (has_right ? w[e] : 0.0);
    const double right = has_right ? w[e] : left;
    const double len = static_cast<double>(e - b + 1);
    for (Index i = b; i < e; ++i) {
      const double t = static_cast<double>(i - b + 1) / len;
      w[i] = left + (right - left) * t;
    }
  }
}

struct Candidate {
  Index pos;      // sample of maximum QRS energy
  double energy;  // band-passed energy at pos
};

// Blocks where ma_qrs > thr, at least min_width wide, inside [from, to).
template <class Thr, class Sink>
void scan_blocks(const double* ma_qrs, Thr thr, const double* energy, Index from, Index to,
                 Index min_width, Sink sink) {
  Index i = from;
  while (i < to) {
    if (!(ma_qrs[i] > thr(i))) {
      ++i;
      continue;
    }
    Index j = i;
    Index best = i;
    while (j < to && ma_qrs[j] > thr(j)) {
      if (energy[j] > energy[best]) best = j;
      ++j;
    }
    if (j - i >= min_width) sink(Candidate{best, energy[best]});
    i = j;
  }
}

RPeaks detect_elgendi(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs, const Params& p) {
  RPeaks result;
  const Index n = ecg.size();
  if (n == 0) return result;
  const auto un = static_cast<std::size_t>(n);

  // Contiguous working copy (the Ref may be strided).
  std::vector<double> w(un);
  for (Index i = 0; i < n; ++i) w[static_cast<std::size_t>(i)] = ecg[i];

  const Index guard = to_samples(p.guard_s, fs);
  result.bad = merge_segments(find_bad_segments(w.data(), n, fs, p), n, guard);
  bridge_segments(w.data(), n, result.bad);

  // 2. Band-pass and energy.
  std::vector<Biquad> band = butterworth_highpass(2, p.band_lo_hz, fs);
  for (const Biquad& s : butterworth_lowpass(2, p.band_hi_hz, fs)) band.push_back(s);
  std::vector<double> energy(un);
  filtfilt(band, w.data(), energy.data(), un);
  for (double& v : energy) v *= v;
  for (const auto& s : result.bad) {
    std::fill(energy.begin() + s.begin_sample, energy.begin() + s.end_sample, 0.0);
  }

  // 3. Moving averages and threshold thr = MA_beat + beta * local mean energy.
  std::vector<double> ma_qrs(un), thr(un), tmp(un);
  moving_average(energy.data(), ma_qrs.data(), un, odd_width(p.qrs_window_s, fs));
  moving_average(energy.data(), thr.data(), un, odd_width(p.beat_window_s, fs));
  moving_average(energy.data(), tmp.data(), un, odd_width(p.offset_window_s, fs));
  for (std::size_t i = 0; i < un; ++i) thr[i] += p.beta * tmp[i];

  const Index w1 = static_cast<Index>(odd_width(p.qrs_window_s, fs));
  const Index refractory = to_samples(p.refractory_s, fs);
  std::vector<Candidate> beats;
  beats.reserve(static_cast<std::size_t>(static_cast<double>(n) / fs * 4.0) + 16);
  auto push_with_refractory = [&](const Candidate& c) {
    if (!beats.empty() && c.pos - beats.back().pos < refractory) {
      if (c.energy > beats.back().energy) beats.back() = c;
      return;
    }
    beats.push_back(c);
  };
  scan_blocks(
      ma_qrs.data(), [&](Index i) { return thr[static_cast<std::size_t>(i)]; }, energy.data(), 0,
      n, w1, push_with_refractory);

  // 4. Searchback: in gaps > factor x running RR, take the strongest block above MA_beat alone.
  {
    std::vector<Candidate> out;
    out.reserve(beats.size() + beats.size() / 8 + 4);
    double rr_avg = 0.0;  // running mean of the last 8 accepted RR (samples)
    int rr_count = 0;
    for (std::size_t k = 0; k < beats.size(); ++k) {
      if (!out.empty() && rr_count >= 4) {
        const Index prev = out.back().pos;
        const Index next = beats[k].pos;
        if (static_cast<double>(next - prev) > p.searchback_factor * rr_avg) {
          Candidate best{-1, 0.0};
          double best_ma = 0.0;
          const Index from = prev + std::max(refractory, static_cast<Index>(0.3 * rr_avg));
          const Index to = next - refractory;
          if (to > from) {
            scan_blocks(
                ma_qrs.data(),
                [&](Index i) {
                  const auto u = static_cast<std::size_t>(i);
                  return thr[u] - 0.5 * p.beta * tmp[u];
                },
                energy.data(), from, to, w1 / 2, [&](const Candidate& c) {
                  const double m = ma_qrs[static_cast<std::size_t>(c.pos)];
                  if (m > best_ma) {
                    best_ma = m;
                    best = c;
                  }
                });
          }
          if (best.pos >= 0) {
            out.push_back(best);
          }
        }
      }
      if (!out.empty()) {
        // T-wave / noise rejection: an early candidate much weaker than the previous beat.
        const Index gap = beats[k].pos - out.back().pos;
        const bool early = gap < static_cast<Index>(p.twave_s * fs) ||
                           (rr_count >= 4 && static_cast<double>(gap) < p.early_factor * rr_avg);
        if (early && beats[k].energy < p.twave_ratio * out.back().energy) continue;
      }
      if (!out.empty()) {
        const double rr = static_cast<double>(beats[k].pos - out.back().pos);
        if (rr_count == 0) {
          rr_avg = rr;
        } else {
          rr_avg += (rr - rr_avg) / static_cast<double>(std::min(rr_count + 1, 8));
        }
        ++rr_count;
      }
      out.push_back(beats[k]);
    }
    beats.swap(out);
  }

  // 5. Polarity and refinement on a lightly filtered copy (0.5-40 Hz, zero phase).
  std::vector<Biquad> light = butterworth_highpass(2, 0.5, fs);
  for (const Biquad& s : butterworth_lowpass(2, std::min(40.0, 0.4 * fs), fs)) light.push_back(s);
  std::vector<double>& r = tmp;  // reuse
  filtfilt(light, w.data(), r.data(), un);
  const Index half = std::max<Index>(1, to_samples(p.refine_half_s, fs));
  std::vector<double>& votes = ma_qrs;  // reuse: signed dominant deflection per beat
  std::size_t nv = 0;
  for (const auto& c : beats) {
    const Index a = std::max<Index>(0, c.pos - half), b = std::min<Index>(n - 1, c.pos + half);
    double mx = -INFINITY, mn = INFINITY;
    for (Index i = a; i <= b; ++i) {
      mx = std::max(mx, r[static_cast<std::size_t>(i)]);
      mn = std::min(mn, r[static_cast<std::size_t>(i)]);
    }
    votes[nv++] = mx + mn;  // > 0 when the positive deflection dominates
  }
  double sign = 1.0;
  if (nv > 0) {
    const std::size_t mid = nv / 2;
    std::nth_element(votes.begin(), votes.begin() + static_cast<std::ptrdiff_t>(mid),
                     votes.begin() + static_cast<std::ptrdiff_t>(nv));
    if (votes[mid] < 0.0) sign = -1.0;
  }
  result.inverted = sign < 0.0;

  result.sample.reserve(beats.size());
  std::size_t seg = 0;
  for (const auto& c : beats) {
    const Index a = std::max<Index>(0, c.pos - half), b = std::min<Index>(n - 1, c.pos + half);
    Index best = c.pos;
    double best_v = -INFINITY;
    for (Index i = a; i <= b; ++i) {
      const double v = sign * r[static_cast<std::size_t>(i)];
      if (v > best_v) {
        best_v = v;
        best = i;
      }
    }
    while (seg < result.bad.size() && result.bad[seg].end_sample <= best) ++seg;
    if (seg < result.bad.size() && result.bad[seg].begin_sample <= best) continue;  // inside bad
    if (!result.sample.empty() && best <= result.sample.back()) continue;  // merged onto one peak
    result.sample.push_back(best);
  }
  return result;
}

}  // namespace

RPeaks detect_rpeaks(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs_hz,
                     const DetectorOptions& options) {
  if (!(fs_hz >= kMinFs && fs_hz <= kMaxFs)) {
    std::ostringstream msg;
    msg << "The R-peak detector supports sampling rates from " << kMinFs << " to " << kMaxFs
        << " Hz, but the ECG channel is sampled at " << fs_hz
        << " Hz; resample the channel into that range or pick another ECG channel.";
    throw Error(msg.str());
  }
  if (options.name != "default" && options.name != "elgendi") {
    throw Error("Unknown R-peak detector name '" + options.name +
                "'; use one of: default, elgendi.");
  }
  Params p;
  return detect_elgendi(ecg, fs_hz, p);
}

std::vector<std::string> detector_names() { return {"default", "elgendi"}; }

}  // namespace ecgforest::signal
