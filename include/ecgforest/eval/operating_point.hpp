#pragma once
// Operating points of a seizure detector: which post-processing (smoothing, threshold, minimum
// duration, merge gap) turns window probabilities into alarms a clinician would accept.
//
//  - choose_postprocess: `train` searches a small grid on its patient-grouped cross-validated
//    probabilities and keeps the setting with the highest OVLP sensitivity whose false alarms per
//    24 h stay within the budget (README "Operating point").
//  - tailor_threshold: a patient's own threshold from seizure-free baseline hours (Jeppesen et al.
//    2020: patient-specific cut-offs), never from the hours that are scored.
//
// Pure numeric code: no MPI, no HDF5, no files.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval {

/// The values choose_postprocess tries (smoothing is a causal mean over k windows; k = 1 = none).
struct PostprocessGrid {
  std::vector<int> smoothing_windows = {1, 5, 10, 20};
  std::vector<double> thresholds = default_thresholds();
  std::vector<double> min_duration_s = {0.0, 5.0, 10.0, 20.0};
  std::vector<double> merge_gap_s = {10.0, 30.0, 60.0};
};

/// Post-processing keys the user fixed (config file or flag): those keep their value.
struct FixedPostprocess {
  bool smoothing = false, smoothing_windows = false, threshold = false, min_duration_s = false,
       merge_gap_s = false;
};

/// OVLP scores of one post-processing setting over a set of recordings.
struct CandidateScore {
  PostprocessSettings settings;
  std::size_t n_ref = 0, hits = 0, false_alarms = 0;
  /// False alarms as the FA budget counts them: events longer than SzCORE's maxEventDuration (5
  /// min) split into 5-min pieces first, each piece that overlaps no seizure one alarm. An event
  /// spanning a whole recording is then not one alarm (NEDC OVLP's false_alarms), nor a hit that
  /// hides the rest: a near-zero threshold cannot "fit" the budget on seizure-dense recordings.
  std::size_t budget_alarms = 0;
  double hours = 0;
  double ovlp_sensitivity = 0;  ///< NaN without reference seizures
  double ovlp_fa_per_24h = 0;
  double latency_median_s = 0;  ///< NaN when nothing was detected
  double alarm_latency_median_s = 0;  ///< median alarm_latencies; NaN when nothing was detected
  /// settings.alarm_within_s > 0 only: seizures whose alarm latency is at most that (else 0).
  std::size_t alarmed_within = 0;
};

struct PostprocessChoice {
  PostprocessSettings chosen;
  CandidateScore score;           ///< the chosen setting's cross-validated scores
  bool fits_budget = false;       ///< false: no setting met the budget, the lowest-FA one was kept
  /// base.max_alarm_latency_s > 0 only: false when no setting within the budget also met the
  /// latency limit; the choice is then the budget's alone (as without a limit).
  bool meets_alarm_latency = true;
  std::size_t n_candidates = 0;
  std::vector<CandidateScore> curve;  ///< every threshold at the chosen smoothing/duration/gap
};

/// Scores one setting (OVLP hits, false alarms, latency) over `recs` (references merged).
CandidateScore score_candidate(const std::vector<RecordingProbabilities>& recs, double step_s,
                               const PostprocessSettings& s);

/// Searches `grid` (keys in `fixed` keep base's value) and returns the setting with the highest
/// OVLP sensitivity among those with at most budget x hours / 24 budget_alarms (budget =
/// base.fa_budget_per_24h; a CV over fewer than 24/budget hours therefore allows none, and
/// budget_evidence says when its hours are too few to show the rate); ties: fewer false alarms,
/// then the middle one of the tied settings in grid order (threshold innermost), so that a plateau
/// of equally good thresholds gives its centre rather than an edge. When no setting fits the
/// budget: the fewest false alarms, ties by sensitivity. With base.max_alarm_latency_s > 0 the
/// settings within the budget whose median alarm latency is at most that come first (NaN, nothing
/// detected, does not meet it); when there are none, the choice is as without the limit and
/// meets_alarm_latency is false. With base.alarm_within_s > 0 the settings of the same level rank
/// by alarmed_within (seizures alarmed within that many seconds of onset) before sensitivity.
/// Deterministic.
PostprocessChoice choose_postprocess(const std::vector<RecordingProbabilities>& recs, double step_s,
                                     const PostprocessSettings& base, const FixedPostprocess& fixed,
                                     const PostprocessGrid& grid = {});

