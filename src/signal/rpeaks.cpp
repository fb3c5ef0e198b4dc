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
//
//   4b. (chunked detector only, "elgendi") beat template: every candidate's +-50 ms of first
//      differences (mean-free, unit norm) is correlated with the recording's mean over all
//      candidates, and with a second (ectopic) mean over the candidates that do not fit the first
//      when that one is coherent; corr = the larger. Refractory and searchback rank candidates by
//      energy x max(corr, 0.05)^2, and a candidate with corr < 0.3 and energy < 0.4 x the median
//      of the last 8 beats is dropped (noise: electrode motion, pops, muscle bursts).
//   2b. (chunked detector only) band choice: every chunk is also band-passed at 14-24 Hz, which
//      rejects the 1-10 Hz energy of electrode motion; the chunk takes the 14-24 Hz candidates
//      when their QRS-to-mean energy contrast is 1.2 x the 8-20 Hz one's, or when they form a
//      more regular RR series (rr_regularity, by > 0.05) with a higher contrast
//      (second_band_wins), energies rescaled to the first band's median (choose_bands).
//   4c. (chunked detector only) rhythm check: a candidate sooner than 0.6 x the median of the
//      last 8 RR and weaker than 0.3 x the median energy of the last 8 beats is dropped
//      (rhythm_check_rejects).
//   4d. (chunked detector only) crowding check: a beat whose neighbours are closer together than
//      1.3 x the local median RR and whose energy x template weight is below 0.7 x both
//      neighbours' is dropped, weakest first (crowded_beats). Without 2b, 4b, 4c and 4d the
//      chunked detector is "elgendi-plain".
//
// Two implementations share stages 1 and 4: detect_chunked (the default, "elgendi": float,
// overlapping chunks, OpenMP, per-beat refinement on the raw signal; see its comment; without
// stages 2b, 4b, 4c and 4d it is "elgendi-plain") and detect_elgendi ("elgendi-whole": the original whole-signal
// double version).
#include "ecgforest/signal/rpeaks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <queue>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/signal/filters.hpp"

