#pragma once
// R-peak detection on one ECG channel. Pure numeric code: no MPI, no I/O; OpenMP over chunks
// inside detect_rpeaks (results independent of the thread count).
#include <cstdint>
#include <span>
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
/// count (tested, also with the band choice active), and the same beats as one whole-signal
/// chunk when no chunk takes the second band (clean ECG; tested). Memory: O(chunk) per thread
/// plus O(n / fs) bookkeeping; the input is not copied.
/// On top, a per-recording beat template (serial, O(candidates)): each candidate's +-50 ms of
/// first differences is correlated with the mean over all candidates (and with a second, ectopic
/// mean when the misfits are coherent); refractory and searchback prefer well-correlated
/// candidates, and a weak (< 0.4 x the median energy of the last 8 beats), uncorrelated (< 0.3)
/// candidate is dropped as noise.
/// Band choice (for electrode motion, whose 1-10 Hz energy leaks into the 8-20 Hz band): every
/// chunk whose 8-20 Hz candidates are not regular (rr_regularity after the refractory rule
/// < 0.95) is also band-passed at 14-24 Hz, and takes the 14-24 Hz candidates when
/// second_band_wins (their QRS-to-mean energy contrast is 1.2 x higher, or they are more regular
/// by more than 0.05 and their contrast is higher), their energies rescaled to the same median.
/// Per chunk, so thread-count and chunk-order invariance are kept; costs a second band-pass.
/// Rhythm check (rhythm_check_rejects): a candidate sooner than 0.6 x the median of the last 8
/// RR is dropped when weaker than 0.3 x the median energy of the last 8 beats.
/// Crowding check (crowded_beats): a beat squeezed into one normal interval (neighbours closer
/// than 1.3 x the local median RR) and weaker than 0.7 x both neighbours (energy x template
/// weight) is dropped; per recording, after the searchback.
/// "elgendi-plain": the same without the template, band choice, rhythm check and crowding
/// check (the detector before issue 15; for comparison).
/// "elgendi-whole": the previous whole-signal double-precision version (about 5 doubles of
/// working memory per sample, 0.5-40 Hz filtered copy for refinement), kept for comparison.
/// Bad segments (both): "flat" (range < 1 % of the typical 1-s range for >= 1 s), "saturated"
/// (stuck at the recording's min/max for >= 0.2 s), "noise" (non-finite samples); each is
/// widened by a 50 ms guard on both sides and overlapping ones are merged.
/// MIT-BIH (records 100 102 105 106 108 116 119 200, 150 ms tolerance, tools/eval_beats.sh):
/// gross Se 99.84 %, PPV 99.83 % (default); 99.86 % / 99.73 % (elgendi-plain); 99.87 % / 99.74 %
/// (elgendi-whole). Noise: README "Noise stress" (tools/noise_beats.py).
RPeaks detect_rpeaks(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs_hz,
                     const DetectorOptions& options = {});

/// Regularity of a beat series (sample indices, increasing): the fraction of successive RR pairs
/// whose second interval differs from the first by less than 20 % of the first; 0 with fewer
/// than 3 beats. Spurious beats split an RR and missed ones double it, so both lower it. The
/// default detector's band choice compares it between bands per chunk.
double rr_regularity(std::span<const std::int64_t> beats);

/// Band choice of the default detector for one chunk: true when the second band's (14-24 Hz)
/// candidates replace the first's (8-20 Hz). regularity = rr_regularity of each band's candidates;
/// contrast = lower quartile of the candidate energies / mean energy over the chunk core in that
/// band (noise in a band raises its mean energy, so the band holding less of the noise has the
/// higher contrast; the lower quartile, so that a band losing the weaker, e.g. wide ectopic, beats
/// does not look cleaner). The second band wins when its contrast is above contrast_ratio x the
/// first's (the noise sits below 14 Hz: electrode motion), or when its candidates are more regular
/// by more than margin and its contrast is higher too (more regular only because it misses beats
/// in noise that sits in the second band, muscle noise, does not count). contrast_ratio <= 0:
/// regularity alone (the rule before the contrasts).
bool second_band_wins(double regularity1, double regularity2, double contrast1, double contrast2, double margin = 0.05,
                      double contrast_ratio = 1.2);

/// Rhythm check of the default detector: true (reject as artefact) when a candidate at `pos`
/// with band energy `energy` comes sooner after last_beats.back() than rr_ratio x the median RR
/// of `last_beats` and is weaker than energy_ratio x the median of `last_energy` (the detector
/// passes its last 9 beats and their 8 latest energies). An early ectopic beat is about as strong
/// as the others and stays. False with fewer than 2 beats or no energies.
bool rhythm_check_rejects(std::span<const std::int64_t> last_beats, std::span<const double> last_energy,
                          std::int64_t pos, double energy, double rr_ratio = 0.6, double energy_ratio = 0.3);

/// Crowding check of the default detector (its last stage before refinement): the indices, in
/// increasing order, of the beats to drop because they crowd a normal interval. Beat k (not the
/// first or last) is dropped when its neighbours are closer together than rr_ratio x the local
/// median RR (over RR k - h .. k + h, h = half_window <= 64, of the series as given: k is squeezed
/// into one normal interval) and its score is below score_ratio x each neighbour's (the detector
/// passes band energy x template weight). Greedy, weakest first; after a drop the neighbours are
/// judged again against their new neighbours. An interpolated ectopic beat about as strong as
/// its neighbours stays; a premature one followed by a compensatory pause is not crowded.
std::vector<std::size_t> crowded_beats(std::span<const std::int64_t> beats, std::span<const double> score,
                                       double rr_ratio = 1.3, double score_ratio = 0.7, int half_window = 8);


}  // namespace ecgforest::signal
