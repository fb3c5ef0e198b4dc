#pragma once
// predict's patient tailoring (--tailor-hours, --tailor-baseline, --tailor-retrain) over the
// recordings predict_edf.cpp has detected: the per-recording results, the detections before and
// after tailoring on the same hours, and the "tailoring" block of score.json.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/events.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/operating_point.hpp"
#include "ecgforest/eval/responders.hpp"
#include "ecgforest/pipeline/predict_edf.hpp"
#include "ecgforest/pipeline/tailor_retrain.hpp"

namespace ecgforest::pipeline {

// What one rank produced for one recording (moved to rank 0 as bytes).
struct PredictedRecording : RecordingPredictions {
  std::uint64_t index = 0;
  bool has_ref = false;
  /// The recording's own row before --pseudonymise renames it (`row` is the public one): is it,
  /// or its patient, in the training data (training_overlap.hpp).
  io::RecordRow own_row;
  /// --tailor-retrain, where `prob` and `hyp` are those of the patient's own model when it has
  /// one: the given (patient-independent) model's events (with --tailor-baseline), or its window
  /// probabilities (with --tailor-hours, whose events after the cut are detected again).
  std::vector<eval::Event> hyp_independent;
  std::vector<float> prob_independent;
  /// --tailor-hours: the whole recording lies within its patient's baseline hours, so nothing of
  /// it is detected or scored (it gets no annotation files and is not checked against the
  /// model's training data).
  bool all_baseline = false;
  /// The recording's wall-clock start as its events.tsv gives it (dateTime): the EDF header's or
  /// the RR table's, 1985-01-01 00:00:00 with --drop-dates or for a beats file (it has none).
  StartDateTime start;
  /// The recording duration its reference annotation file states (io::stated_duration: a BIDS
  /// events.tsv's recordingDuration, a .csv_bi's "# duration", a .tse_bi's extent), when it states
  /// a positive one. SzCORE scores a hypothesis only against a reference of the same whole-second
  /// duration, and `score` takes the reference's, so predict's hypothesis files and its own
  /// scores use this one (scored_duration_s).
  std::optional<double> ref_duration_s;
};

/// The duration p's hypothesis files state and its scores use: its reference's stated duration,
/// else the recording's (a beat file's rounded up to whole seconds).
double scored_duration_s(const PredictedRecording& p);

/// The recording's NAME (io::recording_name of its path).
std::string recording_name(const PredictedRecording& p);

/// Window probabilities of a predicted recording, for the tailoring code.
eval::RecordingProbabilities probabilities(const PredictedRecording& p);

/// OUT_DIR/NAME.tse_bi, NAME.csv_bi and the SzCORE NAME_events.tsv: the detected seizures of one
/// recording. The events.tsv of a BIDS recording goes where SzCORE's evaluator looks for it
/// (hypothesis_events_path).
void write_hypotheses(const std::filesystem::path& out_dir, const std::filesystem::path& recording,
                      const std::vector<eval::Event>& hyp, const PredictedRecording& p);

/// Removes the files write_hypotheses writes for `recording` (absent ones are fine): a recording
/// wholly within its baseline gets none, also when an earlier run into the folder wrote them.
void remove_hypotheses(const std::filesystem::path& out_dir, const std::filesystem::path& recording);

/// The tailored detections: the scored parts detected both ways (patient-independent and tailored).
struct Tailoring {
  eval::TailoredDetection td;             ///< the cut and both detections (threshold tailoring, and retraining with first hours)
  std::vector<RetrainedModel> retrained;  ///< tailoring by retraining (--tailor-retrain); empty: by threshold
  std::map<std::string, PostprocessSettings> retrained_pp;  ///< per retrained patient: its model's operating point
  std::vector<std::string> baseline_names;  ///< --tailor-baseline recordings used (empty: first hours)
  std::vector<eval::ScoredRecording> scored_independent, scored_tailored;  ///< recordings with references
  std::vector<eval::RecordingHeartRate> hr_independent, hr_tailored;
  std::size_t n_detectable = 0;  ///< readable input recordings (baselines not counted)
  double detected_s = 0;         ///< their seconds detected (after the cut under --tailor-hours)
};

/// Tailors every patient's threshold on its first tailor_hours, or on its recordings in
/// `baseline` (--tailor-baseline, never scored), and replaces each recording's detections (and
/// its NAME.tse_bi/csv_bi, named after hyp_file[index]) with the tailored ones; baseline hours get none.
Tailoring tailor_thresholds(std::vector<PredictedRecording>& all, const std::vector<PredictedRecording>& baseline,
                            const PostprocessSettings& pp, double step_s, const std::filesystem::path& out_dir,
                            const std::vector<std::filesystem::path>& hyp_file);

/// --tailor-retrain --tailor-baseline: every scored recording detected with the given model
/// (hyp_independent) and with its patient's retrained one (hyp; the given model's again for a
/// patient without one). `t` holds retrained, retrained_pp and baseline_names.
void retrain_whole(Tailoring& t, const std::vector<PredictedRecording>& all);

/// --tailor-retrain --tailor-hours: each patient's first hours are cut as for thresholds
/// (eval::detect_tailored); after the cut, the given model's detections (prob_independent) and
/// those of the patient's own model at its own operating point (t.retrained_pp; the given model's
/// again for a patient without one) become the recordings' own, as tailor_thresholds does.
void retrain_first_hours(Tailoring& t, std::vector<PredictedRecording>& all, const PostprocessSettings& pp, double step_s,
                         const std::filesystem::path& out_dir, const std::vector<std::filesystem::path>& hyp_file);

/// score.json's "tailoring" object: method, settings, per-patient thresholds or models, and the
/// patient-independent and tailored scores (with responders) on the same hours.
void write_tailoring_json(JsonWriter& j, const Tailoring& t, const Config& config, const std::filesystem::path& out_dir);

/// The summary line predict prints about the tailoring.
std::string tailoring_text(const Tailoring& t, const PostprocessSettings& pp);

}  // namespace ecgforest::pipeline
