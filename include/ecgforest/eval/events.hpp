#pragma once
// Event-level seizure detection: turning per-window probabilities into seizure events
// (post-processing) and scoring events against reference annotations with the NEDC conventions
// used for the TUH corpus (any-overlap OVLP, time-aligned TAES, 0.25 s EPOCH), plus detection
// latency and a threshold sweep. Pure numeric code: no MPI, no HDF5, no threads.
//
// All times are seconds from the recording start. Only seizure events are passed around (the
// background is everything else); the scores are those of the SEIZ label of NEDC.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/core/postprocess_settings.hpp"
#include "ecgforest/core/json.hpp"

namespace ecgforest::eval {

/// One seizure event [start_s, stop_s], seconds from recording start, stop_s > start_s.
struct Event {
  double start_s = 0.0;
  double stop_s = 0.0;
  double probability = 1.0;  ///< detector confidence (max smoothed probability inside); 1 for references
  /// When a detector running online would have raised this event's alarm: the end of the first
  /// window at or above threshold at which the event (merged runs included) had lasted
  /// min_duration_s. start_s is earlier: the smoothing and the minimum duration date the event
  /// back to its first window. NaN for references and for events read from annotation files.
  double alarm_s = std::numeric_limits<double>::quiet_NaN();
};

/// How per-window probabilities become events: the [postprocess] table of the configuration
/// (smoothing, smoothing_windows, threshold, min_duration_s, merge_gap_s, fa_budget_per_24h).
using PostprocessSettings = ecgforest::PostprocessSettings;

/// Causal smoothing: out[i] = mean or median of p[max(0, i-k+1) .. i]. Smoothing::none or k == 1
/// returns p unchanged. Throws Error for k < 1.
std::vector<float> smooth_probabilities(const std::vector<float>& p, Smoothing method, int k);

/// Events from already-smoothed window probabilities. Window i ends at window_end_s[i] (sorted
/// ascending) and is taken to decide the hop interval (window_end_s[i] - step_s, window_end_s[i]]
/// (clipped at 0), so a run of consecutive windows i..j at or above `threshold` is the event
/// [end_i - step_s, end_j]. Windows further apart than 1.5 step_s break a run. Then events with
/// gaps < merge_gap_s are merged, then events shorter than min_duration_s are dropped.
/// Event probability = max smoothed probability of its windows; alarm_s = the first window end
/// inside the event at least min_duration_s after its start (Event::alarm_s).
std::vector<Event> windows_to_events(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                     double step_s, double threshold, double min_duration_s, double merge_gap_s);

/// smooth_probabilities followed by windows_to_events with the settings' values.
std::vector<Event> postprocess(const std::vector<double>& window_end_s, const std::vector<float>& prob, double step_s,
                               const PostprocessSettings& s);

/// Sorted copy with overlapping or touching events united (reference files may overlap).
std::vector<Event> merge_overlapping(std::vector<Event> events);

// ------------------------------------------------------------------------------- scoring

/// NEDC any-overlap (OVLP): a reference event is a hit when at least one hypothesis event
/// overlaps it (open intervals: h.start < r.stop and h.stop > r.start), else a miss; a
/// hypothesis event overlapping no reference event is one false alarm. Integer counts.
struct OvlpCounts {
  std::size_t n_ref = 0, n_hyp = 0, hits = 0, misses = 0, false_alarms = 0;
};
OvlpCounts score_ovlp(const std::vector<Event>& ref, const std::vector<Event>& hyp);

/// NEDC time-aligned event scoring (TAES), fractional counts. For an overlapping pair:
/// hit = overlap / reference duration; false alarm = hypothesis time outside the reference /
/// reference duration, capped at 1; miss = 1 - hit. Several hypotheses inside one reference add
/// their hits and false alarms; a hypothesis spanning several references scores against the
/// first and adds one full miss for each further one. An unmatched reference is 1 miss, an
/// unmatched hypothesis 1 false alarm.
///
/// `whole_seconds` (default) is NEDC v6.0.0 as it is: a reference takes part when a hypothesis
/// overlaps it exactly, but its partners are found with NEDC's whole-second test (int(start) ..
/// int(stop) share a second), so a hypothesis touching it or lying in its last second adds a
/// partial (even negative) hit and a partial false alarm, and a scored reference can be scored
/// again by a later hypothesis (then hits + misses > n_ref). `exact` uses exact overlap
/// (start < other stop and stop > other start) everywhere: hits + misses = n_ref.
using ecgforest::TaesOverlap;
struct TaesCounts {
  std::size_t n_ref = 0, n_hyp = 0;
  double hits = 0, misses = 0, false_alarms = 0;
};
TaesCounts score_taes(const std::vector<Event>& ref, const std::vector<Event>& hyp,
                      TaesOverlap mode = TaesOverlap::whole_seconds);

/// NEDC epoch scoring: both streams sampled at t = epoch_s/2 + i*epoch_s while t <= duration_s;
/// a sample takes the label of the first event (background filling the gaps) whose closed
/// interval holds it, so a sample exactly on a boundary belongs to the earlier event: seizure
/// when start < t <= stop.
struct EpochCounts {
  std::uint64_t tp = 0, fp = 0, tn = 0, fn = 0;
};
EpochCounts score_epoch(const std::vector<Event>& ref, const std::vector<Event>& hyp, double duration_s,
                        double epoch_s = 0.25);

/// Onset delay (s) of each OVLP-detected reference event: start of the earliest overlapping
/// hypothesis minus the reference start, clamped at 0 (a detection already running at onset
/// has latency 0). Missed references give no value.
std::vector<double> detection_latencies(const std::vector<Event>& ref, const std::vector<Event>& hyp);

/// Alarm latency of each OVLP-detected reference event: the earliest alarm_s among the overlapping
/// hypothesis events that carry one, minus the reference start (floored at 0; it may fall after
/// the seizure's end). A reference whose overlapping events carry no alarm time is left out.
std::vector<double> alarm_latencies(const std::vector<Event>& ref, const std::vector<Event>& hyp);

/// One recording to score: reference and hypothesis seizure events and its duration (s).
struct ScoredRecording {
  std::string name;
  std::string patient;  ///< empty = the name
  double duration_s = 0;
  std::vector<Event> ref, hyp;
  /// Duration the hypothesis file declares (NaN = not known or no hypothesis file). SzCORE scores
  /// a hypothesis whose whole seconds differ from the reference's as no detection.
  double hyp_duration_s = std::numeric_limits<double>::quiet_NaN();
};

struct PatientScore {
  std::size_t n_ref = 0, hits = 0, false_alarms = 0;
  double hours = 0;
  double sensitivity = 0;  ///< NaN when the patient has no reference seizure
  double fa_per_24h = 0;
};

/// Pooled scores over recordings. Rates are NaN when undefined (no reference events, zero time).
struct ScoreSummary {
  std::size_t n_recordings = 0;
  double total_s = 0;
  double epoch_s = 0.25;
  OvlpCounts ovlp;
  TaesCounts taes;
  EpochCounts epoch;
  double ovlp_sensitivity = 0, ovlp_fa_per_24h = 0;
  double taes_sensitivity = 0, taes_fa_per_24h = 0;
  double epoch_sensitivity = 0, epoch_specificity = 0, epoch_fa_per_24h = 0;
  double epoch_kappa = 0;  ///< Cohen's kappa of the epoch table (NEDC's IRA kappa, SEIZ label)
  TaesOverlap taes_overlap = TaesOverlap::whole_seconds;
  double latency_median_s = 0, latency_p90_s = 0;  ///< NaN when nothing was detected
  /// Median and 90th percentile of alarm_latencies: NaN when nothing was detected or the
  /// hypotheses carry no alarm times (scored from annotation files).
  double alarm_latency_median_s = 0, alarm_latency_p90_s = 0;
  std::map<std::string, PatientScore> per_patient;
};

/// Scores every recording (references are merged where they overlap; hypotheses too) and pools
/// the counts: sensitivity = hits / (hits + misses); FA/24h = false alarms / total seconds *
/// 86400 (epoch: fp * epoch_s / total seconds * 86400). Median and 90th percentile latency use
/// linear interpolation between order statistics.
ScoreSummary score_recordings(const std::vector<ScoredRecording>& recordings, double epoch_s = 0.25,
                              TaesOverlap taes = TaesOverlap::whole_seconds);

/// Cohen's kappa of the 2 x 2 epoch table (observed vs chance agreement); 1 when both are 1 (NEDC
/// IRA), NaN for an empty table.
double cohen_kappa(const EpochCounts& e);

/// Quantile q in [0, 1] with linear interpolation (NaN for an empty vector).
double quantile(std::vector<double> v, double q);

// ------------------------------------------------------------------------------- sweep

/// Per-window probabilities of one recording with its reference events.
struct RecordingProbabilities {
  std::string name, patient;
  double duration_s = 0;
  std::vector<double> window_end_s;
  std::vector<float> prob;  ///< raw (unsmoothed) probabilities
  std::vector<Event> ref;
  /// Per window: 1 = quality good enough to be part of an event (quality_gate.hpp); empty = all.
  std::vector<std::uint8_t> usable;
  /// Scored from here on (s from the start): windows ending by then only feed the smoothing, and
  /// the recording is scored as a part of duration_s - scored_from_s (a patient's tailoring
  /// baseline hours come first and are never scored). 0: the whole recording.
  double scored_from_s = 0;
};

/// The events `ev` clipped to [from_s, to_s], with times shifted to start at from_s.
std::vector<Event> clip_shift(const std::vector<Event>& ev, double from_s, double to_s);

/// The events of r's windows ending after from_s (`smoothed`: r's smoothed probabilities, all
/// windows), with times shifted to start at from_s; the quality gate as in gated_events.
std::vector<Event> events_after(const RecordingProbabilities& r, const std::vector<float>& smoothed, double from_s,
                                double step_s, double threshold, double min_duration_s, double merge_gap_s);

struct OperatingPoint {
  double threshold = 0;
  double ovlp_sensitivity = 0, ovlp_fa_per_24h = 0;
  double taes_sensitivity = 0, taes_fa_per_24h = 0;
  std::size_t n_hyp = 0;
  /// False alarms per 24 h as the FA budget counts them (operating_point.hpp, budget_alarms):
  /// events longer than 5 min split into 5-min pieces first, so that one event over a whole
  /// recording is not a hit "without false alarms".
  double budget_fa_per_24h = 0;
};

/// Scores the recordings at every threshold (same smoothing, min duration and merge gap as `s`),
/// each from its scored_from_s on.
std::vector<OperatingPoint> sweep_thresholds(const std::vector<RecordingProbabilities>& recs, double step_s,
                                             const PostprocessSettings& s, const std::vector<double>& thresholds);

/// Thresholds 0.05, 0.10, ..., 0.95.
std::vector<double> default_thresholds();

/// Index of the point with the highest OVLP sensitivity among those with budget_fa_per_24h <=
/// fa_budget (ties: lowest OVLP FA/24h, then highest threshold); nullopt when none fits.
std::optional<std::size_t> best_under_budget(const std::vector<OperatingPoint>& points, double fa_budget);

// ------------------------------------------------------------------------------- JSON

/// The score as a JSON object with the keys ovlp_sensitivity, ovlp_fa_per_24h, taes_sensitivity,
/// taes_fa_per_24h, epoch_sensitivity, epoch_specificity, epoch_fa_per_24h, n_ref_events,
/// n_hyp_events, n_recordings, total_hours, latency_median_s, latency_p90_s, counts (ovlp, taes,
/// epoch), per_patient and, when `sweep` is not empty, "sweep" (one object per threshold),
/// "fa_budget_per_24h" and "best_operating_point" (null when no point fits the budget).
/// Undefined values are null.
std::string score_json(const ScoreSummary& s, const std::vector<OperatingPoint>& sweep = {},
                       std::optional<std::size_t> best = std::nullopt, double fa_budget = 1.0);

/// The keys of that object written into an already open object (to add keys of other scorers).
void write_score_fields(JsonWriter& j, const ScoreSummary& s, const std::vector<OperatingPoint>& sweep = {},
                        std::optional<std::size_t> best = std::nullopt, double fa_budget = 1.0);

/// The same object written into an open JsonWriter (e.g. as the value of a key).
void write_score_json(JsonWriter& j, const ScoreSummary& s, const std::vector<OperatingPoint>& sweep = {},
                      std::optional<std::size_t> best = std::nullopt, double fa_budget = 1.0);

}  // namespace ecgforest::eval
