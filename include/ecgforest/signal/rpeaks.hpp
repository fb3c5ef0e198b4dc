#pragma once
// R-peak detection on one ECG channel. Pure numeric code: no MPI, no I/O; OpenMP over chunks
// inside detect_rpeaks (results independent of the thread count).
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ecgforest/core/choices.hpp"

namespace ecgforest::signal {

struct DetectorOptions {
  /// Which detector; Detector::default_ ("default") selects the most accurate one we have.
  /// The names are core/choices.hpp's table (the configuration validates them when parsed).
  Detector detector = Detector::default_;
  /// Core length of the overlapping chunks (seconds; 4 s margins each side) for "elgendi":
  /// working memory O(chunk) per thread; results do not depend on the thread count.
  double chunk_s = 60.0;
};

/// A stretch of signal where no beat can be trusted (flat line, saturation, heavy noise).
/// Sample indices at the channel's native rate, half-open [begin_sample, end_sample).
struct BadSegment {
  std::int64_t begin_sample = 0;
  std::int64_t end_sample = 0;
  std::string reason;  // "flat", "saturated", "noise"
};

struct RPeaks {
  /// 0-based sample indices of R-peaks at the native rate, strictly increasing.
  std::vector<std::int64_t> sample;
  /// Stretches where detection was suppressed; no peak lies inside one.
  std::vector<BadSegment> bad;
  /// True when the detector judged the lead inverted (R waves negative) and flipped it.
  bool inverted = false;
};

/// Detects R-peaks in `ecg` (physical units, µV or mV: the detector is scale-free) sampled at
/// `fs_hz` (128..1000 Hz supported). Throws ecgforest::Error for fs outside that range.
///
/// "default" = "elgendi": Elgendi-style two-moving-average detector on the 8-20 Hz zero-phase
/// band-passed energy (single precision), 200 ms refractory, T-wave rejection, RR searchback,
/// recording-level polarity decision and refinement onto the R peak (extremum of the
/// polarity-corrected raw signal, pacing spikes removed, 10 ms smoothing, within +-50 ms).
/// Processed in overlapping chunks (options.chunk_s core + 4 s margins), 8 chunks band-passed
/// side by side; OpenMP over chunks (the only threads here): identical results for any thread
/// count, and the same beats as one whole-signal chunk (tested). Memory: O(chunk) per thread
/// plus O(n / fs) bookkeeping; the input is not copied.
/// On top, a per-recording beat template (serial, O(candidates)): each candidate's +-50 ms of
/// first differences is correlated with the mean over all candidates (and with a second, ectopic
/// mean when the misfits are coherent); refractory and searchback prefer well-correlated
/// candidates, and a weak (< 0.4 x the median energy of the last 8 beats), uncorrelated (< 0.3)
/// candidate is dropped as noise.
/// "elgendi-plain": the same without the template stage (the default before it; for comparison).
/// "elgendi-whole": the previous whole-signal double-precision version (about 5 doubles of
/// working memory per sample, 0.5-40 Hz filtered copy for refinement), kept for comparison.
/// Bad segments (both): "flat" (range < 1 % of the typical 1-s range for >= 1 s), "saturated"
/// (stuck at the recording's min/max for >= 0.2 s), "noise" (non-finite samples); each is
/// widened by a 50 ms guard on both sides and overlapping ones are merged.
/// MIT-BIH (records 100 102 105 106 108 116 119 200, 150 ms tolerance, tools/eval_beats.sh):
/// gross Se 99.85 %, PPV 99.74 % (default); 99.86 % / 99.73 % (elgendi-plain); 99.87 % / 99.74 %
/// (elgendi-whole). Noise: README "Noise stress" (tools/noise_beats.py).
RPeaks detect_rpeaks(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs_hz,
                     const DetectorOptions& options = {});


}  // namespace ecgforest::signal