namespace ecgforest::signal {
namespace {

using Index = std::int64_t;
// Two doubles / four floats side by side (GCC/Clang vector extension; SSE2 on x86-64).
using V2d = double __attribute__((vector_size(16)));
using V4f = float __attribute__((vector_size(16)));
using V4i = std::int32_t __attribute__((vector_size(16)));

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
  // Beat-template stage of the chunked detector (0 = off, the "elgendi-plain" detector); chosen
  // on noise seed 2 of tools/noise_beats.py (the README figures use seed 1), see README.
  double template_half_s = 0.05;   // +-50 ms of first differences around the energy maximum
  double corr_power = 2.0;         // refractory/searchback rank by energy x max(corr, 0.05)^power
  double corr_min = 0.3;           // a candidate below this correlation ...
  double corr_energy_ratio = 0.4;  // ... and below this x the median energy of the last 8 beats is dropped
  double coherent = 0.3;           // second (ectopic) template kept when |mean| >= this x its count
  // Rhythm check (0 = off, "elgendi-plain"): a candidate closer than rhythm_ratio x the median
  // of the last 8 RR is kept only with energy >= rhythm_energy x the median of the last 8 beats.
  // Chosen on noise seed 2 (all types, 6 and 0 dB) and the clean records, like the values below.
  double rhythm_ratio = 0.6;
  double rhythm_energy = 0.3;
  // Band choice (band2_lo_hz = 0: off, "elgendi-plain"): a second band-pass that rejects the
  // 1-10 Hz electrode-motion energy; per chunk second_band_wins decides from the two bands'
  // regularity (margin band_margin) and QRS-to-mean energy contrast (band_contrast_ratio; 0 =
  // regularity alone). Chosen on noise seed 2.
  // Crowding check (0 = off, "elgendi-plain"): see crowded_beats. Chosen on noise seed 2.
  double crowd_ratio = 1.3;
  double crowd_score = 0.7;
  double band2_lo_hz = 14.0;
  double band2_hi_hz = 24.0;
  double band_margin = 0.05;
  double band_contrast_ratio = 1.2;
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
// Running RR average of the accepted beats (samples): the first interval, then an exponential
// average over up to 8 beats.
template <class Count>
void update_rr_average(double& rr_avg, Count& rr_count, double rr) {
  if (rr_count == 0) {
    rr_avg = rr;
  } else {
    rr_avg += (rr - rr_avg) / static_cast<double>(std::min<Count>(rr_count + 1, 8));
  }
  ++rr_count;
}

// Flat runs in [from, to): greedy runs whose range stays within flat_tol, at least min_len long.
void scan_flat(const double* x, Index from, Index to, double flat_tol, Index min_len, std::vector<BadSegment>& bad) {
  Index start = from;
  double mn = x[from], mx = x[from];
  for (Index i = from + 1; i <= to; ++i) {
    bool extend = false;
    if (i < to && std::isfinite(x[i]) && std::isfinite(mn)) {
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
      if (i < to) {
        start = i;
        mn = mx = x[i];
      }
    }
  }
}

// Minimum and maximum of the finite samples of x[b, e) into a and z (a > z when there are
// none): 4 independent accumulators, two per vector, no per-sample branches. A block holding a
// non-finite sample is redone over its finite samples, and its non-finite runs go to `bad`
// (runs split at block edges are merged later).
void block_min_max(const double* x, Index b, Index e, std::vector<BadSegment>& bad, double& a, double& z) {
  // Accumulator l takes samples b + l, b + l + 4, ...; two of them per vector.
  V2d mn01 = {INFINITY, INFINITY}, mn23 = mn01, mx01 = -mn01, mx23 = mx01;
  V2d chk01 = {0.0, 0.0}, chk23 = chk01;  // become NaN when a sample is NaN or infinite
  Index i = b;
  for (; i + 4 <= e; i += 4) {
    V2d v01, v23;
    std::memcpy(&v01, x + i, sizeof v01);
    std::memcpy(&v23, x + i + 2, sizeof v23);
    mn01 = v01 < mn01 ? v01 : mn01;
    mn23 = v23 < mn23 ? v23 : mn23;
    mx01 = v01 > mx01 ? v01 : mx01;
    mx23 = v23 > mx23 ? v23 : mx23;
    chk01 += v01 - v01;
    chk23 += v23 - v23;
  }
  double mn[4] = {mn01[0], mn01[1], mn23[0], mn23[1]}, mx[4] = {mx01[0], mx01[1], mx23[0], mx23[1]};
  double chk[4] = {chk01[0], chk01[1], chk23[0], chk23[1]};
  for (; i < e; ++i) {
    mn[0] = x[i] < mn[0] ? x[i] : mn[0];
    mx[0] = x[i] > mx[0] ? x[i] : mx[0];
    chk[0] += x[i] - x[i];
  }
  a = std::min(std::min(mn[0], mn[1]), std::min(mn[2], mn[3]));
  z = std::max(std::max(mx[0], mx[1]), std::max(mx[2], mx[3]));
  if (!std::isnan(chk[0] + chk[1] + chk[2] + chk[3])) return;
  a = INFINITY;  // rare: redo over finite samples
  z = -INFINITY;
  for (Index j = b; j < e;) {
    if (std::isfinite(x[j])) {
      a = std::min(a, x[j]);
      z = std::max(z, x[j]);
      ++j;
      continue;
    }
    Index t = j;
    while (t < e && !std::isfinite(x[t])) ++t;
    add_segment(bad, j, t, "noise");
    j = t;
  }
}

// Per quarter-second block (q samples) of a signal: the range of its finite samples.
struct BlockRanges {
  Index q = 0, nq = 0;
  std::vector<double> min, max;
  bool flat(Index k, double tol) const { return max[static_cast<std::size_t>(k)] - min[static_cast<std::size_t>(k)] <= tol; }
};

// The 0.9 quantile of the 1-s ranges (groups of 4 blocks) and the global min and max of the
// finite samples; false when no block holds one.
bool typical_range_of(const BlockRanges& r, double& typical, double& gmin, double& gmax) {
  std::vector<double> ranges;
  ranges.reserve(static_cast<std::size_t>(r.nq / 4 + 1));
  gmin = INFINITY;
  gmax = -INFINITY;
  for (Index g = 0; g < r.nq; g += 4) {
    double a = INFINITY, z = -INFINITY;
    for (Index k = g; k < std::min(r.nq, g + 4); ++k) {
      a = std::min(a, r.min[static_cast<std::size_t>(k)]);
      z = std::max(z, r.max[static_cast<std::size_t>(k)]);
    }
    if (z >= a) {
      ranges.push_back(z - a);
      gmin = std::min(gmin, a);
      gmax = std::max(gmax, z);
    }
  }
  if (ranges.empty()) return false;
  const auto kth = static_cast<std::size_t>(0.9 * static_cast<double>(ranges.size() - 1));
  std::nth_element(ranges.begin(), ranges.begin() + static_cast<std::ptrdiff_t>(kth), ranges.end());
  typical = ranges[kth];
  return true;
}

// Saturation: runs of at least min_len samples stuck within tol of the global min (lo_lim) or
// max (hi_lim), scanned only in blocks that reach a rail.
void scan_saturated(const double* x, Index n, const BlockRanges& r, double lo_lim, double hi_lim, Index min_len,
                    std::vector<BadSegment>& bad) {
  for (Index i = 0; i < n;) {
    const auto k = static_cast<std::size_t>(i / r.q);
    if (!(r.max[k] >= hi_lim || r.min[k] <= lo_lim)) {
      i = (i / r.q + 1) * r.q;
      continue;
    }
    const bool hi = x[i] >= hi_lim;
    const bool lo = x[i] <= lo_lim;
    if (!hi && !lo) {
      ++i;
      continue;
    }
    Index j = i;
    while (j < n && (hi ? x[j] >= hi_lim : x[j] <= lo_lim)) ++j;
    if (j - i >= min_len) add_segment(bad, i, j, "saturated");
    i = j;
  }
}

// Flat: greedy runs within flat_tol (scan_flat), started one block before each run of flat blocks.
void scan_flat_blocks(const double* x, Index n, const BlockRanges& r, double flat_tol, Index min_len,
                      std::vector<BadSegment>& bad) {
  Index done = 0;  // samples before `done` were scanned already
  for (Index k = 0; k < r.nq; ++k) {
    if (!r.flat(k, flat_tol)) continue;
    Index kb = k;
    while (kb < r.nq && r.flat(kb, flat_tol)) ++kb;
    const Index from = std::max(done, (k - 1) * r.q < 0 ? 0 : (k - 1) * r.q);
    const Index to = std::min(n, (kb + 1) * r.q);
    if (to - from >= min_len) scan_flat(x, from, to, flat_tol, min_len, bad);
    done = to;
    k = kb;
  }
}

// Non-finite, saturated and flat segments, from one pass over the signal: min/max per quarter-second
// block, then sample-level scans only in blocks that can hold a non-finite sample, a rail value or
// a flat run. The typical 1-s range is taken over groups of 4 quarter-blocks.
std::vector<BadSegment> find_bad_segments(const double* x, Index n, double fs, const Params& p,
                                               double& typical_range) {
  std::vector<BadSegment> bad;
  typical_range = 0.0;
  if (n <= 0) return bad;
  BlockRanges r;
  r.q = std::max<Index>(4, to_samples(0.25, fs));
  r.nq = (n + r.q - 1) / r.q;
  r.min.resize(static_cast<std::size_t>(r.nq));
  r.max.resize(static_cast<std::size_t>(r.nq));
  for (Index k = 0; k < r.nq; ++k)
    block_min_max(x, k * r.q, std::min(n, k * r.q + r.q), bad, r.min[static_cast<std::size_t>(k)], r.max[static_cast<std::size_t>(k)]);
  double typical = 0.0, gmin = 0.0, gmax = 0.0;
  if (!typical_range_of(r, typical, gmin, gmax)) return bad;
  typical_range = typical;
  const double span = gmax - gmin;
  if (span > 0.0) {
    const double tol = p.saturated_rel_tol * span;
    scan_saturated(x, n, r, gmin + tol, gmax - tol, std::max<Index>(2, to_samples(p.saturated_min_s, fs)), bad);
  }
  scan_flat_blocks(x, n, r, p.flat_rel_tol * typical, std::max<Index>(2, to_samples(p.flat_min_s, fs)), bad);
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

// Pacing spikes: runs of at most max(1, floor(2 ms x fs)) samples that stand more than
// 0.4 x the typical 1-s range off the line through their neighbours, while the neighbours and
// the samples next to them agree within a quarter of that height (an isolated needle, not a
// QRS). They are replaced by that line so that refinement lands on the paced QRS, not the spike.
void remove_spikes(double* w, Index n, double fs, double typical_range) {
  const Index wmax = std::max<Index>(1, static_cast<Index>(std::floor(0.002 * fs)));
  const double amp = 0.4 * typical_range;
  if (!(amp > 0.0)) return;
  for (Index i = 2; i + wmax + 1 < n; ++i) {
    if (!(std::abs(w[i] - w[i - 1]) > amp)) continue;  // cheap pre-check: a steep jump
    for (Index len = 1; len <= wmax; ++len) {
      const double l = w[i - 1], r = w[i + len];
      const double base = 0.5 * (l + r);
      const double sgn = w[i] > base ? 1.0 : -1.0;
      double hmin = INFINITY;
      for (Index k = i; k < i + len; ++k) hmin = std::min(hmin, sgn * (w[k] - base));
      const double lim = 0.25 * hmin;
      if (hmin > amp && std::abs(l - r) < lim && std::abs(w[i - 2] - l) < lim && std::abs(w[i + len + 1] - r) < lim) {
        for (Index k = i; k < i + len; ++k) {
          w[k] = l + (r - l) * static_cast<double>(k - i + 1) / static_cast<double>(len + 1);
        }
        i += len;
        break;
      }
    }
  }
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
  Index pos;          // sample of maximum QRS energy
  double energy;      // band-passed energy at pos
  double corr = 1.0;  // correlation with the recording's beat template (chunked detector)
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

// Butterworth band-pass (order 2 each side) as biquad sections.
std::vector<Biquad> band_pass(double lo_hz, double hi_hz, double fs) {
  std::vector<Biquad> band = butterworth_highpass(2, lo_hz, fs);
  for (const Biquad& s : butterworth_lowpass(2, hi_hz, fs)) band.push_back(s);
  return band;
}

// Searchback and rejection over the candidates left by the refractory period (signal order), the
// one loop of both detectors. In a gap longer than searchback_factor x the running mean RR (of the
// last 8 accepted, once 4 are known), `search(from, to)` may give the missed beat (an optional
// Candidate). A candidate is dropped when it is early (within twave_s, or under early_factor x
// the mean RR) and weaker than twave_ratio x the previous beat (a T wave or noise), or when
// `reject(accepted, candidate)` says so.
template <class Search, class Reject>
std::vector<Candidate> searchback_pass(const std::vector<Candidate>& beats, const Params& p, double fs,
                                       Index refractory, Search search, Reject reject) {
  std::vector<Candidate> out;
  out.reserve(beats.size() + beats.size() / 8 + 4);
  double rr_avg = 0.0;
  int rr_count = 0;
  for (const Candidate& c : beats) {
    if (!out.empty() && rr_count >= 4) {
      const Index prev = out.back().pos;
      if (static_cast<double>(c.pos - prev) > p.searchback_factor * rr_avg) {
        const Index from = prev + std::max(refractory, static_cast<Index>(0.3 * rr_avg));
        if (const std::optional<Candidate> found = search(from, c.pos - refractory)) out.push_back(*found);
      }
    }
    if (!out.empty()) {
      const Index gap = c.pos - out.back().pos;
      const bool early = gap < static_cast<Index>(p.twave_s * fs) ||
                         (rr_count >= 4 && static_cast<double>(gap) < p.early_factor * rr_avg);
      if (early && c.energy < p.twave_ratio * out.back().energy) continue;
      if (reject(out, c)) continue;
      update_rr_average(rr_avg, rr_count, static_cast<double>(c.pos - out.back().pos));
    }
    out.push_back(c);
  }
  return out;
}

// The polarity of a recording from its beats' votes (> 0: the positive deflection dominates):
// the sign of their median, +1 without beats. Reorders v[0, n).
double majority_sign(double* v, std::size_t n) {
  if (n == 0) return 1.0;
  const std::size_t mid = n / 2;
  std::nth_element(v, v + mid, v + n);
  return v[mid] < 0.0 ? -1.0 : 1.0;
}

// Appends the refined R peak `best` to result.sample unless it lies in a bad segment (`seg` is a
// cursor into the sorted result.bad) or not after the last one (two detections refined onto one peak).
void keep_peak(RPeaks& result, Index best, std::size_t& seg) {
  while (seg < result.bad.size() && result.bad[seg].end_sample <= best) ++seg;
  if (seg < result.bad.size() && result.bad[seg].begin_sample <= best) return;  // inside bad
  if (!result.sample.empty() && best <= result.sample.back()) return;
  result.sample.push_back(best);
}

// Step 5 of detect_elgendi: polarity and refinement of each beat onto the R peak of a lightly
// filtered copy (0.5-40 Hz, zero phase) of w (spikes removed first), within refine_half_s.
// r and votes are scratch of n samples.
void refine_whole(std::vector<double>& w, double fs, double typical_range, const Params& p,
                  const std::vector<Candidate>& beats, std::vector<double>& r, std::vector<double>& votes, RPeaks& result) {
  const auto n = static_cast<Index>(w.size());
  remove_spikes(w.data(), n, fs, typical_range);
  filtfilt(band_pass(0.5, std::min(40.0, 0.4 * fs), fs), w.data(), r.data(), w.size());
  const Index half = std::max<Index>(1, to_samples(p.refine_half_s, fs));
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
  const double sign = majority_sign(votes.data(), nv);
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
    keep_peak(result, best, seg);
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
  double typical_range = 0.0;
  result.bad = merge_segments(find_bad_segments(w.data(), n, fs, p, typical_range), n, guard);
  bridge_segments(w.data(), n, result.bad);

  // 2. Band-pass and energy.
  const std::vector<Biquad> band = band_pass(p.band_lo_hz, p.band_hi_hz, fs);
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

  // 4. Searchback: in gaps > factor x running RR, the strongest block above MA_beat alone.
  auto search = [&](Index from, Index to) -> std::optional<Candidate> {
    Candidate best{-1, 0.0};
    double best_ma = 0.0;
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
    return best.pos >= 0 ? std::optional<Candidate>(best) : std::nullopt;
  };
  beats = searchback_pass(beats, p, fs, refractory, search, [](const std::vector<Candidate>&, const Candidate&) { return false; });

  // 5. Polarity and refinement (votes and the filtered copy reuse ma_qrs and tmp).
  refine_whole(w, fs, typical_range, p, beats, tmp, ma_qrs, result);
  return result;
}


// ------------------------------------------------------------------------------------------
// Chunked single-precision detector (the default). Same stages as detect_elgendi below, but
//  - stages 2-3 run on overlapping chunks (core `chunk_s`, margin 4 s each side) in float, so
//    working memory is O(chunk) per thread; the chunk layout depends only on n and fs, and the
//    chunks are independent, so results are identical for any OpenMP thread count;
//  - the three moving averages come from one double prefix sum (one fused, vectorisable pass);
//  - searchback draws from the low-threshold blocks found per chunk (pos = energy maximum);
//  - polarity and refinement work on the raw signal around each beat (pacing spikes removed,
//    10 ms moving average, baseline = median of 33 samples over +-0.3 s), not on a second
//    whole-signal filter.

// Asks for samples [b, e) of x (clipped to [0, n)) to be brought into the cache ahead of use:
// the template and refinement stages jump from beat to beat through a signal that is usually
// larger than the cache, so without this every window is a cache miss.
void prefetch_range(const double* x, Index n, Index b, Index e) {
  b = std::max<Index>(0, b);
  e = std::min(n, e);
  for (Index i = b; i < e; i += 8) __builtin_prefetch(x + i);
  if (e > b) __builtin_prefetch(x + e - 1);
}

struct LowCandidate {
  Index pos;
  double energy;
  double ma;  // MA_qrs at pos (searchback picks the largest)
  double corr = 1.0;
};

struct ChunkResult {
  std::vector<Candidate> main;
  std::vector<LowCandidate> low;
  double mean_energy = 0.0;  // mean band energy over the chunk core (band choice: band_contrast)
};

// Sample i of the working signal: the raw value, or the straight line bridging the bad segment
// that contains i (exactly as bridge_segments does). `seg` is a cursor into the sorted list.
struct Bridged {
  const double* x;
  Index n;
  const std::vector<BadSegment>* bad;
  // Fills out[0..e-b) with samples [b, e).
  template <class T>
  void fill(Index b, Index e, T* out) const {
    for (Index i = b; i < e; ++i) out[i - b] = static_cast<T>(x[i]);
    for (const auto& s : *bad) {
      if (s.end_sample <= b || s.begin_sample >= e) continue;
      const Index sb = s.begin_sample, se = s.end_sample;
      const bool has_left = sb > 0, has_right = se < n;
      const double left = has_left ? x[sb - 1] : (has_right ? x[se] : 0.0);
      const double right = has_right ? x[se] : left;
      const double len = static_cast<double>(se - sb + 1);
      for (Index i = std::max(b, sb); i < std::min(e, se); ++i) {
        const double t = static_cast<double>(i - sb + 1) / len;
        out[i - b] = static_cast<T>(left + (right - left) * t);
      }
    }
  }
};

// First i' in [i, len) with a[i'] > t[i'] (len when none); 8 samples per step without branches
// (the blocks of interest cover a small part of the signal).
Index next_above(const float* a, const float* t, Index i, Index len) {
  for (; i + 8 <= len; i += 8) {
    V4f a0, a1, t0, t1;
    std::memcpy(&a0, a + i, sizeof a0);
    std::memcpy(&a1, a + i + 4, sizeof a1);
    std::memcpy(&t0, t + i, sizeof t0);
    std::memcpy(&t1, t + i + 4, sizeof t1);
    const V4i m = (a0 > t0) | (a1 > t1);
    if ((m[0] | m[1] | m[2] | m[3]) != 0) break;
  }
  while (i < len && !(a[i] > t[i])) ++i;
  return i;
}

// Zero-phase band-pass of kLanes interior chunks side by side (filtfilt_lanes), each chunk's
// samples [e0[g], e0[g] + ul) read into buf[g] first; then buf[g] = the energy (zero inside bad
// segments) and prefix[g] its prefix sum, for all lanes in one pass (the kLanes running sums are
// independent, so the pass is not bound by the latency of one long chain of additions; each
// lane's arithmetic is the same as process_chunk's).
template <class Lanes>
void lanes_energy(const Bridged& src, const std::array<Index, kLanes>& e0, std::size_t ul, const std::vector<Biquad>& band,
                  std::vector<float>& lanes, Lanes& buf, std::array<std::vector<double>, kLanes>& prefix) {
  lanes.resize(ul * kLanes);
  std::array<float*, kLanes> b{};
  std::array<double*, kLanes> pr{};
  for (int g = 0; g < kLanes; ++g) {
    buf[g].resize(ul);
    prefix[g].resize(ul + 1);
    src.fill(e0[g], e0[g] + static_cast<Index>(ul), buf[g].data());
    b[g] = buf[g].data();
    pr[g] = prefix[g].data();
  }
  for (std::size_t i = 0; i < ul; ++i) {
    for (int g = 0; g < kLanes; ++g) lanes[i * kLanes + static_cast<std::size_t>(g)] = b[g][i];
  }
  filtfilt_lanes(band, lanes.data(), ul);
  for (int g = 0; g < kLanes; ++g) {  // bad segments: energy 0 (0 x 0 below)
    for (const auto& s : *src.bad) {
      const Index lo = std::max(e0[g], s.begin_sample), hi = std::min(e0[g] + static_cast<Index>(ul), s.end_sample);
      for (Index i = lo; i < hi; ++i) lanes[static_cast<std::size_t>(i - e0[g]) * kLanes + static_cast<std::size_t>(g)] = 0.0f;
    }
  }
  std::array<double, kLanes> acc{};
  for (int g = 0; g < kLanes; ++g) pr[g][0] = 0.0;
  for (std::size_t i = 0; i < ul; ++i) {
    for (int g = 0; g < kLanes; ++g) {
      const float v = lanes[i * kLanes + static_cast<std::size_t>(g)];
      const float e = v * v;
      b[g][i] = e;
      acc[static_cast<std::size_t>(g)] += static_cast<double>(e);
      pr[g][i + 1] = acc[static_cast<std::size_t>(g)];
    }
  }
}

// Candidates of chunk [c0, c1) (margins up to `margin` each side). Unless `prepared` (buf and
// prefix hold the energy of [e0, e1) and its prefix sum already, from lanes_energy), the chunk
// is read, band-passed and squared here.
// The band-passed energy of samples [e0, e1) into buf (zero inside bad segments) and its prefix
// sum into prefix (one more entry).
void chunk_energy(const Bridged& src, Index e0, Index e1, const std::vector<Biquad>& band, std::vector<float>& buf,
                  std::vector<double>& prefix) {
  const auto ul = static_cast<std::size_t>(e1 - e0);
  buf.resize(ul);
  prefix.resize(ul + 1);
  src.fill(e0, e1, buf.data());
  filtfilt(band, buf.data(), buf.data(), ul);
  for (auto& v : buf) v *= v;
  for (const auto& s : *src.bad) {
    const Index b = std::max(e0, s.begin_sample), e = std::min(e1, s.end_sample);
    for (Index i = b; i < e; ++i) buf[static_cast<std::size_t>(i - e0)] = 0.0f;
  }
  prefix[0] = 0.0;
  for (std::size_t i = 0; i < ul; ++i) prefix[i + 1] = prefix[i] + static_cast<double>(buf[i]);
}

// From the energy's prefix sum over a buffer of len samples: ma_qrs (centred moving average over
// qrs_window_s), thr = MA_beat + beta x MA_offset and low_thr = thr - beta/2 x MA_offset (the
// searchback's), the averages shrinking at the buffer's (the recording's) edges.
void chunk_thresholds(const std::vector<double>& prefix, Index len, double fs, const Params& p, std::vector<float>& ma_qrs,
                      std::vector<float>& thr, std::vector<float>& low_thr) {
  const auto ul = static_cast<std::size_t>(len);
  ma_qrs.resize(ul);
  thr.resize(ul);
  low_thr.resize(ul);
  const auto wq = static_cast<Index>(odd_width(p.qrs_window_s, fs));
  const auto wb = static_cast<Index>(odd_width(p.beat_window_s, fs));
  const auto wo = static_cast<Index>(odd_width(p.offset_window_s, fs));
  auto ma = [&](Index i, Index w) {  // buffer-relative i; clipped to the recording, i.e. buffer
    const Index lo = std::max<Index>(0, i - (w - 1) / 2), hi = std::min<Index>(len, i + w / 2 + 1);
    return (prefix[static_cast<std::size_t>(hi)] - prefix[static_cast<std::size_t>(lo)]) / static_cast<double>(hi - lo);
  };
  const Index hq = (wq - 1) / 2, hb = (wb - 1) / 2, ho = (wo - 1) / 2;
  const double iq = 1.0 / static_cast<double>(wq), ib = 1.0 / static_cast<double>(wb), io = 1.0 / static_cast<double>(wo);
  const double beta = p.beta, half_beta = 0.5 * p.beta;
  // Interior: all three windows inside the buffer (vectorisable, no branches).
  const Index a = std::min(len, ho), z = std::max(a, len - ho);
  const double* P = prefix.data();
  for (Index i = a; i < z; ++i) {
    const double mq = (P[i + hq + 1] - P[i - hq]) * iq;
    const double mb = (P[i + hb + 1] - P[i - hb]) * ib;
    const double mo = (P[i + ho + 1] - P[i - ho]) * io;
    const double t = mb + beta * mo;
    ma_qrs[static_cast<std::size_t>(i)] = static_cast<float>(mq);
    thr[static_cast<std::size_t>(i)] = static_cast<float>(t);
    low_thr[static_cast<std::size_t>(i)] = static_cast<float>(t - half_beta * mo);
  }
  auto edge = [&](Index i) {
    const double mo = ma(i, wo), t = ma(i, wb) + beta * mo;
    ma_qrs[static_cast<std::size_t>(i)] = static_cast<float>(ma(i, wq));
    thr[static_cast<std::size_t>(i)] = static_cast<float>(t);
    low_thr[static_cast<std::size_t>(i)] = static_cast<float>(t - half_beta * mo);
  };
  for (Index i = 0; i < a; ++i) edge(i);
  for (Index i = z; i < len; ++i) edge(i);
}

// Blocks where ma_qrs > th, at least min_w wide, whose first sample lies in the core [c0, c1) of
// the buffer starting at e0 (a block belongs to the chunk whose core holds its first sample):
// sink(sample of the block's energy maximum, that energy).
template <class Sink>
void chunk_blocks(const std::vector<float>& ma_qrs, const float* th, const std::vector<float>& energy, Index e0, Index c0,
                  Index c1, Index min_w, Sink sink) {
  const auto len = static_cast<Index>(ma_qrs.size());
  Index i = 0;
  while (i < len) {
    if (!(ma_qrs[static_cast<std::size_t>(i)] > th[i])) {
      i = next_above(ma_qrs.data(), th, i + 1, len);
      continue;
    }
    Index j = i, best = i;
    while (j < len && ma_qrs[static_cast<std::size_t>(j)] > th[j]) {
      if (energy[static_cast<std::size_t>(j)] > energy[static_cast<std::size_t>(best)]) best = j;
      ++j;
    }
    const Index start = e0 + i;
    if (j - i >= min_w && start >= c0 && start < c1) sink(best, static_cast<double>(energy[static_cast<std::size_t>(best)]));
    i = j;
  }
}

// Stages 2-3 on one chunk (core [c0, c1) with `margin` samples of context each side): energy
// (unless `prepared`: buf and prefix hold it already, from lanes_energy), thresholds, and the
// candidate blocks above thr (main) and above the lower searchback threshold (low).
ChunkResult process_chunk(const Bridged& src, Index c0, Index c1, Index margin, double fs, const Params& p,
                          const std::vector<Biquad>& band, std::vector<float>& buf, std::vector<double>& prefix,
                          std::vector<float>& ma_qrs, std::vector<float>& thr, std::vector<float>& low_thr,
                          bool prepared) {
  ChunkResult out;
  const Index e0 = std::max<Index>(0, c0 - margin), e1 = std::min<Index>(src.n, c1 + margin);
  if (!prepared) chunk_energy(src, e0, e1, band, buf, prefix);
  chunk_thresholds(prefix, e1 - e0, fs, p, ma_qrs, thr, low_thr);
  const auto wq = static_cast<Index>(odd_width(p.qrs_window_s, fs));
  chunk_blocks(ma_qrs, thr.data(), buf, e0, c0, c1, wq,
               [&](Index best, double en) { out.main.push_back(Candidate{e0 + best, en}); });
  chunk_blocks(ma_qrs, low_thr.data(), buf, e0, c0, c1, wq / 2, [&](Index best, double en) {
    out.low.push_back(LowCandidate{e0 + best, en, static_cast<double>(ma_qrs[static_cast<std::size_t>(best)])});
  });
  const auto a = static_cast<std::size_t>(c0 - e0), z = static_cast<std::size_t>(c1 - e0);
  out.mean_energy = (prefix[z] - prefix[a]) / static_cast<double>(z - a);
  return out;
}

// Per-recording beat template: the mean of the unit-norm, mean-free first differences of the
// working signal within +-half_s of every candidate, and each candidate's correlation with it.
class BeatTemplate {
 public:
  /// Builds the template(s) from `cand` and sets every candidate's corr (features computed once
  /// per candidate and kept: O(candidates x template length) memory, i.e. O(n / fs)).
  BeatTemplate(const Bridged& src, std::vector<Candidate>& cand, double fs, double half_s, double coherent)
      : half_(std::max<Index>(2, to_samples(half_s, fs))),
        seg_(static_cast<std::size_t>(2 * half_ + 3)),
        feat_(static_cast<std::size_t>(2 * half_ + 1)),
        mean_(feat_.size(), 0.0) {
    const std::size_t len = feat_.size();
    std::vector<double> all(cand.size() * len);
    std::vector<char> ok(cand.size(), 0);
    constexpr std::size_t kAhead = 4;
    for (std::size_t k = 0; k < cand.size(); ++k) {
      if (k + kAhead < cand.size()) {
        const Index pos = cand[k + kAhead].pos;
        prefetch_range(src.x, src.n, pos - half_ - 1, pos + half_ + 2);
      }
      if (!features(src, cand[k].pos)) continue;
      ok[k] = 1;
      std::copy(feat_.begin(), feat_.end(), all.begin() + static_cast<std::ptrdiff_t>(k * len));
      for (std::size_t i = 0; i < len; ++i) mean_[i] += feat_[i];
    }
    normalise(mean_);
    auto dot_k = [&](std::size_t k, const std::vector<double>& t) {
      double c = 0.0;
      for (std::size_t i = 0; i < len; ++i) c += all[k * len + i] * t[i];
      return c;
    };
    // Second morphology (ectopic beats): the mean of the candidates that do not fit the first
    // template, kept only when coherent (|sum| >= coherent x count; noise sums incoherently).
    std::vector<double> m2(len, 0.0);
    std::size_t count = 0;
    for (std::size_t k = 0; k < cand.size(); ++k) {
      if (!ok[k] || dot_k(k, mean_) >= 0.5) continue;
      for (std::size_t i = 0; i < len; ++i) m2[i] += all[k * len + i];
      ++count;
    }
    const double norm = normalise(m2);
    if (count >= 8 && norm >= coherent * static_cast<double>(count)) mean2_ = std::move(m2);
    for (std::size_t k = 0; k < cand.size(); ++k) {
      double c = 0.0;
      if (ok[k]) {
        c = dot_k(k, mean_);
        if (!mean2_.empty()) c = std::max(c, dot_k(k, mean2_));
      }
      cand[k].corr = c;
    }
  }
  /// Correlation of the candidate at pos with the template, -1..1 (0 near the recording edges).
  double corr(const Bridged& src, Index pos) const {
    if (!features(src, pos)) return 0.0;
    double c = dot(mean_);
    if (!mean2_.empty()) c = std::max(c, dot(mean2_));
    return c;
  }

 private:
  double dot(const std::vector<double>& t) const {
    double c = 0.0;
    for (std::size_t i = 0; i < feat_.size(); ++i) c += feat_[i] * t[i];
    return c;
  }
  static double normalise(std::vector<double>& v) {
    double nn = 0.0;
    for (double e : v) nn += e * e;
    const double norm = std::sqrt(nn);
    const double inv = norm > 0.0 ? 1.0 / norm : 0.0;
    for (double& e : v) e *= inv;
    return norm;
  }
  bool features(const Bridged& src, Index pos) const {
    const Index a = pos - half_ - 1, b = pos + half_ + 2;
    if (a < 0 || b > src.n) return false;
    src.fill(a, b, seg_.data());
    double m = 0.0;
    for (std::size_t i = 0; i < feat_.size(); ++i) {
      feat_[i] = seg_[i + 2] - seg_[i];
      m += feat_[i];
    }
    m /= static_cast<double>(feat_.size());
    double nn = 0.0;
    for (double& v : feat_) {
      v -= m;
      nn += v * v;
    }
    if (!(nn > 0.0) || !std::isfinite(nn)) return false;
    const double inv = 1.0 / std::sqrt(nn);
    for (double& v : feat_) v *= inv;
    return true;
  }
  Index half_;
  mutable std::vector<double> seg_, feat_;
  std::vector<double> mean_, mean2_;
};

// Rhythm check on the acceptance loop's beats (`out`, at least 9): see rhythm_check_rejects.
bool rhythm_reject(const std::vector<Candidate>& out, const Candidate& c, const Params& p) {
  std::array<Index, 9> pos{};
  std::array<double, 8> e{};
  const std::size_t m = out.size();
  Index max_rr = 0;  // the median RR is at most the largest: most candidates stop here
  for (std::size_t j = m - 8; j < m; ++j) max_rr = std::max(max_rr, out[j].pos - out[j - 1].pos);
  if (!(static_cast<double>(c.pos - out[m - 1].pos) < p.rhythm_ratio * static_cast<double>(max_rr))) return false;
  for (std::size_t j = 0; j < 9; ++j) pos[j] = out[m - 9 + j].pos;
  for (std::size_t j = 0; j < 8; ++j) e[j] = out[m - 8 + j].energy;
  return rhythm_check_rejects(pos, e, c.pos, c.energy, p.rhythm_ratio, p.rhythm_energy);
}

// rr_regularity of the candidates after the refractory rule (the stronger one wins).
double rhythm_regularity(const std::vector<Candidate>& cand, Index refractory) {
  std::vector<Index> pos;
  double last_e = 0.0;
  for (const auto& c : cand) {
    if (!pos.empty() && c.pos - pos.back() < refractory) {
      if (c.energy > last_e) {
        pos.back() = c.pos;
        last_e = c.energy;
      }
      continue;
    }
    pos.push_back(c.pos);
    last_e = c.energy;
  }
  return rr_regularity(pos);
}

// The candidate energy at rank floor(q x count) in increasing order (q = 0.5: the upper median);
// 0 without candidates.
double energy_quantile(const std::vector<Candidate>& c, double q) {
  if (c.empty()) return 0.0;
  std::vector<double> e;
  e.reserve(c.size());
  for (const auto& x : c) e.push_back(x.energy);
  const auto k = std::min(e.size() - 1, static_cast<std::size_t>(q * static_cast<double>(e.size())));
  std::nth_element(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(k), e.end());
  return e[k];
}

// QRS energy against everything in the chunk's band: the lower quartile of the candidate energies
// over the mean energy of the core (0 without candidates or energy). Noise in the band raises
// the mean, so the band that holds less of the noise has the higher contrast. The lower quartile,
// not the median: a band that loses the weaker beats (the wide ectopic beats of a bigeminy in
// the 14-24 Hz band) must not look cleaner for it.
double band_contrast(const ChunkResult& part) {
  return part.mean_energy > 0.0 ? energy_quantile(part.main, 0.25) / part.mean_energy : 0.0;
}

// Band choice per chunk (second_band_wins; only the chunks with needed[k] were band-passed twice):
// the second band's energies are then rescaled so that its median candidate energy equals the
// first band's in that chunk (the later stages compare energies across chunks).
void choose_bands(std::vector<ChunkResult>& first, const std::vector<ChunkResult>& second,
                  const std::vector<char>& needed, Index refractory, const Params& p) {
  for (std::size_t k = 0; k < first.size(); ++k) {
    if (!needed[k]) continue;
    const double r1 = rhythm_regularity(first[k].main, refractory);
    const double r2 = rhythm_regularity(second[k].main, refractory);
    if (!second_band_wins(r1, r2, band_contrast(first[k]), band_contrast(second[k]), p.band_margin,
                          p.band_contrast_ratio)) {
      continue;
    }
    const double m1 = energy_quantile(first[k].main, 0.5), m2 = energy_quantile(second[k].main, 0.5);
    const double scale = m1 > 0.0 && m2 > 0.0 ? m1 / m2 : 1.0;
    first[k] = second[k];
    for (auto& c : first[k].main) c.energy *= scale;
    for (auto& c : first[k].low) {
      c.energy *= scale;
      c.ma *= scale;
    }
  }
}

// Crowding check on the accepted beats (see crowded_beats), scored by energy x template weight.
template <class Weight>
void drop_crowded(std::vector<Candidate>& beats, double rr_ratio, double score_ratio, const Weight& weight) {
  std::vector<std::int64_t> pos(beats.size());
  std::vector<double> score(beats.size());
  for (std::size_t k = 0; k < beats.size(); ++k) {
    pos[k] = beats[k].pos;
    score[k] = beats[k].energy * weight(beats[k].corr);
  }
  const std::vector<std::size_t> drop = crowded_beats(pos, score, rr_ratio, score_ratio);
  std::size_t out = 0, d = 0;
  for (std::size_t k = 0; k < beats.size(); ++k) {
    if (d < drop.size() && drop[d] == k) {
      ++d;
      continue;
    }
    beats[out++] = beats[k];
  }
  beats.resize(out);
}

// Exact median of 33 values (the value nth_element puts at index 16) by selection: a pivot's
// rank is counted two values at a time (GCC/Clang vector extension), the next pivot is taken
// from the values strictly between the bounds found so far; about twice as fast as nth_element
// for the one small window per beat, nth_element only when no pivot is left (NaN).
double median33(std::array<double, 33>& v) {
  using M2 = std::int64_t __attribute__((vector_size(16)));
  alignas(16) std::array<double, 34> w{};
  std::copy(v.begin(), v.end(), w.begin());
  w[33] = std::numeric_limits<double>::quiet_NaN();  // compares false: counts nothing
  double lo = -INFINITY, hi = INFINITY;  // the median lies strictly between them
  std::size_t start = 16;
  for (std::size_t step = 0; step < v.size(); ++step) {
    std::size_t t = 0, i = start;
    for (; t < v.size() && !(v[i] > lo && v[i] < hi); ++t) i = i + 1 == v.size() ? 0 : i + 1;
    if (t == v.size()) break;
    start = i + 1 == v.size() ? 0 : i + 1;
    const double c = v[i];
    const V2d cc = {c, c};
    M2 lt = {0, 0}, le = {0, 0};
    for (std::size_t j = 0; j < w.size(); j += 2) {
      V2d e;
      std::memcpy(&e, w.data() + j, sizeof e);
      lt += reinterpret_cast<M2>(e < cc);  // -1 where true
      le += reinterpret_cast<M2>(e <= cc);
    }
    const std::int64_t below = -(lt[0] + lt[1]), up_to = -(le[0] + le[1]);
    if (below <= 16 && up_to > 16) return c;
    (below > 16 ? hi : lo) = c;
  }
  std::nth_element(v.begin(), v.begin() + 16, v.end());
  return v[16];
}

// One beat's refinement window: the raw signal within +-(refine_half + 10-ms smoothing + 3)
// samples of the beat, pacing spikes removed, smoothed over 10 ms; and the baseline, the median
// of 33 samples over +-0.3 s.
class BeatWindow {
 public:
  BeatWindow(const Bridged& src, double fs, double typical_range, const Params& p)
      : src_(src), fs_(fs), typical_range_(typical_range),
        half_(std::max<Index>(1, to_samples(p.refine_half_s, fs))),
        smooth_(static_cast<Index>(odd_width(0.010, fs))), sh_((smooth_ - 1) / 2),
        base_half_(to_samples(0.3, fs)), pad_(half_ + sh_ + 3),  // remove_spikes needs 2 samples of context each side
        local_(static_cast<std::size_t>(2 * pad_ + 1)), sm_(static_cast<std::size_t>(2 * half_ + 1)) {
    for (std::size_t j = 0; j < full_off_.size(); ++j) {
      full_off_[j] = static_cast<Index>(static_cast<double>(2 * base_half_) * static_cast<double>(j) / 32.0);
    }
  }
  /// The samples the beat at pos will need are cache misses: asks for them ahead of use.
  void prefetch(Index pos) const {
    for (std::size_t j = 0; j < base_buf_.size(); j += 2) __builtin_prefetch(src_.x + base_at(pos, j));
    prefetch_range(src_.x, src_.n, pos - pad_, pos + pad_ + 1);
  }
  /// Vote of the beat at pos (signed dominant deflection against the baseline, > 0 when the
  /// positive one dominates; 0 when the window does not fit in the recording), and the first
  /// maximum and first minimum of the smoothed window (pos when it does not fit).
  double vote(Index pos, Index& at_max, Index& at_min) {
    for (std::size_t j = 0; j < base_buf_.size(); ++j) {
      const Index i = base_at(pos, j);
      double v = src_.x[i];
      if (!std::isfinite(v)) src_.fill(i, i + 1, &v);
      base_buf_[j] = v;
    }
    const double baseline = median33(base_buf_);
    at_max = at_min = pos;
    const Index a = pos - pad_, b = pos + pad_ + 1;
    if (a < 0 || b > src_.n) return 0.0;
    src_.fill(a, b, local_.data());
    remove_spikes(local_.data(), b - a, fs_, typical_range_);
    std::fill(sm_.begin(), sm_.end(), 0.0);  // sm_[i] = the mean of local_ around offset i - half_
    for (Index j = -sh_; j <= sh_; ++j) {     // (summed in the same order as sample by sample)
      const double* l = local_.data() + (pad_ - half_ + j);
      for (std::size_t i = 0; i < sm_.size(); ++i) sm_[i] += l[i];
    }
    const double inv = 1.0 / static_cast<double>(smooth_);
    double hi = -INFINITY, lo = -INFINITY;
    for (Index i = -half_; i <= half_; ++i) {
      const double v = sm_[static_cast<std::size_t>(i + half_)] * inv;
      sm_[static_cast<std::size_t>(i + half_)] = v;
      if (v > hi) {
        hi = v;
        at_max = pos + i;
      }
      if (-v > lo) {
        lo = -v;
        at_min = pos + i;
      }
    }
    const auto [mn, mx] = std::minmax_element(sm_.begin(), sm_.end());
    return (*mx - baseline) + (*mn - baseline);
  }

 private:
  Index base_at(Index pos, std::size_t j) const {  // sample j of 33 over [pos - base_half_, pos + base_half_]
    const Index a = std::max<Index>(0, pos - base_half_), b = std::min<Index>(src_.n - 1, pos + base_half_);
    if (b - a == 2 * base_half_) return a + full_off_[j];
    return a + static_cast<Index>(static_cast<double>(b - a) * static_cast<double>(j) / 32.0);
  }
  const Bridged& src_;
  double fs_, typical_range_;
  Index half_, smooth_, sh_, base_half_, pad_;
  std::vector<double> local_, sm_;
  std::array<double, 33> base_buf_{};
  std::array<Index, 33> full_off_{};  // base_at's offsets away from the recording edges
};

// Polarity and refinement on the raw signal around each beat (stage 5 of the chunked detector):
// every beat's window is smoothed once (BeatWindow); its vote and the first maximum and first
// minimum of the window are kept, and the recording's polarity (the median vote) picks one of
// the two as the beat's position.
void refine_beats(const Bridged& src, double fs, double typical_range, const Params& p,
                  const std::vector<Candidate>& beats, RPeaks& result) {
  BeatWindow window(src, fs, typical_range, p);
  std::vector<double> votes(beats.size());
  std::vector<Index> at_max(beats.size()), at_min(beats.size());
  for (std::size_t k = 0; k < beats.size(); ++k) {
    if (k + 2 < beats.size()) window.prefetch(beats[k + 2].pos);
    votes[k] = window.vote(beats[k].pos, at_max[k], at_min[k]);
  }
  const double sign = majority_sign(votes.data(), votes.size());
  result.inverted = sign < 0.0;
  result.sample.reserve(beats.size());
  std::size_t seg = 0;
  for (std::size_t k = 0; k < beats.size(); ++k) keep_peak(result, sign > 0.0 ? at_max[k] : at_min[k], seg);
}

// The chunks of a signal of n samples: cores of `core` samples (the last one shorter) with
// `margin` samples of context on each side.
struct ChunkLayout {
  Index n, core, margin, n_chunks;
  // A chunk whose core and margins all lie inside the signal (all of the same length).
  bool interior(Index k) const { return k * core - margin >= 0 && (k + 1) * core + margin <= n; }
};

// Up to kLanes interior chunks band-passed together (lanes > 0), or one chunk alone (lanes == 0).
struct WorkItem {
  std::array<Index, kLanes> chunk{};
  int lanes = 0;
};

// The work items of the chunks with needed[k] != 0: interior chunks grouped kLanes at a time (a
// group short of kLanes repeats its last chunk in the spare lanes), the others one by one. The
// list depends only on the layout and `needed`, never on the thread count.
std::vector<WorkItem> band_work_items(const ChunkLayout& L, const std::vector<char>& needed) {
  std::vector<WorkItem> items;
  WorkItem group;
  for (Index k = 0; k < L.n_chunks; ++k) {
    if (!needed[static_cast<std::size_t>(k)]) continue;
    if (!L.interior(k)) {
      items.push_back(WorkItem{{k}, 0});
      continue;
    }
    group.chunk[static_cast<std::size_t>(group.lanes++)] = k;
    if (group.lanes == kLanes) {
      items.push_back(group);
      group = WorkItem{};
    }
  }
  if (group.lanes > 0) {
    for (int g = group.lanes; g < kLanes; ++g) group.chunk[static_cast<std::size_t>(g)] = group.chunk[static_cast<std::size_t>(group.lanes - 1)];
    items.push_back(group);
  }
  return items;
}

// The band-pass `bp` and candidate search on the chunks with needed[k] != 0 (the others stay
// empty), over the OpenMP threads. Every lane computes exactly what the one-by-one path
// computes, so the result is the same for any thread count.
std::vector<ChunkResult> run_band(const Bridged& src, const ChunkLayout& L, double fs, const Params& p,
                                  const std::vector<Biquad>& bp, const std::vector<char>& needed) {
  const std::vector<WorkItem> items = band_work_items(L, needed);
  std::vector<ChunkResult> parts(static_cast<std::size_t>(L.n_chunks));
  OmpExceptionCatcher catcher;
#pragma omp parallel
  {
    std::vector<float> buf, ma_qrs, thr, low_thr, lanes;  // one set per thread, reused
    std::vector<double> prefix;
    std::array<std::vector<float>, kLanes> lane_buf;
    std::array<std::vector<double>, kLanes> lane_prefix;
#pragma omp for schedule(dynamic, 1)
    for (std::size_t it = 0; it < items.size(); ++it) {
      catcher.run([&] {
        const WorkItem& item = items[it];
        if (item.lanes == 0) {
          const Index c0 = item.chunk[0] * L.core, c1 = std::min(L.n, c0 + L.core);
          parts[static_cast<std::size_t>(item.chunk[0])] =
              process_chunk(src, c0, c1, L.margin, fs, p, bp, buf, prefix, ma_qrs, thr, low_thr, false);
          return;
        }
        std::array<Index, kLanes> e0{};
        for (std::size_t g = 0; g < kLanes; ++g) e0[g] = item.chunk[g] * L.core - L.margin;
        lanes_energy(src, e0, static_cast<std::size_t>(L.core + 2 * L.margin), bp, lanes, lane_buf, lane_prefix);
        for (std::size_t g = 0; g < static_cast<std::size_t>(item.lanes); ++g) {
          const Index c0 = item.chunk[g] * L.core;
          parts[static_cast<std::size_t>(item.chunk[g])] = process_chunk(
              src, c0, c0 + L.core, L.margin, fs, p, bp, lane_buf[g], lane_prefix[g], ma_qrs, thr, low_thr, true);
        }
      });
    }
  }
  catcher.rethrow();
  return parts;
}

// Every chunk's candidates in the first band, or in the second where it wins. The second band can
// only win where the first's regularity is below 1 - margin: only those chunks are band-passed
// again (same choices as running all, at a fraction of the cost).
std::vector<ChunkResult> band_chosen_chunks(const Bridged& src, const ChunkLayout& L, double fs, const Params& p) {
  std::vector<char> needed(static_cast<std::size_t>(L.n_chunks), 1);
  std::vector<ChunkResult> parts = run_band(src, L, fs, p, band_pass(p.band_lo_hz, p.band_hi_hz, fs), needed);
  if (p.band2_lo_hz <= 0.0) return parts;
  const Index refractory = to_samples(p.refractory_s, fs);
  bool any = false;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    needed[k] = rhythm_regularity(parts[k].main, refractory) + p.band_margin < 1.0 ? 1 : 0;
    any = any || needed[k] != 0;
  }
  if (any) {
    const auto band2 = band_pass(p.band2_lo_hz, std::min(p.band2_hi_hz, 0.45 * fs), fs);
    choose_bands(parts, run_band(src, L, fs, p, band2, needed), needed, refractory, p);
  }
  return parts;
}

// Refractory period over the candidates in signal order: of two within it, the stronger (energy
// x weight(template correlation)) stays.
template <class Weight>
std::vector<Candidate> strongest_in_refractory(const std::vector<Candidate>& cand, Index refractory, const Weight& weight) {
  std::vector<Candidate> beats;
  for (const auto& c : cand) {
    if (!beats.empty() && c.pos - beats.back().pos < refractory) {
      if (c.energy * weight(c.corr) > beats.back().energy * weight(beats.back().corr)) beats.back() = c;
      continue;
    }
    beats.push_back(c);
  }
  return beats;
}

// The chunked detector's own rejections after the T-wave check: a beat breaking a settled rhythm
// (rhythm_reject), or one unlike the beat template and weak against the median of the last 8.
bool chunked_rejects(const std::vector<Candidate>& out, const Candidate& c, const Params& p) {
  if (p.rhythm_ratio > 0.0 && out.size() >= 9 && rhythm_reject(out, c, p)) return true;
  if (c.corr < p.corr_min && out.size() >= 8) {  // unlike the beats, and weak: noise
    std::array<double, 8> e{};
    for (std::size_t j = 0; j < 8; ++j) e[j] = out[out.size() - 1 - j].energy;
    std::nth_element(e.begin(), e.begin() + 4, e.end());
    if (c.energy < p.corr_energy_ratio * e[4]) return true;
  }
  return false;
}

RPeaks detect_chunked(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs, const Params& p, double chunk_s) {
  RPeaks result;
  const Index n = ecg.size();
  if (n == 0) return result;
  // Eigen::Ref<const VectorXd> has unit inner stride: data() is the contiguous channel.
  const double* x = ecg.data();
  double typical_range = 0.0;
  result.bad = merge_segments(find_bad_segments(x, n, fs, p, typical_range), n, to_samples(p.guard_s, fs));
  const Bridged src{x, n, &result.bad};
  const Index core = std::max<Index>(1, to_samples(chunk_s, fs));
  const ChunkLayout layout{n, core, to_samples(4.0, fs), (n + core - 1) / core};

  std::vector<Candidate> cand;
  std::vector<LowCandidate> low;
  {
    const std::vector<ChunkResult> parts = band_chosen_chunks(src, layout, fs, p);
    for (const auto& part : parts) {
      cand.insert(cand.end(), part.main.begin(), part.main.end());
      low.insert(low.end(), part.low.begin(), part.low.end());
    }
  }
  std::optional<BeatTemplate> tmpl;  // sets cand[].corr; low candidates get theirs on demand
  if (p.template_half_s > 0.0) tmpl.emplace(src, cand, fs, p.template_half_s, p.coherent);
  auto weight = [&](double corr) { return std::pow(std::clamp(corr, 0.05, 1.0), p.corr_power); };
  const Index refractory = to_samples(p.refractory_s, fs);
  std::vector<Candidate> beats = strongest_in_refractory(cand, refractory, weight);
  cand = std::vector<Candidate>();

  // Searchback among the low candidates (the strongest by MA_qrs x weight), and rejection.
  auto search = [&](Index from, Index to) -> std::optional<Candidate> {
    auto it = std::lower_bound(low.begin(), low.end(), from, [](const LowCandidate& c, Index v) { return c.pos < v; });
    const LowCandidate* best = nullptr;
    for (; it != low.end() && it->pos < to; ++it) {
      if (tmpl) it->corr = tmpl->corr(src, it->pos);
      if (best == nullptr || it->ma * weight(it->corr) > best->ma * weight(best->corr)) best = &*it;
    }
    return best ? std::optional<Candidate>(Candidate{best->pos, best->energy, best->corr}) : std::nullopt;
  };
  beats = searchback_pass(beats, p, fs, refractory, search,
                          [&p](const std::vector<Candidate>& out, const Candidate& c) { return chunked_rejects(out, c, p); });
  if (p.crowd_ratio > 0.0) drop_crowded(beats, p.crowd_ratio, p.crowd_score, weight);
  low = std::vector<LowCandidate>();

  refine_beats(src, fs, typical_range, p, beats, result);
  return result;
}

}  // namespace

double rr_regularity(std::span<const std::int64_t> beats) {
  if (beats.size() < 3) return 0.0;
  std::size_t good = 0;
  for (std::size_t i = 2; i < beats.size(); ++i) {
    const auto r0 = static_cast<double>(beats[i - 1] - beats[i - 2]);
    const auto r1 = static_cast<double>(beats[i] - beats[i - 1]);
    if (std::abs(r1 - r0) < 0.2 * r0) ++good;
  }
  return static_cast<double>(good) / static_cast<double>(beats.size() - 2);
}

bool second_band_wins(double regularity1, double regularity2, double contrast1, double contrast2, double margin,
                      double contrast_ratio) {
  if (!(contrast_ratio > 0.0)) return regularity2 > regularity1 + margin;
  if (contrast2 > contrast_ratio * contrast1) return true;
  return regularity2 > regularity1 + margin && contrast2 > contrast1;
}

bool rhythm_check_rejects(std::span<const std::int64_t> last_beats, std::span<const double> last_energy,
                          std::int64_t pos, double energy, double rr_ratio, double energy_ratio) {
  if (last_beats.size() < 2 || last_energy.empty()) return false;
  std::vector<double> rr(last_beats.size() - 1);
  for (std::size_t j = 1; j < last_beats.size(); ++j) rr[j - 1] = static_cast<double>(last_beats[j] - last_beats[j - 1]);
  std::vector<double> e(last_energy.begin(), last_energy.end());
  const auto mid = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  if (!(static_cast<double>(pos - last_beats.back()) < rr_ratio * mid(rr))) return false;
  return energy < energy_ratio * mid(e);
}

namespace {
// Median RR around beat k: over RR max(0, k - h) .. min(k + h, n - 2) (upper median).
double local_median_rr(std::span<const std::int64_t> beats, std::size_t k, int h) {
  const std::size_t n = beats.size(), uh = static_cast<std::size_t>(std::clamp(h, 0, 64));
  const std::size_t a = k > uh ? k - uh : 0, b = std::min(k + uh + 1, n - 1);
  std::array<double, 129> win{};
  for (std::size_t j = a; j < b; ++j) win[j - a] = static_cast<double>(beats[j + 1] - beats[j]);
  const auto m = static_cast<std::ptrdiff_t>(b - a);
  std::nth_element(win.begin(), win.begin() + m / 2, win.begin() + m);
  return win[static_cast<std::size_t>(m / 2)];
}
}  // namespace

std::vector<std::size_t> crowded_beats(std::span<const std::int64_t> beats, std::span<const double> score,
                                       double rr_ratio, double score_ratio, int half_window) {
  const std::size_t n = beats.size();
  std::vector<std::size_t> drop;
  if (n < 3 || score.size() != n) return drop;
  std::vector<std::size_t> prev(n), next(n);  // alive neighbours (n = none)
  for (std::size_t k = 0; k < n; ++k) {
    prev[k] = k == 0 ? n : k - 1;
    next[k] = k + 1;
  }
  std::vector<char> alive(n, 1);
  auto crowded = [&](std::size_t k) {
    const std::size_t p = prev[k], q = next[k];
    if (!alive[k] || p >= n || q >= n) return false;
    // Scores first: the median is needed only for the few weak beats (computed on the series as given).
    return score[k] < score_ratio * score[p] && score[k] < score_ratio * score[q] &&
           static_cast<double>(beats[q] - beats[p]) < rr_ratio * local_median_rr(beats, k, half_window);
  };
  using Item = std::pair<double, std::size_t>;  // weakest first, then the earlier beat
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
  for (std::size_t k = 0; k < n; ++k) {
    if (crowded(k)) heap.emplace(score[k], k);
  }
  while (!heap.empty()) {
    const std::size_t k = heap.top().second;
    heap.pop();
    if (!crowded(k)) continue;
    alive[k] = 0;
    const std::size_t p = prev[k], q = next[k];
    next[p] = q;
    prev[q] = p;
    for (const std::size_t j : {p, q}) {
      if (crowded(j)) heap.emplace(score[j], j);
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (!alive[k]) drop.push_back(k);
  }
  return drop;
}

RPeaks detect_rpeaks(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs_hz,
                     const DetectorOptions& options) {
  if (!(fs_hz >= kMinFs && fs_hz <= kMaxFs)) {
    std::ostringstream msg;
    msg << "The R-peak detector supports sampling rates from " << kMinFs << " to " << kMaxFs
        << " Hz, but the ECG channel is sampled at " << fs_hz
        << " Hz; resample the channel into that range or pick another ECG channel.";
    throw Error(msg.str());
  }
  Params p;
  switch (options.detector) {
    case Detector::default_:
    case Detector::elgendi:
      return detect_chunked(ecg, fs_hz, p, options.chunk_s);
    case Detector::elgendi_plain:
      p.template_half_s = 0.0;
      p.rhythm_ratio = 0.0;
      p.band2_lo_hz = 0.0;
      p.crowd_ratio = 0.0;
      return detect_chunked(ecg, fs_hz, p, options.chunk_s);
    case Detector::elgendi_whole:
      return detect_elgendi(ecg, fs_hz, p);
  }
  throw ParameterError("Unknown R-peak detector (enum value " + std::to_string(static_cast<int>(options.detector)) +
                       "); use one of: " + choice_list<Detector>() + ".");
}

}  // namespace ecgforest::signal