struct TailoredThreshold {
  double threshold = 1.0;
  double baseline_hours = 0;     ///< seizure-free hours used (annotated seizures +- margin excluded)
  std::size_t baseline_alarms = 0;  ///< alarms on the baseline at the tailored threshold
  double lowest_quiet = 1.0;     ///< lowest threshold of the grid within the budget on the baseline
  /// detect_tailored only: less than half the asked baseline hours were seizure-free and usable,
  /// so the patient keeps the patient-independent threshold.
  bool fallback = false;
  /// detect_tailored only: the baseline was long enough (lowering_evidence_hours) for the
  /// threshold to go below the patient-independent one; otherwise tailoring can only raise it.
  bool may_lower = true;
};

/// Hours needed to show a false-alarm rate within a budget of B per 24 h: T hours without an
/// alarm bound the alarm rate below 3 / T per hour at 95 % confidence (Poisson, -ln 0.05 = 3.0),
/// which is within the budget only from T = 72 / B (72 h at 1 FA/24h). Infinite for a budget of 0.
/// Tailoring lowers a threshold below the patient-independent one only on a baseline this long;
/// train warns when its CV is shorter (cv_shows_budget).
double lowering_evidence_hours(double fa_budget_per_24h);

/// True when a CV over `cv_hours` can show a rate within the budget (cv_hours >= 72 / budget):
/// a shorter one chooses a setting with no alarm in its hours, which says little about a day
/// (models of 8-h cohorts raised 0.04-12 false alarms per 24 h on real daily life).
bool cv_shows_budget(double cv_hours, double fa_budget_per_24h);

/// Jeppesen-style patient threshold: the lowest threshold t of 0.01, 0.02, ..., 0.99 at which
/// the patient's baseline recordings raise at most floor(fa_budget_per_24h * hours / 24) alarms
/// (every alarm on seizure-free hours is false), times `margin` (1.05: the 105 % rule), capped
/// at 0.99 and never below `floor_threshold`. Windows within `exclude_margin_s` of an annotated
/// seizure of a baseline recording are not used. `s` gives smoothing, duration and gap.
TailoredThreshold tailor_threshold(const std::vector<RecordingProbabilities>& baseline, double step_s,
                                   const PostprocessSettings& s, double margin = 1.05,
                                   double floor_threshold = 0.05, double exclude_margin_s = 300.0);

/// Patient-tailored detection: for every patient, its first `baseline_hours` (its recordings
/// in the given order, i.e. input order) are the baseline on which tailor_threshold sets its
/// threshold (or keeps pp.threshold when less than half of those hours are usable: `fallback`),
/// never below pp.threshold when the usable baseline is shorter than lowering_evidence_hours
/// (quiet hours too few to show that a lower threshold keeps the budget: `may_lower` false);
/// everything after is detected twice — with `pp.threshold` (patient-independent) and
/// with the patient's threshold — on exactly the same hours, never on the baseline.
struct TailoredDetection {
  std::map<std::string, TailoredThreshold> per_patient;
  std::vector<std::size_t> index;  ///< positions in `recs` with a scored part
  std::vector<double> from_s;      ///< where each scored part starts (s from recording start)
  /// The scored parts with times relative to from_s (duration = the part's length), so that
  /// rates and epochs count only scored time; reference events clipped to the part.
  std::vector<ScoredRecording> independent, tailored;
  double baseline_hours = 0;  ///< hours used as baselines in total
};
/// `whole_baseline`, when not empty (one flag per recording), replaces the first hours: the
/// flagged recordings are their patients' whole baselines and every other recording is scored
/// whole (predict --tailor-baseline); a patient without one keeps pp.threshold.
TailoredDetection detect_tailored(const std::vector<RecordingProbabilities>& recs, double step_s,
                                  const PostprocessSettings& pp, double baseline_hours, double margin,
                                  const std::vector<bool>& whole_baseline = {});

/// The CV choice as JSON: {"chosen": {smoothing, smoothing_windows, threshold, min_duration_s,
/// merge_gap_s}, "fits_budget", "fa_budget_per_24h", "n_candidates", "cv": {scores},
/// "curve": [...]}.
void write_choice_json(JsonWriter& j, const PostprocessChoice& c, double fa_budget);

/// {"smoothing", "smoothing_windows", "threshold", "min_duration_s", "merge_gap_s"}
void write_postprocess_json(JsonWriter& j, const PostprocessSettings& s);

}  // namespace ecgforest::eval
